"""Writing record versions that came from the server or a transfer file: no validation, no outbox, no audit;
the search index and the village list are kept in step. Unknown keys (newer clients) are ignored.

    apply_remote("person", {"id": "…", "full_name": "…", …}, last_modified=1764751234567)
    apply_remote_many("legal-aid", [(document, last_modified), …])    # one page of one kind, in bulk

Documents are converted with services/records/documents.py, the converter of local saves and pushes too.
"""
from __future__ import annotations

from models import fastsql
from models.db import database
from models.records import Person
from services.dates import utc_now
from services.kinds import KIND_RULES
from services.records import search, villages
from services.records.documents import document_key, python_value
from services.records.store import model_for, persons_by_id


def _remote_row(model, document: dict, last_modified: int | None, now) -> dict:
    """Column values of a server/transfer document (unknown keys ignored; bookkeeping set here)."""
    row = {}
    for name, field in model._meta.fields.items():
        key = document_key(field)
        if key in document and name not in ("created_at", "updated_at", "device_id", "last_modified"):
            row[name] = python_value(field, document[key])
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
            ids = [row["id"] for (row, _), only in zip(rows, update_only, strict=True) if only]
            for chunk in _chunks(ids, 500):
                stored |= {m.id for m in model.select(model.id).where(model.id.in_(chunk))}
        upserts: dict[tuple, list[dict]] = {}
        updates: dict[tuple, list[dict]] = {}
        written = []
        for (row, bare), only in zip(rows, update_only, strict=True):
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
