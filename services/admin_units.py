"""Provinces and communes after the 2025 reform (34 provinces, 3,321 communes), from `vietnam-provinces`.

    province("22").name                 -> "Tỉnh Quảng Ninh"
    [c.code for c in communes("22")]    -> ["06xxx", …] 5-digit codes as strings
    commune("07090")                    -> Commune(code, name, province_code, province_name, division_type)
    resolve_commune("Phường Hạ Long")   -> "xxxxx"   (code or name, accent-insensitive)

The package data is bundled offline; codes are the official NSO codes formatted as strings (provinces 2 digits,
communes 5 digits), as in the CLI contract.
"""
from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from vietnam_provinces import Province, Ward

from services.text import fold


@dataclass(frozen=True)
class ProvinceInfo:
    code: str
    name: str
    short_name: str


@dataclass(frozen=True)
class Commune:
    code: str
    name: str
    province_code: str
    province_name: str
    division_type: str      # "xã" | "phường" | "đặc khu"

    @property
    def short_name(self) -> str:
        return _strip_prefix(self.name)

    @property
    def label(self) -> str:
        return f"{self.name}, {self.province_name}"


_PREFIXES = ("Thành phố ", "Tỉnh ", "Phường ", "Xã ", "Đặc khu ", "Thị trấn ", "Thị xã ", "Huyện ", "Quận ")


def _strip_prefix(name: str) -> str:
    for p in _PREFIXES:
        if name.startswith(p):
            return name[len(p):]
    return name


def strip_unit_prefix(name: str) -> str:
    """ "Phường Hà Phong" -> "Hà Phong" (also thị trấn, huyện, quận, thị xã, tỉnh, thành phố)."""
    return _strip_prefix(name)


def _ward_type(name: str) -> str:
    for prefix, kind in (("Phường ", "phường"), ("Xã ", "xã"), ("Đặc khu ", "đặc khu")):
        if name.startswith(prefix):
            return kind
    return "xã"


@lru_cache(maxsize=1)
def _provinces() -> dict[str, ProvinceInfo]:
    out = {}
    for p in Province.iter_all():
        code = f"{p.code.value:02d}"
        out[code] = ProvinceInfo(code, p.name, _strip_prefix(p.name))
    return out


@lru_cache(maxsize=1)
def _communes() -> dict[str, Commune]:
    provinces = _provinces()
    out = {}
    for w in Ward.iter_all():
        pcode = f"{w.province_code.value:02d}"
        code = f"{w.code.value:05d}"
        out[code] = Commune(code, w.name, pcode, provinces[pcode].name, _ward_type(w.name))
    return out


def provinces() -> list[ProvinceInfo]:
    return sorted(_provinces().values(), key=lambda p: p.code)


def province(code: str) -> ProvinceInfo | None:
    return _provinces().get(str(code).zfill(2))


def communes(province_code: str | None = None) -> list[Commune]:
    items = _communes().values()
    if province_code is not None:
        pc = str(province_code).zfill(2)
        items = [c for c in items if c.province_code == pc]
    return sorted(items, key=lambda c: c.code)


def commune(code: str | None) -> Commune | None:
    if not code:
        return None
    text = str(code).strip()
    return _communes().get(text.zfill(5) if text.isdigit() else text)


def commune_name(code: str | None) -> str:
    c = commune(code)
    return c.name if c else (code or "")


@lru_cache(maxsize=1)
def _by_folded_name() -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for c in _communes().values():
        for key in (fold(c.name), fold(c.short_name)):
            table.setdefault(key, []).append(c.code)
    return table


