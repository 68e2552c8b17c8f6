"""Rules for a grassroots mediation case (Luật Hòa giải ở cơ sở 2013): 2+ parties, invited third parties kept
apart (Điều 19), outcome from the catalog, the agreement's contents (Điều 24 đ, e, g), dates in order.
Team composition (Điều 12) and the start of mediation within 3 days of assignment (Điều 20.2) give warnings,
never refusals. The Law sets no deadline for assigning a mediator (Điều 18), so none is checked."""
from __future__ import annotations

import datetime as dt

from models.records import MediationTeam, Person
from services import catalogs
from services.dates import today_local
from services.errors import Collector
from services.kinds import person as person_rules
from services.kinds.common import MISSING, commune_code, effective, keep
from services.kinds.fields import FieldSpec, Form, describe, read_fields
from services.kinds.units import historic_commune, read_units, record_day

START_WITHIN_DAYS = 3          # Điều 20.2: start within 03 days of being assigned

_CASE, _PARTIES, _RESULT = "form.section.case", "form.section.parties", "form.section.result"

# The description of a case's fields, in form order (see services/kinds/fields.py). `column` and `detail` are
# the positions in the import/export files (README "Import/export columns") and in the detail view.
FIELDS = describe(
    FieldSpec("received_date", "date", required=True, column=1, template=True, form=Form(_CASE), detail=2,
              printed=True),
    FieldSpec("commune_code", "commune", required=True, column=2, template=True, form=Form(_CASE), detail=3,
              printed=True),
    FieldSpec("historic_commune_code", "historic", column=13, form=Form(_CASE)),
    FieldSpec("village", max_len=120, column=3, template=True, form=Form(_CASE, widget="village"), detail=4,
              printed=True),
    FieldSpec("team", "team", column=4, template=True, form=Form(_CASE, width=3, key="team_id"), detail=5,
              printed=True),
    FieldSpec("dispute_field", "code", "dispute_fields", required=True, column=5, template=True,
              form=Form(_CASE, width=3), detail=8, printed=True),
    FieldSpec("basis", "code", "mediation_bases", form=Form(_CASE, width=3), printed=True),
    FieldSpec("assigned_date", "date", column=16, form=Form(_CASE, width=3), detail=10),
    FieldSpec("mediators", "names", column=7, template=True, form=Form(_CASE, width=6), detail=9, printed=True),
    # The form asks for up to 4 parties by name (ui.state.forms), the first two required.
    FieldSpec("parties", "parties", column=6, template=True, form=Form(_PARTIES, width=3), detail=6, printed=True),
    # Điều 19: invited third parties, never the parties or the mediators.
    FieldSpec("invited", "names", column=17, form=Form(_PARTIES, width=6, widget="text"), detail=7, printed=True),
    FieldSpec("summary", "multiline", max_len=10000, column=10, template=True, form=Form(_PARTIES, width=6),
              detail=13, printed=True),
    FieldSpec("outcome", "code", "mediation_outcomes", column=8, template=True, form=Form(_RESULT), detail=11,
              printed=True),
    FieldSpec("closed_date", "date", column=9, template=True, form=Form(_RESULT), detail=12, printed=True),
    FieldSpec("referred_to", max_len=200, form=Form(_RESULT), printed=True),
    # Điều 24 đ), e), g): the agreement, the parties' rights and obligations, how and by when it is carried out.
    FieldSpec("agreement", "multiline", max_len=10000, column=14, form=Form(_RESULT, width=6), detail=14,
              printed=True),
    FieldSpec("rights_obligations", "multiline", max_len=10000, column=18, form=Form(_RESULT, width=6), detail=15,
              printed=True),
    FieldSpec("implementation", "multiline", max_len=5000, column=15, form=Form(_RESULT, width=4), detail=16,
              printed=True),
    FieldSpec("implementation_deadline", "date", not_future=False, column=19, form=Form(_RESULT), detail=17,
              printed=True),
    FieldSpec("number", column=12, detail=1, printed=True, custom=True),   # given by services.records.numbering
    FieldSpec("id", "id", column=11),
)


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
    values = keep({}, **read_fields(c, data, FIELDS, creating),
                  commune_code=commune_code(c, data, required=creating and FIELDS["commune_code"].required,
                                            on=record_day(data, "received_date", existing)),
                  team=team,
                  mediators=_names(data.get("mediators", MISSING)),
                  invited=_names(data.get("invited", MISSING)))
    parties = _parties(c, data, ctx)
    if parties is not MISSING:
        values["parties"] = parties
    elif creating:
        c.add("parties", "Vụ việc hòa giải cần ít nhất 2 bên", "A mediation case needs at least 2 parties")
    if values.get("outcome") == "":
        values["outcome"] = "in_progress"
    received = effective("received_date", values, existing)
    for name in ("closed_date", "assigned_date", "implementation_deadline"):
        d = effective(name, values, existing)
        if d and received and d < received:
            c.add(name, "Ngày này trước ngày nhận vụ việc", "This date is before the received date")
    outcome = effective("outcome", values, existing, "in_progress") or "in_progress"
    closed = (catalogs.get("mediation_outcomes", outcome) or {}).get("closed", False)
    if closed and not effective("closed_date", values, existing):
        c.add("closed_date", "Cần ngày kết thúc khi vụ việc đã có kết quả",
              "A closed date is required once there is an outcome")
    if not closed and effective("closed_date", values, existing) and "outcome" in values:
        c.add("outcome", "Vụ việc có ngày kết thúc nhưng vẫn «Đang hòa giải»",
              "Case has a closed date but is still in progress")
    historic_commune(c, data, values, existing, "received_date")
    c.raise_if_any()
    return values


