"""Records as sync documents: canonical user fields, compact wire form, field diffs.

    doc = local_document(instance)                # {"full_name": "…", "requester_id": "…", …} (no id/deleted)
    doc = remote_document("person", kinto_data)   # same shape from a server record (missing keys -> defaults)
    wire_document("person", doc)                  # what a PUT sends: values equal to the model default left out
    changed_fields(base_doc, doc)                 # what a PATCH sends

Leaving default values out is safe because (1) the receiving side fills every missing user field with the
model's default (remote_document) and (2) the server's JSON schemas (server/bootstrap.py) only require fields
that have no default. Values are converted by services/records/documents.py (dates "YYYY-MM-DD", datetimes
ISO, FKs as ids), the converter audit and transfer files use too.
"""
from __future__ import annotations

from functools import cache

from peewee import ForeignKeyField

from models.records import MODEL_BY_KIND
from services.records import documents
from services.records.documents import json_value

_NO_DEFAULT = object()
SKIP = {"id", "deleted"}


@cache
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


def local_document(instance) -> dict:
    return {key: json_value(field, instance.__data__.get(field.name)) for key, field in user_fields(instance.KIND)}


def remote_document(kind: str, data: dict) -> dict:
    out = {}
    for key, field in user_fields(kind):
        if key in data:
            out[key] = json_value(field, data[key])
        elif not isinstance(field, ForeignKeyField) and field.name in data:   # "requester" spelling
            out[key] = json_value(field, data[field.name])
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
    """A document value back to what the model field takes (dates as date objects)."""
    for k, field in user_fields(kind):
        if k == key:
            return documents.python_value(field, value)
    raise KeyError(key)
