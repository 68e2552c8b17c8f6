"""Saving, deleting and reading records: every write goes through here (UI, CLI, import, demo).

    case = save("legal-aid", {"received_date": "24/11/2026", "commune_code": "06652",
                              "requester": {"full_name": "Đặng Văn Đức", "id_number": "022090001234"},
                              "beneficiary_category": "2", "legal_field": "dat_dai", "aid_form": "tu_van"})
    save("legal-aid", {"status": "referred", "referred_to": "Trung tâm TGPL"}, record_id=case.id)
    delete("legal-aid", case.id); restore("legal-aid", case.id)
    get("legal-aid", "TG-06652-2026-3FA2-0001")

One save is one transaction: validation (services.kinds.*), numbering, nested persons, the kind's own step
(`before_save`, e.g. legal-aid's status timeline) and the hooks of services.record_events (the audit entry, the
outbox row for sync, the search index, the village list) all commit together or not at all.
"""
from __future__ import annotations

import datetime as dt

from peewee import DateField, DateTimeField, ForeignKeyField

from models import fastsql
from models.base import new_uuid
from models.db import database
from models.records import MODEL_BY_KIND, Person
from services import audit, context, numbering, record_events, search, villages
from services.dates import utc_now
from services.errors import NotFoundError, UsageError, busy_as_typed
from services.record_events import Written
from services.kinds import KIND_RULES, NUMBER_PREFIX

def model_for(kind: str):
    try:
        return MODEL_BY_KIND[kind]
    except KeyError:
        raise UsageError(f"Loại hồ sơ không hợp lệ: {kind}", f"Unknown record kind: {kind}") from None


# ---- documents (what sync and audit see) -----------------------------------------------------------------

