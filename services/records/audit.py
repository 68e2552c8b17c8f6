"""Audit log: every create/update/delete (and export/print) with who, when and field-level before/after.

    record("legal-aid", case.id, "update", {"status": ["received", "referred"]}, actor="Nguyễn Văn A")
    history(case.id) -> [AuditEntry, …] oldest first
    history_entries(case.id) -> [{"at", "who", "action", "changes": {field: [before, after]}}, …] oldest first

Audit entries are synced records too (append-only: never updated or deleted). Every write of
services.records.store is recorded through the "audit" hook of services.records.events.
"""
from __future__ import annotations

from models import fastsql
from models.records import AuditEntry
from services.data_dir import context
from services.records import events, outbox


def record(kind: str, record_id: str, action: str, changes: dict | None = None, actor: str | None = None) -> AuditEntry:
    ctx = context.current()
    entry = AuditEntry(record_kind=kind, record_id=record_id, action=action,
                       officer=actor or ctx.actor, changes=changes or {}, device_id=ctx.device_id)
    fastsql.insert(entry)
    outbox.queue(AuditEntry.KIND, entry.id)
    return entry


@events.on_written("audit")
def _on_written(event: events.Written) -> None:
    record(event.kind, event.instance.id, event.action, event.changes, event.actor)


def history(record_id: str) -> list[AuditEntry]:
    return list(AuditEntry.select().where(AuditEntry.record_id == record_id)
                .order_by(AuditEntry.at, AuditEntry.created_at))


def history_entries(record_id: str, hide=None) -> list[dict]:
    """The record's history, oldest first, as plain data: [{"at": ISO UTC, "who", "action",
    "changes": {field: [before, after]}}]. `hide(field)` True: both values masked (identifiers)."""
    from services.security.roles import mask
    out = []
    for e in history(record_id):
        changes = {}
        for name, pair in (e.changes or {}).items():
            before, after = (list(pair) + [None, None])[:2] if isinstance(pair, list) else (None, pair)
            if hide is not None and hide(name):
                before, after = (mask(v) if v not in (None, "") else v for v in (before, after))
            changes[name] = [before, after]
        at = e.at.replace(microsecond=0).isoformat() + "Z" if e.at else None
        out.append({"at": at, "who": e.officer, "action": e.action, "changes": changes})
    return out


def diff(before: dict, after: dict) -> dict:
    """{field: [before, after]} for fields whose value changed."""
    keys = set(before) | set(after)
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}
