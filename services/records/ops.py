"""One record from the outside: show it with its history, delete it, restore it — what the detail screens do,
for the CLI (`show`, `delete`, `undelete`). Writes go through services.records.store (audit entry + outbox row in the
same transaction, so a delete travels to the server as a tombstone and an undelete as a new version).

    show("legal-aid", "TG-06652-2026-3FA2-0001")            -> {...export row..., "deleted", "history": [...]}
    set_deleted("mediation", "<uuid>", True)                 -> {"kind": "mediation", "id": "<uuid>", "deleted": True}
"""
from __future__ import annotations

from services.errors import PermissionDenied, UsageError
from services.i18n import t
from services.records import audit, exporting, store
from services.security import roles

KINDS = ("legal-aid", "mediation", "dissemination", "mediation-session", "mediation-team")


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise UsageError(t("record.err_kind", "vi", kind=kind, choices=", ".join(KINDS)),
                         t("record.err_kind", "en", kind=kind, choices=", ".join(KINDS)))


def show(kind: str, id_or_number: str, include_identifiers: bool = False, actor: str | None = None) -> dict:
    """The record as exported (identifiers masked unless asked for and the role allows it; asking is audited as
    a "reveal", as on the detail screen) plus its history, oldest first. Deleted records are shown too."""
    _check_kind(kind)
    exporting.check_identifiers_allowed(include_identifiers)
    instance = store.get(kind, id_or_number, include_deleted=True)
    if include_identifiers:          # recorded first: the history shown includes this reveal
        audit.record(kind, instance.id, "reveal", {"fields": ["id_number", "phone"]}, actor)
    row = exporting.export_row(kind, instance, include_identifiers)
    hide = None if include_identifiers else roles.is_identifier_field
    row["history"] = audit.history_entries(instance.id, hide=hide)
    return row


def set_deleted(kind: str, id_or_number: str, deleted: bool, actor: str | None = None) -> dict:
    """Soft-delete (deleted=True) or restore a record; doing it twice changes nothing. NotFoundError (exit 3)
    for an unknown id; PermissionDenied for a role that may not edit this kind."""
    _check_kind(kind)
    if not roles.may_write(roles.current_role(), kind):
        raise PermissionDenied(t("record.err_read_only", "vi"), t("record.err_read_only", "en"))
    instance = store.get(kind, id_or_number, include_deleted=True)
    if deleted:
        store.delete(kind, instance.id, actor=actor)
    else:
        store.restore(kind, instance.id, actor=actor)
    return {"kind": kind, "id": instance.id, "deleted": deleted}
