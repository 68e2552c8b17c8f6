"""Pre-built SQL for the statements every save runs (record insert, audit entry, outbox, search index, village).

    insert(AuditEntry, entry)                       # a model instance: its __data__ (defaults filled) is written
    execute(OUTBOX_UPSERT, (kind, record_id, now))

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


def _insert_sql(model, verb: str):
    key = (model, verb)
    if key not in _INSERTS:
        fields = list(model._meta.sorted_fields)
        columns = ", ".join(f'"{f.column_name}"' for f in fields)
        marks = ", ".join("json(?)" if isinstance(f, JSONField) else "?" for f in fields)
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


OUTBOX_UPSERT = ('INSERT INTO "outbox" ("kind", "record_id", "queued_at") VALUES (?, ?, ?) '
                 'ON CONFLICT ("kind", "record_id") DO UPDATE SET "queued_at" = excluded."queued_at"')
VILLAGE_REMEMBER = ('INSERT OR IGNORE INTO "village" ("commune_code", "name", "name_folded", "active") '
                    'VALUES (?, ?, ?, 1)')
SEARCH_DOC_INSERT = ('INSERT INTO "search_doc" ("kind", "record_id", "commune_code", "date", "number", "title") '
                     'VALUES (?, ?, ?, ?, ?, ?)')
SEARCH_INDEX_INSERT = 'INSERT INTO "search_index" ("rowid", "text") VALUES (?, ?)'
