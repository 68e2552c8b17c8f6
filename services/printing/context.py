"""What printed documents need from the rest of the app: issuing body of a commune, labels, persons, audit.

    issuer = commune_issuer("07090")          # Issuer(province="Quảng Ninh", unit="Xã …", place="…")
    with units_of(event): story = event_record_story(event)   # the commune prints as the unit of the record's date
    label("legal_fields", "dat_dai")          # "Đất đai"
    person_line(person)                       # "Nguyễn Văn A, sinh năm 1980, dân tộc Dao, thôn Nà Lạ"
    record_print("legal-aid", case.id, actor=None, doc="case-slip")   # AuditEntry action "print"
"""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from contextvars import ContextVar

from services import admin_units, catalogs
from services.printing.document import Issuer
from services.records import audit

# ---- Units of a record's date (the 2025 reorganisation, effective 01/07/2025) ----------------------------------
# While a record's document is built, its post-reform commune prints as the unit that existed on the record's
# date (admin_units.heading_for): old commune, district and old province. This is the one place where documents
# get their commune names (commune_issuer, commune_name below), so every document of the record — and any added
# later — follows, without each layout having to pass the record down. Set by services.printing when it renders.
_DATED_UNIT: ContextVar[tuple[str, admin_units.UnitHeading] | None] = ContextVar("dated_unit", default=None)


def document_day(record) -> dt.date | None:
    """The date that decides a record's unit: the event date, or the received date of a case; a mediation case
    closed from 01/07/2025 on prints its (closing) documents under the new commune."""
    day = getattr(record, "date", None) or getattr(record, "received_date", None)
    closed = getattr(record, "closed_date", None) if hasattr(record, "parties") else None
    return max(day, closed) if day and closed else day


@contextmanager
def units_of(record=None, *, commune_code: str | None = None, historic_code: str | None = None,
             on: dt.date | None = None):
    """Within the block, `record`'s commune (or `commune_code`) prints as the unit of its date."""
    code = record.commune_code if record is not None else commune_code
    old = getattr(record, "historic_commune_code", "") if record is not None else historic_code
    head = admin_units.heading_for(code, old, document_day(record) if record is not None else on)
    token = _DATED_UNIT.set((code, head) if head is not None and head.pre_reform else None)
    try:
        yield head
    finally:
        _DATED_UNIT.reset(token)


def _dated_unit(commune_code: str | None) -> admin_units.UnitHeading | None:
    current = _DATED_UNIT.get()
    return current[1] if current is not None and commune_code and current[0] == commune_code else None


def _old_issuer(head: admin_units.UnitHeading, body: str, unit: str | None) -> Issuer:
    """Pre-reform heading: the district (huyện/quận/thị xã/thành phố) as chủ quản line over the old commune."""
    ptype = "Thành phố" if head.province_name.startswith("Thành phố") else "Tỉnh"
    province = admin_units.strip_unit_prefix(head.province_name)
    return Issuer(province=province, province_type=ptype, body=body,
                  unit=unit if unit is not None else head.commune_name,
                  place=admin_units.strip_unit_prefix(head.commune_name), parent=head.district_name or "")


def label(name: str, code, lang: str = "vi") -> str:
    return catalogs.label(name, code, lang) if code else ""


def commune_issuer(commune_code: str | None, body: str = "Ủy ban nhân dân", unit: str | None = None) -> Issuer:
    """Heading of the commune People's Committee (post-2025: province line + "ỦY BAN NHÂN DÂN / XÃ <TÊN>"; for a
    record dated before 01/07/2025 with its old unit: district line + "ỦY BAN NHÂN DÂN / PHƯỜNG <TÊN CŨ>")."""
    head = _dated_unit(commune_code)
    if head is not None:
        return _old_issuer(head, body, unit)
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
    """The commune's name; the old unit with its district and province while a pre-reform record prints."""
    head = _dated_unit(code)
    if head is not None:
        return ", ".join(x for x in (head.commune_name, head.district_name, head.province_name) if x)
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
    from services.data_dir import settings
    return str((settings.get("profile", {}) or {}).get("full_name") or "").strip()
