"""Scoring: turns indicator values into results per indicator, criterion and overall (pure; no database).

    from services.assessment.engine import evaluate
    res = evaluate(fw, manual={"1.1": {"value": 5, "evidence": "…"}}, auto={"3.1": auto_value}, year=2024)
    res["result"] -> {"recognised": False, "failed_conditions": ["Tổng điểm 78 dưới 80 điểm", …], …}

Two styles, both driven by the framework data:
- "points" (QĐ 25/2021): each indicator earns points (direct entry, bands on a value, or yes/no); recognised when
  the total >= recognition.total_min, every criterion >= criterion_min_ratio of its maximum, and every extra
  condition holds.
- "meets" (QĐ 27/2025): each indicator is met / not met (yes/no, value >= min, value <= max); a criterion is met
  when all (or `min_met` of) its indicators are; recognised when every criterion is met and every condition holds.
A manual value overrides an auto value. A missing value is never met: shown as "chưa có số liệu", scored 0, named
in failed_conditions and listed in result["missing"].
`warnings` lists, during the assessment year, the indicators heading for "not met" (counts are projected to 31/12
from the year-to-date figure).
"""
from __future__ import annotations

import datetime as dt

from services.formatting import fmt_decimal

TO_CONFIRM = {"vi": "cần xác nhận", "en": "to be confirmed"}
NO_DATA = {"vi": "chưa có số liệu", "en": "no data yet"}


def _name(item: dict, lang: str) -> str:
    return item.get(f"name_{lang}") or item.get("name_vi", "")


def _num(x, lang: str) -> str:
    if x is None:
        return "—"
    if isinstance(x, float) and x != int(x):
        return fmt_decimal(x, lang, 1)
    return str(int(x))


