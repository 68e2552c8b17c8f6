"""Parsing and range-checking manual indicator values (entered in the app or imported from a file).

    from services.assessment.values import parse_value, validate_values
    parse_value(fw.indicator("2.1"), "4,5")         -> 4.5
    parse_value(fw.condition("DK3"), "không")       -> False
    validate_values(fw, {"2.1": {"value": 120}})    -> raises ValidationError naming 2.1 and its range

Accepted input: numbers with "," or "." decimals and an optional "%"; booleans as có/không, đạt/không đạt,
yes/no, true/false, x, 1/0 (accent- and case-insensitive). Every problem is collected before raising.
"""
from __future__ import annotations

import re

from services.errors import FieldError, ValidationError
from services.text import fold

_TRUE = {"co", "dat", "yes", "y", "true", "1", "x", "c", "d", "met", "pass"}
_FALSE = {"khong", "khong dat", "no", "n", "false", "0", "k", "not met", "fail", "chua dat"}
_NUM = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


def _label(item: dict, lang: str) -> str:
    return item.get(f"name_{lang}") or item.get("name_vi", "")


def _range_text(spec: dict, lang: str) -> str:
    lo, hi = spec.get("min"), spec.get("max")
    unit = "%" if spec["type"] == "percent" else ""
    if spec["type"] == "points":
        unit = " điểm" if lang == "vi" else " points"
    fmt = lambda x: (f"{x:g}".replace(".", ",") if lang == "vi" else f"{x:g}")  # noqa: E731
    if lo is not None and hi is not None:
        return f"{fmt(lo)}–{fmt(hi)}{unit}"
    if lo is not None:
        return (f"≥ {fmt(lo)}{unit}")
    return f"≤ {fmt(hi)}{unit}" if hi is not None else ""


def parse_value(item: dict, raw, row: int | None = None):
    """Typed value for one indicator or condition; raises ValidationError (one FieldError) if bad."""
    spec = item["value"]
    iid = item["id"]
    name_vi, name_en = _label(item, "vi"), _label(item, "en")
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    if spec["type"] == "boolean":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, (int, float)) and raw in (0, 1):
            return bool(raw)
        text = fold(str(raw))
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValidationError([FieldError(
            iid, f"Chỉ tiêu {iid} ({name_vi}): giá trị '{raw}' không hợp lệ, chỉ nhận Có/Không",
            f"Indicator {iid} ({name_en}): value '{raw}' is not valid, expected Yes/No", row)])
    if isinstance(raw, bool):
        number = None
    elif isinstance(raw, (int, float)):
        number = float(raw)
    else:
        text = str(raw).strip().rstrip("%").strip().replace(" ", "")
        # "1.234" could be vi-VN thousands; indicator values are small, so treat "." and "," as decimal marks.
        number = float(text.replace(",", ".")) if _NUM.match(text) else None
    if number is None:
        raise ValidationError([FieldError(
            iid, f"Chỉ tiêu {iid} ({name_vi}): '{raw}' không phải là số (cho phép {_range_text(spec, 'vi')})",
            f"Indicator {iid} ({name_en}): '{raw}' is not a number (allowed {_range_text(spec, 'en')})", row)])
    lo, hi = spec.get("min"), spec.get("max")
    if (lo is not None and number < lo) or (hi is not None and number > hi):
        shown_vi = f"{number:g}".replace(".", ",")
        raise ValidationError([FieldError(
            iid, f"Chỉ tiêu {iid} ({name_vi}): giá trị {shown_vi} nằm ngoài phạm vi cho phép "
                 f"{_range_text(spec, 'vi')}",
            f"Indicator {iid} ({name_en}): value {number:g} is outside the allowed range {_range_text(spec, 'en')}",
            row)])
    if spec["type"] == "integer":
        if number != int(number):
            raise ValidationError([FieldError(
                iid, f"Chỉ tiêu {iid} ({name_vi}): phải là số nguyên, nhận được {raw}",
                f"Indicator {iid} ({name_en}): must be a whole number, got {raw}", row)])
        return int(number)
    return int(number) if number == int(number) else number


def validate_values(framework, entries: dict, row_of: dict | None = None) -> dict:
    """Check {item_id: {"value", "evidence"}} (or {item_id: value}) against the framework.

    Returns the normalised dict {item_id: {"value": typed, "evidence": str}}; raises one ValidationError listing
    every bad item (unknown ids included). `row_of` maps item ids to file row numbers for import messages.
    """
    out: dict = {}
    errors: list[FieldError] = []
    row_of = row_of or {}
    for iid, entry in entries.items():
        row = row_of.get(iid)
        if not isinstance(entry, dict):
            entry = {"value": entry}
        item = framework.input_item(str(iid))
        if item is None:
            errors.append(FieldError(
                "indicator_id", f"Không có chỉ tiêu '{iid}' trong bộ tiêu chí {framework.name}",
                f"There is no indicator '{iid}' in the framework {framework.name}", row))
            continue
        try:
            value = parse_value(item, entry.get("value"), row)
        except ValidationError as exc:
            errors.extend(exc.errors)
            continue
        evidence = str(entry.get("evidence") or "").strip()
        if len(evidence) > 4000:
            errors.append(FieldError(iid, f"Chỉ tiêu {iid}: ghi chú minh chứng quá dài (tối đa 4000 ký tự)",
                                     f"Indicator {iid}: evidence note too long (max 4000 characters)", row))
            continue
        out[str(iid)] = {"value": value, "evidence": evidence}
    if errors:
        raise ValidationError(errors)
    return out
