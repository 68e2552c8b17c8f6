"""Accent- and case-insensitive search over case numbers, names, phones, ID numbers, topics and summaries.

    search("dang van duc")                      -> [{"kind": "legal-aid", "id": "…", "number": "TG-…", "title": "…"}]
    search("hoa giai", kind="mediation", limit=5)
    match_expression(["hoa", "giai"], "mediation") -> FTS expression (used by paged lists)

Text is folded (services.text.fold) before indexing and before matching, so "hoà"/"hòa", NFC/NFD and
"Đức"/"duc" all meet; user input is reduced to quoted prefix terms and never reaches MATCH raw.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager

from peewee import JOIN

from models import fastsql
from models.records import LegalAidCase, MediationCase
from models.search import SearchDoc, SearchIndex
from services.records import events
from services.text import fold, search_terms

SEARCHABLE_KINDS = ("legal-aid", "mediation", "dissemination")
# First token of every index entry: a kind filter becomes one more FTS term (see migration 0005).
KIND_TOKENS = {"legal-aid": "zzkindlegalaid", "mediation": "zzkindmediation", "dissemination": "zzkinddissemination"}


def index_text(kind: str, text: str) -> str:
    return f"{KIND_TOKENS[kind]} {fold(text)}"


def match_expression(terms: list[str], kind: str | None = None) -> str:
    expression = SearchIndex.match_expression(terms)
    return f"{KIND_TOKENS[kind]} {expression}" if kind in KIND_TOKENS else expression


_deferral = threading.local()


@contextmanager
def deferred_index():
    """Inside one transaction of many saves (an import): the full-text entries are held and written in batches,
    by flush_deferred() between saves and at the end, before the caller commits (dropped with the rollback on an
    exception). Nothing reads the index during a save.

    Why: FTS5 writes its pending terms to disk at every SAVEPOINT and RELEASE, and each save is one. Saved one
    by one in a long transaction, every record became a tiny segment for FTS5 to merge, ever slower as the index
    grew: RELEASE SAVEPOINT took most of a 100,000-row import's time (77 s; 34 s with batches)."""
    if getattr(_deferral, "pending", None) is not None:
        yield                      # nested: the outer one writes
        return
    _deferral.pending = {}
    try:
        yield
        flush_deferred()
    finally:
        _deferral.pending = None


def flush_deferred() -> None:
    """Write the entries deferred_index() holds so far (call it between saves, never inside a savepoint that
    may still roll back); an entry whose search_doc row was rolled back with its savepoint is not written."""
    pending = getattr(_deferral, "pending", None)
    if pending:
        alive = set()
        for chunk in _chunks(list(pending), 500):
            alive |= {d.id for d in SearchDoc.select(SearchDoc.id).where(SearchDoc.id.in_(chunk))}
        # plain INSERT … VALUES: an INSERT … SELECT opens a statement transaction, i.e. an FTS5 flush per row
        fastsql.execute_many(fastsql.SEARCH_INDEX_INSERT,
                             [(rowid, text) for rowid, text in pending.items() if rowid in alive])
        pending.clear()


def _index_put(pairs: list[tuple[int, str]]) -> None:
    """Write (rowid, text) entries now, or at the end of deferred_index()."""
    pending = getattr(_deferral, "pending", None)
    if pending is None:
        fastsql.execute_many(fastsql.SEARCH_INDEX_INSERT, pairs)
    else:
        pending.update(pairs)


def _index_drop(rowids: list[int]) -> None:
    pending = getattr(_deferral, "pending", None)
    for rowid in rowids if pending is not None else ():
        pending.pop(rowid, None)
    for chunk in _chunks(rowids, 500):
        SearchIndex.delete().where(SearchIndex.rowid.in_(chunk)).execute()


def reindex(instance, created: bool = False) -> None:
    """Insert or replace the index entry of one record (removes it when soft-deleted). `created`: the record
    was inserted in this transaction, so it has no entry yet (saves a look-up)."""
    from services.kinds import KIND_RULES
    kind = instance.KIND
    rules = KIND_RULES.get(kind)
    if rules is None or rules.search_fields is None:
        return
    if created and not instance.deleted:
        fields = rules.search_fields(instance)
        cursor = fastsql.execute(fastsql.SEARCH_DOC_INSERT, (
            kind, instance.id, fields["commune_code"] or "", SearchDoc.date.db_value(fields["date"]),
            fields["number"], fields["title"][:250]))
        _index_put([(cursor.lastrowid, index_text(kind, fields["text"]))])
        return
    doc = SearchDoc.get_or_none(SearchDoc.record_id == instance.id)
    if instance.deleted:
        if doc is not None:
            _index_drop([doc.id])
            doc.delete_instance()
        return
    fields = rules.search_fields(instance)
    row = {"kind": kind, "record_id": instance.id, "commune_code": fields["commune_code"] or "",
           "date": fields["date"], "number": fields["number"], "title": fields["title"][:250]}
    if doc is None:
        doc_id = SearchDoc.insert(**row).execute()
    else:
        doc_id = doc.id
        SearchDoc.update(**row).where(SearchDoc.id == doc_id).execute()
        _index_drop([doc_id])
    _index_put([(doc_id, index_text(kind, fields["text"]))])


