"""Hostile input (hypothesis): validators, CSV/XLSX import (malformed files, wrong encodings, formulas, huge
fields), search text with FTS/SQL syntax, file names, and damaged backup/transfer files.

Every case must end in a clear services.errors.AppError (with a Vietnamese and an English message) or in a
correct result — never another exception — and a failed action must store nothing at all.
"""
from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.db import database
from services.errors import AppError, ValidationError
from services.records import exporting, importing, store
from services.records.listing import ListQuery, list_page
from services.records.search import search
from tests import factories

KINDS = ["legal-aid", "mediation", "dissemination", "mediation-team", "person"]
FTS_BITS = ['"', "'", "*", "NEAR(", "NEAR/2", "AND", "OR", "NOT", "(", ")", "^", ":", "-", "+", "{", "}",
            "'; DROP TABLE person; --", "\" OR 1=1 --", "%", "_", "\\", "\x00", "rowid:1", "search_index MATCH 'a'",
            "đức*", "NEAR(\"a\" \"b\", 3)", "UNION SELECT * FROM setting", "/*", "*/"]
FIELD_NAMES = ["received_date", "commune_code", "requester", "requester_id", "beneficiary_category", "legal_field",
               "aid_form", "status", "outcome", "closed_date", "date", "form", "topic", "participants",
               "participants_women", "participants_ethnic_minority", "language", "parties", "dispute_field",
               "full_name", "id_number", "phone", "birth_year", "gender", "ethnicity", "village", "name",
               "members", "target_groups", "number", "id", "deleted", "_create_with_id", "summary"]
VALUES = st.one_of(st.none(), st.booleans(), st.integers(min_value=-10 ** 12, max_value=10 ** 12),
                   st.floats(allow_nan=True), st.text(max_size=60), st.sampled_from(FTS_BITS),
                   st.sampled_from(["24/11/2026", "2026-02-30", "31/12/9999", "0000-00-00", "06652", "99999",
                                    "Đất đai", "=CMD|' /C calc'!A0", "x" * 30_000]),
                   st.lists(st.text(max_size=10), max_size=3), st.dictionaries(st.text(max_size=8), st.text(max_size=8),
                                                                               max_size=3))


