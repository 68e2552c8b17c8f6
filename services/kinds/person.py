"""Rules for a Person (requester, beneficiary, mediation party)."""
from __future__ import annotations

import re

from services.dates import today_local
from services.errors import Collector
from services.kinds.common import MISSING, category, commune_code, date, effective, integer, keep, text

ID_NUMBER = re.compile(r"^\d{12}$")
PHONE = re.compile(r"^0\d{9,10}$")


def normalize_phone(value: str) -> str:
    digits = re.sub(r"[\s.\-()]", "", value or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits


def normalize(data: dict, existing, ctx, c: Collector | None = None, prefix: str = "") -> dict:
    own = c is None
    c = c or Collector()
    sub = Collector(row=c.row)
    values = keep({},
                  full_name=text(sub, data, "full_name", required=existing is None, max_len=120,
                                 label_vi="Họ và tên", label_en="Full name"),
                  gender=category(sub, data, "gender", "genders", required=False),
                  birth_year=integer(sub, data, "birth_year", minimum=1900, maximum=today_local().year, nullable=True),
                  birth_date=date(sub, data, "birth_date"),
                  ethnicity=category(sub, data, "ethnicity", "ethnic_groups", required=False),
                  commune_code=commune_code(sub, data, required=False),
                  village=text(sub, data, "village", max_len=120),
                  address=text(sub, data, "address", max_len=300),
                  notes=text(sub, data, "notes"))
    _check_birth(sub, values, existing)
    if "full_name" in values and existing is not None and not values["full_name"]:
        sub.add("full_name", "Họ và tên không được để trống", "Full name is required")
    raw_id = data.get("id_number", MISSING)
    if raw_id is not MISSING:
        id_number = re.sub(r"\s", "", str(raw_id or ""))
        if id_number and not ID_NUMBER.match(id_number):
            sub.add("id_number", "Số CCCD phải gồm đúng 12 chữ số", "ID number (CCCD) must be exactly 12 digits")
        else:
            values["id_number"] = id_number
    raw_phone = data.get("phone", MISSING)
    if raw_phone is not MISSING:
        phone = normalize_phone(str(raw_phone or ""))
        if phone and not PHONE.match(phone):
            sub.add("phone", "Số điện thoại không hợp lệ (10–11 chữ số, bắt đầu bằng 0)",
                    "Invalid phone number (10–11 digits starting with 0)")
        else:
            values["phone"] = phone
    for e in sub.errors:
        c.add(prefix + e.field, e.vi, e.en)
    if own:
        c.raise_if_any()
    return values


def _check_birth(c: Collector, values: dict, existing) -> None:
    """Optional full date of birth next to the birth year (Mẫu 02-TP-TGPL asks for "ngày tháng năm sinh"): the
    year is filled from the date, and a year that differs from the date's year is refused."""
    born = effective("birth_date", values, existing)
    if not born:
        return
    year = values["birth_year"] if "birth_year" in values else getattr(existing, "birth_year", None)
    if year is None:
        values["birth_year"] = born.year
    elif year != born.year:
        c.add("birth_year", f"Năm sinh {year} không khớp ngày sinh {born:%d/%m/%Y}",
              f"Birth year {year} does not match the date of birth {born:%d/%m/%Y}")


def title(p) -> str:
    return p.full_name


# Persons are found through the cases that name them (their names, phones and ID numbers are in the cases'
# index entries, refreshed when a person changes): indexing them separately would only slow every save.
search_fields = None
