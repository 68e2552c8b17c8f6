"""Figures from the app's own records for the indicators those records can really evidence (one query per source,
one commune and year). In QĐ 25/2021 they are evidence beside the hand-entered score (TT 09/2021 Phụ lục I's
scoring is not verified, so the app does not turn figures into points); a data file may mark an auto source
`"use": "value"` when a verified rule maps the figure itself to the result.

    from services.assessment.auto import compute, SOURCES
    av = compute("mediation.cases", "07090", 2024)
    av.figures -> {"received": 9, "in_scope": 8, "thanh": 5, "khong_thanh": 1, "working": 2, "started_in_time": 4, …}
    av.records -> [{"kind": "mediation", "id": "…", "number": "HG-…", "group": "thanh", "start": "in_time"}, …]
    av.text("vi")

Every source returns the figures AND the records used, so the scorecard shows how they were reached.
- mediation.cases (QĐ 25 chỉ tiêu 3.1 "hòa giải kịp thời, hiệu quả"): cases received in the year and inside the
  mediation scope (Luật HGCS Điều 3; "ngoai_pham_vi" left out). Outcomes: only "thành" (Điều 24) and
  "không thành" (Điều 27) are outcomes the law defines; every other code is a working state, counted apart.
  Timeliness per Điều 20 khoản 2: the first session is within 03 days of the mediator's assignment; a case with
  no assignment date or no session yet is counted apart, never as late or in time.
- legal_aid.referrals (chỉ tiêu 3.3 "thông tin, giới thiệu về trợ giúp pháp lý"): requests received in the year
  and those referred to a legal-aid organisation (status "referred" or a referral recorded; Luật TGPL Điều 42).
- dissemination.sessions (chỉ tiêu 2.3 plan carried out): events held in the year, participants, women, ethnic
  minority. dissemination.forms (chỉ tiêu 2.4): the same events by form (Luật PBGDPL Điều 11).
- mediation.teams_compliant_rate: teams with ≥ 3 mediators including a woman (Luật HGCS Điều 12 khoản 1).
- dissemination.ethnic_minority_sessions: events with ethnic-minority participants, the "dtts" group or a
  language other than Vietnamese.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from peewee import Value, fn

from models.records import DisseminationEvent, LegalAidCase, MediationCase, MediationTeam
from services.dates import today_local

# Luật HGCS Điều 20 khoản 2: bắt đầu hòa giải trong 03 ngày kể từ ngày được phân công
START_DAYS = 3
SUCCESS = ("thanh",)                # catalog mediation_outcomes: the two outcomes the law defines (Điều 24, 27)
FAILED = ("khong_thanh",)
OUT_OF_SCOPE = ("ngoai_pham_vi",)   # outside Điều 3's scope: not a mediation case for the indicator
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


def _of(model, commune):
    """Records of the unit assessed: a post-reform commune (a code), or for a year ≤ 2024 (commune, old unit):
    the records naming that old unit, and those of its successor commune that name no old unit (entered before
    old units were recorded). Teams have no old unit: those of the successor commune."""
    if isinstance(commune, tuple):
        new, old = commune
        if hasattr(model, "historic_commune_code"):
            return ((model.historic_commune_code == old)
                    | ((model.historic_commune_code == "") & (model.commune_code == new)))
        return model.commune_code == new
    return model.commune_code == commune


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


def mediation_cases(commune: str, year: int, as_of: dt.date) -> AutoValue:
    from models.records import MediationSession
    lo, hi = _year_bounds(year)
    M = MediationCase
    rows = (M.select(M.id, M.number, M.assigned_date, M.outcome)
            .where(_of(M, commune) & (M.deleted == False)  # noqa: E712
                   & (M.received_date.between(lo, hi)) & (M.outcome.not_in(OUT_OF_SCOPE)))
            .order_by(M.received_date, M.number).tuples())
    rows = list(rows)
    first = {}
    if rows:
        S = MediationSession
        q = (S.select(S.case, fn.MIN(S.date)).where((S.case.in_([r[0] for r in rows])) & (S.deleted == False))  # noqa: E712
             .group_by(S.case).tuples())
        first = {cid: _as_date(d) for cid, d in q}
    figs = {"in_scope": len(rows), "thanh": 0, "khong_thanh": 0, "working": 0, "started_in_time": 0,
            "started_late": 0, "no_assignment_date": 0, "not_started": 0}
    records = []
    for rid, number, assigned, outcome in rows:
        group = "thanh" if outcome in SUCCESS else "khong_thanh" if outcome in FAILED else "working"
        figs[group] += 1
        assigned, start = _as_date(assigned), first.get(rid)
        if assigned is None:
            timing = "no_assignment_date"
        elif start is None:
            timing = "not_started"
        else:
            timing = "started_in_time" if start <= assigned + dt.timedelta(days=START_DAYS) else "started_late"
        figs[timing] += 1
        records.append({"kind": "mediation", "id": rid, "number": number, "group": group, "outcome": outcome,
                        "start": timing, "assigned_date": assigned.isoformat() if assigned else None,
                        "first_session": start.isoformat() if start else None})
    closed = figs["thanh"] + figs["khong_thanh"]
    rate = _pct(figs["thanh"], closed)
    figs["success_rate"] = rate
    return AutoValue("mediation.cases", rate, figs, records,
                     f"{len(rows)} vụ việc thuộc phạm vi hòa giải: thành {figs['thanh']}, không thành "
                     f"{figs['khong_thanh']}, đang xử lý (trạng thái nghiệp vụ) {figs['working']}; tỷ lệ thành / "
                     f"(thành + không thành) {_fmt_pct(rate, 'vi')}. Bắt đầu hòa giải trong {START_DAYS:02d} ngày kể "
                     f"từ ngày phân công (Luật HGCS Điều 20 khoản 2): {figs['started_in_time']} đúng hạn, "
                     f"{figs['started_late']} chậm, {figs['not_started']} chưa có buổi hòa giải, "
                     f"{figs['no_assignment_date']} không ghi ngày phân công",
                     f"{len(rows)} cases within the mediation scope: successful {figs['thanh']}, unsuccessful "
                     f"{figs['khong_thanh']}, still being handled (working states) {figs['working']}; success rate "
                     f"{_fmt_pct(rate, 'en')}. Mediation started within {START_DAYS} days of assignment (Law on "
                     f"Grassroots Mediation Art. 20(2)): {figs['started_in_time']} on time, {figs['started_late']} "
                     f"late, {figs['not_started']} no session yet, {figs['no_assignment_date']} no assignment date")


def mediation_success_rate(commune: str, year: int, as_of: dt.date) -> AutoValue:
    lo, hi = _year_bounds(year)
    rows = (MediationCase.select(MediationCase.id, MediationCase.number, MediationCase.outcome)
            .where(_of(MediationCase, commune) & (MediationCase.deleted == False)  # noqa: E712
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
            .where(_of(MediationTeam, commune) & (MediationTeam.deleted == False))  # noqa: E712
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
                     f"{ok}/{len(records)} tổ hòa giải có từ 03 hòa giải viên, trong đó có nữ "
                     f"({_fmt_pct(value, 'vi')})",
                     f"{ok}/{len(records)} mediation teams have at least 3 mediators including a woman "
                     f"({_fmt_pct(value, 'en')})")


def dissemination_sessions(commune: str, year: int, as_of: dt.date, ethnic_only: bool = False) -> AutoValue:
    lo, hi = _year_bounds(year)
    E = DisseminationEvent
    cond = _of(E, commune) & (E.deleted == False) & (E.date.between(lo, hi))  # noqa: E712
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


def dissemination_forms(commune: str, year: int, as_of: dt.date) -> AutoValue:
    from services import catalogs
    base = dissemination_sessions(commune, year, as_of)
    E = DisseminationEvent
    lo, hi = _year_bounds(year)
    rows = (E.select(E.form, fn.COUNT(E.id), fn.SUM(E.participants))
            .where(_of(E, commune) & (E.deleted == False) & (E.date.between(lo, hi)))  # noqa: E712
            .group_by(E.form).order_by(fn.COUNT(E.id).desc()).tuples())
    by_form = {form: {"sessions": n, "participants": int(p or 0)} for form, n, p in rows}

    def label(code, lang):
        try:
            return catalogs.label("dissemination_forms", code, lang)
        except Exception:  # noqa: BLE001 - an old or unknown code prints as itself
            return code
    parts_vi = "; ".join(f"{label(k, 'vi')}: {v['sessions']} buổi" for k, v in by_form.items())
    parts_en = "; ".join(f"{label(k, 'en')}: {v['sessions']} sessions" for k, v in by_form.items())
    figs = {"forms": len(by_form), "sessions": base.value, "by_form": by_form}
    return AutoValue("dissemination.forms", len(by_form), figs, base.records,
                     f"{base.value} buổi PBGDPL theo {len(by_form)} hình thức" + (f" ({parts_vi})" if parts_vi else ""),
                     f"{base.value} dissemination sessions in {len(by_form)} forms"
                     + (f" ({parts_en})" if parts_en else ""))


def legal_aid_referrals(commune: str, year: int, as_of: dt.date) -> AutoValue:
    lo, hi = _year_bounds(year)
    L = LegalAidCase
    rows = (L.select(L.id, L.number, L.status, L.referred_to)
            .where(_of(L, commune) & (L.deleted == False)  # noqa: E712
                   & (L.received_date.between(lo, hi)))
            .order_by(L.received_date, L.number).tuples())
    records, referred = [], 0
    for rid, number, status, referred_to in rows:
        ref = status == "referred" or bool(referred_to)
        referred += ref
        records.append({"kind": "legal-aid", "id": rid, "number": number, "status": status,
                        "group": "referred" if ref else "not_referred"})
    figs = {"received": len(records), "referred": referred, "not_referred": len(records) - referred}
    return AutoValue("legal_aid.referrals", referred, figs, records,
                     f"Tiếp nhận {len(records)} yêu cầu trợ giúp pháp lý; giới thiệu đến tổ chức thực hiện TGPL "
                     f"{referred} (Luật TGPL Điều 42)",
                     f"{len(records)} legal-aid requests received; {referred} referred to a legal-aid organisation "
                     f"(Law on Legal Aid Art. 42)", projectable=True)


SOURCES = {
    "mediation.cases": mediation_cases,
    "mediation.success_rate": mediation_success_rate,
    "mediation.teams_compliant_rate": mediation_teams_compliant,
    "dissemination.sessions": dissemination_sessions,
    "dissemination.forms": dissemination_forms,
    "dissemination.ethnic_minority_sessions": lambda c, y, a: dissemination_sessions(c, y, a, ethnic_only=True),
    "legal_aid.referrals": legal_aid_referrals,
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