def first_session_date(case) -> dt.date | None:
    from models.records import MediationSession
    row = (MediationSession.alive().select(MediationSession.date).where(MediationSession.case == case.id)
           .order_by(MediationSession.date).first())
    return row.date if row else None


def warnings(case, today: dt.date | None = None) -> list[tuple[str, str]]:
    """(vi, en) warnings: mediation not started within 3 days of assignment (Điều 20.2), team composition
    (Điều 12). A case without an assignment date (older records) gets no Điều 20.2 warning."""
    today = today or today_local()
    out = []
    if case.assigned_date:
        due = case.assigned_date + dt.timedelta(days=START_WITHIN_DAYS)
        first = first_session_date(case)
        if first is not None and first > due:
            out.append((f"Buổi hòa giải đầu tiên ({first:%d/%m/%Y}) muộn hơn 03 ngày kể từ ngày phân công "
                        f"hòa giải viên ({case.assigned_date:%d/%m/%Y}) — Điều 20 khoản 2 Luật Hòa giải ở cơ sở",
                        f"First session ({first:%d/%m/%Y}) more than 3 days after the mediators were assigned "
                        f"({case.assigned_date:%d/%m/%Y}) — Law on Grassroots Mediation, Art. 20.2"))
        elif first is None and case.outcome == "in_progress" and today > due:
            out.append((f"Chưa bắt đầu hòa giải sau 03 ngày kể từ ngày phân công hòa giải viên "
                        f"({case.assigned_date:%d/%m/%Y}) — Điều 20 khoản 2 Luật Hòa giải ở cơ sở",
                        f"Mediation not started 3 days after the mediators were assigned "
                        f"({case.assigned_date:%d/%m/%Y}) — Law on Grassroots Mediation, Art. 20.2"))
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


def title(case, lang: str = "vi") -> str:
    """The case's heading (detail view): the parties (the dispute field is a row below it)."""
    return " – ".join(party_names(case))


def search_fields(case, prefetched_names: dict[str, str] | None = None) -> dict:
    names = party_names(case, prefetched_names)
    parts = [case.number, *names, *case.mediators, case.village, catalogs.label("dispute_fields", case.dispute_field),
             case.summary, case.agreement]
    return {"number": case.number,
            "title": f"{' – '.join(names)} — {catalogs.label('dispute_fields', case.dispute_field)}",
            "text": " ".join(p for p in parts if p), "date": case.received_date, "commune_code": case.commune_code}
