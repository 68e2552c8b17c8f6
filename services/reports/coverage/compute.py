"""Reach of legal dissemination (issue 10): where the law has not reached, and which forms of dissemination worked.

    from services.reports import coverage
    rep = coverage.coverage(date(2025, 1, 1), date(2025, 12, 31), communes=["07090"])
    rep.villages                 # [{"commune_code", "village", "last_reached": date|None, "days_since", …}]
    rep.groups_not_served        # [{"code": "nguoi_khuyet_tat", "label": "Người khuyết tật", "last_served": …}]
    rep.languages_not_served     # [{"code": "09", "label": "Tiếng Dao", "people": 14, …}]
    rep.effectiveness["by_form"]      # per form: this period against the same period one year earlier
    rep.to_json()                # dates as ISO strings (what `report coverage --format json` prints)
    coverage.render(rep, "pdf", "bao-phu.pdf")            # services.reports.coverage.renderers

Rules (documented here and repeated in rep.rules):

- Scope: one or more communes, or a province (all its communes). With neither, every commune that has a village
  or a dissemination session in the data.
- Villages: the commune's active village list (services.records.villages: it grows from the records and the officer can
  add, rename or deactivate names) plus any village named by a session that is not on the list at all. A village
  on the list but inactive is left out. Names are matched accent- and case-insensitively. A session without a
  village is a commune-wide session: counted in the totals, but it reaches no particular village.
- last_reached: the date of the latest session in the village on or before the period's end — from all time, so a
  village reached once long before the period still shows that date. days_since counts from `as_of`, the period's
  end or today if that is earlier. A village is "not reached" when it had no session inside the period.
- Expected target groups: every code of the target_groups catalog (valid at the period's end) except those in
  RULES["groups_not_expected"] ("khac" = "Khác/Other" is not a group anybody can be missing). A group is served when
  a session of the period in the scope lists it in its target groups.
- Expected languages: the languages of ethnic-minority groups (catalog flag "minority": true) present in the
  scope's data — persons living in the commune (Person.ethnicity), members of its mediation teams, and any language
  a session in the commune has ever used up to the period's end — with at least RULES["min_people_for_language"]
  persons (a language already used by a session counts regardless). Languages are expected per commune, so a
  language is "not served" when at least one commune that expects it had no session in it during the period
  (communes_not_served lists them); target groups are expected everywhere and are judged over the whole scope
  (each commune's own gaps are in rep["communes"][i]["groups_not_served"]).
- Effectiveness per form, for the period and the same dates one year earlier: sessions, participants per session,
  useful share = found useful / respondents (sessions with a feedback block only), questions per session (sessions
  that recorded questions), follow-up requests per 100 participants (participants of the sessions that recorded
  follow-ups only, so sessions without feedback do not dilute the rate).

The rules are data: RULES below, overridable per installation with the setting "coverage.rules" (a dict with the
same keys). Every figure comes from SQL GROUP BY queries over the scope's rows; no table is loaded whole.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field

from models.db import database
from models.records import DisseminationEvent, MediationTeam, Person, Village
from services import admin_units, catalogs
from services.data_dir import settings
from services.dates import parse_date, today_local
from services.errors import FieldError, ValidationError
from services.reports.coverage.result import CoverageResult
from services.reports.periods import Period
from services.text import fold

RULES = {
    "groups_not_expected": ["khac"],
    "min_people_for_language": 1,
    "language_sources": ["persons", "mediation_team_members", "dissemination_languages"],
}

_EVENTS = DisseminationEvent._meta.table_name
_PERSONS = Person._meta.table_name
_TEAMS = MediationTeam._meta.table_name
_VILLAGES = Village._meta.table_name
_NOT_ETHNIC_LANGUAGES = ("", "vi", "01")


def rules() -> dict:
    """RULES with the installation's overrides (setting "coverage.rules") applied."""
    merged = dict(RULES)
    with contextlib.suppress(Exception):  # no database open (docs, import time): the defaults apply
        merged.update(settings.get("coverage.rules", {}) or {})
    return merged


# ---- scope and period ------------------------------------------------------------------------------------

@dataclass
class Scope:
    communes: list[str]
    province: str | None = None
    label: str = ""
    explicit: bool = True          # False when derived from the data (no --province / --commune)
    names: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"province": self.province,
                "province_name": admin_units.province(self.province).name if self.province else None,
                "communes": list(self.communes), "label": self.label}


