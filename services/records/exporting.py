"""Export of each record kind to CSV/XLSX with the import's column keys (so an export can be re-imported).

    n = export_file("legal-aid", "cases.xlsx", include_identifiers=False)

ID numbers and phones are masked (0221******34) unless `include_identifiers` is asked for and the role allows
it (services.security.policy decides when present); every export is recorded in the audit log.
Rows are streamed from SQL in chunks: memory stays flat whatever the table size.
"""
from __future__ import annotations

from pathlib import Path

from models.records import DisseminationEvent, LegalAidCase, MediationCase, MediationTeam, Person
from services import catalogs
from services.errors import PermissionDenied, UsageError
from services.kinds import dissemination, legal_aid, mediation
from services.records import audit
from services.records.columns import DATE_COLUMNS, IDENTIFIER_COLUMNS, KINDS, all_columns, mask
from services.records.tabular import write_table

CHUNK = 2000


def _legal_aid_rows(query):
    for case in query.iterator():
        yield described_row(legal_aid.FIELDS, case)


def _mediation_rows(query):
    batch = []
    for case in query.iterator():
        batch.append(case)
        if len(batch) >= CHUNK:
            yield from _mediation_batch(batch)
            batch = []
    yield from _mediation_batch(batch)


def _mediation_batch(cases):
    ids = [p for c in cases for p in c.parties]
    names = ({p.id: p.full_name for p in Person.select(Person.id, Person.full_name).where(Person.id.in_(ids))}
             if ids else {})
    teams = {t.id: t.name for t in MediationTeam.select(MediationTeam.id, MediationTeam.name)} if cases else {}
    for c in cases:
        yield described_row(mediation.FIELDS, c, teams=teams, names=names)


def export_value(spec, inst, teams=None, names=None):
    """A described field's cell: catalog codes as labels, lists joined with "; ", dates as dates."""
    if spec.type == "beneficiary":       # only a beneficiary other than the requester
        ben = inst.beneficiary if inst.beneficiary_id and inst.beneficiary_id != inst.requester_id else None
        return ben.full_name if ben else ""
    value = spec.value(inst)
    if spec.type == "year":
        return value or ""
    if spec.type == "code":
        return catalogs.label(spec.catalog, value)
    if spec.type == "codes":
        return "; ".join(catalogs.label(spec.catalog, v) for v in value or [])
    if spec.type == "language":
        return catalogs.language_label(value)
    if spec.type == "names":
        return "; ".join(value or [])
    if spec.type == "team":
        return (teams or {}).get(inst.team_id, "")
    if spec.type == "parties":
        return "; ".join((names or {}).get(p, "") for p in value)
    return value


def described_row(fields: dict, inst, **lookups) -> dict:
    """The export row of a record from its kind's field description (every field with a column)."""
    return {f.name: export_value(f, inst, **lookups) for f in fields.values() if f.column is not None}


def _dissemination_rows(query):
    for e in query.iterator():
        yield described_row(dissemination.FIELDS, e)


_SOURCES = {
    "legal-aid": (LegalAidCase, "received_date", _legal_aid_rows),
    "mediation": (MediationCase, "received_date", _mediation_rows),
    "dissemination": (DisseminationEvent, "date", _dissemination_rows),
}


def may_see_identifiers(actor_role: str | None = None) -> bool:
    try:
        from services.security import policy
    except ImportError:
        return True
    return policy.may_see_identifiers(actor_role)


def check_identifiers_allowed(include_identifiers: bool) -> None:
    """Asking for full identifiers with a role that may not see them is refused (exports and `show`)."""
    if include_identifiers and not may_see_identifiers():
        raise PermissionDenied("Vai trò của bạn không được xem số CCCD / điện thoại",
                               "Your role may not see ID and phone numbers")


def team_row(team) -> dict:
    """A mediation team as `teams list` and `show mediation-team` give it."""
    return {"id": team.id, "name": team.name, "commune_code": team.commune_code, "village": team.village or "",
            "leader": team.leader or "",
            "members": [{"name": m.get("name", ""), "gender": m.get("gender", ""), "ethnicity": m.get("ethnicity", ""),
                         "role": m.get("role") or "member"} for m in team.members or []],
            "recognised_date": team.recognised_date.isoformat() if team.recognised_date else None}


def export_row(kind: str, instance, include_identifiers: bool = False) -> dict:
    """One record (deleted or not) with the keys, labels and masking of `export_file`, dates as ISO text, plus
    "deleted". Kinds without an export file: a team as team_row(), a mediation session as its document with the
    case number. The caller checks the role first (check_identifiers_allowed)."""
    from services.records.store import to_document
    if kind in _SOURCES:
        model, _, rows_of = _SOURCES[kind]
        row = next(iter(rows_of(model.select().where(model.id == instance.id))))
        if not include_identifiers:
            for key in IDENTIFIER_COLUMNS & row.keys():
                row[key] = mask(row[key]) if row[key] else ""
    elif kind == "mediation-team":
        row = team_row(instance)
    else:
        row = to_document(instance)
        if kind == "mediation-session":
            row["case_number"] = MediationCase.select(MediationCase.number).where(
                MediationCase.id == instance.case_id).scalar()
    row = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}
    row["deleted"] = bool(instance.deleted)
    return row


def export_file(kind: str, path: str | Path, include_identifiers: bool = False, actor: str | None = None,
                communes: list[str] | None = None, date_from=None, date_to=None, progress=None) -> int:
    if kind not in KINDS:
        raise UsageError(f"Loại hồ sơ không hợp lệ: {kind}", f"Unknown record kind: {kind}")
    if Path(path).suffix.lower() not in (".csv", ".xlsx"):
        raise UsageError("Tệp xuất phải là .csv hoặc .xlsx", "The output file must be .csv or .xlsx")
    check_identifiers_allowed(include_identifiers)
    model, date_name, rows_of = _SOURCES[kind]
    query = model.alive().order_by(getattr(model, date_name), model.id)
    if communes:
        query = query.where(model.commune_code.in_(communes))
    if date_from:
        query = query.where(getattr(model, date_name) >= date_from)
    if date_to:
        query = query.where(getattr(model, date_name) <= date_to)

    def rows():
        for row in rows_of(query):
            if not include_identifiers:
                for key in IDENTIFIER_COLUMNS & row.keys():
                    row[key] = mask(row[key]) if row[key] else ""
            yield row

    n = write_table(path, all_columns(kind), rows(), DATE_COLUMNS, sheet=kind, progress=progress)
    audit.record(kind, f"export:{kind}", "export",
                 {"file": [None, Path(path).name], "rows": [None, n], "identifiers": [None, include_identifiers]},
                 actor)
    return n


def template_file(kind: str, path: str | Path) -> None:
    if kind not in KINDS:
        raise UsageError(f"Loại hồ sơ không hợp lệ: {kind}", f"Unknown record kind: {kind}")
    from services.records.columns import IMPORT_COLUMNS
    write_table(path, IMPORT_COLUMNS[kind], [], DATE_COLUMNS, sheet=kind)
