"""Field checks shared by the kind rules. Each check adds to a Collector instead of raising, so that every
problem of a record is reported at once."""
from __future__ import annotations

import datetime as dt

from services import admin_units, catalogs
from services.dates import parse_date, today_local
from services.errors import Collector
from services.text import nfc

MISSING = object()


def _missing_required(c: Collector, name: str, required: bool, vi: str = "Không được để trống",
                      en: str = "Required"):
    """A required field absent from the input is reported like an empty one (never left to the database)."""
    if required:
        c.add(name, vi, en)
    return MISSING


def text(c: Collector, data: dict, name: str, *, required=False, max_len=2000, label_vi="", label_en=""):
    value = data.get(name, MISSING)
    if value is MISSING:
        return _missing_required(c, name, required, f"{label_vi or name} không được để trống",
                                 f"{label_en or name} is required")
    value = nfc("" if value is None else str(value))
    if required and not value:
        c.add(name, f"{label_vi or name} không được để trống", f"{label_en or name} is required")
    elif len(value) > max_len:
        c.add(name, f"{label_vi or name} dài quá {max_len} ký tự",
              f"{label_en or name} is longer than {max_len} characters")
    return value


def date(c: Collector, data: dict, name: str, *, required=False, not_future=True):
    value = data.get(name, MISSING)
    if value is MISSING:
        return _missing_required(c, name, required, "Ngày không được để trống", "Date is required")
    if value in (None, ""):
        if required:
            c.add(name, "Ngày không được để trống", "Date is required")
        return None
    try:
        d = parse_date(value)
    except (ValueError, TypeError):
        c.add(name, f"Ngày không hợp lệ: «{value}» (dùng dd/mm/yyyy)", f"Invalid date: '{value}' (use dd/mm/yyyy)")
        return MISSING
    if d.year < 1900:
        c.add(name, "Ngày quá xa trong quá khứ", "Date is too far in the past")
        return MISSING
    if not_future and d > today_local():
        c.add(name, f"Ngày {d:%d/%m/%Y} ở tương lai", f"Date {d:%d/%m/%Y} is in the future")
        return MISSING
    return d


def integer(c: Collector, data: dict, name: str, *, minimum=0, maximum=10_000_000, required=False, nullable=False):
    value = data.get(name, MISSING)
    if value is MISSING:
        return _missing_required(c, name, required)
    if value in (None, ""):
        if required:
            c.add(name, "Không được để trống", "Required")
            return MISSING
        return None if nullable else 0
    try:
        if isinstance(value, float) and not value.is_integer():
            raise ValueError
        number = int(str(value).replace(".", "").replace(" ", "")) if isinstance(value, str) else int(value)
    except (ValueError, TypeError):
        c.add(name, f"Phải là số nguyên: «{value}»", f"Must be a whole number: '{value}'")
        return MISSING
    if number < minimum or number > maximum:
        c.add(name, f"Phải trong khoảng {minimum}–{maximum}", f"Must be between {minimum} and {maximum}")
        return MISSING
    return number


def category(c: Collector, data: dict, name: str, catalog: str, *, required=True, on: dt.date | None = None,
             keep: str | None = None):
    """A catalog code from a code or label. With `on`, the entry must be valid on that date (the error names both
    the category and the date); `keep` (the record's stored code) is accepted as is: records keep their category."""
    value = data.get(name, MISSING)
    if value is MISSING:
        return _missing_required(c, name, required, "Chưa chọn giá trị", "No value chosen")
    if value in (None, ""):
        if required:
            c.add(name, "Chưa chọn giá trị", "No value chosen")
            return MISSING
        return ""
    code = catalogs.resolve(catalog, value, on=on)
    if code is None:
        c.add(name, f"Giá trị không có trong danh mục: «{value}»", f"Not in the list: '{value}'")
        return MISSING
    if keep and code == keep:
        return code
    if on is not None and code not in catalogs.valid_codes(catalog, on):
        c.add(name, f"«{catalogs.display_label(catalog, code)}» không áp dụng vào ngày {on:%d/%m/%Y}",
              f"'{catalogs.display_label(catalog, code, 'en')}' does not apply on {on:%d/%m/%Y}")
        return MISSING
    return code


def category_list(c: Collector, data: dict, name: str, catalog: str):
    value = data.get(name, MISSING)
    if value is MISSING:
        return MISSING
    if isinstance(value, (list, tuple)):
        items = list(value)
    else:
        # ";" separates items; "," too, unless a whole piece is a label with a comma ("Học sinh, sinh viên").
        items = []
        for piece in str(value or "").split(";"):
            if "," in piece and catalogs.resolve(catalog, piece) is None:
                items.extend(piece.split(","))
            else:
                items.append(piece)
    codes = []
    for item in items:
        if str(item).strip() == "":
            continue
        code = catalogs.resolve(catalog, item)
        if code is None:
            c.add(name, f"Giá trị không có trong danh mục: «{item}»", f"Not in the list: '{item}'")
        elif code not in codes:
            codes.append(code)
    return codes


def commune_code(c: Collector, data: dict, name: str = "commune_code", *, required=True,
                 on: dt.date | None = None):
    """A post-reform commune (code or name). `on` is the record's date: an old unit's code given for a date
    from 01/07/2025 (the 2025 reorganisation) is refused with a message naming the unit and the date."""
    value = data.get(name, MISSING)
    if value is MISSING:
        return _missing_required(c, name, required, "Chưa chọn xã/phường", "No commune chosen")
    if value in (None, ""):
        if required:
            c.add(name, "Chưa chọn xã/phường", "No commune chosen")
            return MISSING
        return ""
    code = admin_units.resolve_commune(value)
    if code is None:
        old = admin_units.legacy_unit(value) if str(value).strip().isdigit() else None
        if old is not None and isinstance(on, dt.date) and not admin_units.is_pre_reform(on):
            c.add(name, f"«{value}» là mã {old.name} ({old.district_name}, {old.province_name}) trước sắp xếp; "
                        f"ngày {on:%d/%m/%Y} là từ 01/07/2025 trở đi, phải dùng mã xã/phường mới "
                        f"({', '.join(old.new_codes)})",
                  f"'{value}' is the pre-reform code of {old.name} ({old.district_name}, {old.province_name}); "
                  f"{on:%d/%m/%Y} is on or after 01/07/2025, use the new commune code ({', '.join(old.new_codes)})")
        else:
            c.add(name, f"Không có xã/phường mã «{value}»", f"Unknown commune '{value}'")
        return MISSING
    return code


def keep(values: dict, **fields) -> dict:
    """Only fields that were given (and valid): partial updates leave the others unchanged."""
    values.update({k: v for k, v in fields.items() if v is not MISSING})
    return values


def effective(name: str, values: dict, existing, default=None):
    """Value after this change: the new one if given, else the stored one."""
    if name in values:
        return values[name]
    return getattr(existing, name, default) if existing is not None else default
