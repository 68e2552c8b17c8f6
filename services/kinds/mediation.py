"""Rules for a grassroots mediation case (Luật Hòa giải ở cơ sở 2013): 2+ parties, outcome from the catalog,
dates in order. Team composition and the 3-day assignment deadline give warnings, never refusals."""
from __future__ import annotations

import datetime as dt

from models.records import MediationTeam, Person
from services import catalogs
from services.dates import today_local
from services.errors import Collector
from services.kinds import person as person_rules
from services.kinds.common import MISSING, category, commune_code, date, effective, keep, text
from services.kinds.units import historic_commune, read_units, record_day

ASSIGN_WITHIN_DAYS = 3


def _parties(c: Collector, data: dict, ctx):
    raw = data.get("parties", MISSING)
    if raw is MISSING:
        return MISSING
    items = raw if isinstance(raw, (list, tuple)) else [p.strip() for p in str(raw or "").split(";") if p.strip()]
    out = []
    for i, item in enumerate(items):
        if isinstance(item, dict):
            existing = Person.get_or_none(Person.id == item.get("id")) if item.get("id") else None
            values = person_rules.normalize(item, existing, ctx, c, prefix=f"parties[{i + 1}].")
            if existing is not None:
                values["id"] = existing.id
            out.append(values)
        elif isinstance(item, str) and Person.get_or_none(Person.id == item) is not None:
            out.append(item)
        else:
            out.append(person_rules.normalize({"full_name": str(item)}, None, ctx, c, prefix=f"parties[{i + 1}]."))
    if len(out) < 2:
        c.add("parties", "Vụ việc hòa giải cần ít nhất 2 bên", "A mediation case needs at least 2 parties")
    return out


def _names(value):
    if value is MISSING:
        return MISSING
    items = value if isinstance(value, (list, tuple)) else str(value or "").split(";")
    return [str(v).strip() for v in items if str(v).strip()]


def normalize(data: dict, existing, ctx) -> dict:
    data = read_units(data, "received_date", existing, ctx)
    c = Collector()
    creating = existing is None
    team = data.get("team_id", data.get("team", MISSING))
    if team not in (MISSING, None, "") and not isinstance(team, MediationTeam):
        found = MediationTeam.get_or_none(MediationTeam.id == team) or MediationTeam.get_or_none(
            (MediationTeam.name == team) & (MediationTeam.deleted == False))  # noqa: E712
        if found is None:
            c.add("team", f"Không có tổ hòa giải «{team}»", f"No mediation team '{team}'")
            team = MISSING
        else:
            team = found.id
    elif team in (None, ""):
        team = None
    values = keep({},
                  received_date=date(c, data, "received_date", required=creating),
                  commune_code=commune_code(c, data, required=creating,
                                            on=record_day(data, "received_date", existing)),
                  village=text(c, data, "village", max_len=120),
                  team=team,
                  basis=category(c, data, "basis", "mediation_bases", required=False),
                  mediators=_names(data.get("mediators", MISSING)),
                  assigned_date=date(c, data, "assigned_date"),
                  dispute_field=category(c, data, "dispute_field", "dispute_fields", required=creating),
                  summary=text(c, data, "summary", max_len=10000),
                  outcome=category(c, data, "outcome", "mediation_outcomes", required=False),
                  agreement=text(c, data, "agreement", max_len=10000),
                  implementation=text(c, data, "implementation", max_len=5000),
                  referred_to=text(c, data, "referred_to", max_len=200),
                  closed_date=date(c, data, "closed_date"))
    parties = _parties(c, data, ctx)
    if parties is not MISSING:
        values["parties"] = parties
    elif creating:
        c.add("parties", "Vụ việc hòa giải cần ít nhất 2 bên", "A mediation case needs at least 2 parties")
    if values.get("outcome") == "":
        values["outcome"] = "in_progress"
    received = effective("received_date", values, existing)
    for name in ("closed_date", "assigned_date"):
        d = effective(name, values, existing)
        if d and received and d < received:
            c.add(name, "Ngày này trước ngày nhận vụ việc", "This date is before the received date")
    outcome = effective("outcome", values, existing, "in_progress") or "in_progress"
    closed = (catalogs.get("mediation_outcomes", outcome) or {}).get("closed", False)
    if closed and not effective("closed_date", values, existing):
        c.add("closed_date", "Cần ngày kết thúc khi vụ việc đã có kết quả", "A closed date is required once there is an outcome")
    if not closed and effective("closed_date", values, existing) and "outcome" in values:
        c.add("outcome", "Vụ việc có ngày kết thúc nhưng vẫn «Đang hòa giải»", "Case has a closed date but is still in progress")
    if values.get("mediators") and "assigned_date" not in values and (existing is None or not existing.assigned_date):
        values["assigned_date"] = received if creating and received else today_local()
    historic_commune(c, data, values, existing, "received_date")
    c.raise_if_any()
    return values


def warnings(case, today: dt.date | None = None) -> list[tuple[str, str]]:
    """(vi, en) warnings: late or missing mediator assignment, team composition."""
    today = today or today_local()
    out = []
    deadline = case.received_date + dt.timedelta(days=ASSIGN_WITHIN_DAYS)
    if not case.mediators and case.outcome == "in_progress" and today > deadline:
        out.append(("Quá hạn phân công hòa giải viên (3 ngày kể từ khi nhận vụ việc)",
                    "Overdue: mediators must be assigned within 3 days of receipt"))
    elif case.assigned_date and case.assigned_date > deadline:
        out.append(("Hòa giải viên được phân công chậm hơn 3 ngày", "Mediators were assigned later than 3 days"))
    if case.team_id:
        from services.kinds.mediation_team import warnings as team_warnings
        out.extend(team_warnings(case.team))
    return out


def party_names(case, names: dict[str, str] | None = None) -> list[str]:
    """Names of the parties, in order; `names` (id → name) spares the query when a caller prefetched them."""
    ids = [p for p in case.parties if isinstance(p, str)]
    if names is None:
        names = {p.id: p.full_name for p in Person.select(Person.id, Person.full_name).where(Person.id.in_(ids))}
    return [names.get(i, "?") for i in ids]


def title(case) -> str:
    return f"{' – '.join(party_names(case))} — {catalogs.label('dispute_fields', case.dispute_field)}"


def search_fields(case, prefetched_names: dict[str, str] | None = None) -> dict:
    names = party_names(case, prefetched_names)
    parts = [case.number, *names, *case.mediators, case.village, catalogs.label("dispute_fields", case.dispute_field),
             case.summary, case.agreement]
    return {"number": case.number, "title": f"{' – '.join(names)} — {catalogs.label('dispute_fields', case.dispute_field)}",
            "text": " ".join(p for p in parts if p), "date": case.received_date, "commune_code": case.commune_code}
