"""Category lists (beneficiary groups, legal fields, outcomes, …) read from assets/catalogs/*.json.

    entries("legal_fields")                     -> [{"code": "hinh_su", "vi": "Hình sự", "en": "Criminal"}, …]
    label("legal_fields", "dat_dai")            -> "Đất đai"
    resolve("legal_fields", "dat dai")          -> "dat_dai"   (code, Vietnamese/English label or alias;
                                                                accent- and case-insensitive)
    valid_codes("legal_fields", on=date(2026, 1, 1))
    resolve("beneficiary_categories", "5", on=date(2026, 3, 5)) -> "5-2026"  (the entry valid on that date)
    display_label("beneficiary_categories", "7dd") -> "7đ. Người từ đủ 16 … (đến 31/12/2025)"

Catalogs are data so that they can be revised without code changes; an entry may carry valid_from / valid_to
(ISO dates) where the law changes, and "unverified": true where the legal text was not checked.
"""
from __future__ import annotations

import datetime as dt
import json
import unicodedata
from functools import cache
from pathlib import Path

from services.text import fold

CATALOG_DIR = Path(__file__).resolve().parent.parent / "assets" / "catalogs"


@cache
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


@cache
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


@cache
def _lookup(name: str) -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for e in _load(name)["entries"]:
        for key in [e["code"], e.get("point", ""), e["vi"], e.get("en", ""), *e.get("aliases", [])]:
            if key:
                codes = table.setdefault(fold(key), [])
                if e["code"] not in codes:
                    codes.append(e["code"])
    return table


@cache
def _points(name: str) -> dict[str, list[str]]:
    """Exact (unfolded) point as the law writes it -> codes: "7đ" must not fold into "7d"."""
    table: dict[str, list[str]] = {}
    for e in _load(name)["entries"]:
        if e.get("point"):
            table.setdefault(nfc_lower(e["point"]), []).append(e["code"])
    return table


def nfc_lower(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip().rstrip(".").lower()


def resolve(name: str, value, on: dt.date | None = None) -> str | None:
    """Code for a code, a point as the law writes it ("7đ"), a label (vi/en) or an alias, ignoring accents and
    case; None when unknown. When several entries match (point 5 before and after 01/01/2026), the one valid on
    `on` wins; without a date, the first in the catalog."""
    if value is None:
        return None
    text = str(value).strip()
    exact = _by_code(name).get(text)
    if exact is not None and (on is None or _valid_on(exact, on)):
        return text
    candidates = _points(name).get(nfc_lower(text)) or _lookup(name).get(fold(text)) or []
    if exact is not None and text not in candidates:
        candidates = [text, *candidates]
    if not candidates:
        return None
    if on is not None:
        for code in candidates:
            if _valid_on(_by_code(name)[code], on):
                return code
    return candidates[0]


def point(name: str, code: str | None) -> str:
    """How the law numbers the entry ("7đ", "6a", "5"); the code itself when the catalog has no points."""
    entry = _by_code(name).get(code or "")
    return (entry.get("point") or entry["code"]) if entry else (code or "")


def validity_note(name: str, code: str | None, lang: str = "vi") -> str:
    """"đến 31/12/2025" / "từ 01/07/2025" for entries whose validity differs from the catalog's; else ""."""
    entry = _by_code(name).get(code or "")
    if entry is None:
        return ""
    start, end = entry.get("valid_from"), entry.get("valid_to")
    base = _load(name).get("valid_from")
    fmt = lambda iso: dt.date.fromisoformat(iso).strftime("%d/%m/%Y")  # noqa: E731
    if end:
        return f"đến {fmt(end)}" if lang == "vi" else f"until {fmt(end)}"
    if start and base and start > base:
        return f"từ {fmt(start)}" if lang == "vi" else f"from {fmt(start)}"
    return ""


def display_label(name: str, code: str | None, lang: str = "vi", *, dated: bool = True) -> str:
    """Label as printed and tallied: "7đ. <label> (đến 31/12/2025)" for catalogs with points (beneficiary
    categories), so that a historic category keeps its own line, numbered as the law numbers it."""
    entry = _by_code(name).get(code or "")
    if entry is None:
        return code or ""
    text = entry.get(lang) or entry["vi"]
    if entry.get("point"):
        text = f"{entry['point']}. {text}"
    note = validity_note(name, code, lang) if dated else ""
    return f"{text} ({note})" if note else text


def options(name: str, lang: str = "vi", on: dt.date | None = None, keep: str | None = None) -> list[tuple[str, str]]:
    """(code, label) pairs for dropdowns: the entries valid on `on`, plus `keep` (a record's stored code, which
    stays selectable even when no longer valid). Labels are the plain catalog labels (distinct per entry)."""
    shown = entries(name, on)
    if keep and keep in _by_code(name) and all(e["code"] != keep for e in shown):
        shown = [e for e in _load(name)["entries"] if e in shown or e["code"] == keep]
    return [(e["code"], e.get(lang) or e["vi"]) for e in shown]


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
