"""Attachments: files (scans, photos) attached to legal-aid cases, mediation cases and sessions, dissemination
events (models/attachments.py, services/attachments). Pure SQL: no app code imported."""


def up(migrator, db):
    db.execute_sql(
        'CREATE TABLE IF NOT EXISTS "attachment" ('
        '"id" VARCHAR(36) NOT NULL PRIMARY KEY, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, '
        '"device_id" VARCHAR(36) NOT NULL, "deleted" INTEGER NOT NULL DEFAULT 0, "last_modified" INTEGER, '
        '"record_kind" VARCHAR(32) NOT NULL, "record_id" VARCHAR(36) NOT NULL, "sha256" VARCHAR(64) NOT NULL, '
        '"size" INTEGER NOT NULL, "mime" VARCHAR(64) NOT NULL, "file_name" TEXT NOT NULL DEFAULT \'\', '
        '"type" VARCHAR(32) NOT NULL, "caption" TEXT NOT NULL DEFAULT \'\', '
        '"document" VARCHAR(48) NOT NULL DEFAULT \'\', "width" INTEGER, "height" INTEGER, '
        '"has_thumbnail" INTEGER NOT NULL DEFAULT 0, "active_content" TEXT NOT NULL DEFAULT \'\', '
        '"added_by" TEXT NOT NULL DEFAULT \'\')')
    db.execute_sql('CREATE INDEX IF NOT EXISTS "attachment_record" ON "attachment" '
                   '("record_kind", "record_id", "deleted")')
    db.execute_sql('CREATE INDEX IF NOT EXISTS "attachment_sha256" ON "attachment" ("sha256")')
    db.execute_sql('CREATE INDEX IF NOT EXISTS "attachment_updated_at" ON "attachment" ("updated_at")')
    db.execute_sql('CREATE INDEX IF NOT EXISTS "attachment_deleted" ON "attachment" ("deleted")')


def down(migrator, db):
    db.execute_sql('DROP TABLE IF EXISTS "attachment"')
