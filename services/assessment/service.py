"""The assessment use cases the UI and CLI call (scorecard, manual values, import, province list).

    from services.assessment import assess, set_values, import_values, province_overview
    card = assess("07090", 2024)                        # JSON-able scorecard (the CLI contract's shape + more)
    card["result"]["recognised"], card["result"]["failed_conditions"]
    set_values("07090", 2024, {"1.1": {"value": 5, "evidence": "Báo cáo 12/BC-UBND"}, "DK3": False})
    import_values("07090", 2024, "values.xlsx")          # columns indicator_id, value, evidence
    province_overview("22", 2024)                        # every commune of the province: recognised or not

The framework is chosen by the year (up to 2024: QĐ 25/2021; from 2025: QĐ 27/2025) unless `framework_id` is
given; once an assessment is saved, its recorded framework is used again for it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services import admin_units
from services.assessment import auto as auto_mod
from services.assessment import store
from services.assessment.engine import evaluate
from services.assessment.frameworks import Framework, pick_framework
from services.assessment.importer import read_value_rows
from services.assessment.values import validate_values
from services.dates import today_local
from services.errors import FieldError, ValidationError


def _check_year(year) -> int:
    try:
        y = int(year)
    except (TypeError, ValueError):
        y = None
    if y is None or not 2000 <= y <= 2100:
        raise ValidationError([FieldError("year", f"Năm đánh giá không hợp lệ: {year}",
                                          f"Invalid assessment year: {year}")])
    return y


def resolve_commune(commune) -> str:
    code = admin_units.resolve_commune(commune)
    if code is None:
        raise ValidationError([FieldError("commune", f"Không tìm thấy xã/phường/đặc khu '{commune}'",
                                          f"Unknown commune '{commune}'")])
    return code


@dataclass(frozen=True)
class AssessedUnit:
    """What an assessment is of: the post-reform commune (storage, sync, permissions) and, for a year ≤ 2024,
    the pre-reform unit that existed then (the 2025 reorganisation took effect on 01/07/2025)."""
    commune_code: str
    historic_code: str = ""

    def heading(self, year: int) -> admin_units.UnitHeading | None:
        return admin_units.heading_for(self.commune_code, self.historic_code, dt.date(year, 12, 31))


def _profile() -> dict:
    from services.data_dir import app
    try:
        return app.current().profile or {}
    except RuntimeError:
        return {}


def resolve_unit(commune, year: int) -> AssessedUnit:
    """The unit assessed for `year`. Up to 2024 `commune` is read as a unit of that time: an old commune's code
    or name, or a post-reform commune that had exactly one predecessor; a post-reform commune made of several
    old units is refused (exit 2) with the list, since the officer must name the old unit assessed."""
    year = _check_year(year)
    day = dt.date(year, 12, 31)
    if not admin_units.is_pre_reform(day):
        return AssessedUnit(resolve_commune(commune))
    profile = _profile()
    text = str(commune or "").strip()
    new, old = admin_units.resolve_commune_on(text, day, profile.get("province_code"),
                                              prefer=[text] + list(profile.get("communes") or []))
    if old is not None and new is not None:
        return AssessedUnit(new, old)
    code = resolve_commune(commune)
    before = admin_units.legacy_units_for(code)
    if len(before) <= 1:
        return AssessedUnit(code, before[0].code if before else "")
    listing = "; ".join(f"{u.code} {u.name} ({u.district_name})" for u in before)
    name = admin_units.commune_name(code)
    raise ValidationError([FieldError(
        "commune", f"Năm {year} (trước sắp xếp 01/07/2025), {name} ({code}) gồm {len(before)} đơn vị cũ; "
                   f"ghi mã đơn vị được đánh giá: {listing}",
        f"In {year} (before the 01/07/2025 reorganisation) {name} ({code}) was {len(before)} units; give the code "
        f"of the one assessed: {listing}")])


def _unit_note(unit: AssessedUnit, year: int, lang: str) -> str | None:
    """When the old unit assessed shares its code with a post-reform commune made of several old units, say
    which unit the code meant in that year and which others there were."""
    if not unit.historic_code:
        return None
    new = admin_units.commune(unit.historic_code)
    others = [u for u in admin_units.legacy_units_for(new.code) if u.code != unit.historic_code] if new else []
    if not others:
        return None
    old = admin_units.legacy_unit(unit.historic_code)
    listing = "; ".join(f"{u.code} {u.name}" for u in others)
    if lang == "vi":
        return (f"Năm {year} (trước sắp xếp 01/07/2025), mã {old.code} là {old.name}, {old.district_name}. "
                f"{new.name} hiện nay còn gồm: {listing} — ghi mã của đơn vị đó để đánh giá.")
    return (f"In {year} (before the 01/07/2025 reorganisation) code {old.code} was {old.name}, {old.district_name}. "
            f"Today's {new.name} also took in: {listing} — give that unit's code to assess it.")


def _unit(commune, year) -> AssessedUnit:
    return commune if isinstance(commune, AssessedUnit) else resolve_unit(commune, year)


def load_saved(commune, year):
    """The saved Assessment of a commune (or old unit) and year, or None."""
    unit = _unit(commune, year)
    return store.load(unit.commune_code, int(year), unit.historic_code)


def framework_for(commune_code, year: int, framework_id: str | None = None) -> Framework:
    """Explicit id > the framework recorded on a saved assessment > the one in force for the year."""
    if framework_id:
        return pick_framework(year, framework_id)
    saved = load_saved(commune_code, year)
    if saved is not None and saved.framework_id:
        return pick_framework(year, saved.framework_id)
    return pick_framework(year)


def _evaluate(fw: Framework, unit: AssessedUnit, year: int, values: dict, as_of: dt.date, lang: str) -> dict:
    scope = (unit.commune_code, unit.historic_code) if unit.historic_code else unit.commune_code
    autos = auto_mod.compute_all(fw, scope, year, as_of)
    return evaluate(fw, values, autos, lang=lang, year=year, as_of=as_of)


def data_source(fw: Framework, lang: str = "vi") -> dict:
    """{"points": {source, loaded_at, verified, …}, "framework": {…}} — printed on every scorecard."""
    return {"points": fw.data_source(lang),
            "framework": {"id": fw.id, "version": fw.version, "file": fw.path.name if fw.path else "",
                          "sources": list(fw.data.get("sources", []))}}


def _snapshot(card: dict) -> dict:
    """What is stored in Assessment.result (compact; recomputed on every view)."""
    r = card["result"]
    return {"framework_id": card["framework_id"], "framework_version": card["framework_version"],
            "recognised": r["recognised"], "total_points": r.get("total_points"),
            "failed_conditions": r["failed_detail"], "as_of": card["as_of"],
            "criteria": [{"id": c["id"], "result": c["result"], "points": c.get("points")} for c in card["criteria"]]}


def assess(commune, year, framework_id: str | None = None, *, as_of: dt.date | None = None, lang: str = "vi",
           with_previous: bool = True, store_result: bool = False) -> dict:
    """The scorecard of one commune and year: every indicator (auto figures + records used, or manual value with
    evidence), per-criterion and overall result with the failing conditions named, in-year warnings and the
    previous year's summary. JSON-able; the CLI prints it as is."""
    year = _check_year(year)
    unit = _unit(commune, year)
    code = unit.commune_code
    fw = framework_for(unit, year, framework_id)
    as_of = as_of or today_local()
    saved = load_saved(unit, year)
    values = dict(saved.values) if saved is not None else {}
    ev = _evaluate(fw, unit, year, values, min(as_of, dt.date(year, 12, 31)), lang)
    c = admin_units.commune(code)
    head = unit.heading(year)
    card = {
        "framework": fw.name, "framework_id": fw.id, "framework_version": fw.version,
        "framework_title": fw.title(lang), "guidance": fw.guidance(), "style": fw.style,
        "framework_unverified": bool(fw.data.get("unverified")),
        "framework_note": fw.data.get("unverified_note", ""),
        "year_note": fw.year_note(year, lang),
        "data_source": data_source(fw, lang),
        "commune": code, "commune_name": head.commune_name if head else code,
        "province_code": c.province_code if c else "",
        # the unit that existed in the year assessed: before 01/07/2025 the old commune with its district
        "historic_commune_code": unit.historic_code or None,
        "unit": {"code": head.commune_code, "name": head.commune_name, "district": head.district_name,
                 "province": head.province_name, "pre_reform": head.pre_reform} if head else None,
        "unit_note": _unit_note(unit, year, lang),
        "year": year, "as_of": as_of.isoformat(), "in_year": as_of < dt.date(year, 12, 31),
        "assessment_id": saved.id if saved is not None else None,
        "criteria": ev["criteria"], "conditions": ev["conditions"], "result": ev["result"],
        "warnings": ev["warnings"],
        # values saved under ids this framework version does not have (e.g. the pre-2026.12 "C4.2" ids, whose
        # meaning changed when the frameworks were rebuilt from the texts): kept in the record, never scored
        "ignored_values": sorted(k for k in values if fw.input_item(k) is None),
    }
    if with_previous:
        card["previous"] = previous_summary(unit, year - 1, as_of=as_of, lang=lang)
    if store_result and saved is not None:
        store.save_result(saved, _snapshot(card))
    return card


