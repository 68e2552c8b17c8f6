"""Category lists (beneficiary groups, legal fields, outcomes, …) read from assets/catalogs/*.json.

    entries("legal_fields")                     -> [{"code": "hinh_su", "vi": "Hình sự", "en": "Criminal"}, …]
    label("legal_fields", "dat_dai")            -> "Đất đai"
    resolve("legal_fields", "dat dai")          -> "dat_dai"   (code, Vietnamese/English label or alias;
                                                                accent- and case-insensitive)
    valid_codes("legal_fields", on=date(2026, 1, 1))

Catalogs are data so that they can be revised without code changes; an entry may carry valid_from / valid_to
(ISO dates) where the law changes, and "unverified": true where the legal text was not checked.
"""
from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from pathlib import Path

from services.text import fold

CATALOG_DIR = Path(__file__).resolve().parent.parent / "assets" / "catalogs"


@lru_cache(maxsize=None)
def _load(name: str) -> dict:
    path = CATALOG_DIR / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def names() -> list[str]:
    return sorted(p.stem for p in CATALOG_DIR.glob("*.json"))


def _valid_on(entry: dict, on: dt.date | None) -> bool:
    if on is None:
        return True
    start, end = entry.get("valid_from"), entry.get("valid_to")
    return (not start or dt.date.fromisoformat(start) <= on) and (not end or on <= dt.date.fromisoformat(end))


def entries(name: str, on: dt.date | None = None) -> list[dict]:
    return [e for e in _load(name)["entries"] if _valid_on(e, on)]


@lru_cache(maxsize=None)
def _by_code(name: str) -> dict[str, dict]:
    return {e["code"]: e for e in _load(name)["entries"]}


def get(name: str, code: str) -> dict | None:
    return _by_code(name).get(code)


def label(name: str, code: str | None, lang: str = "vi") -> str:
    entry = _by_code(name).get(code or "")
    if entry is None:
        return code or ""
    return entry.get(lang) or entry["vi"]


def valid_codes(name: str, on: dt.date | None = None) -> set[str]:
    return {e["code"] for e in entries(name, on)}


@lru_cache(maxsize=None)
def _lookup(name: str) -> dict[str, str]:
    table: dict[str, str] = {}
    for e in _load(name)["entries"]:
        for key in [e["code"], e["vi"], e.get("en", ""), *e.get("aliases", [])]:
            if key:
                table.setdefault(fold(key), e["code"])
    return table


def resolve(name: str, value) -> str | None:
    """Code for a code, a label (vi/en) or an alias, ignoring accents and case; None when unknown."""
    if value is None:
        return None
    text = str(value).strip()
    if text in _by_code(name):
        return text
    return _lookup(name).get(fold(text))


def options(name: str, lang: str = "vi", on: dt.date | None = None) -> list[tuple[str, str]]:
    """(code, label) pairs for dropdowns."""
    return [(e["code"], e.get(lang) or e["vi"]) for e in entries(name, on)]


# ---- Languages of dissemination: "vi" or "Tiếng " + an ethnic group's name --------------------------------

def language_label(code: str, lang: str = "vi") -> str:
    if code in ("", "vi", "01"):
        return "Tiếng Việt" if lang == "vi" else "Vietnamese"
    group = label("ethnic_groups", code, "vi")
    return f"Tiếng {group}" if lang == "vi" else f"{group} language"


def resolve_language(value) -> str | None:
    """'Tiếng Dao' / 'tieng dao' / 'Dao' / '09' / 'vi' -> 'vi' or an ethnic code."""
    if value in (None, ""):
        return "vi"
    text = fold(str(value))
    if text in ("vi", "tieng viet", "viet", "vietnamese", "01", "kinh"):
        return "vi"
    if text.startswith("tieng "):
        text = text[len("tieng "):]
    if text.endswith(" language"):
        text = text[: -len(" language")]
    return resolve("ethnic_groups", text)


def language_options(lang: str = "vi") -> list[tuple[str, str]]:
    return [("vi", language_label("vi", lang))] + [
        (e["code"], language_label(e["code"], lang)) for e in entries("ethnic_groups") if e["code"] != "01"]
