"""Staging tables for chunked imports (services/records/importing.py): an import's checked rows wait here, committed in
short transactions, until every row is known good; then they move into the real tables in short transactions.
A batch left behind by a killed import is discarded (still checking) or finished (already moving) at the next
open. Pure SQL: no app code imported."""


def up(migrator, db):
    db.execute_sql(
        'CREATE TABLE IF NOT EXISTS "import_batch" ('
        '"id" VARCHAR(36) NOT NULL PRIMARY KEY, "kind" VARCHAR(32) NOT NULL, "file_name" TEXT NOT NULL, '
        '"actor" TEXT NOT NULL, "state" VARCHAR(16) NOT NULL, "total" INTEGER NOT NULL DEFAULT 0, '
        '"created_at" DATETIME NOT NULL)')
    db.execute_sql(
        'CREATE TABLE IF NOT EXISTS "import_row" ('
        '"batch_id" VARCHAR(36) NOT NULL REFERENCES "import_batch" ("id") ON DELETE CASCADE, '
        '"seq" INTEGER NOT NULL, "row_number" INTEGER NOT NULL, "record_id" VARCHAR(64), "data" TEXT NOT NULL, '
        'PRIMARY KEY ("batch_id", "seq")) WITHOUT ROWID')
    db.execute_sql('CREATE INDEX IF NOT EXISTS "import_row_record" ON "import_row" ("batch_id", "record_id") '
                   'WHERE "record_id" IS NOT NULL')


def down(migrator, db):
    db.execute_sql('DROP TABLE IF EXISTS "import_row"')
    db.execute_sql('DROP TABLE IF EXISTS "import_batch"')
