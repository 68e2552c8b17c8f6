"""Indicators computed from the app's own records (one SQL query per source, one commune and year).

    from services.assessment.auto import compute, SOURCES
    av = compute("mediation.assigned_in_time_rate", "07090", 2024)
    av.value      -> 87.5        (percent, None when there was nothing to count)
    av.figures    -> {"cases": 9, "counted": 8, "in_time": 7, "late": 1, "pending": 1}
    av.records    -> [{"kind": "mediation", "id": "…", "number": "HG-…", "group": "in_time"}, …]
    av.text("vi") -> "7/8 vụ việc được phân công hòa giải viên trong 03 ngày (1 vụ chưa đến hạn)"

Every source returns the figures AND the records used, so the scorecard can show how a value was reached.
Definitions (stated on the scorecard):
- mediation.assigned_in_time_rate: cases received in the year (outside-scope cases excluded) whose mediator was
  assigned within 3 days of receipt / cases due by `as_of` (cases still inside their 3 days are "pending").
- mediation.success_rate: hòa giải thành / (thành + không thành), cases received in the year.
- mediation.teams_compliant_rate: teams of the commune with ≥ 3 members including a woman / all teams (teams
  recognised after the year are left out).
- dissemination.sessions: events held in the year (plus participants, women, ethnic-minority participants).
- dissemination.ethnic_minority_sessions: events with ethnic-minority participants, the "dtts" target group or a
  language other than Vietnamese.
- legal_aid.handled_rate: requests received in the year that were referred or accepted (status past "received",
  or a referral recorded) / requests received, excluding requests still inside a 3-day handling window.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from peewee import Value, fn

from models.records import DisseminationEvent, LegalAidCase, MediationCase, MediationTeam
from services.dates import today_local

ASSIGN_DAYS = 3                     # Luật HGCS Điều 17: phân công hòa giải viên trong 03 ngày
LEGAL_AID_WINDOW_DAYS = 3           # app assumption (unverified): time to refer/accept a request
SUCCESS = ("thanh",)                # catalog mediation_outcomes
FAILED = ("khong_thanh",)
OUT_OF_SCOPE = ("ngoai_pham_vi",)
WOMAN = "nu"                        # catalog genders
ETHNIC_MINORITY_GROUP = "dtts"      # catalog target_groups


@dataclass
class AutoValue:
    source: str
    value: float | int | None
    figures: dict
    records: list = field(default_factory=list)
    vi: str = ""
    en: str = ""
    projectable: bool = False       # counts grow through the year and can be projected to 31/12

    def text(self, lang: str = "vi") -> str:
        return self.vi if lang == "vi" else self.en

    def to_dict(self) -> dict:
        return {"source": self.source, "value": self.value, "figures": self.figures, "records": self.records,
                "text_vi": self.vi, "text_en": self.en}


def _year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _pct(num: int, den: int):
    return None if den == 0 else round(100.0 * num / den, 1)


def _as_date(v) -> dt.date | None:
    if isinstance(v, dt.datetime):
        return v.date()
    if v is None or isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v)[:10])


def _fmt_pct(x, lang):
    if x is None:
        return "—"
    s = f"{x:g}"
    return (s.replace(".", ",") if lang == "vi" else s) + "%"


def mediation_assigned_in_time(commune: str, year: int, as_of: dt.date) -> AutoValue:
    lo, hi = _year_bounds(year)
    rows = (MediationCase.select(MediationCase.id, MediationCase.number, MediationCase.received_date,
                                 MediationCase.assigned_date, MediationCase.outcome)
            .where((MediationCase.commune_code == commune) & (MediationCase.deleted == False)  # noqa: E712
                   & (MediationCase.received_date.between(lo, hi))
                   & (MediationCase.outcome.not_in(OUT_OF_SCOPE)))
            .order_by(MediationCase.received_date, MediationCase.number).tuples())
    records, in_time, late, pending = [], 0, 0, 0
    for rid, number, received, assigned, _outcome in rows:
        received, assigned = _as_date(received), _as_date(assigned)
        due = received + dt.timedelta(days=ASSIGN_DAYS)
        if assigned is not None:
            group = "in_time" if assigned <= due else "late"
        else:
            group = "pending" if as_of <= due else "late"
        in_time += group == "in_time"
        late += group == "late"
        pending += group == "pending"
        records.append({"kind": "mediation", "id": rid, "number": number, "group": group,
                        "received_date": received.isoformat(),
                        "assigned_date": assigned.isoformat() if assigned else None})
    counted = in_time + late
    value = _pct(in_time, counted)
    figs = {"cases": len(records), "counted": counted, "in_time": in_time, "late": late, "pending": pending}
    return AutoValue("mediation.assigned_in_time_rate", value, figs, records,
                     f"{in_time}/{counted} vụ việc được phân công hòa giải viên trong {ASSIGN_DAYS:02d} ngày "
                     f"({_fmt_pct(value, 'vi')}); {late} vụ chậm; {pending} vụ chưa đến hạn",
                     f"{in_time}/{counted} cases assigned a mediator within {ASSIGN_DAYS} days "
                     f"({_fmt_pct(value, 'en')}); {late} late; {pending} not yet due")


def mediation_success_rate(commune: str, year: int, as_of: dt.date) -> AutoValue:
    lo, hi = _year_bounds(year)
    rows = (MediationCase.select(MediationCase.id, MediationCase.number, MediationCase.outcome)
            .where((MediationCase.commune_code == commune) & (MediationCase.deleted == False)  # noqa: E712
                   & (MediationCase.received_date.between(lo, hi))
                   & (MediationCase.outcome.in_(SUCCESS + FAILED)))
            .order_by(MediationCase.received_date, MediationCase.number).tuples())
    records = [{"kind": "mediation", "id": rid, "number": number,
                "group": "success" if outcome in SUCCESS else "failed"} for rid, number, outcome in rows]
    ok = sum(r["group"] == "success" for r in records)
    value = _pct(ok, len(records))
    figs = {"success": ok, "failed": len(records) - ok, "closed": len(records)}
    return AutoValue("mediation.success_rate", value, figs, records,
                     f"Tỷ lệ hòa giải thành = thành / (thành + không thành) = {ok}/{len(records)} "
                     f"= {_fmt_pct(value, 'vi')}",
                     f"Success rate = successful / (successful + unsuccessful) = {ok}/{len(records)} "
                     f"= {_fmt_pct(value, 'en')}")


def mediation_teams_compliant(commune: str, year: int, as_of: dt.date) -> AutoValue:
    _, hi = _year_bounds(year)
    rows = (MediationTeam.select(MediationTeam.id, MediationTeam.name, MediationTeam.members,
                                 MediationTeam.recognised_date)
            .where((MediationTeam.commune_code == commune) & (MediationTeam.deleted == False))  # noqa: E712
            .order_by(MediationTeam.name).tuples())
    records, ok = [], 0
    for rid, name, members, recognised in rows:
        if recognised is not None and _as_date(recognised) > hi:
            continue                                  # team recognised after the assessment year
        members = members or []
        size = len(members)
        women = sum(1 for m in members if isinstance(m, dict) and m.get("gender") == WOMAN)
        problems = []
        if size < 3:
            problems.append("under_3_members")
        if women == 0:
            problems.append("no_woman")
        ok += not problems
        records.append({"kind": "mediation-team", "id": rid, "number": name, "members": size, "women": women,
                        "group": "compliant" if not problems else "not_compliant", "problems": problems})
    value = _pct(ok, len(records))
    figs = {"teams": len(records), "compliant": ok, "not_compliant": len(records) - ok}
    return AutoValue("mediation.teams_compliant_rate", value, figs, records,
                     f"{ok}/{len(records)} tổ hòa giải có từ 03 hòa giải viên, trong đó có nữ ({_fmt_pct(value, 'vi')})",
                     f"{ok}/{len(records)} mediation teams have at least 3 mediators including a woman "
                     f"({_fmt_pct(value, 'en')})")


def dissemination_sessions(commune: str, year: int, as_of: dt.date, ethnic_only: bool = False) -> AutoValue:
    lo, hi = _year_bounds(year)
    E = DisseminationEvent
    cond = (E.commune_code == commune) & (E.deleted == False) & (E.date.between(lo, hi))  # noqa: E712
    if ethnic_only:
        cond &= ((E.participants_ethnic_minority > 0) | (E.language != "vi")
                 | (fn.instr(E.target_groups, Value(f'"{ETHNIC_MINORITY_GROUP}"', converter=False)) > 0))
    rows = (E.select(E.id, E.date, E.topic, E.participants, E.participants_women, E.participants_ethnic_minority)
            .where(cond).order_by(E.date).tuples())
    records, people, women, em = [], 0, 0, 0
    for rid, date, topic, p, w, m in rows:
        people += p or 0
        women += w or 0
        em += m or 0
        records.append({"kind": "dissemination", "id": rid, "number": None, "date": _as_date(date).isoformat(),
                        "title": topic, "participants": p or 0})
    n = len(records)
    figs = {"sessions": n, "participants": people, "women": women, "ethnic_minority": em}
    source = "dissemination.ethnic_minority_sessions" if ethnic_only else "dissemination.sessions"
    what_vi = "buổi PBGDPL cho người DTTS / bằng tiếng DTTS" if ethnic_only else "buổi PBGDPL"
    what_en = "sessions for ethnic-minority people / in their languages" if ethnic_only else "dissemination sessions"
    return AutoValue(source, n, figs, records,
                     f"{n} {what_vi}, {people} lượt người (nữ {women}, DTTS {em})",
                     f"{n} {what_en}, {people} participants (women {women}, ethnic minority {em})",
                     projectable=True)


def legal_aid_handled(commune: str, year: int, as_of: dt.date) -> AutoValue:
    lo, hi = _year_bounds(year)
    L = LegalAidCase
    rows = (L.select(L.id, L.number, L.received_date, L.status, L.referred_to)
            .where((L.commune_code == commune) & (L.deleted == False)  # noqa: E712
                   & (L.received_date.between(lo, hi)))
            .order_by(L.received_date, L.number).tuples())
    records, handled, referred, open_, pending = [], 0, 0, 0, 0
    for rid, number, received, status, referred_to in rows:
        received = _as_date(received)
        if status != "received" or referred_to:
            group = "handled"
            handled += 1
            referred += bool(status == "referred" or referred_to)
        elif as_of <= received + dt.timedelta(days=LEGAL_AID_WINDOW_DAYS):
            group = "pending"
            pending += 1
        else:
            group = "not_handled"
            open_ += 1
        records.append({"kind": "legal-aid", "id": rid, "number": number, "status": status, "group": group})
    counted = handled + open_
    value = _pct(handled, counted)
    figs = {"received": len(records), "handled": handled, "referred": referred, "not_handled": open_,
            "pending": pending}
    return AutoValue("legal_aid.handled_rate", value, figs, records,
                     f"Tiếp nhận {len(records)} yêu cầu TGPL; đã chuyển/thụ lý {handled}/{counted} "
                     f"({_fmt_pct(value, 'vi')}), trong đó chuyển Trung tâm {referred}",
                     f"{len(records)} legal-aid requests received; {handled}/{counted} referred or accepted "
                     f"({_fmt_pct(value, 'en')}), {referred} referred to the centre")


SOURCES = {
    "mediation.assigned_in_time_rate": mediation_assigned_in_time,
    "mediation.success_rate": mediation_success_rate,
    "mediation.teams_compliant_rate": mediation_teams_compliant,
    "dissemination.sessions": dissemination_sessions,
    "dissemination.ethnic_minority_sessions": lambda c, y, a: dissemination_sessions(c, y, a, ethnic_only=True),
    "legal_aid.handled_rate": legal_aid_handled,
}


def compute(source: str, commune_code: str, year: int, as_of: dt.date | None = None) -> AutoValue:
    """Compute one auto source. `as_of` (default: today, capped at 31/12 of the year) decides what is overdue."""
    if source not in SOURCES:
        raise KeyError(f"unknown auto source {source!r}; known: {sorted(SOURCES)}")
    as_of = min(as_of or today_local(), dt.date(int(year), 12, 31))
    return SOURCES[source](commune_code, int(year), as_of)


def compute_all(framework, commune_code: str, year: int, as_of: dt.date | None = None) -> dict[str, AutoValue]:
    """{indicator_id: AutoValue} for every indicator of the framework that has an auto source (cached per source)."""
    by_source: dict[str, AutoValue] = {}
    out = {}
    for ind in framework.indicators():
        src = (ind.get("auto") or {}).get("source")
        if not src:
            continue
        if src not in by_source:
            by_source[src] = compute(src, commune_code, year, as_of)
        out[ind["id"]] = by_source[src]
    return out
