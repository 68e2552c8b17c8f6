"""Rules for an officer record (commune justice officer, legal-aid centre staff, supervisor, admin)."""
from __future__ import annotations

import re

from services import admin_units
from services.errors import Collector
from services.kinds.common import MISSING, category, keep, text
from services.kinds.person import PHONE, normalize_phone


def normalize(data: dict, existing, ctx) -> dict:
    c = Collector()
    creating = existing is None
    values = keep({},
                  full_name=text(c, data, "full_name", required=creating, max_len=120,
                                 label_vi="Họ và tên", label_en="Full name"),
                  username=text(c, data, "username", max_len=80),
                  role=category(c, data, "role", "officer_roles", required=creating),
                  title=text(c, data, "title", max_len=200))
    province = data.get("province_code", MISSING)
    if province is not MISSING:
        if province and admin_units.province(str(province)) is None:
            c.add("province_code", f"Không có tỉnh/thành mã «{province}»", f"Unknown province '{province}'")
        else:
            values["province_code"] = str(province).zfill(2) if province else ""
    communes = data.get("communes", MISSING)
    if communes is not MISSING:
        items = communes if isinstance(communes, (list, tuple)) else re.split(r"[;,]", str(communes or ""))
        codes = []
        for item in items:
            if not str(item).strip():
                continue
            code = admin_units.resolve_commune(item)
            if code is None:
                c.add("communes", f"Không có xã/phường «{item}»", f"Unknown commune '{item}'")
            elif code not in codes:
                codes.append(code)
        values["communes"] = codes
    phone = data.get("phone", MISSING)
    if phone is not MISSING:
        phone = normalize_phone(str(phone or ""))
        if phone and not PHONE.match(phone):
            c.add("phone", "Số điện thoại không hợp lệ", "Invalid phone number")
        else:
            values["phone"] = phone
    c.raise_if_any()
    return values


def title(officer) -> str:
    return officer.full_name


search_fields = None
