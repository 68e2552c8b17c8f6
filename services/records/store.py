"""Saving, deleting and reading records: every write goes through here (UI, CLI, import, demo).

    case = save("legal-aid", {"received_date": "24/11/2026", "commune_code": "06652",
                              "requester": {"full_name": "Đặng Văn Đức", "id_number": "022090001234"},
                              "beneficiary_category": "2", "legal_field": "dat_dai", "aid_form": "tu_van"})
    save("legal-aid", {"status": "referred", "referred_to": "Trung tâm TGPL"}, record_id=case.id)
    delete("legal-aid", case.id); restore("legal-aid", case.id)
    get("legal-aid", "TG-06652-2026-3FA2-0001")

One save is one transaction: validation (services.kinds.*), numbering, nested persons, the kind's own step
(`before_save`, e.g. legal-aid's status timeline) and the hooks of services.records.events (the audit entry, the
outbox row for sync, the search index, the village list) all commit together or not at all.
"""
from __future__ import annotations

from models import fastsql
from models.base import new_uuid
from models.db import database
from models.records import MODEL_BY_KIND, Person
from services.data_dir import context
from services.dates import utc_now
from services.errors import NotFoundError, UsageError, busy_as_typed
from services.kinds import KIND_RULES, NUMBER_PREFIX
from services.records import audit, events, numbering
from services.records.documents import to_document
from services.records.events import Written


def model_for(kind: str):
    try:
        return MODEL_BY_KIND[kind]
    except KeyError:
        raise UsageError(f"Loại hồ sơ không hợp lệ: {kind}", f"Unknown record kind: {kind}") from None


# ---- writes ----------------------------------------------------------------------------------------------

def _save_person(values, actor: str) -> str:
    if isinstance(values, str):
        return values
    person_id = values.pop("id", None)
    if person_id:
        return save("person", values, record_id=person_id, actor=actor, _validated=True).id
    return save("person", values, actor=actor, _validated=True).id


@busy_as_typed
def save(kind: str, data: dict, record_id: str | None = None, actor: str | None = None, *, _validated=False):
    """Create (record_id None, or an id not yet stored) or update a record; returns the saved model instance.
    A busy database (another program writing) raises services.errors.DatabaseBusy and stores nothing."""
    model = model_for(kind)
    rules = KIND_RULES[kind]
    ctx = context.current()
    actor = actor or ctx.actor
    # IMMEDIATE (when this is the outermost transaction): take the write lock before the first read, so a writer
    # that commits meanwhile makes this wait (busy timeout) rather than fail at once on a stale snapshot.
    with database.atomic("IMMEDIATE"):
        existing = None
        if record_id is not None:
            existing = model.get_or_none(model.id == record_id)
            if existing is None and not data.get("_create_with_id"):
                raise NotFoundError(f"Không tìm thấy hồ sơ {record_id}", f"No record {record_id}")
        values = dict(data) if _validated else rules.normalize(data, existing, ctx)
        for role in ("requester", "beneficiary"):
            if role in values and values[role] is not None:
                values[role] = _save_person(values[role], actor)
        if "parties" in values:
            values["parties"] = [_save_person(p, actor) for p in values["parties"]]
        creating = existing is None
        before = {} if creating else to_document(existing)
        instance = existing or model(id=record_id or data.get("id") or new_uuid(), device_id=ctx.device_id)
        for name, value in values.items():
            if name.startswith("_") or name == "id":
                continue
            setattr(instance, name, value)
        if creating and kind in NUMBER_PREFIX and not getattr(instance, "number", None):
            year = (instance.received_date or utc_now().date()).year
            instance.number = numbering.next_number(
                NUMBER_PREFIX[kind], instance.commune_code, year, ctx.device_code,
                exists=lambda n: model.select().where(model.number == n).exists())
        before_save = getattr(rules, "before_save", None)     # the kind's own step (legal-aid: status timeline)
        if before_save is not None:
            before_save(instance, before, creating, actor)
        after = to_document(instance)
        changes = audit.diff(before, after)
        changes.pop("id", None)
        if creating:
            changes = {k: v for k, v in changes.items() if v[1] not in (None, "", [], {}, False)}
        if not creating and not changes:
            return instance
        instance.updated_at = utc_now()
        if creating:
            fastsql.insert(instance)
        else:
            instance.save()
        events.emit(Written(kind, instance, "create" if creating else "update", changes, actor))
        return instance


