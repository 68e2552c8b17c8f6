"""Search index entries start with a token naming their kind ("zzkindlegalaid" …), so that a list search
intersects the kind inside FTS5 instead of filtering every match of a common word afterwards.
Persons are no longer indexed (they are found through their cases). Pure SQL: no app code imported."""

TOKENS = {"legal-aid": "zzkindlegalaid", "mediation": "zzkindmediation", "dissemination": "zzkinddissemination"}


def up(migrator, db):
    db.execute_sql("DELETE FROM search_index WHERE rowid IN (SELECT id FROM search_doc WHERE kind = 'person')")
    db.execute_sql("DELETE FROM search_doc WHERE kind = 'person'")
    for kind, token in TOKENS.items():
        db.execute_sql(
            "UPDATE search_index SET text = ? || ' ' || text "
            "WHERE rowid IN (SELECT id FROM search_doc WHERE kind = ?) AND text NOT LIKE 'zzkind%'",
            (token, kind))


def down(migrator, db):
    db.execute_sql("UPDATE search_index SET text = substr(text, instr(text, ' ') + 1) WHERE text LIKE 'zzkind%'")