def previous_summary(commune, year: int, *, as_of: dt.date | None = None, lang: str = "vi") -> dict | None:
    """Short result of a year (for "previous year" beside the scorecard); None when no framework covers it, or
    when the year is before the reform and the commune was several old units (none of them is "the" previous)."""
    try:
        unit = _unit(commune, year)
        if not unit.historic_code and admin_units.is_pre_reform(dt.date(year, 12, 31)):
            before = admin_units.legacy_units_for(unit.commune_code)      # a new commune's year before the reform
            if len(before) > 1:
                return None
            unit = AssessedUnit(unit.commune_code, before[0].code if before else "")
        fw = framework_for(unit, year)
    except ValidationError:
        return None
    saved = load_saved(unit, year)
    ev = _evaluate(fw, unit, year, dict(saved.values) if saved else {},
                   min(as_of or today_local(), dt.date(year, 12, 31)), lang)
    return {"year": year, "framework": fw.name, "framework_id": fw.id, "assessed": saved is not None,
            "recognised": ev["result"]["recognised"], "total_points": ev["result"].get("total_points"),
            "criteria": [{"id": c["id"], "name": c["name"], "result": c["result"], "points": c.get("points"),
                          "max_points": c.get("max_points")} for c in ev["criteria"]],
            "indicators": {i["id"]: i["result"] for c in ev["criteria"] for i in c["indicators"]}}