def _plain(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def to_document(instance) -> dict:
    """All user fields as JSON-able values (FKs as ids); bookkeeping fields left out."""
    doc = {}
    for name, field in instance._meta.fields.items():
        if name in instance.SYSTEM_FIELDS:
            continue
        key = field.column_name if isinstance(field, ForeignKeyField) else name
        value = instance.__data__.get(name)
        doc[key] = _plain(value)
    return doc


def _from_plain(field, value):
    if value is None or value == "":
        return None if field.null or isinstance(field, (DateField, DateTimeField)) else value
    if isinstance(field, DateTimeField) and isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    if isinstance(field, DateField) and isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value


def _remote_row(model, document: dict, last_modified: int | None, now) -> dict:
    """Column values of a server/transfer document (unknown keys ignored; bookkeeping set here)."""
    row = {}
    for name, field in model._meta.fields.items():
        key = field.column_name if isinstance(field, ForeignKeyField) else name
        if key in document and name not in ("created_at", "updated_at", "device_id", "last_modified"):
            row[name] = _from_plain(field, document[key])
    row["id"] = document["id"]
    row["deleted"] = bool(document.get("deleted", False))
    row["last_modified"] = last_modified
    row["updated_at"] = now
    row["device_id"] = document.get("device_id", "")
    return row


def apply_remote(kind: str, document: dict, last_modified: int | None = None) -> None:
    """Write a version that came from the server or a transfer file: no validation, no outbox, no audit;
    keeps the search index and village list in step. Unknown keys (newer clients) are ignored."""
    model = model_for(kind)
    row = _remote_row(model, document, last_modified, utc_now())
    with database.atomic():
        if model.select().where(model.id == row["id"]).exists():
            model.update(**{k: v for k, v in row.items() if k != "id"}).where(model.id == row["id"]).execute()
        else:
            model.insert(**row).execute()
        instance = model.get_by_id(row["id"])
        search.reindex(instance)
        if getattr(instance, "village", "") and getattr(instance, "commune_code", ""):
            villages.remember(instance.commune_code, instance.village)


_TOMBSTONE_KEYS = {"id", "deleted", "device_id"}


def apply_remote_many(kind: str, items: list[tuple[dict, int | None]]) -> int:
    """Bulk apply_remote() for one page of one kind: [(document, last_modified), …] → how many were written.

    Same result as calling apply_remote(kind, document, last_modified) for each item in order, with these
    differences: the rows are written with one prepared INSERT … ON CONFLICT(id) DO UPDATE per group of rows
    with the same keys (models.fastsql.upsert_many, executemany; partial documents and tombstones with one
    prepared UPDATE), the search index is updated in bulk (related persons of legal-aid / mediation titles
    fetched in one query per page), and the village list in one statement; a bare tombstone
    ({"id", "deleted": True}) for a record that is not stored here is skipped (apply_remote would fail on it).
    Runs in the caller's transaction (or its own). Documents must have distinct ids."""
    model = model_for(kind)
    if not items:
        return 0
    now = utc_now()
    rows = []
    for document, last_modified in items:
        row = _remote_row(model, document, last_modified, now)
        rows.append((row, set(document) <= _TOMBSTONE_KEYS))
    # Rows that cannot be inserted (a tombstone, or a partial document lacking a required field) only update a
    # stored record; a bare tombstone of a record not stored here is skipped, a partial one fails as in apply_remote.
    required = [f.name for f in model._meta.sorted_fields if not f.null and f not in model._meta.defaults]
    update_only = [bare or any(name not in row for name in required) for row, bare in rows]
    with database.atomic():
        stored = set()
        if any(update_only):
            ids = [row["id"] for (row, _), only in zip(rows, update_only) if only]
            for chunk in _chunks(ids, 500):
                stored |= {m.id for m in model.select(model.id).where(model.id.in_(chunk))}
        upserts: dict[tuple, list[dict]] = {}
        updates: dict[tuple, list[dict]] = {}
        written = []
        for (row, bare), only in zip(rows, update_only):
            if only and row["id"] not in stored:
                if bare:
                    continue
                missing = next(name for name in required if name not in row)
                raise ValueError(f"Missing value for {missing}.")     # peewee's words, as apply_remote
            (updates if only else upserts).setdefault(tuple(sorted(row)), []).append(row)
            written.append(row["id"])
        for keys, group in upserts.items():
            fastsql.upsert_many(model, group, [k for k in keys if k != "id"])
        for keys, group in updates.items():
            fastsql.update_many(model, group, [k for k in keys if k != "id"])
        instances = []
        for chunk in _chunks(written, 500):
            instances += list(model.select().where(model.id.in_(chunk)))
        order = {rid: i for i, rid in enumerate(written)}
        instances.sort(key=lambda m: order[m.id])
        search.reindex_many(instances, _search_fields_prefetched(kind, instances))
        pairs = [(i.commune_code, i.village) for i in instances
                 if getattr(i, "village", "") and getattr(i, "commune_code", "")]
        _remember_villages(pairs)
    return len(written)


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _remember_villages(pairs) -> None:
    """villages.remember() for many (commune, village) pairs, in order (the first spelling wins), with one
    prepared statement."""
    from services.text import fold, nfc
    rows = {}
    for commune, name in pairs:
        name = nfc(name)
        if commune and name:
            folded = fold(name)
            rows.setdefault((commune, folded), (commune, name, folded))
    fastsql.execute_many(fastsql.VILLAGE_REMEMBER, list(rows.values()))


def _search_fields_prefetched(kind: str, instances: list) -> dict:
    """{record_id: search fields} for legal-aid and mediation cases with their persons fetched in one query
    per 500 ids (the per-record rules would query them one case at a time). Other kinds: {} (the rules
    need no other record)."""
    from services.kinds import KIND_RULES
    alive = [i for i in instances if not i.deleted]
    if kind == "legal-aid":
        wanted = {pid for c in alive for pid in (c.requester_id, c.beneficiary_id) if pid}
        persons = _persons_in(wanted)
        for case in alive:          # peewee then reads case.requester / case.beneficiary without a query
            if case.requester_id in persons:
                case.__rel__["requester"] = persons[case.requester_id]
            if case.beneficiary_id in persons:
                case.__rel__["beneficiary"] = persons[case.beneficiary_id]
        return {case.id: KIND_RULES[kind].search_fields(case) for case in alive}
    if kind == "mediation":
        wanted = {pid for c in alive for pid in (c.parties or []) if isinstance(pid, str)}
        names = {pid: p.full_name for pid, p in _persons_in(wanted).items()}
        return {case.id: KIND_RULES[kind].search_fields(case, names) for case in alive}
    return {}


def _persons_in(ids) -> dict[str, Person]:
    out = {}
    for chunk in _chunks(sorted(ids), 500):
        out.update(persons_by_id(chunk))
    return out


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
        record_events.emit(Written(kind, instance, "create" if creating else "update", changes, actor))
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
        record_events.emit(Written(kind, instance, "delete" if deleted else "restore", changes, actor))
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
