"""Reading and writing CSV/XLSX tables with clear errors (encoding, separator, size, formulas).

    rows = read_table(path)            -> TableData(header=[…], rows=[(row_number, {key: value})])
    write_table(path, header, rows)    CSV (UTF-8 with BOM for Excel) or XLSX (xlsxwriter)

CSV: UTF-8 with or without BOM (UTF-16 with BOM accepted too); `,` or `;` separator detected from the header.
XLSX: read with openpyxl in read-only mode, cached values only (formulas are never evaluated).
Spreadsheet row numbers count the header as row 1.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from services.errors import FieldError, ValidationError

MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_CELL_CHARS = 20_000
MAX_ROWS = 2_000_000
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class TableData:
    header: list[str]
    rows: list[tuple[int, dict]]


def _fail(vi: str, en: str, row: int | None = None, field: str = "file"):
    raise ValidationError([FieldError(field, vi, en, row)])


def _decode(raw: bytes) -> str:
    if raw.startswith(b"\xff\xfe") or raw.startswith(b"\xfe\xff"):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        _fail(f"Tệp không phải UTF-8 (lỗi mã hóa ở dòng {line}). Hãy lưu lại dưới dạng «CSV UTF-8».",
              f"The file is not UTF-8 (bad encoding at line {line}). Save it again as 'CSV UTF-8'.", line)


def normalize_key(key) -> str:
    return str(key or "").strip().lstrip("\ufeff").strip().lower().replace(" ", "_")


def read_table(path: str | Path) -> TableData:
    path = Path(path)
    if not path.is_file():
        _fail(f"Không tìm thấy tệp «{path.name}»", f"File not found: '{path.name}'")
    if path.stat().st_size > MAX_FILE_BYTES:
        _fail("Tệp quá lớn (tối đa 200 MB)", "File too large (200 MB at most)")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix in (".csv", ".txt"):
        return _read_csv(path)
    _fail(f"Chỉ nhận tệp .csv hoặc .xlsx (nhận được «{path.suffix}»)", f"Only .csv or .xlsx files (got '{path.suffix}')")


def _check_header(header: list[str]) -> list[str]:
    keys = [normalize_key(h) for h in header]
    if not any(keys):
        _fail("Tệp không có dòng tiêu đề", "The file has no header row", 1)
    seen = set()
    for k in keys:
        if k and k in seen:
            _fail(f"Cột «{k}» bị lặp", f"Column '{k}' appears twice", 1)
        seen.add(k)
    return keys


def _row_dict(keys: list[str], values, row_number: int) -> dict:
    out = {}
    for key, value in zip(keys, values):
        if not key:
            continue
        if isinstance(value, str):
            value = value.strip()
            if value.startswith("'") and value[1:2] in FORMULA_PREFIXES:
                value = value[1:]   # undo the formula escape that our own exports add
            if len(value) > MAX_CELL_CHARS:
                raise ValidationError([FieldError(key, f"Ô quá dài ({len(value)} ký tự)",
                                                  f"Cell too long ({len(value)} characters)", row_number)])
        out[key] = value
    return out


def _read_csv(path: Path) -> TableData:
    text = _decode(path.read_bytes())
    if "\x00" in text:
        _fail("Tệp chứa ký tự không hợp lệ (NUL) — có phải tệp nhị phân?", "The file contains NUL characters — is it binary?")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    csv.field_size_limit(MAX_CELL_CHARS * 4)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        header = next(reader, None)
        if header is None:
            _fail("Tệp trống", "The file is empty", 1)
        keys = _check_header(header)
        rows = []
        for i, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(keys) and any(v.strip() for v in values[len(keys):]):
                raise ValidationError([FieldError("file", f"Dòng có {len(values)} ô nhưng tiêu đề chỉ có {len(keys)} cột",
                                                  f"Row has {len(values)} cells but the header has {len(keys)} columns", i)])
            rows.append((i, _row_dict(keys, values, i)))
            if len(rows) > MAX_ROWS:
                _fail("Quá nhiều dòng", "Too many rows", i)
    except csv.Error as exc:
        _fail(f"Tệp CSV hỏng: {exc}", f"Malformed CSV: {exc}")
    return TableData(keys, rows)


def _read_xlsx(path: Path) -> TableData:
    import zipfile

    from openpyxl import load_workbook
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        _fail("Tệp Excel hỏng hoặc không phải .xlsx", f"Corrupt or not an .xlsx file ({type(exc).__name__})")
    try:
        ws = wb.worksheets[0]
        it = ws.iter_rows(values_only=True)
        header = next(it, None)
        if header is None:
            _fail("Tệp trống", "The file is empty", 1)
        keys = _check_header([str(h) if h is not None else "" for h in header])
        rows = []
        for i, values in enumerate(it, start=2):
            if values is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            cells = [_xlsx_value(v) for v in values]
            rows.append((i, _row_dict(keys, cells, i)))
            if len(rows) > MAX_ROWS:
                _fail("Quá nhiều dòng", "Too many rows", i)
    finally:
        wb.close()
    return TableData(keys, rows)


def _xlsx_value(v):
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.date() if v.time() == dt.time(0) else v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def safe_cell(value) -> str:
    """Text for CSV cells: a leading =,+,-,@ is escaped with ' so spreadsheets never run it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def write_table(path: str | Path, header: list[str], rows, date_columns=frozenset(), sheet: str = "Data",
                progress=None) -> int:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    if path.suffix.lower() == ".xlsx":
        import xlsxwriter
        wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                             "constant_memory": True})
        ws = wb.add_worksheet(sheet[:31])
        bold = wb.add_format({"bold": True, "bg_color": "#DDE7F0", "border": 1})
        date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
        ws.write_row(0, 0, header, bold)
        ws.freeze_panes(1, 0)
        for col, key in enumerate(header):
            ws.set_column(col, col, 14 if key in date_columns else max(12, min(40, len(key) + 4)))
        for r, row in enumerate(rows, start=1):
            for col, key in enumerate(header):
                value = row.get(key)
                if isinstance(value, dt.date):
                    ws.write_datetime(r, col, dt.datetime(value.year, value.month, value.day), date_fmt)
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    ws.write_number(r, col, value)
                elif value not in (None, ""):
                    ws.write_string(r, col, str(value))
            n += 1
            if progress and n % 1000 == 0:
                progress(n)
        wb.close()
    else:
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            for row in rows:
                writer.writerow([_csv_value(row.get(k)) for k in header])
                n += 1
                if progress and n % 1000 == 0:
                    progress(n)
    return n


def _csv_value(value) -> str:
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return safe_cell(value)