def resolve_scope(province: str | None = None, communes: list[str] | None = None, lang: str = "vi") -> Scope:
    """Validate a province code or commune codes/names into a Scope (ValidationError lists every problem)."""
    errors: list[FieldError] = []
    communes = [c for c in (communes or []) if str(c).strip()]
    if province and communes:
        errors.append(FieldError("province", "Chọn tỉnh hoặc xã, không chọn cả hai",
                                 "Give a province or communes, not both"))
    if province:
        prov = admin_units.province(str(province).strip())
        if prov is None:
            errors.append(FieldError("province", f"Không có tỉnh/thành phố mã «{province}»",
                                     f"Unknown province '{province}'"))
        if errors:
            raise ValidationError(errors)
        codes = [c.code for c in admin_units.communes(prov.code)]
        return Scope(codes, prov.code, prov.name, True, {c.code: c.name for c in admin_units.communes(prov.code)})
    if communes:
        codes = []
        for value in communes:
            code = admin_units.resolve_commune(value)
            if code is None:
                errors.append(FieldError("commune", f"Không có xã/phường «{value}»", f"Unknown commune '{value}'"))
            elif code not in codes:
                codes.append(code)
        if errors:
            raise ValidationError(errors)
        names = {c: admin_units.commune_name(c) for c in codes}
        return Scope(codes, None, ", ".join(names[c] for c in codes), True, names)
    rows = database.execute_sql(
        f"SELECT commune_code FROM {_VILLAGES} UNION "
        f"SELECT DISTINCT commune_code FROM {_EVENTS} WHERE deleted = 0").fetchall()
    codes = sorted({r[0] for r in rows if r[0]})
    names = {c: admin_units.commune_name(c) for c in codes}
    from services.i18n import t
    return Scope(codes, None, t("coverage.scope_all", lang), False, names)


def check_period(start, end) -> tuple[dt.date, dt.date]:
    errors = []
    parsed = []
    for name, value in (("from", start), ("to", end)):
        try:
            parsed.append(parse_date(value))
        except (ValueError, TypeError):
            errors.append(FieldError(name, f"Ngày không hợp lệ: «{value}» (dùng dd/mm/yyyy)",
                                     f"Invalid date: '{value}' (use dd/mm/yyyy)"))
    if errors:
        raise ValidationError(errors)
    if parsed[0] > parsed[1]:
        raise ValidationError([FieldError("from", "Ngày bắt đầu sau ngày kết thúc", "Start date is after end date")])
    return parsed[0], parsed[1]