def set_values(commune, year, entries: dict, *, framework_id: str | None = None, actor: str | None = None,
               lang: str = "vi", row_of: dict | None = None) -> dict:
    """Enter manual values: {indicator_or_condition_id: {"value": v, "evidence": "…"}} or {id: v}.

    A value of None (or "") removes the manual value (an auto indicator then uses its computed value again).
    Every value is checked against its allowed range first; one ValidationError lists every bad item and nothing
    is stored. Returns the refreshed scorecard."""
    year = _check_year(year)
    unit = _unit(commune, year)
    fw = framework_for(unit, year, framework_id)
    checked = validate_values(fw, entries, row_of)
    remove = [k for k, v in checked.items() if v["value"] is None and not v["evidence"]]
    keep = {k: v for k, v in checked.items() if k not in remove}
    inst = store.save_values(unit.commune_code, year, fw, keep, remove=remove, actor=actor,
                             historic_code=unit.historic_code)
    card = assess(unit, year, fw.id, lang=lang)
    store.save_result(inst, _snapshot(card))
    card["assessment_id"] = inst.id
    return card


def import_values(commune, year, path, *, framework_id: str | None = None, actor: str | None = None,
                  lang: str = "vi") -> dict:
    """Import manual values from CSV/XLSX (columns indicator_id, value, evidence; header row 1). All or nothing:
    every bad row is reported with its row number. Returns {"imported": n, "card": scorecard}."""
    rows = read_value_rows(path)
    entries, row_of, dupes = {}, {}, []
    for row_no, iid, value, evidence in rows:
        if iid in entries:
            dupes.append(FieldError("indicator_id",
                                    f"Chỉ tiêu {iid} xuất hiện nhiều lần (lần đầu ở dòng {row_of[iid]})",
                                    f"Indicator {iid} appears more than once (first on row {row_of[iid]})", row_no))
            continue
        entries[iid] = {"value": value, "evidence": evidence}
        row_of[iid] = row_no
    if dupes:
        raise ValidationError(dupes)
    if not entries:
        raise ValidationError([FieldError("file", "Tệp không có dòng dữ liệu nào", "The file has no data rows")])
    year = _check_year(year)
    unit = _unit(commune, year)
    fw = framework_for(unit, year, framework_id)
    card = set_values(unit, year, entries, framework_id=fw.id, actor=actor, lang=lang, row_of=row_of)
    return {"imported": len(entries), "card": card}


