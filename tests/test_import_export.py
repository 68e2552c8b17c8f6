"""CSV/XLSX import (all or nothing, row-numbered errors, re-import by id, masked identifiers) and export."""
from __future__ import annotations

import csv

import pytest
from openpyxl import Workbook, load_workbook

from models.records import AuditEntry, DisseminationEvent, LegalAidCase, MediationCase, Person
from services import exporting, importing, records
from services.columns import IMPORT_COLUMNS
from services.errors import ValidationError
from tests import factories as f


def write_csv(path, header, rows, delimiter=",", encoding="utf-8"):
    with open(path, "w", newline="", encoding=encoding) as fh:
        w = csv.writer(fh, delimiter=delimiter)
        w.writerow(header)
        w.writerows(rows)
    return path


DISSEMINATION_ROW = ["15/10/2026", "06652", "Bản Nà Pá", "Hội nghị", "Luật Đất đai 2024", "Luật Đất đai", "dtts; phụ nữ",
                     "120", "55", "90", "100", "Tiếng Dao", "Hoàng Thị Lan", ""]


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
    case = records.save("legal-aid", f.legal_aid())
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
    case = records.get("legal-aid", case.id)
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
    records.save("dissemination", f.dissemination(topic="=HYPERLINK(\"http://x\")", notes="+cmd"))
    exporting.export_file("dissemination", tmp_path / "e.csv")
    text = (tmp_path / "e.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and "'+cmd" in text
    exporting.export_file("dissemination", tmp_path / "e.xlsx")
    ws = load_workbook(tmp_path / "e.xlsx").active
    assert ws["E2"].data_type == "s"             # stored as text, never a formula
    # …and re-importing our own export restores the original text.
    assert importing.import_file("dissemination", tmp_path / "e.csv").unchanged == 1