@events.on_written("search")
def _on_written(event: events.Written) -> None:
    """Every write of services.records.store keeps the index in step; a person's new name or phone also reaches the
    index entries of the cases that name that person."""
    reindex(event.instance, created=event.action == "create")
    if event.kind == "person" and event.action == "update":
        _reindex_referencing(event.instance.id)


def _reindex_referencing(person_id: str) -> None:
    for case in LegalAidCase.alive().where((LegalAidCase.requester == person_id) |
                                           (LegalAidCase.beneficiary == person_id)):
        reindex(case)
    for case in MediationCase.alive().where(MediationCase.parties.cast("text").contains(person_id)):
        reindex(case)


def reindex_many(instances: list, fields: dict | None = None) -> None:
    """Bulk reindex() of instances of ONE kind, with the same result as calling reindex() on each in order
    (prepared statements run for all rows instead of several peewee queries per record; used by
    services.sync.apply.apply_remote_many).
    `fields` may give {record_id: search_fields dict} computed by the caller (e.g. with related persons
    fetched in one query); missing entries are computed with the kind's rules."""
    from services.kinds import KIND_RULES
    if not instances:
        return
    kind = instances[0].KIND
    rules = KIND_RULES.get(kind)
    if rules is None or rules.search_fields is None:
        return
    fields = fields or {}
    ids = [i.id for i in instances]
    existing: dict[str, int] = {}
    for chunk in _chunks(ids, 500):
        existing.update({d.record_id: d.id for d in SearchDoc.select(SearchDoc.id, SearchDoc.record_id)
                         .where(SearchDoc.record_id.in_(chunk))})
    gone, updates, inserts, texts = [], [], [], []
    for inst in instances:
        doc_id = existing.get(inst.id)
        if inst.deleted:
            if doc_id is not None:
                gone.append(doc_id)
            continue
        f = fields.get(inst.id) or rules.search_fields(inst)
        values = (kind, inst.id, f["commune_code"] or "", SearchDoc.date.db_value(f["date"]), f["number"],
                  f["title"][:250])
        text = index_text(kind, f["text"])
        if doc_id is None:
            inserts.append((values, text))
        else:
            updates.append((*values, doc_id))
            texts.append((doc_id, text))
    _index_drop(gone + [doc_id for doc_id, _ in texts])
    for chunk in _chunks(gone, 500):
        SearchDoc.delete().where(SearchDoc.id.in_(chunk)).execute()
    fastsql.execute_many(fastsql.SEARCH_DOC_UPDATE, updates)
    new_ids = fastsql.insert_each(fastsql.SEARCH_DOC_INSERT, [values for values, _ in inserts])
    texts += [(doc_id, text) for doc_id, (_, text) in zip(new_ids, inserts, strict=True)]
    _index_put(texts)


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def remove(record_id: str) -> None:
    doc = SearchDoc.get_or_none(SearchDoc.record_id == record_id)
    if doc is not None:
        _index_drop([doc.id])
        doc.delete_instance()


CANDIDATES = 300


def search(text: str, kind: str | None = None, limit: int = 20, communes: list[str] | None = None) -> list[dict]:
    """Best matches first: an exact case number, then records whose title (names, topic) holds every word,
    then the rest, newest entered first within each group. Ranking every match of a common word by BM25 over
    a million records is slow (it reads whole posting lists), so the FTS index streams the newest CANDIDATES
    matches in entry order and only those are ordered."""
    terms = search_terms(text)
    if not terms:
        return []
    limit = max(1, min(int(limit), 500))
    q = (SearchIndex.select(SearchDoc.kind, SearchDoc.record_id, SearchDoc.number, SearchDoc.title)
         .join(SearchDoc, JOIN.CROSS)
         .where(SearchIndex.match(match_expression(terms, kind)) & (SearchDoc.id == SearchIndex.rowid)))
    q = q.where(SearchDoc.kind == kind) if kind else q.where(SearchDoc.kind.in_(SEARCHABLE_KINDS))
    if communes:
        q = q.where(SearchDoc.commune_code.in_(communes))
    rows = list(q.order_by(SearchIndex.rowid.desc()).limit(max(CANDIDATES, limit)).dicts())
    wanted = text.strip().upper()

    def in_title(row) -> bool:
        title = search_terms(row["title"])
        return all(any(w.startswith(t) for w in title) for t in terms)

    rows.sort(key=lambda r: (r["number"] != wanted, not in_title(r)))
    return [{"kind": r["kind"], "id": r["record_id"], "number": r["number"], "title": r["title"]}
            for r in rows[:limit]]
