"""All-or-nothing import of CSV/XLSX files for each record kind, streamed and in short transactions.

    result = import_file("dissemination", "events.xlsx", progress=lambda done, total: …)
    result.created, result.updated

Any bad row → ValidationError listing the bad rows (spreadsheet row number, field, reason; the first
MAX_REPORTED_ROWS bad rows, then how many more) and nothing is stored. A file with an `id` column updates those
records; masked identifiers (0221******34) leave stored values as they are. Category columns take a code or the
Vietnamese label (accent-insensitive); dates dd/mm/yyyy or ISO.

How it stays all-or-nothing without one long transaction (which would lock the database for minutes, so that
the app could not save meanwhile, and hold every row in memory):
1. check: the file is read one row at a time (services.records.tabular.open_table); each row is checked with the same
   rules as a save (no write) and kept in the staging table `import_row`, CHUNK_ROWS rows per short transaction.
   Any bad row: the staged rows are deleted, nothing else was written.
2. move: the batch is marked "moving" (one commit), then its staged rows are saved through services.records.store
   in short transactions of at most CHUNK_ROWS rows / CHUNK_SECONDS, each also deleting the rows it moved,
   with a pause of YIELD_SECONDS between them so that another program (the app) can write.
A process killed in step 1 leaves only staged rows: the next open of the folder deletes them. Killed in step 2,
the next open finishes the move (every row was already checked). A live import holds a lock file
(<data dir>/import-<batch>.lock), so the next open never touches the batch of an import still running.
The one case that is not all-or-nothing: a row that was good when checked but fails when moved because another
program changed the data in between (e.g. deleted the mediation team it names); it is skipped and reported.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import time
import uuid
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from models import fastsql
from models.db import database, refresh_statistics
from models.imports import ImportBatch, ImportRow
from models.records import MODEL_BY_KIND
from services.data_dir import context
from services.errors import FieldError, UsageError, ValidationError
from services.kinds import KIND_RULES
from services.records import search, store
from services.records.columns import IDENTIFIER_COLUMNS, KINDS, is_masked
from services.records.tabular import open_table

STAGE_INSERT = ('INSERT INTO "import_row" ("batch_id", "seq", "row_number", "record_id", "data") '
                'VALUES (?, ?, ?, ?, ?)')
MAX_REPORTED_ROWS = 500        # bad rows listed in full; the rest are counted
CHUNK_ROWS = 1000              # rows per short transaction
CHUNK_SECONDS = 0.5            # … or fewer, when they take longer than this
YIELD_SECONDS = 0.05           # pause between transactions: other programs get the write lock
PROGRESS_EVERY = 100
FETCH_ROWS = 100               # staged rows read at a time while moving


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
        current = store.persons_by_id(existing.parties)
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


# ---- staged rows as JSON (dates kept as dates) ---------------------------------------------------------

def _encode(value):
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    raise TypeError(type(value).__name__)


def _decode(obj: dict):
    if "$datetime" in obj:
        return dt.datetime.fromisoformat(obj["$datetime"])
    if "$date" in obj:
        return dt.date.fromisoformat(obj["$date"])
    return obj


def _dumps(row: dict) -> str:
    return json.dumps(row, ensure_ascii=False, default=_encode)


def _loads(text: str) -> dict:
    return json.loads(text, object_hook=_decode)


# ---- the lock a live import holds --------------------------------------------------------------------------

def _lock_path(batch_id: str) -> Path | None:
    """None for an in-memory database (tests): no other process can see its batches."""
    if database.obj is None or database.obj.database == ":memory:":
        return None
    return Path(database.obj.database).resolve().parent / f"import-{batch_id}.lock"


@contextmanager
def _batch_lock(batch_id: str, wait: bool = True):
    """Holds the batch's lock file (flock: released by the kernel when the process dies); yields False when
    another live process holds it (wait=False)."""
    path = _lock_path(batch_id)
    if path is None:
        yield True
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    held = False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            held = True
        except BlockingIOError:
            pass
        yield held
    finally:
        if held:
            path.unlink(missing_ok=True)        # while still holding it: nobody else can be using it
        os.close(fd)


def _pause() -> None:
    """Between two short transactions: let another program take the write lock (SQLite gives it to whoever asks
    first when it is free; without a pause the next transaction here would almost always win)."""
    time.sleep(YIELD_SECONDS)


# ---- the import ------------------------------------------------------------------------------------------

def import_file(kind: str, path: str | Path, progress=None, actor: str | None = None) -> ImportResult:
    if kind not in KINDS:
        raise UsageError(f"Loại hồ sơ không hợp lệ: {kind}", f"Unknown record kind: {kind}")
    actor = actor or context.current().actor
    batch_id = str(uuid.uuid4())
    with _batch_lock(batch_id):
        with open_table(path) as table:
            ImportBatch.create(id=batch_id, kind=kind, file_name=Path(path).name, actor=actor, state="checking")
            try:
                total = _check(kind, table, batch_id, progress)
            except BaseException:
                _discard(batch_id)
                raise
        ImportBatch.update(state="moving", total=total).where(ImportBatch.id == batch_id).execute()
        result = _move(ImportBatch.get_by_id(batch_id), progress)
    if result.total >= 10_000:
        refresh_statistics(force=True)
    return result


def _discard(batch_id: str) -> None:
    """Delete a batch's staged rows in short transactions, then the batch."""
    while True:
        with database.atomic():
            seqs = [r.seq for r in ImportRow.select(ImportRow.seq).where(ImportRow.batch == batch_id)
                    .order_by(ImportRow.seq).limit(CHUNK_ROWS * 5)]
            if seqs:
                ImportRow.delete().where((ImportRow.batch == batch_id) & (ImportRow.seq <= seqs[-1])).execute()
            else:
                ImportBatch.delete().where(ImportBatch.id == batch_id).execute()
        if not seqs:
            return
        _pause()


