"""CSV/XLSX import (all or nothing, row-numbered errors, re-import by id, masked identifiers) and export."""
from __future__ import annotations

import csv

import pytest
from openpyxl import Workbook, load_workbook

from models.records import AuditEntry, DisseminationEvent, LegalAidCase, MediationCase, Person
from services.errors import ValidationError
from services.records import exporting, importing, store
from services.records.columns import IMPORT_COLUMNS
from tests import factories as f


def write_csv(path, header, rows, delimiter=",", encoding="utf-8"):
    with open(path, "w", newline="", encoding=encoding) as fh:
        w = csv.writer(fh, delimiter=delimiter)
        w.writerow(header)
        w.writerows(rows)
    return path


DISSEMINATION_ROW = ["15/10/2026", "06652", "Bản Nà Pá", "Hội nghị", "Luật Đất đai 2024", "Luật Đất đai",
                     "dtts; phụ nữ", "120", "55", "90", "100", "Tiếng Dao", "Hoàng Thị Lan", ""]


def test_good_csv_semicolon_bom_imports_everything(db, tmp_path):
    rows = [DISSEMINATION_ROW, ["2026-10-16", "06652", "Thôn 2", "tuyen truyen mieng", "Luật Trẻ em", "", "", "40", "",
                                "", "", "", "", ""]]
    path = write_csv(tmp_path / "e.csv", IMPORT_COLUMNS["dissemination"], rows, delimiter=";", encoding="utf-8-sig")
    result = importing.import_file("dissemination", path)
    assert result.created == 2
    events = list(DisseminationEvent.select().order_by(DisseminationEvent.date))
    assert events[0].language == "09" and events[0].target_groups == ["dtts", "phu_nu"]
    assert events[1].form == "tuyen_truyen_mieng" and events[1].language == "vi" and events[1].participants_women == 0


def test_bad_rows_are_all_reported_and_nothing_is_stored(db, tmp_path):
    bad = list(DISSEMINATION_ROW)
    bad[8] = "500"                                  # women > participants
    bad2 = list(DISSEMINATION_ROW)
    bad2[0] = "32/13/2026"
    bad2[1] = "12345"
    rows = [DISSEMINATION_ROW, bad, DISSEMINATION_ROW, bad2]
    path = write_csv(tmp_path / "e.csv", IMPORT_COLUMNS["dissemination"], rows)
    with pytest.raises(ValidationError) as err:
        importing.import_file("dissemination", path)
    problems = {(e.row, e.field) for e in err.value.errors}
    assert problems == {(3, "participants_women"), (5, "date"), (5, "commune_code")}
    assert "Dòng 3" in err.value.message("vi") and "Row 5" in err.value.message("en")
    assert DisseminationEvent.select().count() == 0 and AuditEntry.select().count() == 0


def test_legal_aid_xlsx_with_labels_and_dates(db, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(IMPORT_COLUMNS["legal-aid"])
    import datetime as dt
    ws.append([dt.datetime(2026, 3, 2), "06652", "Triệu Thị Mai", "Nữ", 1985, "dao", "022185000111", "0987 654 321",
               "nguoi thuoc ho ngheo", "Hôn nhân và gia đình", "tu van phap luat", "Đã tiếp nhận", "", "", "Ly hôn"])
    wb.save(tmp_path / "la.xlsx")
    result = importing.import_file("legal-aid", tmp_path / "la.xlsx")
    assert result.created == 1
    case = LegalAidCase.get()
    assert case.beneficiary_category == "2" and case.legal_field == "hon_nhan_gia_dinh" and case.aid_form == "tu_van"
    assert case.requester.full_name == "Triệu Thị Mai" and case.requester.phone == "0987654321"
    assert case.requester.ethnicity == "09"


def test_export_masks_identifiers_and_reimport_updates_by_id(db, tmp_path):
    case = store.save("legal-aid", f.legal_aid())
    out = tmp_path / "cases.csv"
    assert exporting.export_file("legal-aid", out) == 1
    text = out.read_text(encoding="utf-8-sig")
    assert "0220******34" in text and "022070001234" not in text
    assert AuditEntry.select().where(AuditEntry.action == "export").count() == 1
    # Edit the exported file and import it again: the same record is updated, masked values stay.
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    rows[0]["summary"] = "Cập nhật từ Excel"
    with out.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    result = importing.import_file("legal-aid", out)
    assert (result.created, result.updated) == (0, 1)
    assert LegalAidCase.select().count() == 1 and Person.select().count() == 1
    case = store.get("legal-aid", case.id)
    assert case.summary == "Cập nhật từ Excel" and case.requester.id_number == "022070001234"
    # Full identifiers on request.
    exporting.export_file("legal-aid", tmp_path / "full.xlsx", include_identifiers=True)
    ws = load_workbook(tmp_path / "full.xlsx").active
    header = [c.value for c in ws[1]]
    assert ws.cell(2, header.index("id_number") + 1).value == "022070001234"


def test_mediation_import_export_round_trip(db, tmp_path):
    path = write_csv(tmp_path / "m.csv", IMPORT_COLUMNS["mediation"], [
        ["02/11/2026", "06652", "Thôn Khe Lánh", "", "Đất đai", "Nguyễn Thị Hoa; Trần Văn Bình", "Lê Văn Cường",
         "Hòa giải thành", "05/11/2026", "Thống nhất mở lối đi"]])
    assert importing.import_file("mediation", path).created == 1
    case = MediationCase.get()
    assert case.outcome == "thanh" and len(case.parties) == 2 and case.mediators == ["Lê Văn Cường"]
    exporting.export_file("mediation", tmp_path / "m2.xlsx")
    assert importing.import_file("mediation", tmp_path / "m2.xlsx").unchanged == 1
    assert Person.select().count() == 2


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    ("date,commune\n01/01/2026,\xe9".encode("latin-1"), "UTF-8"),
    (b"\x00\x01\x02binary", "NUL"),
])
def test_unreadable_files_get_a_clear_message(db, tmp_path, content, message):
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(ValidationError) as err:
        importing.import_file("dissemination", path)
    assert message.lower() in err.value.message("en").lower()


