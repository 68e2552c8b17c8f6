"""All-or-nothing import of CSV/XLSX files for each record kind.

    result = import_file("dissemination", "events.xlsx", progress=lambda done, total: …)
    result.created, result.updated

Any bad row → ValidationError listing every bad row (spreadsheet row number, field, reason) and nothing is
stored: the whole file is one transaction, each row a savepoint, rolled back at the end if anything failed.
Category columns take a code or the Vietnamese label (accent-insensitive); dates dd/mm/yyyy or ISO.
A file with an `id` column updates those records; masked identifiers (0221******34) leave stored values as they are.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from models.db import database, refresh_statistics
from models.records import MODEL_BY_KIND
from services import records, search
from services.columns import IDENTIFIER_COLUMNS, KINDS, is_masked
from services.errors import FieldError, UsageError, ValidationError
from services.tabular import read_table

MAX_REPORTED_ERRORS = 500


@dataclass
class ImportResult:
    kind: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def _clean(row: dict) -> dict:
    """Masked identifiers are dropped (unchanged); blank optional cells stay blank."""
    return {k: v for k, v in row.items() if not (k in IDENTIFIER_COLUMNS and is_masked(v))}


def _legal_aid_data(row: dict, existing) -> dict:
    person_keys = {"requester_name": "full_name", "gender": "gender", "birth_year": "birth_year",
                   "birth_date": "birth_date", "ethnicity": "ethnicity", "id_number": "id_number", "phone": "phone",
                   "village": "village"}
    requester = {dst: row[src] for src, dst in person_keys.items() if src in row}
    if "commune_code" in row:
        requester["commune_code"] = row["commune_code"]
    if existing is not None:
        requester["id"] = existing.requester_id
    data = {k: v for k, v in row.items() if k not in person_keys and k not in ("id", "number", "beneficiary_name")}
    if requester:
        data["requester"] = requester
    if row.get("beneficiary_name"):
        beneficiary = {"full_name": row["beneficiary_name"]}
        if existing is not None and existing.beneficiary_id:
            beneficiary["id"] = existing.beneficiary_id
        data["beneficiary"] = beneficiary
    if existing is not None and "status" in data and data["status"] in ("", None):
        data.pop("status")
    return data


def _mediation_data(row: dict, existing) -> dict:
    data = {k: v for k, v in row.items() if k not in ("id", "number")}
    if existing is not None and "parties" in data:
        # Re-import of an export: same names in the same order keep the same Person records.
        names = [n.strip() for n in str(data["parties"] or "").split(";") if n.strip()]
        current = records.persons_by_id(existing.parties)
        current_names = [current[p].full_name if p in current else "" for p in existing.parties]
        if names == current_names:
            data.pop("parties")
    return data


def row_to_data(kind: str, row: dict, existing) -> dict:
    row = _clean(row)
    if kind == "legal-aid":
        return _legal_aid_data(row, existing)
    if kind == "mediation":
        return _mediation_data(row, existing)
    return {k: v for k, v in row.items() if k != "id"}


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
        return True
    except ValueError:
        return False


INDEX_BATCH = 2000      # rows between writes of the held full-text entries (see search.deferred_index)


def import_file(kind: str, path: str | Path, progress=None, actor: str | None = None) -> ImportResult:
    if kind not in KINDS:
        raise UsageError(f"Loại hồ sơ không hợp lệ: {kind}", f"Unknown record kind: {kind}")
    table = read_table(path)
    model = MODEL_BY_KIND[kind]
    result = ImportResult(kind)
    errors: list[FieldError] = []
    total = len(table.rows)
    with database.atomic() as txn, search.deferred_index():
        for done, (row_number, row) in enumerate(table.rows, start=1):
            record_id = str(row.get("id") or "").strip() or None
            existing = model.get_or_none(model.id == record_id) if record_id else None
            try:
                if record_id and existing is None and not _is_uuid(record_id):
                    raise ValidationError([FieldError("id", f"Mã bản ghi không hợp lệ: «{record_id}»",
                                                      f"Invalid record id: '{record_id}'")])
                with database.atomic():
                    data = row_to_data(kind, row, existing)
                    if existing is None and record_id:
                        data["id"] = record_id
                        data["_create_with_id"] = True
                    before = existing.updated_at if existing is not None else None
                    saved = records.save(kind, data, record_id=record_id if existing is not None else None, actor=actor)
                    if existing is None:
                        result.created += 1
                    elif saved.updated_at != before:
                        result.updated += 1
                    else:
                        result.unchanged += 1
            except ValidationError as exc:
                errors.extend(FieldError(e.field, e.vi, e.en, row_number) for e in exc.errors)
                if len(errors) >= MAX_REPORTED_ERRORS:
                    break
            if done % INDEX_BATCH == 0:
                search.flush_deferred()
            if progress:
                progress(done, total)
        if errors:
            txn.rollback()
            raise ValidationError(errors)
    if result.total >= 10_000:
        refresh_statistics(force=True)
    return result
