"""Local sync state (models/sync_state.py): checkpoints, base versions, conflicts. No network here.

    since = checkpoint("c-07090", "persons"); set_checkpoint("c-07090", "persons", 1795609593642)
    base = bases("person", [pid])[pid]; set_base("person", pid, "c-07090", ts, doc)   # doc None = tombstone
    set_bases("person", [(pid, "c-07090", ts, doc), …])                                  # a page at once
    add_conflict("person", pid, "phone", local="0912…", remote="0987…", base="0901…", remote_ts=ts)
    quarantine("person", pid, "c-07090", ts, "birth_year: …", raw_doc); open_quarantine(); release("person", ids)
    add_notice("person", pid, "deleted_edit", {"document": doc}); open_notices(); dismiss_notice(3)
"""
from __future__ import annotations

import json

from models.db import database
from models.sync_state import SyncBase, SyncCheckpoint, SyncConflict, SyncNotice, SyncQuarantine
from services.dates import utc_now


def checkpoint(bucket: str, collection: str) -> int:
    row = SyncCheckpoint.get_or_none((SyncCheckpoint.bucket == bucket) & (SyncCheckpoint.collection == collection))
    return row.since if row else 0


def set_checkpoint(bucket: str, collection: str, since: int) -> None:
    (SyncCheckpoint.insert(bucket=bucket, collection=collection, since=since, updated_at=utc_now())
     .on_conflict(conflict_target=[SyncCheckpoint.bucket, SyncCheckpoint.collection],
                  update={SyncCheckpoint.since: since, SyncCheckpoint.updated_at: utc_now()})
     .execute())


def bases(kind: str, record_ids: list[str]) -> dict[str, SyncBase]:
    out = {}
    ids = list(record_ids)
    for i in range(0, len(ids), 500):
        for row in SyncBase.select().where((SyncBase.kind == kind) & (SyncBase.record_id.in_(ids[i:i + 500]))):
            out[row.record_id] = row
    return out


def set_base(kind: str, record_id: str, bucket: str, last_modified: int, document: dict | None) -> None:
    deleted = document is None
    (SyncBase.insert(kind=kind, record_id=record_id, bucket=bucket, last_modified=last_modified, deleted=deleted,
                     document=document)
     .on_conflict(conflict_target=[SyncBase.kind, SyncBase.record_id],
                  update={SyncBase.bucket: bucket, SyncBase.last_modified: last_modified,
                          SyncBase.deleted: deleted, SyncBase.document: document})
     .execute())


def set_bases(kind: str, rows: list[tuple[str, str, int, dict | None]]) -> None:
    """set_base() for many (record_id, bucket, last_modified, document) rows: one prepared upsert run with
    executemany (a first pull writes one base per record; peewee's per-row SQL building would cost more than
    SQLite's work)."""
    if not rows:
        return
    meta = SyncBase._meta
    f = meta.fields
    cols = [f[n].column_name for n in ("kind", "record_id", "bucket", "last_modified", "deleted", "document")]
    sql = (f'INSERT INTO "{meta.table_name}" ({", ".join(cols)}) VALUES (?, ?, ?, ?, ?, json(?)) '
           f'ON CONFLICT ({cols[0]}, {cols[1]}) DO UPDATE SET {cols[2]} = excluded.{cols[2]}, '
           f'{cols[3]} = excluded.{cols[3]}, {cols[4]} = excluded.{cols[4]}, {cols[5]} = excluded.{cols[5]}')
    params = [(kind, rid, bucket, ts, doc is None, None if doc is None else json.dumps(doc))
              for rid, bucket, ts, doc in rows]
    with database.atomic():
        database.cursor().executemany(sql, params)


def add_conflict(kind: str, record_id: str, field: str, local, remote, base, remote_ts: int | None,
                 document: dict | None = None) -> SyncConflict:
    return SyncConflict.create(kind=kind, record_id=record_id, field=field, local=local, remote=remote, base=base,
                               document=document, remote_last_modified=remote_ts, created_at=utc_now())


def open_conflicts():
    return SyncConflict.select().where(SyncConflict.resolved == False).order_by(SyncConflict.id)  # noqa: E712


def quarantine(kind: str, record_id: str, bucket: str, last_modified: int, reason: str, raw) -> None:
    """Keep a pulled version aside (one row per version; a re-pull of the same version is not a new row)."""
    (SyncQuarantine.insert(kind=kind, record_id=str(record_id)[:64], bucket=bucket, last_modified=last_modified,
                           reason=reason[:2000], raw=raw, created_at=utc_now(), released=False)
     .on_conflict_ignore().execute())


def release(kind: str, record_ids) -> int:
    """A later version of these records was stored: their quarantined versions are settled."""
    ids = list(record_ids)
    n = 0
    for i in range(0, len(ids), 500):
        n += (SyncQuarantine.update(released=True)
              .where((SyncQuarantine.kind == kind) & (SyncQuarantine.record_id.in_(ids[i:i + 500]))
                     & (SyncQuarantine.released == False))  # noqa: E712
              .execute())
    return n


def open_quarantine():
    return SyncQuarantine.select().where(SyncQuarantine.released == False).order_by(SyncQuarantine.id)  # noqa: E712


def add_notice(kind: str, record_id: str, notice: str, detail: dict | None = None) -> SyncNotice:
    return SyncNotice.create(kind=kind, record_id=record_id, notice=notice, detail=detail, created_at=utc_now())


def open_notices():
    return SyncNotice.select().where(SyncNotice.dismissed == False).order_by(SyncNotice.id)  # noqa: E712


def dismiss_notice(notice_id: int) -> bool:
    return bool(SyncNotice.update(dismissed=True, dismissed_at=utc_now())
                .where((SyncNotice.id == int(notice_id)) & (SyncNotice.dismissed == False))  # noqa: E712
                .execute())
