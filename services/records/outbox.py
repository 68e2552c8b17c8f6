"""The outbox: records changed locally and not yet acknowledged by the sync server (one row per record).

    queue("legal-aid", case.id);  pending_counts() -> {"legal-aid": 3, …};  acknowledge("legal-aid", [ids])
    pending() -> [("legal-aid", id), …] oldest first;  queued_among("person", ids) -> {ids with a waiting change}

Every write of services.records.store is queued through the "outbox" hook of services.records.events.
"""
from __future__ import annotations

from peewee import fn

from models import fastsql
from models.records import Outbox
from services.dates import utc_now
from services.records import events


def queue(kind: str, record_id: str) -> None:
    fastsql.execute(fastsql.OUTBOX_UPSERT, (kind, record_id, Outbox.queued_at.db_value(utc_now())))


@events.on_written("outbox")
def _on_written(event: events.Written) -> None:
    queue(event.kind, event.instance.id)


def pending_counts() -> dict[str, int]:
    return {row.kind: row.n for row in Outbox.select(Outbox.kind, fn.COUNT(Outbox.id).alias("n")).group_by(Outbox.kind)}


def pending_total() -> int:
    return Outbox.select().count()


CHANGE_LOG_KINDS = ("audit",)    # change-log entries: not records; counted apart (issue 16 §2)


def pending_records_total() -> int:
    """Records waiting to be sent, change-log (audit) entries left out."""
    return Outbox.select().where(Outbox.kind.not_in(CHANGE_LOG_KINDS)).count()


def pending() -> list[tuple[str, str]]:
    """(kind, record_id) of every record waiting to be sent, oldest change first (what a push sends)."""
    return [(r.kind, r.record_id) for r in Outbox.select(Outbox.kind, Outbox.record_id).order_by(Outbox.queued_at)]


def queued_among(kind: str, record_ids: list[str]) -> set[str]:
    """The ids among `record_ids` (of one kind) with a local change waiting to be sent."""
    found = set()
    for i in range(0, len(record_ids), 500):          # SQLite's bound-parameter limit
        found |= {r.record_id for r in Outbox.select(Outbox.record_id)
                  .where((Outbox.kind == kind) & (Outbox.record_id.in_(record_ids[i:i + 500])))}
    return found


def acknowledge(kind: str, record_ids: list[str], queued_before=None) -> int:
    """Remove acknowledged rows; rows re-queued after `queued_before` (edited during sync) are kept."""
    q = Outbox.delete().where((Outbox.kind == kind) & (Outbox.record_id.in_(record_ids)))
    if queued_before is not None:
        q = q.where(Outbox.queued_at <= queued_before)
    return q.execute()
