"""Rules for a mediation team (tổ hòa giải), Luật Hòa giải ở cơ sở 2013 Điều 12 khoản 1: at least 3 mediators
including a woman, and in an area with many ethnic-minority people ("vùng có nhiều đồng bào dân tộc thiểu số",
a per-commune setting) an ethnic-minority mediator — warnings, since a team being formed must still be
recordable."""
from __future__ import annotations

from services import catalogs
from services.data_dir import settings
from services.errors import Collector
from services.kinds.common import MISSING, commune_code, date, keep, text
from services.text import nfc

MIN_MEMBERS = 3
KINH = "01"                                   # ethnic_groups code of the Kinh majority
MINORITY_AREAS_KEY = "ethnic_minority_area_communes"   # Setting: commune codes marked by the office


def minority_area_communes() -> list[str]:
    """Communes the office marked as "vùng có nhiều đồng bào dân tộc thiểu số" (Điều 12 khoản 1)."""
    return list(settings.get(MINORITY_AREAS_KEY, []) or [])


def is_minority_area(commune_code: str) -> bool:
    return commune_code in minority_area_communes()


def set_minority_area(commune_code: str, on: bool) -> None:
    codes = [c for c in minority_area_communes() if c != commune_code] + ([commune_code] if on else [])
    settings.put(MINORITY_AREAS_KEY, sorted(codes))


def _members(c: Collector, data: dict):
    raw = data.get("members", MISSING)
    if raw is MISSING:
        return MISSING
    items = raw if isinstance(raw, (list, tuple)) else [{"name": n} for n in str(raw or "").split(";") if n.strip()]
    out = []
    for i, m in enumerate(items):
        m = m if isinstance(m, dict) else {"name": str(m)}
        name = nfc(str(m.get("name", "")))
        if not name:
            c.add(f"members[{i + 1}].name", "Thiếu họ tên hòa giải viên", "Mediator name missing")
            continue
        gender = _member_code(c, i, m, "gender", "genders")
        ethnicity = _member_code(c, i, m, "ethnicity", "ethnic_groups")
        role = _member_code(c, i, m, "role", "mediation_team_roles") or "member"
        out.append({"name": name, "gender": gender, "ethnicity": ethnicity, "role": role})
    return out


def _member_code(c: Collector, i: int, member: dict, key: str, catalog: str) -> str:
    """A member's gender / ethnicity / role as a catalog code ("" when not given); an unknown value is an error."""
    value = member.get(key)
    if value in (None, ""):
        return ""
    code = catalogs.resolve(catalog, value)
    if code is None:
        c.add(f"members[{i + 1}].{key}", f"Giá trị không có trong danh mục: «{value}»", f"Not in the list: '{value}'")
        return ""
    return code


def normalize(data: dict, existing, ctx) -> dict:
    c = Collector()
    creating = existing is None
    values = keep({},
                  name=text(c, data, "name", required=creating, max_len=200, label_vi="Tên tổ", label_en="Team name"),
                  commune_code=commune_code(c, data, required=creating),
                  village=text(c, data, "village", max_len=120),
                  leader=text(c, data, "leader", max_len=120),
                  members=_members(c, data),
                  recognised_date=date(c, data, "recognised_date"))
    c.raise_if_any()
    return values


def warnings(team) -> list[tuple[str, str]]:
    members = team.members or []
    out = []
    if len(members) < MIN_MEMBERS:
        out.append((f"Tổ hòa giải cần ít nhất {MIN_MEMBERS} hòa giải viên (hiện có {len(members)})",
                    f"A team needs at least {MIN_MEMBERS} mediators (has {len(members)})"))
    if not any(m.get("gender") == "nu" for m in members):
        out.append(("Tổ hòa giải cần có hòa giải viên nữ", "A team needs a female mediator"))
    if is_minority_area(team.commune_code) and not any(m.get("ethnicity") not in ("", None, KINH) for m in members):
        out.append(("Xã thuộc vùng có nhiều đồng bào dân tộc thiểu số: tổ hòa giải cần có hòa giải viên là người "
                    "dân tộc thiểu số (Điều 12 khoản 1 Luật Hòa giải ở cơ sở)",
                    "Area with many ethnic-minority people: the team needs an ethnic-minority mediator "
                    "(Law on Grassroots Mediation, Art. 12.1)"))
    return out


def title(team) -> str:
    return team.name


search_fields = None
