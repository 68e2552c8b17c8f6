"""Accent- and case-insensitive search over case numbers, names, phones, ID numbers, topics and summaries.

    search("dang van duc")                      -> [{"kind": "legal-aid", "id": "…", "number": "TG-…", "title": "…"}]
    search("hoa giai", kind="mediation", limit=5)
    matching_ids_subquery(["hoa", "giai"])      -> SQL subquery of record ids (used by paged lists)

Text is folded (services.text.fold) before indexing and before matching, so "hoà"/"hòa", NFC/NFD and
"Đức"/"duc" all meet; user input is reduced to quoted prefix terms and never reaches MATCH raw.
"""
from __future__ import annotations

from peewee import JOIN

from models.search import SearchDoc, SearchIndex
from services.text import fold, search_terms

SEARCHABLE_KINDS = ("legal-aid", "mediation", "dissemination")


def reindex(instance) -> None:
    """Insert or replace the index entry of one record (removes it when soft-deleted)."""
    from services.kinds import KIND_RULES
    kind = instance.KIND
    rules = KIND_RULES.get(kind)
    if rules is None or rules.search_fields is None:
        return
    doc = SearchDoc.get_or_none(SearchDoc.record_id == instance.id)
    if instance.deleted:
        if doc is not None:
            SearchIndex.delete().where(SearchIndex.rowid == doc.id).execute()
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
        SearchIndex.delete().where(SearchIndex.rowid == doc_id).execute()
    SearchIndex.insert({SearchIndex.rowid: doc_id, SearchIndex.text: fold(fields["text"])}).execute()


def remove(record_id: str) -> None:
    doc = SearchDoc.get_or_none(SearchDoc.record_id == record_id)
    if doc is not None:
        SearchIndex.delete().where(SearchIndex.rowid == doc.id).execute()
        doc.delete_instance()


def matching_doc_ids(terms: list[str]):
    return SearchIndex.select(SearchIndex.rowid).where(SearchIndex.match(SearchIndex.match_expression(terms)))


def matching_ids_subquery(text: str, kind: str | None = None):
    """Subquery of record ids matching `text` (None when the text has no searchable word)."""
    terms = search_terms(text)
    if not terms:
        return None
    q = SearchDoc.select(SearchDoc.record_id).where(SearchDoc.id.in_(matching_doc_ids(terms)))
    if kind:
        q = q.where(SearchDoc.kind == kind)
    return q


CANDIDATES = 300


def search(text: str, kind: str | None = None, limit: int = 20, communes: list[str] | None = None) -> list[dict]:
    """Best matches first. Ranking every match of a common word ("nguyen") over a million records is slow,
    so the newest CANDIDATES matches (the FTS index streams them in entry order) are ranked by BM25; an exact
    case number always comes first."""
    terms = search_terms(text)
    if not terms:
        return []
    limit = max(1, min(int(limit), 500))
    q = (SearchIndex.select(SearchDoc.kind, SearchDoc.record_id, SearchDoc.number, SearchDoc.title,
                            SearchIndex.bm25().alias("score"))
         .join(SearchDoc, JOIN.CROSS)
         .where(SearchIndex.match(SearchIndex.match_expression(terms)) & (SearchDoc.id == SearchIndex.rowid)))
    q = q.where(SearchDoc.kind == kind) if kind else q.where(SearchDoc.kind.in_(SEARCHABLE_KINDS))
    if communes:
        q = q.where(SearchDoc.commune_code.in_(communes))
    rows = list(q.order_by(SearchIndex.rowid.desc()).limit(max(CANDIDATES, limit)).dicts())
    wanted = text.strip().upper()
    rows.sort(key=lambda r: (r["number"] != wanted, r["score"]))
    return [{"kind": r["kind"], "id": r["record_id"], "number": r["number"], "title": r["title"]}
            for r in rows[:limit]]


def rebuild_all(progress=None) -> int:
    """Re-create the whole index from the records (after a restore or a schema change)."""
    from models.records import DisseminationEvent, LegalAidCase, MediationCase
    SearchIndex.delete().execute()
    SearchDoc.delete().execute()
    n = 0
    for model in (LegalAidCase, MediationCase, DisseminationEvent):
        for instance in model.alive().iterator():
            reindex(instance)
            n += 1
            if progress and n % 1000 == 0:
                progress(n)
    return n
