"""Mediation teams (tổ hòa giải) for the teams screen and `main.py teams`: one way to build a team's values.

    parse_member("Bàn Thị Hoa|Nữ|Dao|Tổ trưởng")  -> {"name", "gender", "ethnicity", "role"} (raw text; the
                                                     kind rule checks them against the catalogs)
    add({"name": …, "commune_code": "06652", "village": "Thôn Khe Lánh", "members": [...]})  -> MediationTeam
    rows(["06652"])                                   -> [{"id", "name", "commune_code", "village", "members"}, …]

Validation (name, commune, members' gender / ethnicity / role from assets/catalogs) is services/kinds/
mediation_team's; the composition rule (≥ 3 mediators including a woman) is a warning, never a refusal.
"""
from __future__ import annotations

from services import catalogs
from services.errors import FieldError, ValidationError
from services.records import store
from services.records.exporting import team_row

MEMBER_PARTS = ("name", "gender", "ethnicity", "role")


def parse_member(text: str, index: int = 1) -> dict:
    """'Họ tên|Giới tính|Dân tộc[|Vai trò]' -> a member dict; ValidationError for no name or more than 4 parts."""
    parts = [p.strip() for p in str(text).split("|")]
    if len(parts) > len(MEMBER_PARTS):
        raise ValidationError(FieldError(
            f"members[{index}]", f"«{text}»: tối đa 4 phần «Họ tên|Giới tính|Dân tộc|Vai trò»",
            f"'{text}': at most 4 parts 'Name|Gender|Ethnicity|Role'"))
    if not parts[0]:
        raise ValidationError(FieldError(f"members[{index}].name", f"«{text}»: thiếu họ tên hòa giải viên",
                                         f"'{text}': the mediator's name is missing"))
    return dict(zip(MEMBER_PARTS, parts + [""] * (len(MEMBER_PARTS) - len(parts)), strict=True))


def values(data: dict) -> dict:
    """Team values with members without a name dropped and the leader taken from the member marked leader."""
    members = [dict(m) for m in data.get("members") or [] if str(m.get("name", "")).strip()]
    for m in members:
        m["role"] = m.get("role") or "member"
    out = {**data, "members": members}
    if "leader" not in data or not data.get("leader"):
        out["leader"] = next((str(m["name"]).strip() for m in members
                              if catalogs.resolve("mediation_team_roles", m.get("role")) == "leader"), "")
    return out


def check(data: dict) -> None:
    """Validate a new team without storing anything (ValidationError with every problem)."""
    from services.data_dir import app
    from services.kinds import KIND_RULES
    KIND_RULES["mediation-team"].normalize(values(data), None, app.current())


def row(team) -> dict:
    return team_row(team)


def add(data: dict, team_id: str | None = None, actor: str | None = None):
    """Create (or, with team_id, update) a team through services.records.store (audit, outbox, one transaction)."""
    return store.save("mediation-team", values(data), record_id=team_id, actor=actor)


def rows(communes: list[str] | None = None) -> list[dict]:
    return [team_row(t) for t in store.teams(communes or None)]
