"""Audit of everything that leaves the app for people (CSV/XLSX/PDF exports and prints).

    audit_export("legal-aid", "/tmp/ds.xlsx", rows=120, include_identifiers=False)
    audit_print("case-slip", ["<id>", …], "/tmp/slip.pdf")

Each call writes one AuditEntry (action "export" or "print", synced like every audit entry) naming the file,
the row count, whether identifiers were shown in full, and the officer.
"""
from __future__ import annotations

from pathlib import Path

from models.base import new_uuid
from services.records import audit


def audit_export(kind: str, path, rows: int, include_identifiers: bool, actor: str | None = None,
                 fmt: str | None = None, filters: dict | None = None):
    changes = {"file": [None, Path(str(path)).name], "rows": [None, int(rows)],
               "identifiers": [None, "full" if include_identifiers else "masked"],
               "format": [None, fmt or Path(str(path)).suffix.lstrip(".").lower()]}
    if filters:
        changes["filters"] = [None, filters]
    return audit.record(kind, new_uuid(), "export", changes, actor)


def audit_print(document: str, record_ids: list[str], path, actor: str | None = None,
                include_identifiers: bool = True):
    changes = {"document": [None, document], "file": [None, Path(str(path)).name],
               "records": [None, list(record_ids)[:200]], "count": [None, len(record_ids)],
               "identifiers": [None, "full" if include_identifiers else "masked"]}
    target = record_ids[0] if len(record_ids) == 1 else new_uuid()
    return audit.record(document, target, "print", changes, actor)
