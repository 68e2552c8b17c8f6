"""Reading and writing CSV/XLSX tables with clear errors (encoding, separator, size, formulas), streamed.

    with open_table(path) as table:    table.header == [key, …]; table.rows yields (row_number, {key: value})
        for row_number, row in table.rows: …
    write_table(path, header, rows)    CSV (UTF-8 with BOM for Excel) or XLSX (xlsxwriter)

Rows are read one at a time, never the whole file at once, so memory stays bounded at any file size.
CSV: UTF-8 with or without BOM (UTF-16 with BOM accepted too); `,` or `;` separator detected from the header.
XLSX: openpyxl in read-only mode, cached values only (formulas are never evaluated). The stored sheet size
(`<dimension>`) is ignored: every row is read. XML is parsed through defusedxml (a DTD or an entity, i.e. XXE
and billion laughs, is refused), and the decompressed parts are capped (see `XlsxLimits`).
Spreadsheet row numbers count the header as row 1.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from services.errors import FieldError, ValidationError

MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_CELL_CHARS = 20_000
MAX_LINE_CHARS = 1_000_000        # one CSV line; a longer one is refused before it is held in memory
MAX_ROWS = 2_000_000
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class XlsxLimits:
    """Caps on what an XLSX may inflate to (the zip's declared sizes, and the bytes actually read).

    total: every part together (1 GiB); shared_strings: the shared-string table, which openpyxl holds in
    memory (32 MiB of XML is about 1.4 million strings, ~60 MB); row: the XML of one row (or of anything
    between two rows), which the parser holds while it reads that row (4 MiB)."""
    total: int = 1024 * 1024 * 1024
    shared_strings: int = 32 * 1024 * 1024
    row: int = 4 * 1024 * 1024


XLSX_LIMITS = XlsxLimits()


@dataclass
class Table:
    header: list[str]
    rows: Iterator[tuple[int, dict]]


@dataclass
class TableData:
    header: list[str]
    rows: list[tuple[int, dict]]


def _fail(vi: str, en: str, row: int | None = None, field: str = "file"):
    raise ValidationError([FieldError(field, vi, en, row)])


def normalize_key(key) -> str:
    return str(key or "").strip().lstrip("\ufeff").strip().lower().replace(" ", "_")


def _check_path(path: Path) -> None:
    if not path.is_file():
        _fail(f"Không tìm thấy tệp «{path.name}»", f"File not found: '{path.name}'")
    if path.stat().st_size > MAX_FILE_BYTES:
        _fail("Tệp quá lớn (tối đa 200 MB)", "File too large (200 MB at most)")
    if path.suffix.lower() not in (".xlsx", ".xlsm", ".csv", ".txt"):
        _fail(f"Chỉ nhận tệp .csv hoặc .xlsx (nhận được «{path.suffix}»)",
              f"Only .csv or .xlsx files (got '{path.suffix}')")


@contextmanager
def open_table(path: str | Path, limits: XlsxLimits | None = None):
    """The header keys and a row iterator of a CSV/XLSX file; the file stays open inside the `with`."""
    path = Path(path)
    _check_path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        with _open_xlsx(path, limits or XLSX_LIMITS) as table:
            yield table
    else:
        with _open_csv(path) as table:
            yield table


def read_table(path: str | Path) -> TableData:
    """The whole table in memory (small files only: templates, tests)."""
    with open_table(path) as table:
        return TableData(table.header, list(table.rows))


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
    for key, value in zip(keys, values, strict=False):
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


def _too_many_rows(row_number: int):
    _fail(f"Quá nhiều dòng (tối đa {MAX_ROWS:,})".replace(",", "."), f"Too many rows ({MAX_ROWS:,} at most)",
          row_number)


# ---- CSV -------------------------------------------------------------------------------------------------

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)")


def _csv_lines(fh, encoding: str) -> Iterator[str]:
    """Decoded lines (with their line ends: LF, CRLF or a lone CR as old Excel for Mac writes) of a binary file,
    read in blocks; no line may pass MAX_LINE_CHARS.

    Hand-written rather than io.TextIOWrapper: a decoding error then names its line, and a file without line
    breaks is refused after MAX_LINE_CHARS instead of being read whole into one string."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    line_no = 0
    pending = ""
    while True:
        block = fh.read(256 * 1024)
        try:
            text = decoder.decode(block, final=not block)
        except UnicodeDecodeError as exc:
            at = line_no + pending.count("\n") + block[: max(exc.start, 0)].count(b"\n") + 1
            if encoding.startswith("utf-16"):
                _fail("Tệp UTF-16 hỏng", "Corrupt UTF-16 file", at)
            _fail(f"Tệp không phải UTF-8 (lỗi mã hóa ở dòng {at}). Hãy lưu lại dưới dạng «CSV UTF-8».",
                  f"The file is not UTF-8 (bad encoding at line {at}). Save it again as 'CSV UTF-8'.", at)
        if "\x00" in text:
            at = line_no + (pending + text[: text.index("\x00")]).count("\n") + 1
            _fail("Tệp chứa ký tự không hợp lệ (NUL) — có phải tệp nhị phân?",
                  "The file contains NUL characters — is it binary?", at)
        pending += text
        # a CR at the very end may be the first half of a CRLF: keep it for the next block
        cut = len(pending) - 1 if block and pending.endswith("\r") else len(pending)
        pos = 0
        for match in _LINE.finditer(pending, 0, cut):
            if match.start() != pos:
                break
            line_no += 1
            yield match.group()
            pos = match.end()
        pending = pending[pos:]
        if len(pending) > MAX_LINE_CHARS:
            _fail(f"Dòng {line_no + 1} quá dài (hơn {MAX_LINE_CHARS:,} ký tự)".replace(",", "."),
                  f"Line {line_no + 1} is too long (over {MAX_LINE_CHARS:,} characters)", line_no + 1)
        if not block:
            break
    if pending:
        yield pending


@contextmanager
def _open_csv(path: Path):
    with path.open("rb") as fh:
        start = fh.read(4)
        fh.seek(0)
        utf16 = start.startswith(b"\xff\xfe") or start.startswith(b"\xfe\xff")
        lines = _csv_lines(fh, "utf-16" if utf16 else "utf-8-sig")
        first = next(lines, None)
        if first is None or not first.strip():
            _fail("Tệp trống", "The file is empty", 1)
        delimiter = ";" if first.count(";") > first.count(",") else ","

        def all_lines():
            yield first
            yield from lines

        csv.field_size_limit(MAX_CELL_CHARS * 4)
        reader = csv.reader(all_lines(), delimiter=delimiter)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            _fail(f"Tệp CSV hỏng: {exc}", f"Malformed CSV: {exc}", 1)
        keys = _check_header(header or [])
        yield Table(keys, _csv_rows(reader, keys))


def _csv_rows(reader, keys: list[str]) -> Iterator[tuple[int, dict]]:
    i = 1
    try:
        for i, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(keys) and any(v.strip() for v in values[len(keys):]):
                raise ValidationError([FieldError(
                    "file", f"Dòng có {len(values)} ô nhưng tiêu đề chỉ có {len(keys)} cột",
                    f"Row has {len(values)} cells but the header has {len(keys)} columns", i)])
            if i > MAX_ROWS + 1:
                _too_many_rows(i)
            yield i, _row_dict(keys, values, i)
    except csv.Error as exc:
        _fail(f"Tệp CSV hỏng: {exc}", f"Malformed CSV: {exc}", i + 1)


# ---- XLSX ------------------------------------------------------------------------------------------------

def _xlsx_too_big(what_vi: str, what_en: str, cap: int):
    mib = cap // (1024 * 1024)
    _fail(f"Tệp Excel bung ra quá lớn ({what_vi} vượt {mib} MiB) — có thể là tệp độc hại. "
          "Nếu là dữ liệu thật, hãy lưu thành CSV rồi nhập.",
          f"The Excel file inflates too much ({what_en} over {mib} MiB) — possibly a hostile file. "
          "If the data is genuine, save it as CSV and import that.")


_ROW_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?row>")


class _CappedPart:
    """A zip member being read, refused once it has inflated past its cap or once one row's XML (or any text
    run) passes `limits.row` bytes.

    Hand-written: openpyxl reads members through ZipFile.open() and builds one XML element per row; capping
    the bytes read and the distance between row ends bounds both the time and the memory a crafted sheet can
    take (a 1 GiB single cell, or millions of cells in one row), whatever the zip's headers claim."""

    def __init__(self, raw, name: str, counter: dict, cap: int, limits: XlsxLimits, rows: bool):
        self._raw, self._name, self._counter, self._cap, self._limits = raw, name, counter, cap, limits
        self._rows = rows
        self._read = 0
        self._since_row = 0     # bytes since the last </row> (sheets) …
        self._since_tag = 0     # … and since the last "<" (text cannot contain one: a cell's text is a run)
        self._tail = b""

    def read(self, n=-1):
        data = self._raw.read(n)
        self._read += len(data)
        self._counter["total"] += len(data)
        if self._read > self._cap:
            _xlsx_too_big(f"phần «{self._name}»", f"part '{self._name}'", self._cap)
        if self._counter["total"] > self._limits.total:
            _xlsx_too_big("tổng các phần", "all parts together", self._limits.total)
        if data:
            self._scan(data)
        return data

    def _scan(self, data: bytes) -> None:
        last_lt = data.rfind(b"<")
        self._since_tag = self._since_tag + len(data) if last_lt < 0 else len(data) - last_lt - 1
        if self._rows:
            window = self._tail + data
            end = max(_ROW_END.finditer(window), key=lambda m: m.end(), default=None)
            self._since_row = self._since_row + len(data) if end is None else len(window) - end.end()
            self._tail = window[-32:]
        if self._since_tag > self._limits.row or self._since_row > self._limits.row:
            mib = self._limits.row // (1024 * 1024)
            _fail(f"Tệp Excel có một dòng hoặc một ô quá lớn (hơn {mib} MiB XML) — có thể là tệp độc hại.",
                  f"The Excel file has a row or cell that is too large (over {mib} MiB of XML) — possibly "
                  "a hostile file.")

    def close(self):
        self._raw.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def readable(self):
        return True


class _CappedZip(zipfile.ZipFile):
    """A ZipFile whose members are read through _CappedPart (openpyxl opens every part through open())."""

    def __init__(self, path, limits: XlsxLimits):
        super().__init__(path)
        self._limits = limits
        self._counter = {"total": 0}
        try:
            declared = sum(info.file_size for info in self.infolist())
            if declared > limits.total:
                _xlsx_too_big("tổng các phần", "all parts together", limits.total)
            for info in self.infolist():
                if info.filename.lower().endswith("sharedstrings.xml") and info.file_size > limits.shared_strings:
                    _xlsx_too_big("bảng chuỗi dùng chung", "shared strings", limits.shared_strings)
        except ValidationError:
            self.close()
            raise

    def open(self, name, mode="r", pwd=None, **kwargs):
        raw = super().open(name, mode, pwd, **kwargs)
        if mode != "r":
            return raw
        filename = name.filename if isinstance(name, zipfile.ZipInfo) else str(name)
        lower = filename.lower()
        cap = self._limits.shared_strings if lower.endswith("sharedstrings.xml") else self._limits.total
        return _CappedPart(raw, filename, self._counter, cap, self._limits, rows="/worksheets/" in lower)


def _xml_refusal(exc: BaseException) -> None:
    """defusedxml's refusals (a DTD, an entity, an external reference) and broken XML → exit 2."""
    from defusedxml import DefusedXmlException
    chain, seen = [], exc
    while seen is not None:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    if any(isinstance(e, DefusedXmlException) for e in chain):
        _fail("Tệp Excel chứa khai báo DTD/thực thể XML (kiểu tấn công XXE hoặc «billion laughs») — đã từ chối.",
              "The Excel file contains XML DTD/entity declarations (an XXE or billion-laughs attack) — refused.")
    from xml.etree.ElementTree import ParseError
    if any(isinstance(e, (ParseError, SyntaxError)) for e in chain):
        _fail("Tệp Excel hỏng (XML không hợp lệ)", "Corrupt Excel file (invalid XML)")


def _reader(archive: _CappedZip):
    """openpyxl's ExcelReader (read-only, cached values) on the capped archive. Its __init__ only opens the
    path with a plain ZipFile and sets these attributes, so they are set here instead."""
    from openpyxl.reader.excel import ExcelReader

    reader = ExcelReader.__new__(ExcelReader)
    reader.archive, reader.valid_files = archive, archive.namelist()
    reader.read_only, reader.keep_vba, reader.data_only = True, False, True
    reader.keep_links, reader.rich_text, reader.shared_strings = False, False, []
    return reader


@contextmanager
def _open_xlsx(path: Path, limits: XlsxLimits):
    import openpyxl

    if not openpyxl.DEFUSEDXML:          # openpyxl picks its XML parser at import time
        raise RuntimeError("defusedxml must be installed before openpyxl is imported")
    try:
        archive = _CappedZip(path, limits)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        _fail("Tệp Excel hỏng hoặc không phải .xlsx", f"Corrupt or not an .xlsx file ({type(exc).__name__})")
    try:
        reader = _reader(archive)
        try:
            reader.read()
            wb = reader.wb
        except ValidationError:
            raise
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError, TypeError, IndexError,
                AttributeError) as exc:
            _xml_refusal(exc)
            _fail("Tệp Excel hỏng hoặc không phải .xlsx", f"Corrupt or not an .xlsx file ({type(exc).__name__})")
        if not wb.worksheets:
            _fail("Tệp Excel không có trang tính nào", "The Excel file has no worksheet")
        ws = wb.worksheets[0]
        ws.reset_dimensions()            # the stored <dimension> may be stale or false: read every row
        it = ws.iter_rows(values_only=True)
        try:
            header = next(it, None)
        except ValidationError:
            raise
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError, TypeError, IndexError) as exc:
            _xml_refusal(exc)
            _fail("Tệp Excel hỏng", f"Corrupt Excel file ({type(exc).__name__})")
        if header is None:
            _fail("Tệp trống", "The file is empty", 1)
        keys = _check_header([str(h) if h is not None else "" for h in header])
        yield Table(keys, _xlsx_rows(it, keys))
    finally:
        archive.close()


def _xlsx_rows(it, keys: list[str]) -> Iterator[tuple[int, dict]]:
    i = 1
    while True:
        try:
            values = next(it, None)
        except ValidationError:
            raise
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError, TypeError, IndexError) as exc:
            _xml_refusal(exc)
            _fail("Tệp Excel hỏng", f"Corrupt Excel file ({type(exc).__name__})", i + 1)
        if values is None:
            return
        i += 1
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        if i > MAX_ROWS + 1:
            _too_many_rows(i)
        yield i, _row_dict(keys, [_xlsx_value(v) for v in values], i)


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
