"""Records as sync documents: canonical user fields, compact wire form, field diffs.

    doc = local_document(instance)                # {"full_name": "…", "requester_id": "…", …} (no id/deleted)
    doc = remote_document("person", kinto_data)   # same shape from a server record (missing keys -> defaults)
    wire_document("person", doc)                  # what a PUT sends: values equal to the model default left out
    changed_fields(base_doc, doc)                 # what a PATCH sends

Leaving default values out is safe because (1) the receiving side fills every missing user field with the
model's default (remote_document) and (2) the server's JSON schemas (server/bootstrap.py) only require fields
that have no default. Values are canonical JSON: dates "YYYY-MM-DD", datetimes ISO, FKs as ids.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

from peewee import DateField, DateTimeField, ForeignKeyField

from models.records import MODEL_BY_KIND
from services.records import to_document

_NO_DEFAULT = object()
SKIP = {"id", "deleted"}


@lru_cache(maxsize=None)
def user_fields(kind: str) -> tuple:
    """((key, field), …) of the fields that travel: FKs under their column name (requester_id)."""
    model = MODEL_BY_KIND[kind]
    out = []
    for name, field in model._meta.fields.items():
        if name in SKIP or name in model.SYSTEM_FIELDS:
            continue
        out.append((field.column_name if isinstance(field, ForeignKeyField) else name, field))
    return tuple(out)


def _default(field):
    d = field.default
    if d is None:
        return None if field.null else _NO_DEFAULT
    if callable(d):
        return d() if d in (list, dict) else _NO_DEFAULT
    return d


def canonical(field, value):
    if value is None:
        return None
    if isinstance(field, DateTimeField):
        if isinstance(value, str):
            if not value:
                return None
            try:
                value = dt.datetime.fromisoformat(value)
            except ValueError:
                return value
        return value.isoformat() if isinstance(value, dt.datetime) else value
    if isinstance(field, DateField):
        if isinstance(value, str):
            return value[:10] or None
        return value.isoformat()[:10] if isinstance(value, (dt.date, dt.datetime)) else value
    return value


def local_document(instance) -> dict:
    doc = to_document(instance)
    return {key: canonical(field, doc.get(key)) for key, field in user_fields(instance.KIND)}


def remote_document(kind: str, data: dict) -> dict:
    out = {}
    for key, field in user_fields(kind):
        if key in data:
            out[key] = canonical(field, data[key])
        elif not isinstance(field, ForeignKeyField) and field.name in data:   # "requester" spelling
            out[key] = canonical(field, data[field.name])
        else:
            d = _default(field)
            out[key] = None if d is _NO_DEFAULT else d
    return out


def wire_document(kind: str, doc: dict) -> dict:
    out = {}
    for key, field in user_fields(kind):
        value = doc.get(key)
        d = _default(field)
        if d is not _NO_DEFAULT and value == d and type(value) is type(d):
            continue
        out[key] = value
    return out


def changed_fields(base: dict | None, doc: dict) -> dict:
    if base is None:
        return dict(doc)
    return {k: v for k, v in doc.items() if base.get(k, _NO_DEFAULT) != v}


def python_value(kind: str, key: str, value):
    """A canonical JSON value back to what the model field takes (dates as date objects)."""
    for k, field in user_fields(kind):
        if k == key:
            if value in (None, "") and isinstance(field, (DateField, DateTimeField)):
                return None
            if isinstance(field, DateTimeField) and isinstance(value, str):
                return dt.datetime.fromisoformat(value)
            if isinstance(field, DateField) and isinstance(value, str):
                return dt.date.fromisoformat(value[:10])
            return value
    raise KeyError(key)


def field_name(kind: str, key: str) -> str:
    """The model attribute to set for a document key (requester_id works as an attribute too)."""
    return key
