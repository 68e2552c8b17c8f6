"""Report periods (month, quarter, 6 months, year, custom, and the administrative cut-off 15/12–14/12), read from
assets/report_periods.json so that a template's periods can change without code.

    resolve("calendar", "quarter", 2026, 2)     -> Period(date(2026, 4, 1), date(2026, 6, 30), "Quý 2 năm 2026")
    resolve("admin_cutoff", "year", 2026)       -> Period(date(2025, 12, 15), date(2026, 12, 14), "Năm 2026 …")
    custom("01/01/2026", "2026-03-31")          -> Period(...)
    previous_year(period)                       -> the same period one year earlier (29/02 -> 28/02)
"""
from __future__ import annotations

import calendar
import datetime as dt
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from services.dates import parse_date
from services.errors import FieldError, ValidationError
from services.formatting import fmt_date

PERIODS_FILE = Path(__file__).resolve().parents[2] / "assets" / "report_periods.json"


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    label: str = ""

    def as_json(self) -> dict:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@lru_cache(maxsize=1)
def config() -> dict:
    return json.loads(PERIODS_FILE.read_text(encoding="utf-8"))


def templates() -> dict[str, dict]:
    return config()["templates"]


def definitions(template: str | None = None) -> list[dict]:
    """The periods a template offers (for dropdowns): [{"id", "vi", "en", "kind", …}]."""
    tpl = templates().get(template or config()["default_template"])
    if tpl is None:
        raise ValidationError([FieldError("template", f"Không có mẫu kỳ báo cáo «{template}»",
                                          f"Unknown report template '{template}'")])
    return tpl["periods"]


def _definition(template: str, period_id: str) -> dict:
    for d in definitions(template):
        if d["id"] == period_id:
            return d
    raise ValidationError([FieldError("period", f"Mẫu «{template}» không có kỳ «{period_id}»",
                                      f"Template '{template}' has no period '{period_id}'")])


def _safe_date(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def resolve(template: str, period_id: str, year: int, index: int = 1, lang: str = "vi") -> Period:
    """The concrete dates of period `period_id` number `index` (1-based: month 1–12, quarter 1–4, half 1–2)."""
    d = _definition(template, period_id)
    name = d.get(lang) or d["vi"]
    if d["kind"] == "calendar":
        months = d["months"]
        if not 1 <= index <= d.get("count", 12 // months):
            raise ValidationError([FieldError("index", f"Kỳ số {index} không hợp lệ", f"Invalid period index {index}")])
        m0 = (index - 1) * months + 1
        m1 = m0 + months - 1
        start, end = dt.date(year, m0, 1), _safe_date(year, m1, 31)
        if months == 12:
            label = f"{name} {year}"
        elif lang == "vi":
            label = (f"{name} {index} năm {year}" if months != 6
                     else f"{name} {'đầu' if index == 1 else 'cuối'} năm {year}")
        else:
            label = f"{name} {index} {year}"
        return Period(start, end, label)
    s, e = d["start"], d["end"]
    start = _safe_date(year + s.get("year_offset", 0), s["month"], s["day"])
    end = _safe_date(year + e.get("year_offset", 0), e["month"], e["day"])
    return Period(start, end, f"{name} {year} ({fmt_date(start)} – {fmt_date(end)})")


def custom(start, end) -> Period:
    """A custom range from user dates (ISO or dd/mm/yyyy); start must not be after end."""
    errors = []
    try:
        s = parse_date(start)
    except ValueError:
        s = None
        errors.append(FieldError("from", f"Ngày không hợp lệ: «{start}»", f"Invalid date: '{start}'"))
    try:
        e = parse_date(end)
    except ValueError:
        e = None
        errors.append(FieldError("to", f"Ngày không hợp lệ: «{end}»", f"Invalid date: '{end}'"))
    if s and e and s > e:
        errors.append(FieldError("to", "Ngày kết thúc trước ngày bắt đầu", "The end date is before the start date"))
    if errors:
        raise ValidationError(errors)
    return Period(s, e, f"Từ ngày {fmt_date(s)} đến ngày {fmt_date(e)}")


def shift_year(d: dt.date, years: int = -1) -> dt.date:
    return _safe_date(d.year + years, d.month, d.day)


def previous_year(period: Period) -> Period:
    """The same period of the previous year (cùng kỳ năm trước)."""
    s, e = shift_year(period.start), shift_year(period.end)
    return Period(s, e, f"Từ ngày {fmt_date(s)} đến ngày {fmt_date(e)}")
