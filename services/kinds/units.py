"""Commune-level units of records dated before the 2025 reorganisation (effective 01/07/2025).

A record always keeps `commune_code` = the POST-reform commune (sync buckets, permissions, tallies and coverage
work on it); a record dated before 01/07/2025 may also name the unit that existed on its date,
`historic_commune_code` (a code of the legacy table, see services.admin_units), which its documents print.

    data = read_units(data, "date", existing, ctx)       # an old code/name in commune_code -> successor + old unit
    historic_commune(c, data, values, existing, "date")  # checks historic_commune_code, adds it to values

How `commune_code` is read (the date decides, since the reform reused many old codes for new communes):
- no `historic_commune_code` key in the input (an import template, a script) and a date before 01/07/2025: the
  code or name is read as the unit of that time (services.admin_units.resolve_commune_on) and rolls up into
  its successor, preferring the officer's own communes for an old commune that was divided;
- a `historic_commune_code` key (the form, an exported file): `commune_code` is the post-reform commune; an
  old-only code is still converted when the date is old (it cannot mean anything else);
- the same code as the record already has is kept (re-imports and partial edits never move a record).
"""
from __future__ import annotations

import datetime as dt

from services import admin_units
from services.dates import parse_date
from services.errors import Collector
from services.kinds.common import MISSING, effective

FIELD = "historic_commune_code"


def record_day(data: dict, date_name: str, existing) -> dt.date | None:
    value = data.get(date_name, MISSING)
    if value is MISSING:
        return effective(date_name, {}, existing)
    try:
        return parse_date(value)
    except (ValueError, TypeError):
        return None                 # the date check reports it


def _prefer(ctx, value) -> list[str]:
    profile = getattr(ctx, "profile", None) or {}
    return [str(value).strip()] + list(profile.get("communes") or [])


def read_units(data: dict, date_name: str, existing, ctx) -> dict:
    """`data` with an old commune code or name (for a date before 01/07/2025) turned into its post-reform
    successor in `commune_code` and the old code in `historic_commune_code`; unchanged otherwise."""
    value = data.get("commune_code", MISSING)
    if value in (MISSING, None, "") or isinstance(value, dt.date):
        return data
    day = record_day(data, date_name, existing)
    if not admin_units.is_pre_reform(day):
        return data
    text = str(value).strip()
    if existing is not None and admin_units.resolve_commune(text) == existing.commune_code:
        return data
    if FIELD in data and admin_units.resolve_commune(text) is not None:
        return data
    profile = getattr(ctx, "profile", None) or {}
    new, old = admin_units.resolve_commune_on(text, day, profile.get("province_code"), prefer=_prefer(ctx, text))
    if old is None or new is None:
        return data
    out = dict(data, commune_code=new)
    if data.get(FIELD) in (None, "", MISSING):
        out[FIELD] = old
    for role in ("requester", "beneficiary"):     # a legal-aid import copies the commune to the requester
        person = out.get(role)
        if isinstance(person, dict) and str(person.get("commune_code") or "").strip() == text:
            out[role] = dict(person, commune_code=new)
    return out


def historic_commune(c: Collector, data: dict, values: dict, existing, date_name: str) -> None:
    """Checks `historic_commune_code` (given, or kept from the stored record when the commune or date changes):
    a pre-reform unit whose successors include the record's commune, only on a date before 01/07/2025."""
    given = data.get(FIELD, MISSING)
    if given is MISSING and existing is None:
        return
    if given is MISSING and "commune_code" not in values and date_name not in values:
        return
    raw = getattr(existing, FIELD, "") if given is MISSING else given
    text = "" if raw in (None,) else str(raw).strip()
    if not text:
        if given is not MISSING:
            values[FIELD] = ""
        return
    unit = admin_units.legacy_unit(text)
    if unit is None:
        c.add(FIELD, f"Không có xã/phường/thị trấn trước sắp xếp mã «{text}»",
              f"No pre-reform commune with code '{text}'")
        return
    day = effective(date_name, values, existing)
    commune = effective("commune_code", values, existing)
    if day is not None and day is not MISSING and not admin_units.is_pre_reform(day):
        c.add(FIELD, f"{unit.name} ({unit.code}) là đơn vị trước sắp xếp; ngày {day:%d/%m/%Y} là từ 01/07/2025 "
                     f"trở đi, chỉ dùng đơn vị hành chính mới",
              f"{unit.name} ({unit.code}) is a pre-reform unit; {day:%d/%m/%Y} is on or after 01/07/2025, "
              f"when only the new units apply")
        return
    if commune and commune is not MISSING and commune not in unit.new_codes:
        new = admin_units.commune_name(commune)
        c.add(FIELD, f"{unit.name} ({unit.code}) không thuộc {new} ({commune}) sau sắp xếp",
              f"{unit.name} ({unit.code}) did not become part of {new} ({commune})")
        return
    values[FIELD] = unit.code
