"""A covering index for the coverage report's per-village reach (last date, sessions and participants per
village): it reads the index in commune/village order instead of sorting the events for GROUP BY. Measured on
the 100k demo folder (82k events, 54 communes): 301 ms → 48 ms."""

INDEXES = {
    "disseminationevent_reach": ("dissemination_event", ("deleted", "commune_code", "village", "date",
                                                         "participants")),
}


def up(migrator, db):
    for name, (table, columns) in INDEXES.items():
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({", ".join(columns)})')


def down(migrator, db):
    for name in INDEXES:
        db.execute_sql(f'DROP INDEX IF EXISTS "{name}"')
