"""Reading manual assessment values from CSV or XLSX (columns: indicator_id, value, evidence; header = row 1).

    from services.assessment.importer import read_value_rows, write_template
    read_value_rows("values.csv")  -> [(2, "1.1", "5", "Báo cáo số 12"), …]   (row number as in a spreadsheet)
    write_template(rows, "mau.xlsx")                                           (rows from service.template_rows)

CSV: UTF-8 with or without BOM, "," or ";" separator detected. Header names are matched accent- and
case-insensitively, with Vietnamese aliases (mã chỉ tiêu, giá trị, minh chứng). Blank lines are skipped.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from services.errors import FieldError, ValidationError
from services.text import fold

COLUMNS = ("indicator_id", "value", "evidence")
_ALIASES = {
    "indicator_id": {"indicator_id", "indicator", "id", "ma chi tieu", "chi tieu", "ma"},
    "value": {"value", "gia tri", "ket qua", "diem"},
    "evidence": {"evidence", "minh chung", "ghi chu", "tai lieu kiem chung", "notes"},
}


def _column_of(header: str) -> str | None:
    key = fold(header).replace("_", " ").strip()
    for col, names in _ALIASES.items():
        if key in {n.replace("_", " ") for n in names}:
            return col
    return None


def _read_csv(path: Path) -> list[list]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError([FieldError("file", "Tệp CSV phải mã hóa UTF-8", "The CSV file must be UTF-8")]) from exc
    first = text.splitlines()[0] if text else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _read_xlsx(path: Path) -> list[list]:
    from openpyxl import load_workbook
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is bad input
        raise ValidationError([FieldError("file", f"Không đọc được tệp Excel: {exc}",
                                          f"Cannot read the Excel file: {exc}")]) from exc
    ws = wb.worksheets[0]
    ws.reset_dimensions()          # the stored <dimension> may be stale (issue 14 item 4): read every row
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    wb.close()
    return rows


def _cell_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v == int(v):
        return str(int(v))
    return str(v).strip()


def read_value_rows(path) -> list[tuple[int, str, str, str]]:
    """[(row_number, indicator_id, value_text, evidence)] — raises ValidationError for a bad file or header."""
    path = Path(path)
    if not path.exists():
        raise ValidationError([FieldError("file", f"Không tìm thấy tệp {path}", f"File not found: {path}")])
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = _read_csv(path)
    elif suffix in (".xlsx", ".xlsm"):
        rows = _read_xlsx(path)
    else:
        raise ValidationError([FieldError("file", "Chỉ nhận tệp .csv hoặc .xlsx", "Only .csv or .xlsx files")])
    if not rows:
        raise ValidationError([FieldError("file", "Tệp trống", "The file is empty")])
    header = [_column_of(_cell_text(h)) for h in rows[0]]
    missing = [c for c in ("indicator_id", "value") if c not in header]
    if missing:
        raise ValidationError([FieldError("header", f"Thiếu cột: {', '.join(missing)} (cần: {', '.join(COLUMNS)})",
                                          f"Missing columns: {', '.join(missing)} (expected: {', '.join(COLUMNS)})",
                                          1)])
    pos = {c: header.index(c) for c in COLUMNS if c in header}
    out = []
    for n, row in enumerate(rows[1:], start=2):
        cells = [_cell_text(v) for v in row]
        if not any(cells):
            continue
        get = lambda col, cells=cells: cells[pos[col]] if col in pos and pos[col] < len(cells) else ""  # noqa: E731
        out.append((n, get("indicator_id"), row[pos["value"]] if pos["value"] < len(row) else "", get("evidence")))
    bad = [FieldError("indicator_id", "Thiếu mã chỉ tiêu", "Missing indicator id", n)
           for n, iid, _, _ in out if not iid]
    if bad:
        raise ValidationError(bad)
    return [(n, iid, v if not isinstance(v, str) else v.strip(), ev) for n, iid, v, ev in out]


def write_template(rows: list[dict], out) -> None:
    """A fill-in file: indicator_id, value, evidence (+ name and allowed range as guidance columns)."""
    out = Path(out)
    head = ["indicator_id", "value", "evidence", "name", "type", "min", "max", "auto"]
    data = [[r["indicator_id"], "" if r["value"] is None else r["value"], r["evidence"], r["name"], r["type"],
             "" if r["min"] is None else r["min"], "" if r["max"] is None else r["max"], "x" if r["auto"] else ""]
            for r in rows]
    if out.suffix.lower() == ".xlsx":
        import xlsxwriter
        wb = xlsxwriter.Workbook(str(out))
        ws = wb.add_worksheet("values")
        bold = wb.add_format({"bold": True, "bg_color": "#EDEDED", "border": 1})
        ws.write_row(0, 0, head, bold)
        for i, r in enumerate(data, start=1):
            ws.write_row(i, 0, r)
        ws.set_column(0, 0, 12)
        ws.set_column(1, 1, 10)
        ws.set_column(2, 2, 40)
        ws.set_column(3, 3, 70)
        wb.close()
    else:
        with out.open("w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f)
            w.writerow(head)
            w.writerows(data)
