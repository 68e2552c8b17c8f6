"""Plan suggestion (issue 10): for a month, the villages, target groups and ethnic-minority languages least
recently reached, ranked, as a list the officer can print.

    from services.reports import coverage
    plan = coverage.suggest("2026-12", communes=["07090"])      # or month=None: next month
    plan.villages[0]      # {"rank": 1, "commune_code", "village", "last_reached": None, "days_since": None,
                          #  "reason": "Chưa từng được phổ biến"}
    plan.to_json();  coverage.render_plan(plan, "pdf", "ke-hoach.pdf")

Ranking: as of the day before the month starts (or today if earlier), from all sessions up to that day
(services.reports.coverage.compute rules for villages, expected groups and expected languages). Never reached comes
first (by commune, then name), then the oldest last session first; ties by commune and name. `limit` caps the
village list (groups and languages are short and are listed whole).
"""
from __future__ import annotations

import datetime as dt
import re

from services import admin_units, catalogs
from services.dates import today_local
from services.errors import FieldError, ValidationError
from services.formatting import fmt_date, fmt_int
from services.i18n import t
from services.reports.coverage import compute as coverage
from services.reports.coverage.result import PlanResult
from services.reports.periods import Period
from services.text import fold

DEFAULT_LIMIT = 20


def parse_month(value) -> tuple[dt.date, dt.date]:
    """'2026-12' / '12/2026' / a date (its month) / None (next month) -> (first day, last day)."""
    if value in (None, ""):
        today = today_local()
        first = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    elif isinstance(value, dt.date):
        first = value.replace(day=1)
    else:
        text = str(value).strip()
        m = re.fullmatch(r"(\d{4})-(\d{1,2})", text) or re.fullmatch(r"(\d{1,2})/(\d{4})", text)
        if not m:
            raise ValidationError([FieldError("month", t("plan.month_invalid", "vi", value=value),
                                              t("plan.month_invalid", "en", value=value))])
        year, month = (int(m.group(1)), int(m.group(2))) if "-" in text else (int(m.group(2)), int(m.group(1)))
        if not 1 <= month <= 12 or year < 1900:
            raise ValidationError([FieldError("month", t("plan.month_invalid", "vi", value=value),
                                              t("plan.month_invalid", "en", value=value))])
        first = dt.date(year, month, 1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return first, last


def _reason(last: dt.date | None, days: int | None, lang: str) -> str:
    if last is None:
        return t("plan.reason.never", lang)
    return t("plan.reason.last", lang, date=fmt_date(last, lang), days=fmt_int(days, lang))


def _ranked(items: list[dict], key_name) -> list[dict]:
    items.sort(key=lambda x: (x["last_reached"] is not None, x["last_reached"] or dt.date.min, key_name(x)))
    for i, x in enumerate(items, 1):
        x["rank"] = i
    return items


def suggest(month=None, *, province: str | None = None, communes: list[str] | None = None,
            limit: int | None = DEFAULT_LIMIT, lang: str = "vi") -> PlanResult:
    first, last = parse_month(month)
    scope = coverage.resolve_scope(province, communes, lang)
    as_of = min(first - dt.timedelta(days=1), today_local())
    codes = scope.communes

    village_rows, _ = coverage.village_reach(codes, None, as_of)
    villages = []
    for v in village_rows:
        days = None if v["last_reached"] is None else max(0, (as_of - v["last_reached"]).days)
        villages.append({"commune_code": v["commune_code"],
                         "commune_name": (scope.names.get(v["commune_code"])
                                          or admin_units.commune_name(v["commune_code"])),
                         "village": v["village"], "last_reached": v["last_reached"], "days_since": days,
                         "sessions_total": v["sessions"]})
    villages = _ranked(villages, lambda x: (x["commune_code"], fold(x["village"])))
    if limit:
        villages = villages[:limit]
    for v in villages:          # only for the villages kept: formatting hundreds of dates cost a quarter second
        v["reason"] = _reason(v["last_reached"], v["days_since"], lang)

    reach = coverage.group_reach(codes, None, as_of)
    groups = []
    for g in coverage.expected_groups(last):
        lasts = [r["last_served"] for (c, code), r in reach.items() if code == g and r["last_served"]]
        last_served = max(lasts, default=None)
        days = None if last_served is None else max(0, (as_of - last_served).days)
        groups.append({"code": g, "label": catalogs.label("target_groups", g, lang), "last_reached": last_served,
                       "days_since": days, "reason": _reason(last_served, days, lang)})
    order = {code: i for i, code in enumerate(coverage.expected_groups(last))}
    groups = _ranked(groups, lambda x: order[x["code"]])

    expected = coverage.expected_languages(codes, as_of)
    l_reach = coverage.language_reach(codes, None, as_of)
    languages = []
    for code in sorted({k[1] for k in expected}):
        lasts = [r["last_served"] for (c, x), r in l_reach.items() if x == code and r["last_served"]]
        last_served = max(lasts, default=None)
        days = None if last_served is None else max(0, (as_of - last_served).days)
        languages.append({"code": code, "label": catalogs.language_label(code, lang),
                          "people": sum(n for (c, x), n in expected.items() if x == code),
                          "communes": sorted(c for (c, x) in expected if x == code),
                          "last_reached": last_served, "days_since": days,
                          "reason": _reason(last_served, days, lang)})
    languages = _ranked(languages, lambda x: x["code"])

    return PlanResult(month=f"{first:%Y-%m}", period=Period(first, last), as_of=as_of, scope=scope.as_dict(),
                      villages=villages, groups=groups, languages=languages)
