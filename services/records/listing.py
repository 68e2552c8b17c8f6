"""Paged, filtered, sorted lists of records, computed in SQL (one page of rows in memory, never a table).

    page = list_page(ListQuery(kind="legal-aid", text="dang van", communes=["06652"], year=2026, page=1))
    page.rows   -> [{"id", "number", "date", "commune", "title", "status", …}, …]   (plain dicts for the UI)
    page.total  -> matches of the whole query (for "1–50 of 1.234")
    page.total_capped -> True when a text search has more than SEARCH_COUNT_CAP matches: total is then the cap
                         and the list says "hơn 1.000"; count(q, cap=None) gives the exact number on demand.

Order: the `sort` of the query, with or without search text ("Mới nhất trước" = the record's date, newest first,
ties by entry order), so the order always matches the label the list shows.
"""
from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass, field

from peewee import JOIN, SQL, Column, fn

from models.db import database
from models.records import DisseminationEvent, LegalAidCase, MediationCase, MediationTeam, Person
from models.search import SearchDoc, SearchIndex
from services import admin_units, catalogs
from services.errors import UsageError
from services.records.search import match_expression
from services.text import search_terms


@dataclass
class ListQuery:
    kind: str
    text: str = ""
    communes: list[str] = field(default_factory=list)
    year: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    status: str = ""          # legal-aid status, mediation outcome
    field: str = ""           # legal field / dispute field
    form: str = ""            # aid form / dissemination form
    language: str = ""        # dissemination language: "vi" or an ethnic-group code ("09" = Tiếng Dao)
    sort: str = "date_desc"   # date_desc | date_asc | number | title
    page: int = 1
    page_size: int = 50
    include_deleted: bool = False


@dataclass
class Page:
    rows: list[dict]
    total: int
    page: int
    page_size: int
    total_capped: bool = False     # a text search counts at most SEARCH_COUNT_CAP matches ("hơn 1.000")

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


_SPEC = {
    # kind: (model, date field, status field, field field, form field, sortable title field)
    "legal-aid": (LegalAidCase, "received_date", "status", "legal_field", "aid_form"),
    "mediation": (MediationCase, "received_date", "outcome", "dispute_field", None),
    "dissemination": (DisseminationEvent, "date", None, None, "form"),
}


SEARCH_COUNT_CAP = 1000
_count_cache: OrderedDict = OrderedDict()


def _data_version() -> tuple:
    """Changes by this connection (total_changes) or by any other (PRAGMA data_version) invalidate counts."""
    conn = database.connection()
    return conn.total_changes, database.execute_sql("PRAGMA data_version").fetchone()[0]


def _filtered(q: ListQuery):
    try:
        model, date_name, status_name, field_name, form_name = _SPEC[q.kind]
    except KeyError:
        raise UsageError(f"Không có danh sách cho loại {q.kind}", f"No list for kind {q.kind}") from None
    date_col = getattr(model, date_name)
    conds = []
    if not q.include_deleted:
        conds.append(model.deleted == False)  # noqa: E712
    if q.communes:
        conds.append(model.commune_code.in_(q.communes))
    if q.year:
        conds.append(date_col.between(dt.date(q.year, 1, 1), dt.date(q.year, 12, 31)))
    if q.date_from:
        conds.append(date_col >= q.date_from)
    if q.date_to:
        conds.append(date_col <= q.date_to)
    if q.status and status_name:
        conds.append(getattr(model, status_name) == q.status)
    if q.field and field_name:
        conds.append(getattr(model, field_name) == q.field)
    if q.form and form_name:
        conds.append(getattr(model, form_name) == q.form)
    if q.language and q.kind == "dissemination":
        conds.append(model.language.in_(VIETNAMESE) if q.language in VIETNAMESE else model.language == q.language)
    return model, date_col, conds


VIETNAMESE = ("vi", "01", "")      # stored codes of "Tiếng Việt" (services.catalogs.language_label)


def count(q: ListQuery, cap: int | None = SEARCH_COUNT_CAP) -> int:
    """Matches of the filters and search text (cached until the database changes: paging through a list counts
    once). A text search stops counting after cap + 1 matches (a common word on a big folder would otherwise
    read every match on each search); cap=None counts them all (the "exact count" the officer asks for)."""
    text = bool(q.text.strip())
    key = (q.kind, q.text, tuple(q.communes), q.year, q.date_from, q.date_to, q.status, q.field, q.form,
           q.language, q.include_deleted, cap if text else None)
    version = _data_version()
    hit = _count_cache.get(key)
    if hit is not None and hit[0] == version:
        _count_cache.move_to_end(key)
        return hit[1]
    model, _, conds = _filtered(q)
    query = model.select(SQL("1"))
    for c in conds:
        query = query.where(c)
    if text:
        query = _search_join(query, model, q)
        if query is None:
            n = 0
        else:
            # the filters apply to every match, and only the outer query is capped (capping the matches
            # before filtering would count the filtered share of the first matches only)
            query = query.order_by()
            if cap is not None:
                query = query.limit(cap + 1)
            n = model.select(fn.COUNT(SQL("*"))).from_(query.alias("m")).scalar()
    else:
        n = query.count()
    _count_cache[key] = (version, n)
    if len(_count_cache) > 128:
        _count_cache.popitem(last=False)
    return n


