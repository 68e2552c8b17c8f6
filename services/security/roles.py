"""Roles, what each may see, and masking of ID numbers and phone numbers.

    may_see_identifiers("supervisor")                          -> False
    show_identifiers(role, requested=True)                     -> True only if requested AND allowed
    mask_id("022090001234")   -> "0220******34"   ;  mask_phone("0912345678") -> "0912****78"
    mask_row({"id_number": "022090001234", "requester_phone": "0912…"}, reveal=False)  (keys *id_number, *phone)
    is_masked("0221******34") -> True      (importers: a masked value leaves the stored value unchanged)
    scope_condition(LegalAidCase, officer_profile) -> peewee expression or None (= everything)

Roles (the server enforces the same in its Kinto permissions; this module is what the app shows):
- officer:      records of the communes assigned to them; edits them; may reveal identifiers on request.
- centre_staff: legal-aid cases referred to the legal-aid centre (and their persons); may reveal identifiers.
- supervisor:   reads everything in their province, edits nothing; identifiers always masked.
- admin:        everything; may reveal identifiers on request.
Lists, exports and prints mask identifiers by default; revealing them is a per-action choice and is audited.
"""
from __future__ import annotations

import re

from services.errors import PermissionDenied
from services.i18n import t

ROLES = ("officer", "centre_staff", "supervisor", "admin")

CAPABILITIES = {
    "officer": {"scope": "communes", "write": True, "identifiers": True},
    "centre_staff": {"scope": "referred", "write": True, "identifiers": True},
    "supervisor": {"scope": "province", "write": False, "identifiers": False},
    "admin": {"scope": "all", "write": True, "identifiers": True},
}

IDENTIFIER_SUFFIXES = ("id_number", "phone")
_MASKED = re.compile(r"^[0-9+() .-]*\*{2,}[0-9]*$")


def normalize_role(role: str | None) -> str:
    return role if role in CAPABILITIES else "officer"


def role_label(role: str, lang: str = "vi") -> str:
    return t(f"security.role.{normalize_role(role)}", lang)


def may_see_identifiers(role: str | None) -> bool:
    return CAPABILITIES[normalize_role(role)]["identifiers"]


def may_write(role: str | None, kind: str | None = None) -> bool:
    role = normalize_role(role)
    if role == "centre_staff" and kind not in (None, "legal-aid", "person"):
        return False
    return CAPABILITIES[role]["write"]


def show_identifiers(role: str | None, requested: bool, strict: bool = False) -> bool:
    """True when identifiers are shown in full. `strict`: asking without the right raises PermissionDenied
    (the CLI uses strict=False and prints a notice; the UI simply disables the switch)."""
    if not requested:
        return False
    if may_see_identifiers(role):
        return True
    if strict:
        raise PermissionDenied(t("security.identifiers_denied", "vi"), t("security.identifiers_denied", "en"))
    return False


def mask(value) -> str:
    """Keep the first 4 and last 2 characters of long values, only the last 2 of short ones."""
    if value is None:
        return ""
    text = str(value).strip()
    n = len(text)
    if n == 0 or is_masked(text):
        return text
    if n >= 8:
        return text[:4] + "*" * (n - 6) + text[-2:]
    if n >= 4:
        return "*" * (n - 2) + text[-2:]
    return "*" * n


mask_id = mask
mask_phone = mask


def is_masked(value) -> bool:
    return isinstance(value, str) and bool(_MASKED.match(value.strip())) and "**" in value


def is_identifier_field(name: str) -> bool:
    return any(name == s or name.endswith("_" + s) or name.endswith("." + s) for s in IDENTIFIER_SUFFIXES)


def mask_row(row: dict, reveal: bool = False) -> dict:
    """A copy of a list/export row with every *id_number / *phone value masked unless `reveal`."""
    if reveal:
        return dict(row)
    return {k: (mask(v) if is_identifier_field(k) and v not in (None, "") else v) for k, v in row.items()}


def current_role() -> str:
    """Role of the signed-in officer (profile "role"; officer when unknown)."""
    from services.data_dir import context
    try:
        return normalize_role(context.current().profile.get("role"))
    except RuntimeError:
        return "officer"


def scope_condition(model, profile: dict | None):
    """A peewee WHERE condition limiting `model` to what the profile's role may read (None = no limit)."""
    profile = profile or {}
    role = normalize_role(profile.get("role"))
    scope = CAPABILITIES[role]["scope"]
    fields = model._meta.fields
    if scope == "all":
        return None
    if scope == "province":
        province = profile.get("province_code") or ""
        if "commune_code" in fields and province:
            from services import admin_units
            codes = [c.code for c in admin_units.communes(province)]
            return model.commune_code.in_(codes)
        return None
    if scope == "referred":
        if "referred_to" in fields and model.KIND == "legal-aid":
            return (model.referred_to != "") | (model.status == "referred")
        return model.id.is_null()          # nothing of other kinds
    communes = list(profile.get("communes") or [])
    if "commune_code" in fields:
        return model.commune_code.in_(communes)
    return None