def test_formulas_are_neutralised_on_export(db, tmp_path):
    store.save("dissemination", f.dissemination(topic="=HYPERLINK(\"http://x\")", notes="+cmd"))
    exporting.export_file("dissemination", tmp_path / "e.csv")
    text = (tmp_path / "e.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and "'+cmd" in text
    exporting.export_file("dissemination", tmp_path / "e.xlsx")
    ws = load_workbook(tmp_path / "e.xlsx").active
    assert ws["E2"].data_type == "s"             # stored as text, never a formula
    # …and re-importing our own export restores the original text.
    assert importing.import_file("dissemination", tmp_path / "e.csv").unchanged == 1


# ---- XLSX written by other tools, stale <dimension>, streaming in short transactions (issue 14 items 4–5) ------------

XLSX_HEADER = ["date", "commune_code", "village", "form", "topic", "participants", "participants_women"]


def _xlsx_rows(n: int) -> list[list]:
    return [[f"{10 + i:02d}/10/2026", "06652", f"Thôn {i}", "Hội nghị", f"Luật Đất đai buổi {i}", 100 + i, 40]
            for i in range(n)]


def _write_xlsxwriter(path, rows, constant_memory: bool):
    import xlsxwriter
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": constant_memory})   # shared strings / inline strings
    ws = wb.add_worksheet()
    for r, row in enumerate([XLSX_HEADER, *rows]):
        ws.write_row(r, 0, row)
    wb.close()


def _write_openpyxl(path, rows, write_only: bool):
    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet() if write_only else wb.active
    for row in [XLSX_HEADER, *rows]:
        ws.append(row)
    wb.save(path)


def rewrite_sheet(path, edit) -> None:
    """Rewrite xl/worksheets/sheet1.xml inside the zip with edit(xml_text) -> xml_text (other members as they are)."""
    import zipfile
    with zipfile.ZipFile(path) as z:
        members = [(info, z.read(info)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in members:
            if info.filename == "xl/worksheets/sheet1.xml":
                data = edit(data.decode("utf-8")).encode("utf-8")
            z.writestr(info.filename, data)


def _stale_dimension(xml: str) -> str:
    import re
    if "<dimension" in xml:
        xml, n = re.subn(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:O2"/>', xml)
    else:                                    # a writer that leaves it out: put a stale one where it belongs
        xml, n = re.subn(r"(<sheetData)", r'<dimension ref="A1:O2"/>\1', xml, count=1)
    assert n == 1
    return xml


@pytest.mark.parametrize("writer", ["xlsxwriter-shared-strings", "xlsxwriter-inline-strings",
                                    "openpyxl", "openpyxl-write-only"])
def test_xlsx_with_stale_dimension_imports_every_row(db, tmp_path, writer):
    """Issue 14 item 4: <dimension ref="A1:O2"/> but 5 data rows → 5 records, never 1."""
    path = tmp_path / f"{writer}.xlsx"
    rows = _xlsx_rows(5)
    if writer.startswith("xlsxwriter"):
        _write_xlsxwriter(path, rows, constant_memory=writer.endswith("inline-strings"))
    else:
        _write_openpyxl(path, rows, write_only=writer.endswith("write-only"))
    rewrite_sheet(path, _stale_dimension)
    result = importing.import_file("dissemination", path)
    assert result.created == 5
    topics = sorted(e.topic for e in DisseminationEvent.select())
    assert topics == sorted(f"Luật Đất đai buổi {i}" for i in range(5))


def test_xlsx_shared_and_inline_strings_in_one_sheet(db, tmp_path):
    """A sheet mixing shared-string cells (t="s") and inline-string cells (t="inlineStr"), as some tools write."""
    path = tmp_path / "mixed.xlsx"
    _write_xlsxwriter(path, _xlsx_rows(2), constant_memory=False)

    def inline_second_village(xml: str) -> str:
        import re
        xml, n = re.subn(r'<c r="C3"([^>]*) t="s"><v>\d+</v></c>',
                         r'<c r="C3"\1 t="inlineStr"><is><t>Bản Inline</t></is></c>', xml)
        assert n == 1
        return xml
    rewrite_sheet(path, inline_second_village)
    assert importing.import_file("dissemination", path).created == 2
    assert {e.village for e in DisseminationEvent.select()} == {"Thôn 0", "Bản Inline"}


def test_bad_row_reporting_is_bounded(db, tmp_path):
    """1,200 bad rows: the first MAX_REPORTED_ROWS are listed, the rest counted; nothing stored."""
    bad = list(DISSEMINATION_ROW)
    bad[8] = "500"                                   # women > participants
    path = write_csv(tmp_path / "bad.csv", IMPORT_COLUMNS["dissemination"], [bad] * 1200)
    with pytest.raises(ValidationError) as err:
        importing.import_file("dissemination", path)
    rows = {e.row for e in err.value.errors if e.row is not None}
    assert len(rows) == importing.MAX_REPORTED_ROWS and min(rows) == 2
    tail = [e for e in err.value.errors if e.row is None]
    assert len(tail) == 1 and "700" in tail[0].en and "700" in tail[0].vi
    assert DisseminationEvent.select().count() == 0


def test_the_same_id_twice_in_one_file_is_a_bad_row(db, tmp_path):
    import uuid
    rid = str(uuid.uuid4())
    header = ["id", *IMPORT_COLUMNS["dissemination"]]
    path = write_csv(tmp_path / "dup.csv", header, [[rid, *DISSEMINATION_ROW], [rid, *DISSEMINATION_ROW]])
    with pytest.raises(ValidationError) as err:
        importing.import_file("dissemination", path)
    assert [(e.row, e.field) for e in err.value.errors] == [(3, "id")] and "row 2" in err.value.errors[0].en
    assert DisseminationEvent.select().count() == 0


def _plain_folder(data_dir):
    from services.data_dir import app
    return app.open_data_dir(data_dir)


def test_import_commits_in_short_transactions_so_another_program_can_write(data_dir, tmp_path, monkeypatch):
    """Issue 14 item 5: between chunks the write lock is free — another connection (with a short busy timeout)
    writes every time the import reports progress, in both steps (check, move); the import still completes."""
    import sqlite3

    from services.data_dir import app
    monkeypatch.setattr(importing, "CHUNK_ROWS", 100)
    monkeypatch.setattr(importing, "YIELD_SECONDS", 0)
    _plain_folder(data_dir)
    path = write_csv(tmp_path / "many.csv", IMPORT_COLUMNS["dissemination"], [DISSEMINATION_ROW] * 1200)
    other = sqlite3.connect(data_dir / "plcs.db", timeout=0.2)
    writes = []

    def progress(done, total):
        other.execute("INSERT OR REPLACE INTO setting (key, value) VALUES ('other-program', ?)", (str(done),))
        other.commit()
        writes.append(total)
    try:
        result = importing.import_file("dissemination", path, progress=progress)
    finally:
        other.close()
    assert result.created == 1200 and DisseminationEvent.select().count() == 1200
    assert None in writes and 1200 in writes              # during the check and during the move
    from models.imports import ImportBatch, ImportRow
    assert ImportBatch.select().count() == 0 and ImportRow.select().count() == 0
    app.close()


def test_a_killed_import_is_discarded_while_checking_and_finished_while_moving(data_dir, tmp_path):
    """What the next open does with a batch left by a killed import (the lock file is free)."""
    from models.imports import ImportBatch, ImportRow
    from services.data_dir import app
    from services.records.tabular import open_table
    ctx = _plain_folder(data_dir)
    path = write_csv(tmp_path / "e.csv", IMPORT_COLUMNS["dissemination"], [DISSEMINATION_ROW] * 30)

    def staged(state: str) -> None:
        with open_table(path) as table:
            ImportBatch.create(id=state, kind="dissemination", file_name="e.csv", actor=ctx.actor, state="checking")
            total = importing._check("dissemination", table, state, None)
        ImportBatch.update(state=state, total=total).where(ImportBatch.id == state).execute()

    staged("checking")                          # killed while checking: nothing to show for it
    assert ImportRow.select().count() == 30
    app.close()
    _plain_folder(data_dir)
    assert ImportBatch.select().count() == 0 and ImportRow.select().count() == 0
    assert DisseminationEvent.select().count() == 0
    staged("moving")                            # killed while moving: every row was good, the move is finished
    batch = ImportBatch.get_by_id("moving")
    first = importing._loads(ImportRow.get(ImportRow.seq == 1).data)
    importing._save_row("dissemination", DisseminationEvent, None, first, ctx.actor, importing.ImportResult("x"))
    ImportRow.delete().where(ImportRow.seq == 1).execute()       # as if the first chunk had moved row 1 only
    assert batch.total == 30 and DisseminationEvent.select().count() == 1
    app.close()
    _plain_folder(data_dir)
    assert DisseminationEvent.select().count() == 30 and ImportBatch.select().count() == 0
    app.close()


def test_a_running_import_is_left_alone_by_another_open(data_dir, tmp_path):
    """The lock file of a live import keeps another process's open from discarding or moving its batch."""
    from models.imports import ImportBatch
    from services.data_dir import app
    ctx = _plain_folder(data_dir)
    ImportBatch.create(id="live", kind="dissemination", file_name="x.csv", actor=ctx.actor, state="checking")
    with importing._batch_lock("live"):
        import multiprocessing
        ctx_mp = multiprocessing.get_context("spawn")
        proc = ctx_mp.Process(target=_open_folder, args=(str(data_dir),))
        proc.start()
        proc.join(120)
        assert proc.exitcode == 0
        assert ImportBatch.select().where(ImportBatch.id == "live").count() == 1
    app.close()
    _plain_folder(data_dir)                      # the lock is free now: the leftover is discarded
    assert ImportBatch.select().count() == 0
    app.close()


def _open_folder(path: str) -> None:
    import os
    os.environ["PLCS_NO_ENCRYPTION"] = "1"
    from services.data_dir import app
    app.open_data_dir(path)
    app.close()


def test_busy_database_is_a_typed_error_and_stores_nothing(data_dir):
    """Another program holds the write lock past the busy timeout: DatabaseBusy (not a raw OperationalError)."""
    import sqlite3

    from services.data_dir import app
    from services.errors import DatabaseBusy
    _plain_folder(data_dir)
    from models.db import database
    database.execute_sql("PRAGMA busy_timeout = 200")
    other = sqlite3.connect(data_dir / "plcs.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(DatabaseBusy) as err:
            store.save("legal-aid", f.legal_aid())
        assert "chương trình khác đang ghi" in err.value.message("vi") and err.value.exit_code == 1
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert LegalAidCase.select().count() == 0
    store.save("legal-aid", f.legal_aid())          # free again: the same save works
    assert LegalAidCase.select().count() == 1
    app.close()


def test_ui_retry_policy_retries_with_backoff_then_gives_up():
    from services.errors import DatabaseBusy
    from tests.conftest import run_coroutine
    from ui.state.busy import retry_while_busy
    calls, seen = [], []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise DatabaseBusy()
        return "saved"
    assert run_coroutine(retry_while_busy(flaky, lambda a, n: seen.append((a, n)), delays=(0, 0, 0))) == "saved"
    assert seen == [(2, 4), (3, 4)]

    def always():
        raise DatabaseBusy()
    with pytest.raises(DatabaseBusy):
        run_coroutine(retry_while_busy(always, None, delays=(0, 0)))


def test_csv_with_old_mac_line_ends_and_crlf_split_across_blocks(db, tmp_path, monkeypatch):
    """Lone CR line ends (old Excel for Mac), and CRLF, read in blocks; a quoted cell keeps its line break."""
    path = tmp_path / "mac.csv"
    rows = [IMPORT_COLUMNS["dissemination"], DISSEMINATION_ROW, DISSEMINATION_ROW]
    text = "\r".join(",".join(f'"{c}"' for c in r) for r in rows) + "\r"
    path.write_bytes(text.encode("utf-8"))
    assert importing.import_file("dissemination", path).created == 2
    crlf = tmp_path / "crlf.csv"
    crlf.write_bytes(("\r\n".join(",".join(r) for r in rows) + "\r\n").encode("utf-8"))
    from services.records.tabular import read_table
    assert [n for n, _ in read_table(crlf).rows] == [2, 3]
