"""Conflicts left by sync, for the sync screen and `main.py conflicts`.

    list_conflicts()            -> [{"conflict_id": 3, "kind": "person", "id": "<uuid>", "field": "phone",
                                     "local": "0912…", "remote": "0987…", "base": "0901…", …}]
    resolve_conflict(3, "local")                  # write the local value back (re-queued for the next sync)
    resolve_conflict(3, "remote")                 # keep what the record holds (the server's value)
    resolve_conflict(3, "value", value="0911…")   # a value typed by the person resolving it

Policy: while a conflict is open the record holds the REMOTE (server) value, so every device agrees; the local
value is kept here. Resolving with "local"/"value" is an ordinary edit (audit entry, outbox) that the next sync
sends. Delete conflicts (field "deleted"):
- an edit here against a delete on the server: the delete stands in the record; `document` keeps the edit;
  "local" restores it (re-created on the server);
- a delete here made from an older copy than the server's edit (issue 16 §4): the delete is held back, the
  record keeps the newer edit (shown in `document`); "local" deletes it after all (the editor's device then gets
  a notice that can restore it), "remote" keeps the edit. (Conflicts recorded by older versions, where the
  delete had already won, still restore the edit with "remote".)
"""
from __future__ import annotations

from models.db import database
from models.records import MODEL_BY_KIND
from models.sync_state import SyncConflict
from services.dates import utc_now
from services.errors import NotFoundError, UsageError
from services.i18n import t
from services.kinds import KIND_RULES
from services.records import audit, outbox
from services.records import store as records
from services.sync import apply, documents, store

CHOICES = ("local", "remote", "value")


def as_dict(c: SyncConflict) -> dict:
    return {"conflict_id": c.id, "kind": c.kind, "id": c.record_id, "field": c.field, "local": c.local,
            "remote": c.remote, "base": c.base, "document": c.document,
            "created_at": c.created_at.isoformat() if c.created_at else None}


def list_conflicts(include_resolved: bool = False) -> list[dict]:
    q = SyncConflict.select().order_by(SyncConflict.id) if include_resolved else store.open_conflicts()
    return [as_dict(c) for c in q]


def _err(cls, key, **fmt):
    return cls(t(key, "vi", **fmt), t(key, "en", **fmt))


def resolve_conflict(conflict_id: int, choice: str = "local", value=None, actor: str | None = None) -> dict:
    if choice not in CHOICES:
        raise _err(UsageError, "sync.conflict.bad_choice", choice=choice)
    c = SyncConflict.get_or_none(SyncConflict.id == int(conflict_id))
    if c is None:
        raise _err(NotFoundError, "sync.conflict.not_found", id=conflict_id)
    if c.resolved:
        raise _err(UsageError, "sync.conflict.already_resolved", id=conflict_id)
    with database.atomic():
        if c.field == "deleted":
            _resolve_delete(c, choice, value, actor)
        elif choice in ("local", "value"):
            _write_field(c.kind, c.record_id, c.field, c.local if choice == "local" else value, actor)
        c.resolved, c.resolution, c.resolved_at = True, choice, utc_now()
        c.save()
    return as_dict(c)


def _write_field(kind: str, record_id: str, key: str, value, actor) -> None:
    py = documents.python_value(kind, key, value)
    if kind in KIND_RULES:
        records.save(kind, {key: py}, record_id=record_id, actor=actor, _validated=True)
        return
    model = MODEL_BY_KIND[kind]
    inst = model.get_by_id(record_id)
    setattr(inst, key, py)
    inst.updated_at = utc_now()
    inst.save()
    outbox.queue(kind, record_id)


def _resolve_delete(c: SyncConflict, choice: str, value, actor) -> None:
    model = MODEL_BY_KIND[c.kind]
    current = model.get_or_none(model.id == c.record_id)
    if c.local is True and current is not None and not current.deleted:
        # my delete was held back (made from an older copy than the server's edit, issue 16 §4): the record
        # holds the newer edit. "local" deletes it after all (the editor's device is told), anything else keeps it.
        if choice == "local":
            records.delete(c.kind, c.record_id, actor=actor)
        elif choice == "value" and isinstance(value, dict):
            records.save(c.kind, value, record_id=c.record_id, actor=actor)
        return
    restore_doc = None
    # my edit lost against a remote delete: bring it back
    if c.local is False and choice == "local" or c.local is True and choice == "remote":
        restore_doc = c.document
    elif choice == "value":
        restore_doc = value if isinstance(value, dict) else None
        if restore_doc is None:
            raise _err(UsageError, "sync.conflict.bad_choice", choice="value (JSON object)")
    if restore_doc is None:
        return                                        # the delete stands
    last_modified = current.last_modified if current is not None else c.remote_last_modified
    apply.apply_remote(c.kind, {**restore_doc, "id": c.record_id, "deleted": False}, last_modified=last_modified)
    audit.record(c.kind, c.record_id, "restore", {"deleted": [True, False]}, actor)
    outbox.queue(c.kind, c.record_id)