def resolve_commune(value, province_code: str | None = None) -> str | None:
    """A commune code from a code or a (unique) name; None when unknown or ambiguous."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    if text.isdigit():
        c = commune(text)
        return c.code if c else None
    codes = _by_folded_name().get(fold(text), [])
    if province_code:
        codes = [c for c in codes if _communes()[c].province_code == str(province_code).zfill(2)]
    return codes[0] if len(codes) == 1 else None


# ---- Units before the 2025 reform ---------------------------------------------------------------------------
# Until 30/06/2025 Vietnam had 63 provinces, districts, and about 10,000 communes; from 01/07/2025 the district
# level is gone and communes were merged into 3,321. A record dated before the reform belongs to the commune
# that existed on its date (that is what its documents print), and rolls up into the post-reform commune for
# tallies, coverage, sync and permissions. The old units and their successors are a dated table
# (assets/admin_units/legacy_units_2025.csv, built by tools/build_legacy_units.py from the open dataset of
# `vietnamadminunits`; see README "Administrative units"): data, so a corrected table needs no code change.

REFORM_DATE = dt.date(2025, 7, 1)
LEGACY_TABLE = Path(__file__).resolve().parent.parent / "assets" / "admin_units" / "legacy_units_2025.csv"


@dataclass(frozen=True)
class LegacyUnit:
    """A commune-level unit as it existed before 01/07/2025."""
    code: str
    name: str
    district_code: str
    district_name: str
    province_code: str
    province_name: str
    new_codes: tuple[str, ...]          # the post-reform commune(s) it became part of, the main one first

    @property
    def short_name(self) -> str:
        return _strip_prefix(self.name)

    @property
    def label(self) -> str:
        return f"{self.name}, {self.district_name}, {self.province_name}"


def is_pre_reform(day: dt.date | None) -> bool:
    return day is not None and day < REFORM_DATE


@lru_cache(maxsize=1)
def _legacy() -> dict[str, LegacyUnit]:
    with LEGACY_TABLE.open(encoding="utf-8", newline="") as fh:
        return {row["old_code"]: LegacyUnit(row["old_code"], row["old_name"], row["old_district_code"],
                                            row["old_district_name"], row["old_province_code"],
                                            row["old_province_name"], tuple(filter(None, row["new_codes"].split(";"))))
                for row in csv.DictReader(fh)}


@lru_cache(maxsize=1)
def _legacy_by_new_code() -> dict[str, list[LegacyUnit]]:
    table: dict[str, list[LegacyUnit]] = {}
    for unit in _legacy().values():
        for code in unit.new_codes:
            table.setdefault(code, []).append(unit)
    return table


def legacy_unit(code: str | None) -> LegacyUnit | None:
    if not code:
        return None
    text = str(code).strip()
    return _legacy().get(text.zfill(5) if text.isdigit() else text)


def legacy_units_for(new_code: str) -> list[LegacyUnit]:
    """The old units that became (part of) the post-reform commune `new_code`, by code."""
    return sorted(_legacy_by_new_code().get(str(new_code).zfill(5), []), key=lambda u: u.code)


def rollup(old_code: str, prefer: tuple[str, ...] | list[str] = ()) -> str | None:
    """The post-reform commune an old unit rolls up into: among its successors, the first one in `prefer` (e.g.
    the officer's communes, for an old commune that was divided), else its main successor."""
    unit = legacy_unit(old_code)
    if unit is None or not unit.new_codes:
        return None
    return next((code for code in unit.new_codes if code in set(prefer)), unit.new_codes[0])


def resolve_commune_on(value, day: dt.date | None, province_code: str | None = None,
                       prefer: tuple[str, ...] | list[str] = ()) -> tuple[str | None, str | None]:
    """(post-reform commune code, pre-reform unit code or None) for a code or name written on a record of date
    `day`. Before 01/07/2025 a code or name is read as the unit of that time (the date decides, since the
    reform reused many old codes for new communes); it rolls up into its successor. A post-reform code given
    for an old date is kept as it is (no old unit recorded)."""
    if is_pre_reform(day) and value not in (None, ""):
        text = str(value).strip()
        old = legacy_unit(text) if text.isdigit() else _legacy_by_name(text, province_code)
        if old is not None:
            return rollup(old.code, prefer), old.code
    return resolve_commune(value, province_code), None


@lru_cache(maxsize=1)
def _legacy_by_folded_name() -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for unit in _legacy().values():
        for key in (fold(unit.name), fold(unit.short_name)):
            table.setdefault(key, []).append(unit.code)
    return table


def _legacy_by_name(text: str, province_code: str | None) -> LegacyUnit | None:
    """An old unit by (unique) name; `province_code` is a post-reform province: the unit's successors lie in it."""
    units = [_legacy()[c] for c in _legacy_by_folded_name().get(fold(text), [])]
    if province_code:
        wanted = str(province_code).zfill(2)
        units = [u for u in units if any((commune(n) or Commune("", "", "", "", "")).province_code == wanted
                                         for n in u.new_codes)]
    return units[0] if len(units) == 1 else None


@dataclass(frozen=True)
class UnitHeading:
    """The administrative unit a document is headed by: commune, district (pre-reform only) and province."""
    commune_code: str
    commune_name: str
    district_name: str | None
    province_name: str
    pre_reform: bool


def heading_for(commune_code: str | None, historic_code: str | None, day: dt.date | None) -> UnitHeading | None:
    """What a record dated `day` prints as its unit: the pre-reform unit when the record has one and its date
    is before 01/07/2025, else the post-reform commune."""
    old = legacy_unit(historic_code) if is_pre_reform(day) else None
    if old is not None:
        return UnitHeading(old.code, old.name, old.district_name, old.province_name, True)
    new = commune(commune_code)
    if new is None:
        return None
    return UnitHeading(new.code, new.name, None, new.province_name, False)
