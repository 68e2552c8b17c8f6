"""What printed documents need from the rest of the app: issuing body of a commune, labels, persons, audit.

    issuer = commune_issuer("07090")          # Issuer(province="Quảng Ninh", unit="Xã …", place="…")
    label("legal_fields", "dat_dai")          # "Đất đai"
    person_line(person)                       # "Nguyễn Văn A, sinh năm 1980, dân tộc Dao, thôn Nà Lạ"
    record_print("legal-aid", case.id, actor=None, doc="case-slip")   # AuditEntry action "print"
"""
from __future__ import annotations

import datetime as dt

from services import admin_units, audit, catalogs
from services.printing.document import Issuer


def label(name: str, code, lang: str = "vi") -> str:
    return catalogs.label(name, code, lang) if code else ""


def commune_issuer(commune_code: str | None, body: str = "Ủy ban nhân dân", unit: str | None = None) -> Issuer:
    """Heading of the commune People's Committee (post-2025: province line + "ỦY BAN NHÂN DÂN / XÃ <TÊN>")."""
    c = admin_units.commune(commune_code)
    if c is None:
        return Issuer(province="", body=body, unit=unit or "", place="")
    prov = admin_units.province(c.province_code)
    ptype = "Thành phố" if c.province_name.startswith("Thành phố") else "Tỉnh"
    return Issuer(province=prov.short_name if prov else c.province_name, province_type=ptype, body=body,
                  unit=unit if unit is not None else c.name, place=c.short_name)


def province_issuer(province_code: str, body: str = "Sở Tư pháp") -> Issuer:
    prov = admin_units.province(province_code)
    name = prov.short_name if prov else str(province_code)
    ptype = "Thành phố" if prov and prov.name.startswith("Thành phố") else "Tỉnh"
    return Issuer(province=name, province_type=ptype, body=body, unit="", place=name,
                  parent=f"Ủy ban nhân dân {ptype.lower()} {name}")


def commune_name(code: str | None) -> str:
    return admin_units.commune_name(code) if code else ""


def person_line(person, *, with_id: bool = False) -> str:
    """One-line description of a person for forms: name, birth year, gender, ethnicity, address."""
    if person is None:
        return ""
    bits = [person.full_name]
    if getattr(person, "birth_date", None):
        bits.append(f"sinh ngày {person.birth_date:%d/%m/%Y}")
    elif person.birth_year:
        bits.append(f"sinh năm {person.birth_year}")
    if person.gender:
        bits.append(label("genders", person.gender))
    if person.ethnicity:
        bits.append(f"dân tộc {label('ethnic_groups', person.ethnicity)}")
    if with_id and person.id_number:
        bits.append(f"CCCD số {person.id_number}")
    address = person_address(person)
    if address:
        bits.append(address)
    return ", ".join(b for b in bits if b)


def person_address(person) -> str:
    if person is None:
        return ""
    if person.address:
        return person.address
    parts = [person.village, commune_name(person.commune_code)]
    return ", ".join(x for x in parts if x)


def age(person, on: dt.date) -> str:
    return str(on.year - person.birth_year) if person is not None and person.birth_year else ""


def record_print(kind: str, record_id: str, *, doc: str, actor: str | None = None, count: int | None = None) -> None:
    """Audit a print (action "print", changes {"document": doc})."""
    changes = {"document": doc}
    if count is not None:
        changes["count"] = count
    audit.record(kind, record_id, "print", changes, actor)


_NOT_A_NAME = {"", "—", "demo"}     # placeholders recorded as "by" when no officer profile existed (demo data)


def receiving_officer(case) -> str:
    """The officer who received a legal-aid request, for the NGƯỜI TIẾP NHẬN signature: the author of the case's
    first status entry (recorded when it was saved), else the name in this device's officer profile."""
    history = getattr(case, "status_history", None) or []
    first = history[0] if history and isinstance(history[0], dict) else {}
    by = str(first.get("by") or "").strip()
    if by not in _NOT_A_NAME:
        return by
    from services import settings
    return str((settings.get("profile", {}) or {}).get("full_name") or "").strip()