def _bad_rows_error(errors: list[FieldError], more_rows: int) -> ValidationError:
    if more_rows:
        errors = errors + [FieldError(
            "file", f"… và {more_rows:,} dòng lỗi khác (chỉ liệt kê {MAX_REPORTED_ROWS} dòng lỗi đầu tiên)"
            .replace(",", "."), f"… and {more_rows:,} more bad rows (only the first {MAX_REPORTED_ROWS} are listed)")]
    return ValidationError(errors)


def _check(kind: str, table, batch_id: str, progress) -> int:
    """Step 1: read and check every row, staging the good ones; ValidationError on any bad row."""
    model, rules, ctx = MODEL_BY_KIND[kind], KIND_RULES[kind], context.current()
    errors: list[FieldError] = []
    bad_rows = more_rows = 0
    pending: list[dict] = []
    pending_ids: dict[str, int] = {}        # record id -> row number, for the rows not yet written
    seq = done = 0

    def flush():
        if pending:
            with database.atomic():
                fastsql.execute_many(STAGE_INSERT, pending)
            pending.clear()
            pending_ids.clear()
            _pause()

    try:
        for row_number, row in table.rows:
            done += 1
            try:
                record_id = _checked_id(model, batch_id, row, pending_ids)
                existing = model.get_or_none(model.id == record_id) if record_id else None
                rules.normalize(row_to_data(kind, row, existing), existing, ctx)
            except ValidationError as exc:
                bad_rows += 1
                if bad_rows <= MAX_REPORTED_ROWS:
                    errors.extend(FieldError(e.field, e.vi, e.en, row_number) for e in exc.errors)
                else:
                    more_rows += 1
            else:
                if not bad_rows:                 # once a row is bad nothing will be stored: stop staging
                    seq += 1
                    pending.append((batch_id, seq, row_number, record_id, _dumps(row)))
                    if record_id:
                        pending_ids[record_id] = row_number
                    if len(pending) >= CHUNK_ROWS:
                        flush()
            if progress and done % PROGRESS_EVERY == 0:
                progress(done, None)
    except ValidationError as exc:               # the file itself is broken at some row: say so, with the rest
        raise _bad_rows_error(errors + exc.errors, more_rows) from None
    if bad_rows:
        raise _bad_rows_error(errors, more_rows)
    flush()
    return seq


