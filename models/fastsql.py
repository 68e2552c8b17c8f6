"""Pre-built SQL for the statements every save runs (record insert, audit entry, outbox, search index, village)
and for the bulk writes of a sync pull.

    insert(AuditEntry, entry)                       # a model instance: its __data__ (defaults filled) is written
    execute(OUTBOX_UPSERT, (kind, record_id, now))
    upsert_many(Person, rows, ["full_name", …])     # rows: dicts keyed by field name, all with the same keys
    update_many(Person, rows, ["deleted", …])

Why by hand: peewee builds the SQL text of each query anew — profiling a save showed ~60 % of its time in
query building for ~9 statements, and SQLite itself ~16 %. Building each statement's text once per model keeps
every value a bound parameter and every conversion peewee's own (Field.db_value); only the string is cached.
"""
from __future__ import annotations

from playhouse.sqlite_ext import JSONField

from models.db import database

_INSERTS: dict = {}


def _converter(field):
    if isinstance(field, JSONField):   # peewee stores JSON as json(<text>): same here, bound as a parameter
        return lambda v: None if v is None else field._json_dumps(v)
    return field.db_value


def _mark(field) -> str:
    return "json(?)" if isinstance(field, JSONField) else "?"


def _insert_sql(model, verb: str):
    """(SQL inserting every column, [(field name, converter)]) of a model."""
    key = (model, verb)
    if key not in _INSERTS:
        fields = list(model._meta.sorted_fields)
        columns = ", ".join(f'"{f.column_name}"' for f in fields)
        marks = ", ".join(_mark(f) for f in fields)
        _INSERTS[key] = (f'{verb} INTO "{model._meta.table_name}" ({columns}) VALUES ({marks})',
                         [(f.name, _converter(f)) for f in fields])
    return _INSERTS[key]


def insert(instance, verb: str = "INSERT") -> None:
    """Insert a model instance (every column, defaults already filled by peewee's Model.__init__)."""
    sql, converters = _insert_sql(type(instance), verb)
    data = instance.__data__
    database.execute_sql(sql, [convert(data.get(name)) for name, convert in converters])


def execute(sql: str, params=()):
    return database.execute_sql(sql, params)


def execute_many(sql: str, rows) -> None:
    """One statement for many parameter rows (sqlite3's executemany: the statement is prepared once)."""
    database.cursor().executemany(sql, rows)


def insert_each(sql: str, rows) -> list[int]:
    """Run an INSERT once per parameter row on one cursor; the new rowids in order (executemany cannot
    return them)."""
    cursor = database.cursor()
    ids = []
    for row in rows:
        cursor.execute(sql, row)
        ids.append(cursor.lastrowid)
    return ids


_UPSERTS: dict = {}


def _upsert_plan(model, present: tuple, update: tuple):
    """SQL and per-column value makers of upsert_many() for rows holding the fields `present`."""
    key = (model, present, update)
    if key not in _UPSERTS:
        defaults = model._meta.defaults
        makers = []
        for f in model._meta.sorted_fields:
            convert = _converter(f)
            if f.name in present:
                makers.append((f.name, None, convert))
            elif f in defaults:        # as peewee's insert: the model default (called when callable)
                makers.append((None, defaults[f], convert))
            elif f.null:
                makers.append((None, None, convert))
            else:
                raise ValueError(f"Missing value for {f.name}.")
        insert, _ = _insert_sql(model, "INSERT")
        pk = model._meta.primary_key.column_name
        sets = ", ".join(f'"{c}" = excluded."{c}"' for c in (model._meta.fields[n].column_name for n in update))
        action = f"DO UPDATE SET {sets}" if sets else "DO NOTHING"
        _UPSERTS[key] = (f'{insert} ON CONFLICT ("{pk}") {action}', makers)
    return _UPSERTS[key]


def update_many(model, rows: list[dict], update: list[str]) -> None:
    """UPDATE … SET <update> WHERE pk = ? for rows (dicts keyed by field name holding the primary key and every
    name of `update`), prepared once and run with executemany; values through Field.db_value."""
    if not rows:
        return
    key = (model, "update", tuple(update))
    if key not in _UPSERTS:
        fields = [model._meta.fields[n] for n in update]
        pk = model._meta.primary_key
        sets = ", ".join(f'"{f.column_name}" = {_mark(f)}' for f in fields)
        _UPSERTS[key] = (f'UPDATE "{model._meta.table_name}" SET {sets} WHERE "{pk.column_name}" = ?',
                         [(f.name, _converter(f)) for f in fields] + [(pk.name, _converter(pk))])
    sql, converters = _UPSERTS[key]
    execute_many(sql, [[convert(row[name]) for name, convert in converters] for row in rows])


def upsert_many(model, rows: list[dict], update: list[str]) -> None:
    """INSERT … ON CONFLICT(primary key) DO UPDATE SET <update> = excluded.<update> for rows (dicts keyed by
    field name, all with the same keys), prepared once and run with executemany. Writes what peewee's
    model.insert_many(rows).on_conflict(conflict_target=[pk], preserve=update) writes: missing fields get the
    model default (peewee's rule), every value goes through Field.db_value. Pull of 100,000 records: peewee
    spent ~60 % of the time building that statement's text, row by row."""
    if not rows:
        return
    sql, makers = _upsert_plan(model, tuple(sorted(rows[0])), tuple(update))
    params = []
    for row in rows:
        values = []
        for name, default, convert in makers:
            if name is not None:
                values.append(convert(row[name]))
            else:
                values.append(convert(default() if callable(default) else default))
        params.append(values)
    execute_many(sql, params)


OUTBOX_UPSERT = ('INSERT INTO "outbox" ("kind", "record_id", "queued_at") VALUES (?, ?, ?) '
                 'ON CONFLICT ("kind", "record_id") DO UPDATE SET "queued_at" = excluded."queued_at"')
VILLAGE_REMEMBER = ('INSERT OR IGNORE INTO "village" ("commune_code", "name", "name_folded", "active") '
                    'VALUES (?, ?, ?, 1)')
SEARCH_DOC_INSERT = ('INSERT INTO "search_doc" ("kind", "record_id", "commune_code", "date", "number", "title") '
                     'VALUES (?, ?, ?, ?, ?, ?)')
SEARCH_DOC_UPDATE = ('UPDATE "search_doc" SET "kind" = ?, "record_id" = ?, "commune_code" = ?, "date" = ?, '
                     '"number" = ?, "title" = ? WHERE "id" = ?')
SEARCH_INDEX_INSERT = 'INSERT INTO "search_index" ("rowid", "text") VALUES (?, ?)'
