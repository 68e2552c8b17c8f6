"""Paged, filtered, sorted lists of records, computed in SQL (one page of rows in memory, never a table).

    page = list_page(ListQuery(kind="legal-aid", text="dang van", communes=["06652"], year=2026, page=1))
    page.rows   -> [{"id", "number", "date", "commune", "title", "status", …}, …]   (plain dicts for the UI)
    page.total  -> matches of the whole query (for "1–50 of 1.234")
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from peewee import JOIN

from models.records import DisseminationEvent, LegalAidCase, MediationCase, MediationTeam, Person
from services import admin_units, catalogs
from services.errors import UsageError
from services.search import matching_ids_subquery


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

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


_SPEC = {
    # kind: (model, date field, status field, field field, form field, sortable title field)
    "legal-aid": (LegalAidCase, "received_date", "status", "legal_field", "aid_form"),
    "mediation": (MediationCase, "received_date", "outcome", "dispute_field", None),
    "dissemination": (DisseminationEvent, "date", None, None, "form"),
}


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
    if q.text.strip():
        sub = matching_ids_subquery(q.text, q.kind)
        if sub is None:
            conds.append(model.id.is_null())  # nothing searchable in the text: no match
        else:
            conds.append(model.id.in_(sub))
    return model, date_col, conds


def count(q: ListQuery) -> int:
    model, _, conds = _filtered(q)
    query = model.select()
    for c in conds:
        query = query.where(c)
    return query.count()


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
    order = {"date_desc": [date_col.desc(), model.id], "date_asc": [date_col.asc(), model.id]}.get(q.sort)
    if order is None and q.sort == "number" and "number" in model._meta.fields:
        order = [model.number]
    elif order is None and q.sort == "title" and q.kind == "dissemination":
        order = [model.topic]
    query = query.order_by(*(order or [date_col.desc(), model.id]))
    page = max(1, int(q.page))
    size = max(1, min(int(q.page_size), 500))
    rows = list(query.paginate(page, size).dicts())
    total = count(q)
    _decorate(q.kind, rows)
    return Page(rows, total, page, size)


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
