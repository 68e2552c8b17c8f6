"""Audit log: every create/update/delete (and export/print) with who, when and field-level before/after.

    record("legal-aid", case.id, "update", {"status": ["received", "referred"]}, actor="Nguyễn Văn A")
    history(case.id) -> [AuditEntry, …] oldest first

Audit entries are synced records too (append-only: never updated or deleted).
"""
from __future__ import annotations

from models import fastsql
from models.records import AuditEntry
from services import app, outbox


def record(kind: str, record_id: str, action: str, changes: dict | None = None, actor: str | None = None) -> AuditEntry:
    ctx = app.current()
    entry = AuditEntry(record_kind=kind, record_id=record_id, action=action,
                       officer=actor or ctx.actor, changes=changes or {}, device_id=ctx.device_id)
    fastsql.insert(entry)
    outbox.queue(AuditEntry.KIND, entry.id)
    return entry


def history(record_id: str) -> list[AuditEntry]:
    return list(AuditEntry.select().where(AuditEntry.record_id == record_id).order_by(AuditEntry.at, AuditEntry.created_at))


def diff(before: dict, after: dict) -> dict:
    """{field: [before, after]} for fields whose value changed."""
    keys = set(before) | set(after)
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}
