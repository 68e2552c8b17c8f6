"""Provinces and communes after the 2025 reform (34 provinces, 3,321 communes), from `vietnam-provinces`.

    province("22").name                 -> "Tỉnh Quảng Ninh"
    [c.code for c in communes("22")]    -> ["06xxx", …] 5-digit codes as strings
    commune("07090")                    -> Commune(code, name, province_code, province_name, division_type)
    resolve_commune("Phường Hạ Long")   -> "xxxxx"   (code or name, accent-insensitive)

The package data is bundled offline; codes are the official NSO codes formatted as strings (provinces 2 digits,
communes 5 digits), as in the CLI contract.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

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


_PREFIXES = ("Thành phố ", "Tỉnh ", "Phường ", "Xã ", "Đặc khu ")


def _strip_prefix(name: str) -> str:
    for p in _PREFIXES:
        if name.startswith(p):
            return name[len(p):]
    return name


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
