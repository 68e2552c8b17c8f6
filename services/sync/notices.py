"""Notices and quarantined versions left by sync, for the sync screen and the CLI.

    list_notices()      -> [{"notice_id", "notice": "deleted_edit" | "renumbered", "kind", "id", "detail",
                             "created_at", "text": {"vi", "en"}}]
    restore_notice(3)   # "deleted_edit": bring the deleted record back (an ordinary restore that syncs)
    dismiss_notice(3)   # the officer has read it
    list_quarantine()   -> [{"quarantine_id", "kind", "id", "bucket", "reason", "raw", "created_at"}]
"""
from __future__ import annotations

from models.db import database
from models.records import MODEL_BY_KIND
from models.sync_state import SyncNotice
from services.errors import NotFoundError, UsageError
from services.i18n import t
from services.records import audit, outbox
from services.sync import apply, store


def _text(n: SyncNotice) -> dict:
    d = n.detail or {}
    title = ((d.get("document") or {}).get("number") or (d.get("document") or {}).get("full_name")
             or (d.get("document") or {}).get("name") or n.record_id[:8])
    return {lang: t(f"sync.notice.{n.notice}", lang, kind=n.kind,
                    title=title, id=n.id, old=d.get("old", ""), new=d.get("new", ""))
            for lang in ("vi", "en")}


def as_dict(n: SyncNotice) -> dict:
    return {"notice_id": n.id, "notice": n.notice, "kind": n.kind, "id": n.record_id, "detail": n.detail,
            "created_at": n.created_at.isoformat() if n.created_at else None, "text": _text(n)}


def list_notices() -> list[dict]:
    return [as_dict(n) for n in store.open_notices()]


def list_quarantine() -> list[dict]:
    return [{"quarantine_id": q.id, "kind": q.kind, "id": q.record_id, "bucket": q.bucket, "reason": q.reason,
             "raw": q.raw, "created_at": q.created_at.isoformat() if q.created_at else None}
            for q in store.open_quarantine()]


def _get(notice_id: int) -> SyncNotice:
    n = SyncNotice.get_or_none(SyncNotice.id == int(notice_id))
    if n is None:
        raise NotFoundError(t("sync.notice.not_found", "vi", id=notice_id),
                            t("sync.notice.not_found", "en", id=notice_id))
    return n


def dismiss_notice(notice_id: int) -> dict:
    n = _get(notice_id)
    store.dismiss_notice(n.id)
    return as_dict(SyncNotice.get_by_id(n.id))


def restore_notice(notice_id: int, actor: str | None = None) -> dict:
    """Undelete the record of a "deleted_edit" notice with the version this device last had; the next sync
    re-creates it on the server (the colleague's devices get it back)."""
    n = _get(notice_id)
    doc = (n.detail or {}).get("document")
    if n.notice != "deleted_edit" or not isinstance(doc, dict):
        raise UsageError("Thông báo này không có hồ sơ để khôi phục", "This notice has no record to restore")
    model = MODEL_BY_KIND[n.kind]
    with database.atomic():
        current = model.get_or_none(model.id == n.record_id)
        if current is None or current.deleted:
            apply.apply_remote(n.kind, {**doc, "id": n.record_id, "deleted": False},
                                 last_modified=current.last_modified if current is not None else None)
            audit.record(n.kind, n.record_id, "restore", {"deleted": [True, False]}, actor)
            outbox.queue(n.kind, n.record_id)
        store.dismiss_notice(n.id)
    return as_dict(SyncNotice.get_by_id(n.id))