def _search_join(query, model, q: ListQuery, common: bool = False):
    """Restrict a query to the records whose index entry matches the search text (every match: the filters
    and the order apply to all of them). `common`: the text matches many records (more than the count cap),
    so walk the list's date index and keep the matches (the first page is found early) instead of sorting all
    of them; for a rare text, looking its few matches up by id and sorting them is faster."""
    terms = search_terms(q.text)
    if not terms:
        return None
    # CROSS JOIN makes SQLite drive the loop from the FTS index, never from search_doc. As "id IN (…)" the
    # matches are collected once and each is looked up by primary key (a join let SQLite re-run the FTS
    # query for every record: 80 s on 16,000 events).
    matches = (SearchIndex.select(SearchDoc.record_id)
               .join(SearchDoc, JOIN.CROSS)
               .where(SearchIndex.match(match_expression(terms, q.kind)) & (SearchDoc.id == SearchIndex.rowid)
                      & (SearchDoc.kind == q.kind)))
    # likely(id) hides the id index from the planner, so it walks the ORDER BY index instead
    return query.where((fn.likely(model.id) if common else model.id).in_(matches))


def list_page(q: ListQuery) -> Page:
    model, date_col, conds = _filtered(q)
    if q.kind == "legal-aid":
        query = (model.select(model.id, model.number, model.received_date.alias("date"), model.commune_code,
                              model.status, model.legal_field, model.aid_form, model.beneficiary_category,
                              model.deleted, Person.full_name.alias("requester_name"))
                 .join(Person, on=(model.requester == Person.id)))
    elif q.kind == "mediation":
        query = (model.select(model.id, model.number, model.received_date.alias("date"), model.commune_code,
                              model.village, model.outcome, model.dispute_field, model.parties, model.deleted,
                              model.mediators, MediationTeam.name.alias("team_name"))
                 .join(MediationTeam, JOIN.LEFT_OUTER, on=(model.team == MediationTeam.id)))
    else:
        query = model.select(model.id, model.date, model.commune_code, model.village, model.form, model.topic,
                             model.participants, model.participants_women, model.language, model.deleted)
    for c in conds:
        query = query.where(c)
    page = max(1, int(q.page))
    size = max(1, min(int(q.page_size), 500))
    total = count(q)
    if q.text.strip():
        query = _search_join(query, model, q, common=total > SEARCH_COUNT_CAP and q.sort in ("date_desc", "date_asc"))
        if query is None:
            return Page([], 0, page, size)
    # The same order with or without search text, so that it always matches its label. rowid breaks ties:
    # the (…, date) indexes end with it, so the first page of a plain list needs no sort.
    rowid = Column(model, "rowid")
    order = {"date_desc": [date_col.desc(), rowid.desc()], "date_asc": [date_col.asc(), rowid.asc()]}.get(q.sort)
    if order is None and q.sort == "number" and "number" in model._meta.fields:
        order = [model.number, rowid]
    elif order is None and q.sort == "title" and q.kind == "dissemination":
        order = [model.topic, rowid]
    query = query.order_by(*(order or [date_col.desc(), rowid.desc()]))
    rows = list(query.paginate(page, size).dicts())
    _decorate(q.kind, rows)
    capped = bool(q.text.strip()) and total > SEARCH_COUNT_CAP
    return Page(rows, SEARCH_COUNT_CAP if capped else total, page, size, total_capped=capped)


def _decorate(kind: str, rows: list[dict]) -> None:
    """Labels for codes, and party names for mediation rows (one extra query per page, not per row)."""
    party_ids = [pid for r in rows for pid in (r.get("parties") or [])] if kind == "mediation" else []
    names = {p.id: p.full_name for p in Person.select(Person.id, Person.full_name).where(Person.id.in_(party_ids))} \
        if party_ids else {}
    for r in rows:
        r["commune"] = admin_units.commune_name(r.get("commune_code"))
        if kind == "legal-aid":
            r["title"] = r.pop("requester_name")
            r["status_label"] = catalogs.label("legal_aid_statuses", r["status"])
            r["field_label"] = catalogs.label("legal_fields", r["legal_field"])
            r["form_label"] = catalogs.label("aid_forms", r["aid_form"])
        elif kind == "mediation":
            r["title"] = " – ".join(names.get(p, "?") for p in r.get("parties") or [])
            r["status_label"] = catalogs.label("mediation_outcomes", r["outcome"])
            r["field_label"] = catalogs.label("dispute_fields", r["dispute_field"])
        else:
            r["title"] = r["topic"]
            r["form_label"] = catalogs.label("dissemination_forms", r["form"])
            r["language_label"] = catalogs.language_label(r["language"])