def province_overview(province_code: str, year, *, framework_id: str | None = None, as_of: dt.date | None = None,
                      lang: str = "vi", only_assessed: bool = False) -> dict:
    """Every commune of a province for a year: recognised or not, points / criteria results, failing conditions.

    Communes without a saved assessment are listed too (assessed: false; their auto indicators still count)."""
    year = _check_year(year)
    prov = admin_units.province(province_code)
    if prov is None:
        raise ValidationError([FieldError("province", f"Không có tỉnh/thành phố mã '{province_code}'",
                                          f"Unknown province code '{province_code}'")])
    units = admin_units.communes(prov.code)
    saved = store.load_many([u.code for u in units], year)
    rows = []
    for unit, name in _province_units(units, year):
        a = saved.get((unit.commune_code, unit.historic_code))
        if a is None and unit.historic_code and store.saved_without_unit_is(unit.commune_code, unit.historic_code):
            a = saved.get((unit.commune_code, ""))        # saved before old units were recorded
        if only_assessed and a is None:
            continue
        fw = pick_framework(year, framework_id or (a.framework_id if a else None))
        ev = _evaluate(fw, unit, year, dict(a.values) if a else {},
                       min(as_of or today_local(), dt.date(year, 12, 31)), lang)
        r = ev["result"]
        # a commune never assessed is "Chưa đánh giá" (status "not_assessed"), never also "Chưa đạt"
        status = "not_assessed" if a is None else "recognised" if r["recognised"] else "not_recognised"
        rows.append({"commune": unit.commune_code, "commune_name": name,
                     "historic_commune_code": unit.historic_code or None, "assessed": a is not None, "status": status,
                     "framework": fw.name, "framework_id": fw.id, "recognised": a is not None and r["recognised"],
                     "total_points": r.get("total_points"),
                     "criteria": [{"id": c["id"], "name": c["name"], "result": c["result"],
                                   "points": c.get("points"), "max_points": c.get("max_points")}
                                  for c in ev["criteria"]],
                     "failed_conditions": r["failed_conditions"], "warnings": len(ev["warnings"])})
    recognised = sum(1 for r in rows if r["recognised"])
    return {"province": prov.code, "province_name": prov.name, "year": year,
            "data_source": data_source(pick_framework(year, framework_id), lang),
            "counts": {"communes": len(rows), "assessed": sum(1 for r in rows if r["assessed"]),
                       "recognised": recognised,
                       "not_recognised": sum(1 for r in rows if r["status"] == "not_recognised"),
                       "not_assessed": sum(1 for r in rows if r["status"] == "not_assessed")},
            "communes": rows}


def _province_units(units, year: int) -> list[tuple[AssessedUnit, str]]:
    """The units assessed in a province for a year: up to 2024 the old communes (each once, under its main
    successor), from 2025 the post-reform communes."""
    if not admin_units.is_pre_reform(dt.date(year, 12, 31)):
        return [(AssessedUnit(u.code), u.name) for u in units]
    out = []
    for u in units:
        before = admin_units.legacy_units_for(u.code)
        out += [(AssessedUnit(u.code, old.code), old.name) for old in before if old.new_codes[0] == u.code]
        if not before:
            out.append((AssessedUnit(u.code), u.name))
    return out


def template_rows(commune, year, framework_id: str | None = None, lang: str = "vi") -> list[dict]:
    """Rows for an import template / manual entry form: every manual input with its allowed range and current
    value (auto indicators included, marked, since a manual value may override them)."""
    year = _check_year(year)
    unit = _unit(commune, year)
    fw = framework_for(unit, year, framework_id)
    saved = load_saved(unit, year)
    values = dict(saved.values) if saved else {}
    out = []
    for item in fw.indicators() + list(fw.conditions):
        spec = item["value"]
        cur = values.get(item["id"]) or {}
        out.append({"indicator_id": item["id"], "name": item.get(f"name_{lang}") or item["name_vi"],
                    "question": item.get(f"question_{lang}", ""), "type": spec["type"], "min": spec.get("min"),
                    "max": spec.get("max"), "auto": bool(item.get("auto")),
                    "unverified": bool(item.get("unverified") or item.get("points_unverified")
                                       or item.get("threshold_unverified")),
                    "value": cur.get("value"), "evidence": cur.get("evidence", "")})
    return out