def _snapshot() -> dict[str, int]:
    names = [r[0] for r in database.execute_sql(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'").fetchall()]
    return {n: database.execute_sql(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def _clear(exc: AppError) -> None:
    assert exc.message("vi").strip() and exc.message("en").strip()


# ---- validators --------------------------------------------------------------------------------------------------

@given(kind=st.sampled_from(KINDS),
       data=st.dictionaries(st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=12)), VALUES, max_size=12))
def test_validators_reject_garbage_cleanly(db, kind, data):
    before = _snapshot()
    try:
        store.save(kind, data)
    except AppError as exc:
        _clear(exc)
        assert _snapshot() == before                     # nothing partial stored
    # a successful save is fine: hypothesis found a valid record


@given(overrides=st.dictionaries(st.sampled_from(["received_date", "commune_code", "legal_field", "aid_form",
                                                  "beneficiary_category", "summary"]), VALUES, max_size=3))
def test_legal_aid_with_one_hostile_field(db, overrides):
    before = _snapshot()
    try:
        store.save("legal-aid", factories.legal_aid(**overrides))
    except AppError as exc:
        _clear(exc)
        assert _snapshot() == before


# ---- search ------------------------------------------------------------------------------------------------------

@given(text=st.one_of(st.text(max_size=80), st.lists(st.sampled_from(FTS_BITS), min_size=1, max_size=6).map(" ".join)),
       kind=st.sampled_from([None, "legal-aid", "mediation", "dissemination"]))
def test_search_input_never_reaches_fts_raw(db, text, kind):
    if not hasattr(test_search_input_never_reaches_fts_raw, "_seeded"):
        store.save("legal-aid", factories.legal_aid())
        test_search_input_never_reaches_fts_raw._seeded = True
    before = _snapshot()
    hits = search(text, kind=kind, limit=10)
    assert isinstance(hits, list)
    page = list_page(ListQuery(kind=kind or "legal-aid", text=text))
    assert page.total >= 0
    assert _snapshot() == before


def test_search_still_finds_with_syntax_around_words(db):
    case = store.save("legal-aid", factories.legal_aid())
    for query in ('"đặng văn"', "đặng* (văn", "đức'; --", "(dang) ^van:", '"đặng'):
        assert [h["id"] for h in search(query)] == [case.id]


# ---- CSV / XLSX import ---------------------------------------------------------------------------------------------

def _import_fails_cleanly(kind: str, path: Path) -> AppError | None:
    before = _snapshot()
    try:
        importing.import_file(kind, path)
    except AppError as exc:
        _clear(exc)
        assert _snapshot() == before
        return exc
    return None


def _csv_bytes(rows: list[list], encoding="utf-8") -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode(encoding)


HEADER = ["date", "commune_code", "village", "form", "topic", "participants", "participants_women"]
GOOD = ["15/10/2026", "06652", "Bản Nà Pá", "Hội nghị", "Luật Đất đai 2024", "120", "55"]


@given(raw=st.binary(max_size=2000))
def test_random_bytes_as_csv(db, tmp_path_factory, raw):
    path = tmp_path_factory.mktemp("csv") / "random.csv"
    path.write_bytes(raw)
    _import_fails_cleanly("dissemination", path)


@given(cells=st.lists(st.lists(st.one_of(st.text(max_size=40), st.sampled_from(FTS_BITS + ["=1+1", "@SUM(A1)",
                                                                                          "-2+3", "\r\n", ";", ","])),
                               min_size=0, max_size=9), min_size=1, max_size=6),
       sep=st.sampled_from([",", ";", "\t"]))
def test_malformed_csv_rows(db, tmp_path_factory, cells, sep):
    path = tmp_path_factory.mktemp("csv") / "rows.csv"
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep).writerows([HEADER] + cells)
    path.write_text(buf.getvalue(), encoding="utf-8")
    _import_fails_cleanly("dissemination", path)


def test_wrong_encodings(db, tmp_path):
    rows = [HEADER, GOOD]
    cp = tmp_path / "cp1258.csv"
    cp.write_bytes("\n".join(",".join(r) for r in rows).encode("cp1258", errors="replace"))
    err = _import_fails_cleanly("dissemination", cp)
    assert err is not None and "UTF-8" in err.message("en")
    latin = tmp_path / "latin1.csv"
    latin.write_bytes(_csv_bytes([HEADER, ["15/10/2026", "06652", "Ngô", "Hội nghị", "Café", "1", "0"]],
                                 "utf-8").replace("ô".encode(), b"\xf4"))
    assert _import_fails_cleanly("dissemination", latin) is not None
    bom16 = tmp_path / "utf16.csv"
    bom16.write_bytes(_csv_bytes(rows, "utf-16"))                     # with BOM: accepted
    assert _import_fails_cleanly("dissemination", bom16) is None
    nobom = tmp_path / "utf16le.csv"
    nobom.write_bytes(_csv_bytes(rows, "utf-16-le"))                  # without BOM: a clear error
    assert _import_fails_cleanly("dissemination", nobom) is not None


def test_formulas_are_stored_as_text_and_exported_inert(db, tmp_path):
    evil = ["=CMD|' /C calc'!A0", "+HYPERLINK(\"http://x\")", "@SUM(1+1)*cmd|' /C calc'!A0", "-2+3+cmd|'/C calc'!A0"]
    path = tmp_path / "formula.csv"
    path.write_bytes(_csv_bytes([HEADER] + [GOOD[:4] + [topic, "10", "1"] for topic in evil]))
    try:
        importing.import_file("dissemination", path)
    except ValidationError as exc:                                    # rejecting them is fine too
        _clear(exc)
        return
    out_csv, out_xlsx = tmp_path / "out.csv", tmp_path / "out.xlsx"
    exporting.export_file("dissemination", out_csv)
    exporting.export_file("dissemination", out_xlsx)
    text = out_csv.read_text(encoding="utf-8-sig")
    for topic in evil:
        assert f"'{topic}" in text or f"\"'{topic.replace(chr(34), chr(34) * 2)}\"" in text
    import openpyxl
    sheet = openpyxl.load_workbook(out_xlsx).active
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"                             # never a live formula


def test_huge_fields_and_many_columns(db, tmp_path):
    huge = tmp_path / "huge.csv"
    huge.write_bytes(_csv_bytes([HEADER, GOOD, GOOD[:4] + ["x" * 200_000, "1", "0"]]))
    err = _import_fails_cleanly("dissemination", huge)
    assert isinstance(err, ValidationError)
    wide = tmp_path / "wide.csv"
    wide.write_bytes(_csv_bytes([HEADER + [f"extra{i}" for i in range(3000)], GOOD + ["v"] * 3000]))
    _import_fails_cleanly("dissemination", wide)
    dup = tmp_path / "dup.csv"
    dup.write_bytes(_csv_bytes([HEADER + ["topic"], GOOD + ["again"]]))
    assert _import_fails_cleanly("dissemination", dup) is not None


def test_one_bad_row_stores_nothing(db, tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(_csv_bytes([HEADER, GOOD, GOOD, GOOD[:4] + ["", "abc", "999"], GOOD]))
    err = _import_fails_cleanly("dissemination", path)
    assert err is not None and {e.row for e in err.errors} >= {4}


@given(raw=st.binary(max_size=3000))
def test_malformed_xlsx(db, tmp_path_factory, raw):
    folder = tmp_path_factory.mktemp("xlsx")
    path = folder / "random.xlsx"
    path.write_bytes(raw)
    _import_fails_cleanly("dissemination", path)
    fake_zip = folder / "zip.xlsx"
    with zipfile.ZipFile(fake_zip, "w") as z:
        z.writestr("xl/workbook.xml", raw)
        z.writestr("[Content_Types].xml", b"<Types/>")
    _import_fails_cleanly("dissemination", fake_zip)


def test_truncated_and_formula_xlsx(db, tmp_path):
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append(GOOD)
    ws.append(GOOD[:4] + ["=1+1", "=A1*2", "1"])
    good = tmp_path / "good.xlsx"
    wb.save(good)
    data = good.read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(data[: len(data) // 2])
    assert _import_fails_cleanly("dissemination", cut) is not None
    _import_fails_cleanly("dissemination", good)                     # formulas: never evaluated, error or text


# ---- file names ----------------------------------------------------------------------------------------------------

NAME_CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00")


@given(name=st.text(NAME_CHARS, min_size=1, max_size=40), suffix=st.sampled_from([".csv", ".xlsx", ".txt", ".pdf", ""]))
def test_export_and_import_file_names(db, tmp_path_factory, name, suffix):
    folder = tmp_path_factory.mktemp("names")
    if name in (".", ".."):
        name = name + "x"
    path = folder / (name + suffix)
    if len(path.name.encode()) > 250:
        return
    try:
        n = exporting.export_file("dissemination", path)
    except AppError as exc:
        _clear(exc)
        assert suffix not in (".csv", ".xlsx")
        return
    assert n >= 0 and path.is_file() and suffix in (".csv", ".xlsx")
    _import_fails_cleanly("dissemination", path)                     # header-only file: fine or a clear error


@pytest.mark.parametrize("name", ["missing.csv", "nested/missing.csv", "folder.csv", "../../etc/passwd",
                                  "tên có dấu và khoảng trắng.csv", "semi;colon&$(echo x).csv", "no-suffix"])
def test_import_odd_paths(db, tmp_path, name):
    (tmp_path / "folder.csv").mkdir()
    good = tmp_path / "tên có dấu và khoảng trắng.csv"
    good.write_bytes(_csv_bytes([HEADER, GOOD]))
    path = tmp_path / name
    err = _import_fails_cleanly("dissemination", path)
    if name == good.name:
        assert err is None
    else:
        assert err is not None


# ---- backup / transfer files -----------------------------------------------------------------------------------------

@given(raw=st.binary(max_size=600), magic=st.sampled_from([b"", b"PLCSBAK1", b"PLCSXFR1", b"SQLite format 3\x00"]))
def test_hostile_backup_and_transfer_files(db_file, tmp_path_factory, raw, magic):
    from services.data_dir import restore, transfer
    path = tmp_path_factory.mktemp("files") / "hostile.bin"
    path.write_bytes(magic + raw)
    before = _snapshot()
    for action in (lambda: transfer.import_file(path, password="x"), lambda: restore.restore_backup(path)):
        try:
            action()
        except AppError as exc:
            _clear(exc)
        assert _snapshot() == before


@pytest.fixture
def db_file(tmp_path_factory):
    """A small file database (restore needs a real data folder)."""
    from services.data_dir import app
    folder = tmp_path_factory.mktemp("data")
    ctx = app.open_data_dir(folder)
    store.save("legal-aid", factories.legal_aid())
    yield ctx
    app.close()


# ---- XML attacks and inflation caps in XLSX (issue 14 item 4); the hostile files are made here --------------------

def _good_xlsx(path: Path, rows: int = 2, constant_memory: bool = False) -> Path:
    import xlsxwriter
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": constant_memory})
    ws = wb.add_worksheet()
    ws.write_row(0, 0, HEADER)
    for r in range(1, rows + 1):
        ws.write_row(r, 0, GOOD)
    wb.close()
    return path


def _rewrite_member(path: Path, member: str, edit) -> None:
    with zipfile.ZipFile(path) as z:
        members = [(info.filename, z.read(info)) for info in z.infolist()]
    assert member in dict(members), member
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            z.writestr(name, edit(data) if name == member else data)


XXE = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
       b'<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n')
LAUGHS = (b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE r [<!ENTITY l0 "ha">'
          + b"".join(b'<!ENTITY l%d "%s">' % (i, b"&l%d;" % (i - 1) * 10) for i in range(1, 10)) + b"]>\n")


def _with_dtd(prolog: bytes, entity: bytes):
    """Put a DTD before the root element and the entity in the first text/value the part has."""
    def edit(data: bytes) -> bytes:
        body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
        for marker in (b"<t>", b"<v>", b'<sheet name="'):
            if marker in body:
                body = body.replace(marker, marker + entity, 1)
                break
        return prolog + body.lstrip()
    return edit


@pytest.mark.parametrize("attack", ["xxe", "billion-laughs"])
@pytest.mark.parametrize("member", ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/workbook.xml"])
def test_xml_attacks_in_xlsx_are_refused_with_a_clear_message(db, tmp_path, attack, member):
    path = _good_xlsx(tmp_path / f"{attack}.xlsx")
    prolog, entity = (XXE, b"&xxe;") if attack == "xxe" else (LAUGHS, b"&l9;")
    _rewrite_member(path, member, _with_dtd(prolog, entity))
    err = _import_fails_cleanly("dissemination", path)
    assert isinstance(err, ValidationError) and err.exit_code == 2
    assert "XXE" in err.message("en") and "XXE" in err.message("vi")


def test_xxe_xlsx_from_the_cli_exits_2(tmp_path):
    import os
    import subprocess
    import sys
    root = Path(__file__).resolve().parent.parent
    path = _good_xlsx(tmp_path / "xxe.xlsx")
    _rewrite_member(path, "xl/worksheets/sheet1.xml", _with_dtd(XXE, b"&xxe;"))
    env = {**os.environ, "PLCS_NO_ENCRYPTION": "1"}
    env.pop("PLCS_PASSPHRASE", None)
    r = subprocess.run([sys.executable, "main.py", "--data-dir", str(tmp_path / "data"), "import", "dissemination",
                        str(path)], cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2, r.stderr
    assert "XXE" in r.stderr and "Internal error" not in r.stderr


def test_xlsx_inflating_past_the_cap_is_refused(db, tmp_path, monkeypatch):
    """The zip's declared sizes over the cap: refused before any XML is parsed."""
    from services.records import tabular
    monkeypatch.setattr(tabular, "XLSX_LIMITS", tabular.XlsxLimits(total=1024 * 1024, shared_strings=64 * 1024,
                                                                   row=64 * 1024))
    path = _good_xlsx(tmp_path / "bomb.xlsx")
    padding = b"<!-- " + b" " * (2 * 1024 * 1024) + b" -->"          # 2 MiB of XML, a few KiB zipped
    _rewrite_member(path, "xl/styles.xml", lambda data: data + padding)
    assert path.stat().st_size < 100_000
    err = _import_fails_cleanly("dissemination", path)
    assert isinstance(err, ValidationError) and "1 MiB" in err.message("en") and "CSV" in err.message("en")
    strings = _good_xlsx(tmp_path / "strings.xlsx")
    _rewrite_member(strings, "xl/sharedStrings.xml",
                    lambda data: data.replace(b"</sst>", padding[:100_000] + b"</sst>"))
    err = _import_fails_cleanly("dissemination", strings)
    assert isinstance(err, ValidationError) and "shared strings" in err.message("en")


def test_xlsx_whose_zip_headers_lie_about_sizes_is_refused(db, tmp_path):
    """A member that inflates to more than its declared size: zipfile stops at the declared size and the CRC
    fails, so the bytes actually read never pass what the cap checked."""
    path = _good_xlsx(tmp_path / "liar.xlsx", rows=200)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    # patch the declared uncompressed size in the central directory record of the sheet
    name = b"xl/worksheets/sheet1.xml"
    cd = data.rfind(b"PK\x01\x02", 0, data.rfind(name))
    assert int.from_bytes(data[cd + 24:cd + 28], "little") == info.file_size
    data[cd + 24:cd + 28] = (200).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    err = _import_fails_cleanly("dissemination", path)
    assert isinstance(err, ValidationError) and err.exit_code == 2


@pytest.mark.parametrize("shape", ["one-huge-cell", "one-huge-row"])
def test_xlsx_with_a_giant_row_or_cell_is_refused(db, tmp_path, monkeypatch, shape):
    """One row (or one cell's text) over the per-row cap is refused while it streams, before it is held whole."""
    from services.records import tabular
    monkeypatch.setattr(tabular, "XLSX_LIMITS", tabular.XlsxLimits(row=256 * 1024))
    path = _good_xlsx(tmp_path / f"{shape}.xlsx", constant_memory=True)
    if shape == "one-huge-cell":
        huge = b'<c r="Z2" t="inlineStr"><is><t>' + b"x" * (512 * 1024) + b"</t></is></c>"
    else:
        huge = b"".join(b'<c r="A2" t="inlineStr"><is><t>x</t></is></c>' for _ in range(20_000))
    _rewrite_member(path, "xl/worksheets/sheet1.xml", lambda data: data.replace(b"</row>", huge + b"</row>", 2)
                    .replace(huge + b"</row>", b"</row>", 1))
    err = _import_fails_cleanly("dissemination", path)
    assert isinstance(err, ValidationError) and "too large" in err.message("en")


def test_csv_line_without_end_is_refused_before_it_is_held(db, tmp_path, monkeypatch):
    from services.records import tabular
    monkeypatch.setattr(tabular, "MAX_LINE_CHARS", 10_000)
    path = tmp_path / "one-line.csv"
    path.write_bytes(_csv_bytes([HEADER]) + b"a," * 20_000)
    err = _import_fails_cleanly("dissemination", path)
    assert isinstance(err, ValidationError) and "too long" in err.message("en") and err.errors[0].row == 2