def _checked_id(model, batch_id: str, row: dict, pending_ids: dict[str, int]) -> str | None:
    record_id = str(row.get("id") or "").strip() or None
    if record_id is None:
        return None
    if not _is_uuid(record_id) and not model.select().where(model.id == record_id).exists():
        raise ValidationError([FieldError("id", f"Mã bản ghi không hợp lệ: «{record_id}»",
                                          f"Invalid record id: '{record_id}'")])
    earlier = pending_ids.get(record_id)
    if earlier is None:
        hit = (ImportRow.select(ImportRow.row_number)
               .where((ImportRow.batch == batch_id) & (ImportRow.record_id == record_id)).first())
        earlier = hit.row_number if hit else None
    if earlier is not None:
        raise ValidationError([FieldError("id", f"Mã bản ghi trùng với dòng {earlier}",
                                          f"The same record id as row {earlier}")])
    return record_id


def _move(batch: ImportBatch, progress=None) -> ImportResult:
    """Step 2: save the staged rows into the real tables in short transactions (also the roll-forward of a batch
    whose import was killed while moving)."""
    kind, actor = batch.kind, batch.actor
    model = MODEL_BY_KIND[kind]
    result = ImportResult(kind)
    failed: list[FieldError] = []
    done = ImportRow.select().where(ImportRow.batch == batch.id).count()
    done = batch.total - done                     # rows an interrupted run already moved
    last = 0
    finished = False
    while not finished:
        started, moved = time.monotonic(), 0
        with database.atomic(), search.deferred_index():
            while moved < CHUNK_ROWS and time.monotonic() - started < CHUNK_SECONDS:
                staged = list(ImportRow.select().where((ImportRow.batch == batch.id) & (ImportRow.seq > last))
                              .order_by(ImportRow.seq).limit(FETCH_ROWS))
                if not staged:
                    finished = True
                    break
                for item in staged:
                    try:
                        with database.atomic():
                            _save_row(kind, model, item.record_id, _loads(item.data), actor, result)
                    except ValidationError as exc:       # changed by another program since it was checked
                        failed.extend(FieldError(e.field, e.vi, e.en, item.row_number) for e in exc.errors)
                    last = item.seq
                    moved += 1
            ImportRow.delete().where((ImportRow.batch == batch.id) & (ImportRow.seq <= last)).execute()
            if finished:
                ImportBatch.delete().where(ImportBatch.id == batch.id).execute()
        done += moved
        if progress and moved:
            progress(done, batch.total)
        if not finished:
            _pause()
    if failed:
        raise ImportIncomplete(result, failed)
    return result


def _save_row(kind: str, model, record_id: str | None, row: dict, actor: str, result: ImportResult) -> None:
    existing = model.get_or_none(model.id == record_id) if record_id else None
    data = row_to_data(kind, row, existing)
    if existing is None and record_id:
        data["id"] = record_id
        data["_create_with_id"] = True
    before = existing.updated_at if existing is not None else None
    saved = store.save(kind, data, record_id=record_id if existing is not None else None, actor=actor)
    if existing is None:
        result.created += 1
    elif saved.updated_at != before:
        result.updated += 1
    else:
        result.unchanged += 1


class ImportIncomplete(ValidationError):
    """Rows that were good when checked but failed when moved (another program changed the data meanwhile)."""

    def __init__(self, result: ImportResult, errors: list[FieldError]):
        note = FieldError("file", f"Đã nhập {result.total} dòng; các dòng trên không nhập được vì dữ liệu vừa bị "
                                  "chương trình khác thay đổi — hãy sửa và nhập lại riêng các dòng đó.",
                          f"{result.total} rows were imported; the rows above failed because another program "
                          "changed the data meanwhile — fix them and import just those rows again.")
        super().__init__(errors + [note])
        self.result = result


def recover_interrupted() -> int:
    """At open: discard the staged rows of imports killed while checking, finish those killed while moving.
    Batches whose import is still running (its lock is held) are left alone. Returns how many were handled."""
    handled = 0
    for batch in list(ImportBatch.select()):
        with _batch_lock(batch.id, wait=False) as mine:
            if not mine:
                continue
            if batch.state == "moving":
                with suppress(ImportIncomplete):     # rows changed meanwhile: skipped, nothing more to do at open
                    _move(batch)
            else:
                _discard(batch.id)
            handled += 1
    return handled