def _show_value(ind: dict, value, lang: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return ("Có" if value else "Không") if lang == "vi" else ("Yes" if value else "No")
    unit = "%" if ind["value"]["type"] == "percent" else ""
    return _num(value, lang) + unit


def score_points(ind: dict, value):
    """Points earned by one indicator (points style); None when there is no value to score."""
    rule, mp = ind["rule"], ind["max_points"]
    if value is None:
        return None
    kind = rule["kind"]
    if kind == "points_direct":
        return value
    if kind == "boolean_points":
        return mp if value else 0
    for band in sorted(rule["bands"], key=lambda b: b["min"], reverse=True):
        if value >= band["min"]:
            return band["points"]
    return 0


def meets(ind: dict, value):
    """True/False for one indicator (meets style); None when there is no value."""
    if value is None:
        return None
    rule = ind["rule"]
    if rule["kind"] == "meets_boolean":
        return bool(value)
    if rule["kind"] == "meets_min":
        return value >= rule["min"]
    return value <= rule["max"]


def _threshold_text(ind: dict, lang: str) -> str:
    rule = ind["rule"]
    if rule["kind"] == "meets_min":
        return "≥ " + _show_value(ind, rule["min"], lang)
    if rule["kind"] == "meets_max":
        return "≤ " + _show_value(ind, rule["max"], lang)
    if rule["kind"] == "meets_boolean":
        return "Có" if lang == "vi" else "Yes"
    # no "→": the browser client's Roboto has no arrow glyphs (a missing-glyph box); "≥", ":" and "—" are there
    if rule["kind"] == "bands":
        return "; ".join(f"≥ {_show_value(ind, b['min'], lang)}: {_num(b['points'], lang)}"
                         for b in sorted(rule["bands"], key=lambda b: b["min"], reverse=True))
    if rule["kind"] == "boolean_points":
        return (f"Có: {_num(ind['max_points'], lang)}" if lang == "vi"
                else f"Yes: {_num(ind['max_points'], lang)}")
    return f"0–{_num(ind['max_points'], lang)}"


def flags_of(item: dict) -> list[str]:
    """What is still to be confirmed on an item: "name" (text not verified), "points" (TT 09/2021 Phụ lục I),
    "threshold" (required level), "rule" (criterion rule)."""
    out = []
    if item.get("unverified"):
        out.append("name")
    if item.get("points_unverified"):
        out.append("points")
    if item.get("threshold_unverified"):
        out.append("threshold")
    if item.get("rule_unverified"):
        out.append("rule")
    return out


def _indicator_result(fw, ind: dict, manual: dict, auto: dict, lang: str) -> dict:
    """One indicator. A manual value wins; an auto value is used as the value only when the data file says
    `"use": "value"` (otherwise its figures are evidence beside the hand-entered score). No value at all is
    "chưa có số liệu": never met, scored 0, and listed as missing."""
    entry = manual.get(ind["id"]) or {}
    av = auto.get(ind["id"])
    auto_is_value = (ind.get("auto") or {}).get("use", "evidence") == "value"
    evidence = entry.get("evidence", "") or ""
    if entry.get("value") is not None:
        source, value = "manual", entry["value"]
    elif av is not None and auto_is_value and av.value is not None:
        source, value = "auto", av.value
    else:
        source, value = "manual", None
    if av is not None and not evidence:
        evidence = av.text(lang)
    missing = value is None
    flags = flags_of(ind)
    out = {"id": ind["id"], "name": _name(ind, lang), "name_vi": ind["name_vi"], "name_en": ind["name_en"],
           "source": source, "value": value,
           "value_text": NO_DATA[lang] if missing else _show_value(ind, value, lang),
           "evidence": evidence, "threshold": _threshold_text(ind, lang),
           "unverified": bool(flags), "to_confirm": flags,
           "note": TO_CONFIRM[lang] if flags else "",
           "has_auto": bool(ind.get("auto")),
           "overrides_auto": bool(ind.get("auto")) and auto_is_value and entry.get("value") is not None,
           "missing": missing}
    if av is not None:
        out["auto"] = av.to_dict()
    if fw.style == "points":
        pts = 0 if missing else score_points(ind, value)
        out.update(points=pts, max_points=ind["max_points"], result=pts, met=(not missing) and pts >= ind["max_points"])
    else:
        ok = False if missing else meets(ind, value)
        out.update(met=ok, result="missing" if missing else ("met" if ok else "not_met"))
    return out


def _clause(rec: dict, key: str, lang: str) -> str:
    """" (QĐ 25/2021/QĐ-TTg Điều 4 khoản 1)" when the data file names the clause."""
    text = rec.get(f"{key}_{lang}") or rec.get(f"{key}_vi")
    return f" ({text})" if text else ""


def _fail(code: str, vi: str, en: str, item_id: str | None = None) -> dict:
    return {"code": code, "id": item_id, "vi": vi, "en": en}


def evaluate(fw, manual: dict | None = None, auto: dict | None = None, lang: str = "vi",
             year: int | None = None, as_of: dt.date | None = None) -> dict:
    """Full result: {"criteria": [...], "conditions": [...], "result": {...}, "warnings": [...]}."""
    manual, auto = manual or {}, auto or {}
    rec = fw.recognition
    fails: list[dict] = []
    criteria = []
    total = 0.0
    for crit in fw.criteria:
        inds = [_indicator_result(fw, ind, manual, auto, lang) for ind in crit["indicators"]]
        missing = [i for i in inds if i["missing"]]
        for i in missing:
            fails.append(_fail("missing_value", f"Chỉ tiêu {i['id']} ({i['name_vi']}): chưa có số liệu, tính 0",
                               f"Indicator {i['id']} ({i['name_en']}): no data yet, counted as 0", i["id"]))
        cflags = flags_of(crit)
        c = {"id": crit["id"], "name": _name(crit, lang), "name_vi": crit["name_vi"], "name_en": crit["name_en"],
             "unverified": bool(cflags), "to_confirm": cflags, "indicators": inds, "missing": len(missing)}
        if fw.style == "points":
            pts = sum(i["points"] or 0 for i in inds)
            mx = crit["max_points"]
            need = rec.get("criterion_min_ratio", 0) * mx
            ok = pts >= need
            total += pts
            c.update(points=pts, max_points=mx, min_points=need, result="met" if ok else "not_met", met=ok)
            if pts < need:
                fails.append(_fail(
                    "criterion_below_min",
                    f"{crit['id']} ({crit['name_vi']}) đạt {_num(pts, 'vi')}/{_num(mx, 'vi')} điểm, "
                    f"dưới {_num(rec['criterion_min_ratio'] * 100, 'vi')}% số điểm tối đa ({_num(need, 'vi')} điểm)"
                    + _clause(rec, "criterion_clause", "vi"),
                    f"{crit['id']} ({crit['name_en']}) has {_num(pts, 'en')}/{_num(mx, 'en')} points, below "
                    f"{_num(rec['criterion_min_ratio'] * 100, 'en')}% of its maximum ({_num(need, 'en')} points)"
                    + _clause(rec, "criterion_clause", "en"),
                    crit["id"]))
        else:
            rule = crit.get("rule") or {"kind": "all"}
            met_n = sum(1 for i in inds if i["met"])
            need_n = len(inds) if rule["kind"] == "all" else int(rule["count"])
            ok = met_n >= need_n and (rule["kind"] != "all" or not missing)
            c.update(met_count=met_n, indicator_count=len(inds), required=need_n,
                     result="met" if ok else "not_met", met=ok)
            for i in inds:
                if i["met"] is False and not i["missing"]:
                    fails.append(_fail(
                        "indicator_not_met",
                        f"{crit['id']} – chỉ tiêu {i['id']} ({i['name_vi']}) không đạt: {i['value_text']} "
                        f"(yêu cầu {_threshold_text(fw.indicator(i['id']), 'vi')})",
                        f"{crit['id']} – indicator {i['id']} ({i['name_en']}) not met: "
                        f"{_show_value(fw.indicator(i['id']), i['value'], 'en')} "
                        f"(required {_threshold_text(fw.indicator(i['id']), 'en')})", i["id"]))
            if not ok:
                fails.append(_fail("criterion_not_met",
                                   f"{crit['id']} ({crit['name_vi']}) chưa đạt: {met_n}/{len(inds)} chỉ tiêu đạt",
                                   f"{crit['id']} ({crit['name_en']}) not met: {met_n}/{len(inds)} indicators met",
                                   crit["id"]))
        criteria.append(c)

    conditions = []
    for cond in fw.conditions:
        entry = manual.get(cond["id"]) or {}
        value = entry.get("value")
        ok = None if value is None else (value == cond["pass_when"])
        conditions.append({"id": cond["id"], "name": _name(cond, lang), "name_vi": cond["name_vi"],
                           "name_en": cond["name_en"], "question": cond.get(f"question_{lang}", ""),
                           "value": value, "met": ok, "evidence": entry.get("evidence", ""),
                           "unverified": bool(cond.get("unverified"))})
        if ok is None:
            fails.append(_fail("missing_value", f"Điều kiện chưa có số liệu: {cond['name_vi']}",
                               f"Condition not yet answered: {cond['name_en']}", cond["id"]))
        elif not ok:
            fails.append(_fail("condition_failed", cond.get("failed_vi") or f"Không đạt: {cond['name_vi']}",
                               cond.get("failed_en") or f"Not met: {cond['name_en']}", cond["id"]))

    result: dict = {}
    if fw.style == "points":
        total_min = rec.get("total_min", 0)
        if total < total_min:
            fails.insert(0, _fail("total_below_min",
                                  f"Tổng điểm {_num(total, 'vi')} dưới {_num(total_min, 'vi')} điểm"
                                  + _clause(rec, "total_clause", "vi"),
                                  f"Total {_num(total, 'en')} points is below {_num(total_min, 'en')}"
                                  + _clause(rec, "total_clause", "en")))
        total = int(total) if float(total) == int(total) else round(total, 2)
        result.update(total_points=total, max_points=sum(c["max_points"] for c in criteria), total_min=total_min)
    missing_ids = [i["id"] for c in criteria for i in c["indicators"] if i["missing"]]
    missing_ids += [c["id"] for c in conditions if c["met"] is None]
    result.update(recognised=not fails, failed_conditions=[f[lang] for f in fails], failed_detail=fails,
                  missing=missing_ids)
    out = {"criteria": criteria, "conditions": conditions, "result": result}
    out["warnings"] = in_year_warnings(fw, criteria, auto, lang, year, as_of)
    return out


def in_year_warnings(fw, criteria: list, auto: dict, lang: str, year: int | None,
                     as_of: dt.date | None) -> list[dict]:
    """During the year: indicators heading for "not met" / below full points, and values not entered yet."""
    if year is None or as_of is None or not (dt.date(year, 1, 1) <= as_of < dt.date(year, 12, 31)):
        return []
    days = (dt.date(year, 12, 31) - dt.date(year, 1, 1)).days + 1
    elapsed = (as_of - dt.date(year, 1, 1)).days + 1
    fraction = elapsed / days
    warnings = []
    for crit in criteria:
        for i in crit["indicators"]:
            ind = fw.indicator(i["id"])
            if i["missing"]:
                warnings.append({"id": i["id"], "kind": "missing",
                                 "text": (f"Chỉ tiêu {i['id']} ({i['name_vi']}): chưa nhập giá trị" if lang == "vi"
                                          else f"Indicator {i['id']} ({i['name_en']}): no value entered yet")})
                continue
            av = auto.get(i["id"])
            projected = i["value"]
            if i["source"] == "auto" and av is not None and av.projectable and av.value is not None:
                projected = round(av.value / fraction, 1)
            if fw.style == "points":
                pts = score_points(ind, projected)
                bad = pts is not None and pts < ind["max_points"]
                outcome_vi = f"dự kiến {_num(pts, 'vi')}/{_num(ind['max_points'], 'vi')} điểm"
                outcome_en = f"heading for {_num(pts, 'en')}/{_num(ind['max_points'], 'en')} points"
            else:
                ok = meets(ind, projected)
                if ok is None:
                    ok = i["met"]
                bad = ok is False
                outcome_vi, outcome_en = "có nguy cơ không đạt", "heading for not met"
            if not bad:
                continue
            proj_vi = (f" (hiện {_show_value(ind, i['value'], 'vi')}, ước cả năm {_show_value(ind, projected, 'vi')})"
                       if projected != i["value"] else f" (hiện {_show_value(ind, i['value'], 'vi')})")
            proj_en = (f" (now {_show_value(ind, i['value'], 'en')}, projected {_show_value(ind, projected, 'en')})"
                       if projected != i["value"] else f" (now {_show_value(ind, i['value'], 'en')})")
            warnings.append({"id": i["id"], "kind": "at_risk", "value": i["value"], "projected": projected,
                             "text": (f"Chỉ tiêu {i['id']} ({i['name_vi']}): {outcome_vi}{proj_vi}" if lang == "vi"
                                      else f"Indicator {i['id']} ({i['name_en']}): {outcome_en}{proj_en}")})
    return warnings
