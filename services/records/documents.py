"""The one record <-> document converter: the plain JSON form of a record that audit diffs, sync pushes and
pulls, and transfer files hold.

    to_document(case) -> {"number": "TG-…", "received_date": "2026-11-24", "requester_id": "…", …}
    json_value(field, value)    # model value -> document value: dates "YYYY-MM-DD", datetimes ISO, FKs as ids
    python_value(field, value)  # document value -> model value: date text -> date, "" -> None where it means none

Every conversion of a record's dates to text and back goes through json_value() / python_value(), so a value
read from the database is turned into text once (a push no longer parses to_document()'s text again).
"""
from __future__ import annotations

import datetime as dt

from peewee import DateField, DateTimeField, ForeignKeyField


def json_value(field, value):
    """A model value (or text already in document form) as its document value."""
    if value is None:
        return None
    if isinstance(field, DateTimeField):
        if isinstance(value, str):
            if not value:
                return None
            try:
                value = dt.datetime.fromisoformat(value)
            except ValueError:
                return value                     # not a datetime: left for validation to name
        return value.isoformat() if isinstance(value, dt.datetime) else value
    if isinstance(field, DateField):
        if isinstance(value, str):
            return value[:10] or None
        return value.isoformat()[:10] if isinstance(value, (dt.date, dt.datetime)) else value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def python_value(field, value):
    """A document value as the model field stores it; empty means none (NULL) for dates, datetimes and
    nullable fields."""
    if value is None or value == "":
        return None if field.null or isinstance(field, (DateField, DateTimeField)) else value
    if isinstance(field, DateTimeField) and isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    if isinstance(field, DateField) and isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value


def document_key(field) -> str:
    """A field's key in documents: FKs under their column name (requester_id), others under their name."""
    return field.column_name if isinstance(field, ForeignKeyField) else field.name


def to_document(instance) -> dict:
    """All user fields as document values (FKs as ids); bookkeeping fields (SYSTEM_FIELDS) left out."""
    return {document_key(field): json_value(field, instance.__data__.get(name))
            for name, field in instance._meta.fields.items() if name not in instance.SYSTEM_FIELDS}
