"""The officer profile (name, role, province, communes): the one rule the first-run screen, the settings screen
and `main.py profile set` share.

    check({"full_name": "Lý Thị Sen", "role": "officer", "province_code": "22", "communes": ["06652"]})
        -> the normalized profile, or ValidationError listing every problem (fields full_name, role, province,
           communes)
    save({...})   -> checks, then stores (services.data_dir.app.save_profile); nothing is stored on a bad input
    public(profile) -> {"full_name", "role", "province_code", "communes"} (the CLI contract's shape)

A folder whose profile names its communes can sync with no GUI (services/sync routes by profile["communes"]).
"""
from __future__ import annotations

from services import admin_units, catalogs
from services.data_dir import app
from services.errors import Collector
from services.i18n import t
from services.text import nfc

PUBLIC_KEYS = ("full_name", "role", "province_code", "communes")


def _msg(c: Collector, field: str, key: str, **kw) -> None:
    c.add(field, t(key, "vi", **kw), t(key, "en", **kw))


def check(data: dict) -> dict:
    """Validate and normalize a profile; every problem is reported at once (ValidationError)."""
    c = Collector()
    name = nfc(str(data.get("full_name") or "")).strip()
    if not name:
        _msg(c, "full_name", "profile.err_name")
    elif len(name) > 120:
        _msg(c, "full_name", "profile.err_name_long", n=120)
    raw_role = data.get("role") or "officer"
    role = catalogs.resolve("officer_roles", raw_role)
    if role is None:
        _msg(c, "role", "profile.err_role", value=raw_role,
             choices=", ".join(code for code, _ in catalogs.options("officer_roles")))
    raw_province = str(data.get("province_code") or "").strip()
    province = admin_units.province(raw_province) if raw_province.isdigit() else None
    if not raw_province:
        _msg(c, "province", "profile.err_province")
    elif province is None:
        _msg(c, "province", "profile.err_province_unknown", value=raw_province)
    communes: list[str] = []
    raw_communes = data.get("communes") or []
    if not raw_communes:
        _msg(c, "communes", "profile.err_communes")
    for item in raw_communes:
        code = (admin_units.resolve_commune(item, province.code if province else None)
                or admin_units.resolve_commune(item))
        commune = admin_units.commune(code) if code else None
        if commune is None:
            _msg(c, "communes", "profile.err_commune_unknown", value=item)
        elif province is not None and commune.province_code != province.code:
            _msg(c, "communes", "profile.err_commune_province", value=item, commune=commune.name,
                 province=province.name)
        elif commune.code not in communes:
            communes.append(commune.code)
    c.raise_if_any()
    return {"full_name": name, "role": role, "province_code": province.code, "communes": communes,
            "title": nfc(str(data.get("title") or "")).strip()}


def save(data: dict) -> dict:
    """Check, then store the profile of the open data folder (other stored keys are kept)."""
    values = check(data)
    profile = dict(app.current().profile)
    profile.update(values)
    app.save_profile(profile)
    return profile


def public(profile: dict | None = None) -> dict:
    profile = app.current().profile if profile is None else profile
    return {"full_name": profile.get("full_name") or "", "role": profile.get("role") or "officer",
            "province_code": profile.get("province_code") or "", "communes": list(profile.get("communes") or [])}
