"""Rules for one mediation session (buổi hòa giải) of a case."""
from __future__ import annotations

from models.records import MediationCase
from services.errors import Collector
from services.kinds.common import MISSING, date, effective, keep, text


def normalize(data: dict, existing, ctx) -> dict:
    c = Collector()
    creating = existing is None
    case_id = data.get("case_id", data.get("case", MISSING))
    case = None
    if case_id is not MISSING:
        case = MediationCase.get_or_none(MediationCase.id == case_id) or MediationCase.get_or_none(
            MediationCase.number == case_id)
        if case is None:
            c.add("case", "Không tìm thấy vụ việc hòa giải", "No such mediation case")
    elif creating:
        c.add("case", "Chưa chọn vụ việc hòa giải", "No mediation case chosen")
    values = keep({},
                  date=date(c, data, "date", required=creating),
                  place=text(c, data, "place", max_len=300),
                  attendees=text(c, data, "attendees", max_len=2000),
                  content=text(c, data, "content", max_len=10000),
                  result=text(c, data, "result", max_len=5000))
    if case is not None:
        values["case"] = case.id
    case = case or (existing.case if existing is not None else None)
    d = effective("date", values, existing)
    if case is not None and d and d < case.received_date:
        c.add("date", "Buổi hòa giải trước ngày nhận vụ việc", "Session is before the case was received")
    c.raise_if_any()
    return values


def title(session) -> str:
    return f"{session.date:%d/%m/%Y} — {session.place}"


search_fields = None  # sessions are found through their case