@busy_as_typed
def _set_deleted(kind: str, record_id: str, deleted: bool, actor: str | None, with_case: str | None = None) -> None:
    with database.atomic("IMMEDIATE"):
        instance = get(kind, record_id, include_deleted=True)
        if instance.deleted == deleted:
            return
        instance.deleted = deleted
        instance.updated_at = utc_now()
        instance.save()
        changes = {"deleted": [not deleted, deleted]}
        if with_case:          # deleted together with its case: restored together with it
            changes["with_case"] = [None, with_case]
        events.emit(Written(kind, instance, "delete" if deleted else "restore", changes, actor))
        if kind == "mediation":
            session_model = model_for("mediation-session")
            sessions_of_case = session_model.select().where((session_model.case == instance.id) &
                                                            (session_model.deleted == (not deleted)))
            for session in list(sessions_of_case):
                if deleted:
                    _set_deleted("mediation-session", session.id, True, actor, with_case=instance.id)
                    continue
                last = audit.history(session.id)[-1:] or [None]
                if last[0] is not None and last[0].action == "delete" and "with_case" in (last[0].changes or {}):
                    _set_deleted("mediation-session", session.id, False, actor)


def delete(kind: str, record_id: str, actor: str | None = None) -> None:
    """Soft delete (a tombstone that syncs); undo with restore()."""
    _set_deleted(kind, record_id, True, actor)


def restore(kind: str, record_id: str, actor: str | None = None) -> None:
    _set_deleted(kind, record_id, False, actor)


# ---- reads -----------------------------------------------------------------------------------------------

def get(kind: str, id_or_number: str, include_deleted: bool = False):
    """A record by UUID or human-readable number; NotFoundError otherwise."""
    model = model_for(kind)
    cond = model.id == id_or_number
    if "number" in model._meta.fields:
        cond |= model.number == id_or_number
    q = model.select().where(cond)
    if not include_deleted:
        q = q.where(model.deleted == False)  # noqa: E712
    instance = q.first()
    if instance is None:
        raise NotFoundError(f"Không tìm thấy hồ sơ «{id_or_number}»", f"No record '{id_or_number}'")
    return instance


def short_title(kind: str, record_id: str) -> str:
    """Case number or name of a record, deleted or not (the first 8 characters of its id when there is no such
    record), e.g. for the sync conflict a screen lists."""
    model = MODEL_BY_KIND.get(kind)
    inst = model.get_or_none(model.id == record_id) if model is not None else None
    if inst is None:
        return record_id[:8]
    for attr in ("number", "full_name", "name", "topic"):
        value = getattr(inst, attr, None)
        if value:
            return str(value)
    return record_id[:8]


def warnings(kind: str, instance) -> list[tuple[str, str]]:
    fn = getattr(KIND_RULES[kind], "warnings", None)
    return fn(instance) if fn else []


def sessions(case_id: str) -> list:
    """Sessions of a mediation case, oldest first."""
    from models.records import MediationSession
    return list(MediationSession.alive().where(MediationSession.case == case_id).order_by(MediationSession.date))


def teams(communes: list[str] | None = None) -> list:
    """Mediation teams (of some communes), by name."""
    from models.records import MediationTeam
    q = MediationTeam.alive()
    if communes:
        q = q.where(MediationTeam.commune_code.in_(communes))
    return list(q.order_by(MediationTeam.commune_code, MediationTeam.name))


def persons_by_id(ids: list[str]) -> dict[str, Person]:
    return {p.id: p for p in Person.select().where(Person.id.in_(ids))}
