"""Canonical column keys of import/export files per record kind (documented in README).

`IMPORT_COLUMNS[kind]` are the keys a template has; `EXTRA_COLUMNS[kind]` are accepted on import and written
on export (id and number make a re-import update the same records). Both come from the kinds' field
descriptions (`column`, `template` in services/kinds/<kind>.py FIELDS).
"""
from __future__ import annotations

from services.kinds import dissemination, legal_aid, mediation
from services.kinds.fields import date_columns, extra_columns, template_columns

_DESCRIBED = {"dissemination": dissemination.FIELDS, "legal-aid": legal_aid.FIELDS, "mediation": mediation.FIELDS}

IMPORT_COLUMNS: dict[str, list[str]] = {}

EXTRA_COLUMNS: dict[str, list[str]] = {}

# Columns holding personal identifiers: masked on export unless asked for and allowed.
IDENTIFIER_COLUMNS = {"id_number", "phone"}

DATE_COLUMNS: set[str] = set()

for _kind, _fields in _DESCRIBED.items():
    IMPORT_COLUMNS[_kind] = template_columns(_fields)
    EXTRA_COLUMNS[_kind] = extra_columns(_fields)
    DATE_COLUMNS |= date_columns(_fields)

KINDS = ("dissemination", "legal-aid", "mediation")


def all_columns(kind: str) -> list[str]:
    return IMPORT_COLUMNS[kind] + EXTRA_COLUMNS[kind]


def mask(value: str) -> str:
    """'022090001234' -> '0220******34' (first 4 and last 2 kept)."""
    value = value or ""
    if len(value) <= 6:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 6) + value[-2:]


def is_masked(value) -> bool:
    return isinstance(value, str) and "*" in value