def previous_year(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The same dates one year earlier (29/02 becomes 28/02)."""
    def back(d: dt.date) -> dt.date:
        try:
            return d.replace(year=d.year - 1)
        except ValueError:
            return d.replace(year=d.year - 1, day=28)
    return back(start), back(end)


def _in(codes: list[str]) -> tuple[str, list[str]]:
    if not codes:
        return "(NULL)", []
    return "(" + ",".join("?" * len(codes)) + ")", list(codes)


def _date(value) -> dt.date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


# ---- shared aggregate queries -----------------------------------------------------------------------------

_shared = threading.local()


@contextmanager
def shared_queries():
    """Inside, the reach queries (villages, groups, languages) of one scope and end date run once: the screen
    computes the report (period figures) and the plan (all-time figures up to the same day) together, and each
    query returns both. Each query groups in SQL; nothing is summed in Python loops."""
    if getattr(_shared, "memo", None) is not None:
        yield
        return
    _shared.memo = {}
    try:
        yield
    finally:
        _shared.memo = None


def _reach_rows(name: str, sql: str, communes: list[str], start: dt.date | None, end: dt.date) -> list[tuple]:
    """Rows (key1, key2, last date, sessions, participants): in [start, end], or all time up to end when start is
    None. `sql` selects key1, key2, MAX(date), COUNT(*), SUM(participants), and the period's count and
    participants for `date >= ?` (its two first parameters), then filters on the communes and `date <= ?`."""
    memo = getattr(_shared, "memo", None)
    key = (name, tuple(communes), end)
    hit = memo.get(key) if memo is not None else None
    if hit is not None and (start is None or hit[0] == start):
        rows = hit[1]
    else:
        marks, params = _in(communes)
        s = (start or dt.date.min).isoformat()
        rows = database.execute_sql(sql.format(marks=marks), [s, s, *params, end.isoformat()]).fetchall()
        if memo is not None:
            memo[key] = (start, rows)
    if start is None:
        return [(a, b, last, n_all, p_all) for a, b, last, n_all, p_all, _, _ in rows]
    return [(a, b, last, n, p) for a, b, last, _, _, n, p in rows]


# ---- villages --------------------------------------------------------------------------------------------

def village_reach(communes: list[str], start: dt.date | None, end: dt.date) -> tuple[list[dict], dict[str, int]]:
    """Every village of the communes with last_reached (≤ end, all time) and its sessions/participants in
    [start, end]; plus the commune-wide session counts {commune: n} of the period."""
    marks, params = _in(communes)
    listed = database.execute_sql(
        f"SELECT commune_code, name, name_folded, active FROM {_VILLAGES} WHERE commune_code IN {marks}",
        params).fetchall()
    reached = _reach_rows(
        "villages",
        f"SELECT commune_code, village, MAX(date), COUNT(*), SUM(participants), "
        f"SUM(CASE WHEN date >= ? THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN date >= ? THEN participants ELSE 0 END) "
        f"FROM {_EVENTS} WHERE deleted = 0 AND commune_code IN {{marks}} AND date <= ? "
        f"GROUP BY commune_code, village", communes, start, end)
    villages: dict[tuple[str, str], dict] = {}
    inactive: set[tuple[str, str]] = set()
    for commune, name, folded, active in listed:
        key = (commune, folded)
        if not active:
            inactive.add(key)
            continue
        villages[key] = {"commune_code": commune, "village": name, "listed": True, "last_reached": None,
                         "sessions": 0, "participants": 0}
    commune_wide: dict[str, int] = {}
    for commune, name, last, sessions, participants in reached:
        if not (name or "").strip():
            commune_wide[commune] = commune_wide.get(commune, 0) + int(sessions or 0)
            continue
        key = (commune, fold(name))
        if key in inactive:
            continue
        v = villages.setdefault(key, {"commune_code": commune, "village": name.strip(), "listed": False,
                                      "last_reached": None, "sessions": 0, "participants": 0})
        last = _date(last)
        if v["last_reached"] is None or (last and last > v["last_reached"]):
            v["last_reached"] = last
        v["sessions"] += int(sessions or 0)
        v["participants"] += int(participants or 0)
    rows = sorted(villages.values(), key=lambda v: (v["commune_code"], fold(v["village"])))
    return rows, commune_wide


# ---- target groups and languages -------------------------------------------------------------------------

def expected_groups(on: dt.date | None = None) -> list[str]:
    skip = set(rules()["groups_not_expected"])
    return [e["code"] for e in catalogs.entries("target_groups", on) if e["code"] not in skip]


def group_reach(communes: list[str], start: dt.date | None, end: dt.date) -> dict[tuple[str, str], dict]:
    """{(commune, group): {"sessions", "participants" (in the period), "last_served" (≤ end, all time)}}."""
    rows = _reach_rows(
        "groups",
        f"SELECT e.commune_code, g.value, MAX(e.date), COUNT(*), SUM(e.participants), "
        f"SUM(CASE WHEN e.date >= ? THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN e.date >= ? THEN e.participants ELSE 0 END) "
        f"FROM {_EVENTS} e, json_each(e.target_groups) g "
        f"WHERE e.deleted = 0 AND e.commune_code IN {{marks}} AND e.date <= ? "
        f"GROUP BY e.commune_code, g.value", communes, start, end)
    return {(c, g): {"last_served": _date(last), "sessions": int(n or 0), "participants": int(p or 0)}
            for c, g, last, n, p in rows}


def language_reach(communes: list[str], start: dt.date | None, end: dt.date) -> dict[tuple[str, str], dict]:
    """{(commune, language code): {"sessions", "participants", "last_served"}} for ethnic-minority languages."""
    rows = _reach_rows(
        "languages",
        f"SELECT commune_code, language, MAX(date), COUNT(*), SUM(participants), "
        f"SUM(CASE WHEN date >= ? THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN date >= ? THEN participants ELSE 0 END) "
        f"FROM {_EVENTS} WHERE deleted = 0 AND commune_code IN {{marks}} AND date <= ? "
        f"AND language NOT IN ('', 'vi', '01') GROUP BY commune_code, language", communes, start, end)
    return {(c, lang): {"last_served": _date(last), "sessions": int(n or 0), "participants": int(p or 0)}
            for c, lang, last, n, p in rows}


def _minority(code: str) -> bool:
    entry = catalogs.get("ethnic_groups", code)
    return bool(entry and entry.get("minority"))


def expected_languages(communes: list[str], end: dt.date | None = None) -> dict[tuple[str, str], int]:
    """{(commune, ethnic code): persons of that group} — the languages a commune's sessions should use
    (see the module docstring for the rule). A language only known from earlier sessions has 0 persons."""
    memo = getattr(_shared, "memo", None)
    key = ("expected_languages", tuple(communes), end)
    if memo is not None and key in memo:
        return dict(memo[key])
    r = rules()
    sources = set(r["language_sources"])
    marks, params = _in(communes)
    people: dict[tuple[str, str], int] = {}
    if "persons" in sources:
        for c, eth, n in database.execute_sql(
                f"SELECT commune_code, ethnicity, COUNT(*) FROM {_PERSONS} WHERE deleted = 0 "
                f"AND commune_code IN {marks} AND ethnicity NOT IN ('', '01') GROUP BY commune_code, ethnicity",
                params).fetchall():
            people[(c, eth)] = people.get((c, eth), 0) + int(n)
    if "mediation_team_members" in sources:
        for c, eth, n in database.execute_sql(
                f"SELECT t.commune_code, json_extract(m.value, '$.ethnicity') AS eth, COUNT(*) "
                f"FROM {_TEAMS} t, json_each(t.members) m WHERE t.deleted = 0 AND t.commune_code IN {marks} "
                f"AND eth IS NOT NULL AND eth NOT IN ('', '01') GROUP BY t.commune_code, eth", params).fetchall():
            people[(c, eth)] = people.get((c, eth), 0) + int(n)
    minimum = int(r["min_people_for_language"])
    expected = {k: n for k, n in people.items() if n >= minimum and _minority(k[1])}
    if "dissemination_languages" in sources:
        q = (f"SELECT DISTINCT commune_code, language FROM {_EVENTS} WHERE deleted = 0 AND commune_code IN {marks} "
             f"AND language NOT IN ('', 'vi', '01')")
        args = list(params)
        if end is not None:
            q += " AND date <= ?"
            args.append(end.isoformat())
        for c, lang in database.execute_sql(q, args).fetchall():
            if _minority(lang):
                expected.setdefault((c, lang), people.get((c, lang), 0))
    if memo is not None:
        memo[key] = dict(expected)
    return expected


# ---- effectiveness ---------------------------------------------------------------------------------------

def _metrics(row) -> dict:
    (sessions, participants, fb_sessions, respondents, useful, q_sessions, questions, fu_sessions, followups,
     fu_participants) = [int(x or 0) for x in row]

    def ratio(num, den, scale=1.0):
        return round(num * scale / den, 2) if den else None
    return {"sessions": sessions, "participants": participants,
            "participants_per_session": ratio(participants, sessions),
            "feedback_sessions": fb_sessions, "respondents": respondents, "useful": useful,
            "useful_share": ratio(useful, respondents, 100.0),
            "question_sessions": q_sessions, "questions": questions,
            "questions_per_session": ratio(questions, q_sessions),
            "followup_sessions": fu_sessions, "followup_requests": followups,
            "followup_participants": fu_participants,
            "followups_per_100": ratio(followups, fu_participants, 100.0)}


_EFFECT_COLUMNS = (
    "COUNT(*), SUM(participants), COUNT(feedback_respondents), SUM(feedback_respondents), "
    "SUM(CASE WHEN feedback_respondents IS NOT NULL THEN COALESCE(feedback_useful, 0) END), "
    "COUNT(questions_asked), SUM(questions_asked), COUNT(followup_requests), SUM(followup_requests), "
    "SUM(CASE WHEN followup_requests IS NOT NULL THEN participants END)")


def effectiveness_by_form(communes: list[str], start: dt.date, end: dt.date) -> tuple[dict[str, dict], dict]:
    """({form: metrics}, total metrics) for sessions in [start, end]."""
    marks, params = _in(communes)
    where = f"WHERE deleted = 0 AND commune_code IN {marks} AND date >= ? AND date <= ?"
    args = [*params, start.isoformat(), end.isoformat()]
    by_form = {form: _metrics(rest) for form, *rest in database.execute_sql(
        f"SELECT form, {_EFFECT_COLUMNS} FROM {_EVENTS} {where} GROUP BY form", args).fetchall()}
    total = _metrics(database.execute_sql(f"SELECT {_EFFECT_COLUMNS} FROM {_EVENTS} {where}", args).fetchone())
    return by_form, total


def effectiveness(communes: list[str], start: dt.date, end: dt.date, lang: str = "vi") -> dict:
    prev_start, prev_end = previous_year(start, end)
    cur, cur_total = effectiveness_by_form(communes, start, end)
    prev, prev_total = effectiveness_by_form(communes, prev_start, prev_end)
    empty = _metrics([0] * 10)
    known = [e["code"] for e in catalogs.entries("dissemination_forms")]
    forms = [f for f in known if f in cur or f in prev] + sorted((set(cur) | set(prev)) - set(known))
    return {"current": {"from": start, "to": end}, "previous": {"from": prev_start, "to": prev_end},
            "by_form": [{"form": f, "label": catalogs.label("dissemination_forms", f, lang),
                         "current": cur.get(f, empty), "previous": prev.get(f, empty)} for f in forms],
            "total": {"current": cur_total, "previous": prev_total}}


# ---- the report ------------------------------------------------------------------------------------------

def _days(as_of: dt.date, last: dt.date | None) -> int | None:
    return None if last is None else max(0, (as_of - last).days)


def coverage(start, end, *, province: str | None = None, communes: list[str] | None = None,
             lang: str = "vi", as_of: dt.date | None = None) -> CoverageResult:
    """The coverage report of a scope and period (see the module docstring for every rule)."""
    start, end = check_period(start, end)
    scope = resolve_scope(province, communes, lang)
    as_of = as_of or min(end, today_local())
    codes = scope.communes

    village_rows, commune_wide = village_reach(codes, start, end)
    villages = []
    for v in village_rows:
        villages.append({**v, "commune_name": scope.names.get(v["commune_code"]) or
                         admin_units.commune_name(v["commune_code"]),
                         "reached_in_period": v["sessions"] > 0,
                         "days_since": _days(as_of, v["last_reached"])})
    not_reached = sorted((v for v in villages if not v["reached_in_period"]),
                         key=lambda v: (v["last_reached"] is not None, v["last_reached"] or dt.date.min,
                                        v["commune_code"], fold(v["village"])))

    groups_exp = expected_groups(end)
    g_reach = group_reach(codes, start, end)
    groups = []
    for g in groups_exp:
        hits = [r for (c, code), r in g_reach.items() if code == g]
        last = max((r["last_served"] for r in hits if r["last_served"]), default=None)
        sessions = sum(r["sessions"] for r in hits)
        groups.append({"code": g, "label": catalogs.label("target_groups", g, lang), "sessions": sessions,
                       "participants": sum(r["participants"] for r in hits), "served": sessions > 0,
                       "last_served": last, "days_since": _days(as_of, last)})

    lang_exp = expected_languages(codes, end)
    l_reach = language_reach(codes, start, end)
    languages = []
    for code in sorted({k[1] for k in lang_exp} | {k[1] for k in l_reach}):
        hits = [r for (c, x), r in l_reach.items() if x == code]
        last = max((r["last_served"] for r in hits if r["last_served"]), default=None)
        sessions = sum(r["sessions"] for r in hits)
        expected_in = sorted(c for (c, x) in lang_exp if x == code)
        languages.append({"code": code, "label": catalogs.language_label(code, lang),
                          "expected": bool(expected_in),
                          "people": sum(n for (c, x), n in lang_exp.items() if x == code),
                          "communes": expected_in,
                          "communes_not_served": [c for c in expected_in
                                                  if not l_reach.get((c, code), {}).get("sessions")],
                          "sessions": sessions, "participants": sum(r["participants"] for r in hits),
                          "served": sessions > 0, "last_served": last, "days_since": _days(as_of, last)})

    commune_rows = _commune_summary(scope, villages, commune_wide, g_reach, groups_exp, lang_exp, l_reach, start, end)
    eff = effectiveness(codes, start, end, lang)
    total = eff["total"]["current"]
    reached_count = sum(1 for v in villages if v["reached_in_period"])
    summary = {"communes": len(codes), "villages_total": len(villages), "villages_reached": reached_count,
               "villages_not_reached": len(villages) - reached_count,
               "villages_never_reached": sum(1 for v in villages if v["last_reached"] is None),
               "village_reach_rate": round(reached_count * 100.0 / len(villages), 1) if villages else None,
               "sessions": total["sessions"], "participants": total["participants"],
               "commune_wide_sessions": sum(commune_wide.values()),
               "groups_expected": len(groups_exp), "groups_not_served": sum(1 for g in groups if not g["served"]),
               "languages_expected": sum(1 for x in languages if x["expected"]),
               "languages_not_served": sum(1 for x in languages if x["communes_not_served"])}
    return CoverageResult(
        period=Period(start, end), as_of=as_of, scope=scope.as_dict(), summary=summary, villages=villages,
        villages_not_reached=[{k: v[k] for k in ("commune_code", "commune_name", "village", "last_reached",
                                                 "days_since")} for v in not_reached],
        groups=groups,
        groups_not_served=[{k: g[k] for k in ("code", "label", "last_served", "days_since")}
                           for g in groups if not g["served"]],
        languages=languages,
        languages_not_served=[{k: x[k] for k in ("code", "label", "people", "communes_not_served",
                                                 "last_served", "days_since")}
                              for x in languages if x["communes_not_served"]],
        communes=commune_rows,
        effectiveness=eff,
        rules={**rules_text(lang), **_rollup_rule(start, lang)},
    )


def _rollup_rule(start: dt.date, lang: str) -> dict:
    """Sessions before 01/07/2025 count in the post-reform commune they roll up into (tally's ROLLUP_NOTE);
    said among the rules when the period or the year-earlier comparison reaches before that day."""
    from services.reports.tally.compute import ROLLUP_NOTE
    earlier = previous_year(start, start)[0]
    if not admin_units.is_pre_reform(earlier):
        return {}
    return {"rollup": ROLLUP_NOTE.get(lang) or ROLLUP_NOTE["vi"]}


def _commune_summary(scope, villages, commune_wide, g_reach, groups_exp, lang_exp, l_reach, start, end) -> list[dict]:
    marks, params = _in(scope.communes)
    sessions = {c: (int(n), int(p or 0)) for c, n, p in database.execute_sql(
        f"SELECT commune_code, COUNT(*), SUM(participants) FROM {_EVENTS} WHERE deleted = 0 "
        f"AND commune_code IN {marks} AND date >= ? AND date <= ? GROUP BY commune_code",
        [*params, start.isoformat(), end.isoformat()]).fetchall()}
    out = []
    for c in scope.communes:
        vs = [v for v in villages if v["commune_code"] == c]
        n, p = sessions.get(c, (0, 0))
        if not scope.explicit and not vs and not n:
            continue
        out.append({"code": c, "name": scope.names.get(c) or admin_units.commune_name(c), "sessions": n,
                    "participants": p, "commune_wide_sessions": commune_wide.get(c, 0),
                    "villages_total": len(vs), "villages_reached": sum(1 for v in vs if v["reached_in_period"]),
                    "groups_not_served": [g for g in groups_exp if not g_reach.get((c, g), {}).get("sessions")],
                    "languages_not_served": sorted(x for (cc, x) in lang_exp if cc == c
                                                   and not l_reach.get((c, x), {}).get("sessions"))})
    return out


def rules_text(lang: str = "vi") -> dict:
    from services.i18n import t
    r = rules()
    skipped = ", ".join(catalogs.label("target_groups", g, lang) for g in r["groups_not_expected"])
    return {"expected_groups": t("coverage.rule.groups", lang, skipped=skipped or "—"),
            "expected_languages": t("coverage.rule.languages", lang, minimum=r["min_people_for_language"]),
            "last_reached": t("coverage.rule.last_reached", lang),
            "effectiveness": t("coverage.rule.effectiveness", lang)}
