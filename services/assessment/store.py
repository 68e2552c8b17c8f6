"""Saving and loading Assessment records (one per commune and year; kind "assessment", synced like the others).

    from services.assessment.store import load, set_values, clear_values
    a = load("07090", 2024)                              # Assessment or None
    set_values("07090", 2024, {"1.1": {"value": 5, "evidence": "Báo cáo số 12/BC-UBND"}})
    clear_values("07090", 2024, ["1.1"])

A write is one transaction: the Assessment row (values merged, result snapshot refreshed), its audit entry
(field-level before/after of the changed values) and its outbox row for sync — as services.records.store.save does
for the other kinds. `services.records.store` has no "assessment" kind rules, so this module writes the model
directly with services.records.audit / services.records.outbox (to move into services.records.store once the lead
adds the kind there).
"""
from __future__ import annotations

from models.db import database
from models.records import Assessment
from services.data_dir import app
from services.dates import utc_now
from services.errors import FieldError, ValidationError
from services.records import audit, outbox


def _check_commune(commune_code: str) -> None:
    from services import admin_units
    if not commune_code or admin_units.commune(commune_code) is None:
        raise ValidationError([FieldError("commune_code", f"Không có xã/phường mã '{commune_code}'",
                                          f"Unknown commune code '{commune_code}'")])


def load(commune_code: str, year: int, historic_code: str = "") -> Assessment | None:
    """The live assessment record of a commune and year (the newest if a sync brought two). `historic_code` names
    the pre-reform unit assessed (years ≤ 2024); when the commune had only that one predecessor, an assessment
    saved before units were recorded (without one) is that unit's."""
    def newest(historic: str):
        return (Assessment.alive()
                .where((Assessment.commune_code == commune_code) & (Assessment.year == int(year))
                       & (Assessment.historic_commune_code == historic))
                .order_by(Assessment.updated_at.desc()).first())
    found = newest(historic_code or "")
    if found is None and historic_code and saved_without_unit_is(commune_code, historic_code):
        found = newest("")
    return found


def saved_without_unit_is(commune_code: str, historic_code: str) -> bool:
    """Whether an assessment saved before old units were recorded (commune_code only) is the one of this old unit:
    the unit whose code it was typed with (before the reform the code named that unit), or the commune's only
    predecessor."""
    from services import admin_units
    return historic_code == commune_code or [u.code for u in admin_units.legacy_units_for(commune_code)] == [
        historic_code]


def load_many(commune_codes: list[str], year: int) -> dict[tuple[str, str], Assessment]:
    """{(commune_code, historic_commune_code): Assessment} for a year, one query (province view)."""
    out: dict[tuple[str, str], Assessment] = {}
    if not commune_codes:
        return out
    q = (Assessment.alive().where((Assessment.commune_code.in_(commune_codes)) & (Assessment.year == int(year)))
         .order_by(Assessment.updated_at))
    for a in q:
        out[(a.commune_code, a.historic_commune_code or "")] = a            # newest wins
    return out


def _write(commune_code: str, year: int, framework, new_values: dict, remove: list[str],
           result: dict | None, actor: str | None, historic_code: str = "") -> Assessment:
    ctx = app.current()
    with database.atomic():
        existing = load(commune_code, year, historic_code)
        creating = existing is None
        if creating:
            inst = Assessment(commune_code=commune_code, historic_commune_code=historic_code or "", year=int(year),
                              framework_id=framework.id, values={}, result={}, device_id=ctx.device_id)
        else:
            inst = existing
        stamp = bool(historic_code) and not creating and not inst.historic_commune_code
        if stamp:                       # saved before old units were recorded: it now names its unit
            inst.historic_commune_code = historic_code
        before_values = dict(inst.values or {})
        before_fw = inst.framework_id
        values = dict(before_values)
        for iid in remove:
            values.pop(iid, None)
        values.update(new_values)
        changes = {f"values.{k}": [before_values.get(k), values.get(k)]
                   for k in sorted(set(before_values) | set(values)) if before_values.get(k) != values.get(k)}
        if before_fw != framework.id:
            changes["framework_id"] = [None if creating else before_fw, framework.id]
        if stamp:
            changes["historic_commune_code"] = ["", historic_code]
        if not creating and not changes and result == inst.result:
            return inst
        inst.values = values
        inst.framework_id = framework.id
        if result is not None:
            inst.result = result
        inst.updated_at = utc_now()
        inst.save(force_insert=creating)
        if creating:
            changes = {"commune_code": [None, commune_code], "year": [None, int(year)], **changes}
            if historic_code:
                changes["historic_commune_code"] = [None, historic_code]
        audit.record(Assessment.KIND, inst.id, "create" if creating else "update", changes, actor)
        outbox.queue(Assessment.KIND, inst.id)
        return inst


def save_values(commune_code: str, year: int, framework, values: dict, *, remove: list[str] = (),
                result: dict | None = None, actor: str | None = None, historic_code: str = "") -> Assessment:
    """Merge already-validated values into the record (creating it); see service.set_values for the checked API."""
    _check_commune(commune_code)
    return _write(commune_code, year, framework, values, list(remove), result, actor, historic_code)


def save_result(inst: Assessment, result: dict) -> None:
    """Refresh the stored result snapshot without an audit entry (it is derived data)."""
    if inst.result != result:
        Assessment.update(result=result).where(Assessment.id == inst.id).execute()
