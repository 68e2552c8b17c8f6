"""Printing: every form and book as PDF in the NĐ 30/2020 document style (reportlab) and batch prints (reports —
tally, coverage, assessment — are in services.reports). The UI's print actions and the CLI call only these functions.

    from services import printing
    pdf = printing.print_documents("case-slip", ["TGPL-07090-2026-0001"], out="slip.pdf", actor=officer)
    pdf, n = printing.print_batch("case-slip", date(2026, 1, 1), date(2026, 1, 31), communes=["07090"], out="jan.pdf")
    pdf = printing.print_mediation_book(team_id, date(2026, 1, 1), date(2026, 12, 31), out="so.pdf")
    printing.DOCUMENTS                   # doc token -> DocumentType (kind, title, …)

Single documents number their pages per NĐ 30/2020 (top centre, from page 2); batches carry "Trang x/y".
Every print is recorded in the audit log (action "print").
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from peewee import JOIN

from models.db import database
from models.records import DisseminationEvent, LegalAidCase, MediationCase, MediationTeam, Person
from services.errors import NotFoundError, ValidationError
from services.printing import dissemination, legal_aid, mediation
from services.printing.context import record_print, units_of
from services.printing.document import build_pdf, join_documents


@dataclass(frozen=True)
class DocumentType:
    token: str
    kind: str
    vi: str
    en: str
    story: Callable
    landscape: bool = False


DOCUMENTS: dict[str, DocumentType] = {d.token: d for d in [
    DocumentType("legal-aid-request", "legal-aid", "Đơn yêu cầu trợ giúp pháp lý (Mẫu 02-TP-TGPL)",
                 "Legal-aid request form (Form 02-TP-TGPL)", legal_aid.request_form_story),
    DocumentType("case-slip", "legal-aid", "Phiếu tiếp nhận / thụ lý vụ việc TGPL", "Legal-aid case slip",
                 legal_aid.case_slip_story),
    DocumentType("mediation-minutes", "mediation", "Biên bản hòa giải", "Mediation minutes",
                 mediation.minutes_story),
    DocumentType("mediation-agreement", "mediation", "Văn bản hòa giải thành", "Mediation agreement",
                 mediation.agreement_story),
    DocumentType("event-record", "dissemination", "Biên bản tổ chức phổ biến, giáo dục pháp luật",
                 "Dissemination event record", dissemination.event_record_story),
    DocumentType("attendance-sheet", "dissemination", "Danh sách người tham dự", "Attendance sheet",
                 dissemination.attendance_sheet_story),
]}
BOOK_TOKEN = "mediation-book"
_MODELS = {"legal-aid": LegalAidCase, "mediation": MediationCase, "dissemination": DisseminationEvent}


def document_type(doc: str) -> DocumentType:
    try:
        return DOCUMENTS[doc]
    except KeyError:
        from services.errors import FieldError
        raise ValidationError([FieldError("doc", f"Không có mẫu in «{doc}»; chọn một trong: "
                                          + ", ".join([*DOCUMENTS, BOOK_TOKEN]),
                                          f"Unknown document '{doc}'; one of: "
                                          + ", ".join([*DOCUMENTS, BOOK_TOKEN]))]) from None


def _query(kind: str):
    """Alive records of a kind with the persons of legal-aid cases joined (no query per slip)."""
    model = _MODELS[kind]
    if kind != "legal-aid":
        return model.alive()
    req, ben = Person.alias(), Person.alias()
    return (LegalAidCase.select(LegalAidCase, req, ben)
            .join(req, on=(LegalAidCase.requester == req.id), attr="requester")
            .switch(LegalAidCase).join(ben, JOIN.LEFT_OUTER, on=(LegalAidCase.beneficiary == ben.id),
                                       attr="beneficiary")
            .where(LegalAidCase.deleted == False))  # noqa: E712


def find_record(kind: str, ident: str):
    """A record by UUID or human-readable number (soft-deleted ones are not printed)."""
    model = _MODELS[kind]
    cond = model.id == ident
    if hasattr(model, "number"):
        cond = cond | (model.number == ident)
    row = _query(kind).where(cond).first()
    if row is None:
        raise NotFoundError(f"Không tìm thấy hồ sơ «{ident}»", f"Record not found: '{ident}'")
    return row


def _render(doc: DocumentType, records: list, out, *, batch: bool, landscape: bool = False) -> bytes:
    stories = []
    for r in records:
        if doc.token == "mediation-agreement" and batch and r.outcome != mediation.SUCCESS:
            continue            # a batch prints agreements only for cases mediated successfully
        with units_of(r):           # a record dated before 01/07/2025 prints its unit of that date
            stories.append(doc.story(r))
    if not stories:
        raise NotFoundError("Không có hồ sơ nào để in", "Nothing to print")
    return build_pdf(join_documents(stories), out, numbering="total" if batch else "decree",
                     landscape=landscape, title=doc.vi)


def _audit(kind: str, records: Iterable, doc: str, actor) -> None:
    with database.atomic():
        for r in records:
            record_print(kind, r.id, doc=doc, actor=actor)


def print_documents(doc: str, ids: list[str], out: str | Path | None = None, *, actor=None) -> bytes:
    """One document per record id/number, in the given order; several ids make a batch ("Trang x/y")."""
    dtype = document_type(doc)
    records = [find_record(dtype.kind, i) for i in ids]
    data = _render(dtype, records, out, batch=len(records) > 1)
    _audit(dtype.kind, records, doc, actor)
    return data


def batch_records(kind: str, start: dt.date, end: dt.date, communes: list[str] | None = None) -> list:
    model = _MODELS[kind]
    date_field = model.date if kind == "dissemination" else model.received_date
    q = _query(kind).where((date_field >= start) & (date_field <= end))
    if communes:
        q = q.where(model.commune_code.in_(list(communes)))
    order = [date_field] + ([model.number] if hasattr(model, "number") else [model.id])
    return list(q.order_by(*order))


def print_batch(doc: str, start: dt.date, end: dt.date, communes: list[str] | None = None,
                out: str | Path | None = None, *, actor=None) -> tuple[bytes, int]:
    """Every record of the period (and communes) in one PDF; returns (pdf bytes, number of documents)."""
    dtype = document_type(doc)
    records = batch_records(dtype.kind, start, end, communes)
    if not records:
        raise NotFoundError("Không có hồ sơ nào trong khoảng thời gian đã chọn",
                            "No records in the chosen period")
    data = _render(dtype, records, out, batch=True)
    _audit(dtype.kind, records, doc, actor)
    return data, len(records)


def find_team(ident: str) -> MediationTeam:
    team = MediationTeam.alive().where((MediationTeam.id == ident) | (MediationTeam.name == ident)).first()
    if team is None:
        raise NotFoundError(f"Không tìm thấy tổ hòa giải «{ident}»", f"Mediation team not found: '{ident}'")
    return team


def print_mediation_book(team_id: str, start: dt.date, end: dt.date, out: str | Path | None = None, *,
                         actor=None) -> bytes:
    """Sổ theo dõi hoạt động hòa giải ở cơ sở of a team for a period (landscape, "Trang x/y")."""
    team = find_team(team_id)
    with units_of(commune_code=team.commune_code, historic_code=_book_unit(team, start, end), on=end):
        story = mediation.book_story(team, start, end)
    data = build_pdf(story, out, landscape=True, numbering="total", title="Sổ theo dõi hoạt động hòa giải ở cơ sở")
    _audit("mediation-team", [team], BOOK_TOKEN, actor)
    return data


def _book_unit(team: MediationTeam, start: dt.date, end: dt.date) -> str | None:
    """The old unit a book that closes before 01/07/2025 is kept under: the one its cases name, else the team's
    commune's only predecessor (several predecessors and no case naming one: the new commune)."""
    from services import admin_units
    if not admin_units.is_pre_reform(end):
        return None
    named = {c.historic_commune_code for c in mediation.book_cases(team, start, end) if c.historic_commune_code}
    if len(named) == 1:
        return named.pop()
    before = admin_units.legacy_units_for(team.commune_code)
    return before[0].code if not named and len(before) == 1 else None


__all__ = ["DOCUMENTS", "BOOK_TOKEN", "print_documents", "print_batch", "print_mediation_book", "find_record",
           "batch_records", "document_type"]
