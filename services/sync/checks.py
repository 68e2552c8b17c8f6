"""Checks of a pulled server document before it is stored (issue 14 §2): a version that would break the local
database or its rules is kept aside (quarantined) instead of aborting the sync.

    reason = problem("legal-aid", rec, "c-07090")     # None when the document can be stored, else plain words

What is checked, from the model's own field definitions and the kinds' patterns (no second copy of the rules):
dates that parse (ISO yyyy-mm-dd), text within the field's max_length, integers and booleans of the right type,
the record's commune equal to its bucket's commune (as the server's schema requires; persons excepted), and the
person ID (CCCD, 12 digits) and phone patterns of services/kinds/person. Unique numbers are checked by the database
itself (IntegrityError), handled by the engine.
"""
from __future__ import annotations

import datetime as dt

from peewee import (
    BigIntegerField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)
from playhouse.sqlite_ext import JSONField

from models.records import MODEL_BY_KIND
from services.kinds.person import ID_NUMBER, PHONE
from services.sync import documents

MAX_CHAR = 2_000
MAX_TEXT = 20_000        # a TextField without a limit: no real note is longer (a 1 MB name is an attack)


def problem(kind: str, rec: dict, bucket: str) -> str | None:
    if not isinstance(rec, dict) or not isinstance(rec.get("id"), str) or not rec.get("id"):
        return "no id"
    if rec.get("deleted"):
        return None
    model = MODEL_BY_KIND[kind]
    for key, field in documents.user_fields(kind):
        name = field.name
        value = rec.get(key, rec.get(name))
        if value is None or value == "":
            continue
        bad = _bad_value(field, value)
        if bad:
            return f"{key}: {bad}"
    commune = rec.get("commune_code")
    # a person lives with the case that names it (services/sync/routing.py), so its own commune may differ
    if (kind != "person" and commune and bucket.startswith("c-") and "commune_code" in model._meta.fields
            and commune != bucket[2:]):
        return f"commune_code: {commune} is not the commune of {bucket}"
    if kind == "person":
        idn = rec.get("id_number")
        if idn and not ID_NUMBER.match(str(idn)):
            return "id_number: not 12 digits"
        phone = rec.get("phone")
        if phone and not PHONE.match(str(phone)):
            return "phone: not a phone number"
    return None


def _bad_value(field, value) -> str | None:
    if isinstance(field, JSONField):           # lists and objects (a TextField underneath): any JSON is stored
        return None
    if isinstance(field, ForeignKeyField):
        return None if isinstance(value, str) and len(value) <= 64 else "not a record id"
    if isinstance(field, DateTimeField):
        try:
            dt.datetime.fromisoformat(str(value))
        except ValueError:
            return f"not a date-time ({str(value)[:40]})"
        return None
    if isinstance(field, DateField):
        try:
            dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            return f"not a date ({str(value)[:40]})"
        return None
    if isinstance(field, BooleanField):
        return None if isinstance(value, bool) else "not true/false"
    if isinstance(field, (IntegerField, BigIntegerField)):
        return (None if isinstance(value, int) and not isinstance(value, bool)
                else f"not a whole number ({str(value)[:40]})")
    if isinstance(field, CharField):
        if not isinstance(value, str):
            return "not text"
        # the model's max_length where it is a real limit (commune code 5, record id 36); peewee's default 255
        # is no rule (an address may hold 300 characters): there the bound only stops absurd values
        size = getattr(field, "max_length", None)
        limit = size if size and size < 255 else MAX_CHAR
        return None if len(value) <= limit else f"longer than {limit} characters ({len(value)})"
    if isinstance(field, TextField):
        if not isinstance(value, str):
            return "not text"
        return None if len(value) <= MAX_TEXT else f"longer than {MAX_TEXT} characters ({len(value)})"
    return None
