"""Records dated before the 2025 reorganisation, effective 01/07/2025 (district level ended, communes merged;
issue 15 §6): a record keeps `commune_code` = the post-reform commune it rolls up into and may name the unit of
its date (`historic_commune_code`); imports read an old code by the row's date; documents, tallies and
assessments of old dates use the old unit."""
from __future__ import annotations

import csv
import datetime as dt

import pytest

from models.records import DisseminationEvent, LegalAidCase, MediationCase
from services.errors import ValidationError
from services.records import exporting, importing
from services.records import store as records
from services.records.columns import IMPORT_COLUMNS, all_columns
from tests import factories as f

# 06652 was Phường Hà Phong (TP Hạ Long, Quảng Ninh) before the reform; after it, 06652 is Phường Hà Tu, made of
# old Hà Phong, Hà Tu, … . 06655 Phường Hà Khẩu (old only) was divided between 06661 (main) and 06706.
OLD_SAME, OLD_ONLY = "06652", "06655"


def write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def dissemination_row(day, commune):
    return [day, commune, "Khu 3", "Hội nghị", "Luật Hòa giải ở cơ sở", "", "", "40", "20", "", "", "", "", ""]


# ---- validation ---------------------------------------------------------------------------------------------------
def test_historic_unit_must_precede_the_reform_and_lead_to_the_commune(db):
    """The 2025 reorganisation, effective 01/07/2025: an old unit is only valid on a date before that day, and
    only together with a post-reform commune among its successors."""
    e = records.save("dissemination", f.dissemination(date="2025-01-02", historic_commune_code=OLD_SAME))
    assert (e.commune_code, e.historic_commune_code) == ("06652", OLD_SAME)
    with pytest.raises(ValidationError) as err:
        records.save("dissemination", f.dissemination(date="2025-07-01", historic_commune_code=OLD_SAME))
    assert "historic_commune_code" in err.value.by_field() and "01/07/2025" in err.value.message()
    with pytest.raises(ValidationError) as err:
        records.save("dissemination", f.dissemination(date="2025-01-02", commune_code=f.OTHER_COMMUNE,
                                                      historic_commune_code=OLD_SAME))
    assert "Phường Hà Phong" in err.value.by_field()["historic_commune_code"]
    with pytest.raises(ValidationError):
        records.save("dissemination", f.dissemination(date="2025-01-02", historic_commune_code="99999"))
    # moving the stored record's date past the reform is refused while it names an old unit
    with pytest.raises(ValidationError):
        records.save("dissemination", {"date": "2025-08-01"}, record_id=e.id)
    e = records.save("dissemination", {"date": "2025-08-01", "historic_commune_code": ""}, record_id=e.id)
    assert e.historic_commune_code == ""


def test_the_form_keeps_a_post_reform_commune_with_an_old_date(db):
    """The form always sends historic_commune_code: its commune_code is the post-reform commune as chosen."""
    e = records.save("legal-aid", f.legal_aid(received_date="05/03/2025", historic_commune_code=""))
    assert (e.commune_code, e.historic_commune_code) == ("06652", "")


# ---- import / export --------------------------------------------------------------------------------------------
def test_import_reads_an_old_code_or_name_by_the_rows_date(db, tmp_path):
    """The 2025 reorganisation, effective 01/07/2025: for a row dated before it, commune_code is read as the unit
    of that time and rolls up into its successor; the old code is kept as historic_commune_code."""
    rows = [dissemination_row("02/01/2025", OLD_SAME), dissemination_row("15/03/2024", OLD_ONLY),
            dissemination_row("20/05/2025", "Phường Hà Khẩu"), dissemination_row("02/08/2025", "06652")]
    path = write_csv(tmp_path / "e.csv", IMPORT_COLUMNS["dissemination"], rows)
    assert importing.import_file("dissemination", path).created == 4
    got = [(str(e.date), e.commune_code, e.historic_commune_code)
           for e in DisseminationEvent.select().order_by(DisseminationEvent.date)]
    assert got == [("2024-03-15", "06661", OLD_ONLY), ("2025-01-02", "06652", OLD_SAME),
                   ("2025-05-20", "06661", OLD_ONLY), ("2025-08-02", "06652", "")]


def test_import_of_a_legal_aid_case_with_an_old_code_moves_the_requester_too(db, tmp_path):
    header = IMPORT_COLUMNS["legal-aid"]
    row = {"received_date": "10/06/2025", "commune_code": OLD_ONLY, "requester_name": "Đặng Văn Đức",
           "beneficiary_category": "Người thuộc hộ nghèo", "legal_field": "Đất đai", "aid_form": "Tư vấn pháp luật"}
    path = write_csv(tmp_path / "l.csv", header, [[row.get(h, "") for h in header]])
    importing.import_file("legal-aid", path)
    case = LegalAidCase.get()
    assert (case.commune_code, case.historic_commune_code, case.requester.commune_code) == ("06661", OLD_ONLY,
                                                                                            "06661")


def test_an_old_code_for_a_post_reform_date_is_a_row_error_naming_both(db, tmp_path):
    """The 2025 reorganisation, effective 01/07/2025: from that day an old unit's code means nothing."""
    rows = [dissemination_row("02/01/2025", OLD_ONLY), dissemination_row("01/07/2025", OLD_ONLY)]
    path = write_csv(tmp_path / "e.csv", IMPORT_COLUMNS["dissemination"], rows)
    with pytest.raises(ValidationError) as err:
        importing.import_file("dissemination", path)
    assert [(e.row, e.field) for e in err.value.errors] == [(3, "commune_code")]
    message = err.value.errors[0].vi
    assert OLD_ONLY in message and "Phường Hà Khẩu" in message and "01/07/2025" in message
    assert DisseminationEvent.select().count() == 0


def test_export_and_reimport_keep_both_codes(db, tmp_path):
    records.save("mediation", f.mediation(received_date="2025-02-10", commune_code=OLD_ONLY))   # a script
    records.save("mediation", f.mediation(received_date="2025-02-11", historic_commune_code=""))
    assert "historic_commune_code" in all_columns("mediation")
    out = tmp_path / "m.csv"
    exporting.export_file("mediation", out)
    before = sorted((c.id, c.commune_code, c.historic_commune_code) for c in MediationCase.select())
    assert before[0][1:] == ("06661", OLD_ONLY) and before[1][1:] == ("06652", "")
    result = importing.import_file("mediation", out)
    assert result.created == 0
    assert sorted((c.id, c.commune_code, c.historic_commune_code) for c in MediationCase.select()) == before


# ---- printing ---------------------------------------------------------------------------------------------------
def _text(pdf: bytes) -> str:
    import io

    import pdfplumber
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return " ".join(" ".join(page.extract_text() or "" for page in doc.pages).split())   # lines joined


def test_documents_of_an_old_record_name_the_unit_of_its_date(db):
    """The 2025 reorganisation, effective 01/07/2025: an event of 02/01/2025 held in old Phường Hà Phong is
    recorded under that ward, Thành phố Hạ Long (district level, ended 01/07/2025), Tỉnh Quảng Ninh — not under
    the post-reform Phường Hà Tu that now has code 06652."""
    from services import printing
    old = records.save("dissemination", f.dissemination(date="2025-01-02", historic_commune_code=OLD_SAME))
    for doc in ("event-record", "attendance-sheet"):
        text = _text(printing.print_documents(doc, [old.id]))
        for name in ("PHƯỜNG HÀ PHONG", "THÀNH PHỐ HẠ LONG", "Hà Phong, ngày 02 tháng 01 năm 2025"):
            assert name in text, (doc, name)
        assert "Phường Hà Phong, Thành phố Hạ Long, Tỉnh Quảng Ninh" in text, doc
        assert "Hà Tu" not in text, doc
    new = records.save("dissemination", f.dissemination(date="2025-07-02"))
    text = _text(printing.print_documents("event-record", [new.id]))
    assert "PHƯỜNG HÀ TU" in text and "TỈNH QUẢNG NINH" in text and "Hà Phong" not in text


def test_case_slip_mediation_documents_and_book_of_old_records(db):
    from services import printing
    case = records.save("legal-aid", f.legal_aid(received_date="10/06/2025", commune_code=OLD_ONLY))
    text = _text(printing.print_documents("case-slip", [case.id]))
    assert "PHƯỜNG HÀ KHẨU" in text and "Phường Hà Khẩu, Thành phố Hạ Long, Tỉnh Quảng Ninh" in text
    form = _text(printing.print_documents("legal-aid-request", [case.id]))      # Mẫu 02: place of the date line
    assert "Hà Khẩu, ngày 10 tháng" in form and "Việt Hưng" not in form
    team = records.save("mediation-team", {"name": "Tổ hòa giải khu 5", "commune_code": "06661"})
    med = records.save("mediation", f.mediation(received_date="2025-03-02", commune_code=OLD_ONLY, team_id=team.id,
                                                outcome="thanh", closed_date="2025-03-09", agreement="Mở lại lối đi"))
    for doc in ("mediation-minutes", "mediation-agreement"):
        text = _text(printing.print_documents(doc, [med.id]))       # the heading cell wraps the old name
        assert "ỦY BAN NHÂN DÂN PHƯỜNG HÀ" in text and "KHẨU" in text and "Việt Hưng" not in text, doc
    book = _text(printing.print_mediation_book(team.id, dt.date(2025, 1, 1), dt.date(2025, 6, 30)))
    assert "Phường Hà Khẩu, Thành phố Hạ Long, Tỉnh Quảng Ninh" in book
    book = _text(printing.print_mediation_book(team.id, dt.date(2025, 1, 1), dt.date(2025, 12, 31)))
    assert "Hà Khẩu" not in book and "Phường Việt Hưng" in book


# ---- tallies ----------------------------------------------------------------------------------------------------
def test_tally_across_the_reform_rolls_old_units_into_the_new_commune(db, tmp_path):
    """The 2025 reorganisation, effective 01/07/2025: a tally over 2025 counts an event imported under old
    Phường Hà Khẩu (06655, divided; main successor 06661 Phường Việt Hưng) in 06661, names only post-reform
    communes per commune, and says that pre-reform figures were rolled up."""
    from services.reports import periods, tally
    rows = [dissemination_row("15/03/2025", OLD_ONLY), dissemination_row("02/01/2025", OLD_SAME),
            dissemination_row("10/09/2025", "06661")]
    importing.import_file("dissemination", write_csv(tmp_path / "e.csv", IMPORT_COLUMNS["dissemination"], rows))
    data = tally.compute(periods.custom("2025-01-01", "2025-12-31"), province="22")
    assert data.dissemination["sessions"] == 3
    assert {code: v["sessions"] for code, v in data.by_commune.items()} == {"06652": 1, "06661": 2}
    assert data.rollup_note == tally.ROLLUP_NOTE and data.to_json()["rollup_note"] == tally.ROLLUP_NOTE
    part = tally.compute(periods.custom("2025-01-01", "2025-12-31"), communes=["06661"])
    assert part.dissemination["sessions"] == 2 and part.dissemination["participants"] == 80
    text = _text(tally.render(data, "pdf"))
    assert "Số liệu trước 01/07/2025 được cộng vào đơn vị hành chính mới theo bảng chuyển đổi" in text
    assert "Phường Việt Hưng" in text and "Hà Khẩu" not in text
    after = tally.compute(periods.custom("2026-07-01", "2026-12-31"), province="22")
    assert after.rollup_note is None
    # coverage rolls up the same way and says so
    from services.reports import coverage
    rep = coverage.coverage(dt.date(2025, 1, 1), dt.date(2025, 12, 31), communes=["06661"])
    assert rep.summary["sessions"] == 2 and rep.communes[0]["name"] == "Phường Việt Hưng"
    assert rep.rules["rollup"] == tally.ROLLUP_NOTE["vi"]
    assert "rollup" not in coverage.coverage(dt.date(2026, 7, 1), dt.date(2026, 12, 31), communes=["06661"]).rules


# ---- assessment -------------------------------------------------------------------------------------------------
def test_a_2024_assessment_is_of_the_old_commune(db, tmp_path):
    """The 2025 reorganisation, effective 01/07/2025: a 2024 assessment (QĐ 25/2021, years 2022–2024) is of the
    commune that existed in 2024, is headed by it, and takes as evidence the records naming it (plus those of its
    successor naming no old unit)."""
    from services.assessment import assess, set_values
    from services.assessment.pdf import scorecard_pdf
    records.save("dissemination", f.dissemination(date="2024-05-02", historic_commune_code=OLD_SAME))
    records.save("dissemination", f.dissemination(date="2024-06-02", historic_commune_code="06664"))  # old Hà Tu
    records.save("dissemination", f.dissemination(date="2024-07-02", historic_commune_code=""))       # unknown
    card = assess("06652", 2024)
    assert (card["commune"], card["historic_commune_code"], card["commune_name"]) == ("06652", OLD_SAME,
                                                                                   "Phường Hà Phong")
    assert card["unit"] == {"code": OLD_SAME, "name": "Phường Hà Phong", "district": "Thành phố Hạ Long",
                            "province": "Tỉnh Quảng Ninh", "pre_reform": True}
    assert "06664 Phường Hà Tu" in card["unit_note"]
    hatu = assess("06664", 2024)
    assert hatu["commune"] == "06652" and hatu["commune_name"] == "Phường Hà Tu"
    from services.assessment import auto as auto_mod
    assert auto_mod.compute("dissemination.sessions", ("06652", OLD_SAME), 2024).value == 2
    assert auto_mod.compute("dissemination.sessions", ("06652", "06664"), 2024).value == 2
    assert auto_mod.compute("dissemination.sessions", "06652", 2024).value == 3      # the whole new commune
    # saved per old unit
    set_values(OLD_SAME, 2024, {"1.1": 5})
    set_values("06664", 2024, {"1.1": 3})
    assert assess(OLD_SAME, 2024)["result"]["total_points"] == 5
    assert assess("06664", 2024)["result"]["total_points"] == 3
    # from 2025 the code is the post-reform ward again
    assert assess("06652", 2025)["commune_name"] == "Phường Hà Tu" and assess("06652", 2025)["unit"]["district"] is None
    out = tmp_path / "card.pdf"
    scorecard_pdf(assess("06652", 2024), out)
    text = _text(out.read_bytes())
    assert "PHƯỜNG HÀ PHONG" in text and "THÀNH PHỐ HẠ LONG" in text and "Phường Hà Phong — chuẩn tiếp cận" in text


def test_a_new_commune_of_several_old_units_must_name_one_for_2024(db):
    """The 2025 reorganisation, effective 01/07/2025: Phường Hạ Long (06688) was made of old Hồng Hải and Hồng Hà;
    a 2024 assessment must name which one is assessed."""
    from services.assessment import assess
    with pytest.raises(ValidationError) as err:
        assess("Phường Hạ Long", 2024)
    assert err.value.exit_code == 2
    message = err.value.message()
    assert "06688 Phường Hồng Hải" in message and "06697 Phường Hồng Hà" in message
    assert assess("Phường Hạ Long", 2025)["commune"] == "06688"
    assert assess("06697", 2024)["commune_name"] == "Phường Hồng Hà"


def test_cli_assess_old_unit_and_refusal(data_dir):
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PLCS_DATA_DIR": str(data_dir)}

    def cli(*args):
        return subprocess.run([sys.executable, str(root / "main.py"), *args], capture_output=True, text=True,
                              cwd=root, env=env, timeout=120)
    r = cli("assess", "06655", "--year", "2024", "--format", "json")
    assert r.returncode == 0, r.stderr
    card = json.loads(r.stdout)
    assert (card["commune"], card["historic_commune_code"], card["commune_name"]) == ("06661", OLD_ONLY,
                                                                                   "Phường Hà Khẩu")
    r = cli("assess", "Phường Hạ Long", "--year", "2024", "--format", "json")
    assert r.returncode == 2 and "06688 Phường Hồng Hải" in r.stderr


# ---- the form ---------------------------------------------------------------------------------------------------
def test_form_shows_the_old_unit_only_for_dates_before_the_reform(db):
    """The 2025 reorganisation, effective 01/07/2025: the old-unit dropdown appears for earlier dates only, offers
    the old units of the chosen commune, picks the only one by itself, and the record prints/keeps it."""
    from services.data_dir import app as app_service
    from ui.state import AppState
    from ui.state.forms import HISTORIC, FormState
    app_service.save_profile({"full_name": "Nguyễn Thị Lan", "role": "officer", "province_code": "22",
                              "communes": ["06652", "06967"]})
    app = AppState(db)
    app.needs_setup = False

    def shown(form):
        return [fld.key for _, fs in form.fields() for fld in fs if fld.key == HISTORIC]

    form = FormState(app, "dissemination")
    form.set("date", "15/07/2025")
    assert shown(form) == [] and form.value(HISTORIC) == ""
    form.set("date", "02/01/2025")
    assert shown(form) == [HISTORIC]
    field = next(fld for _, fs in form.fields() for fld in fs if fld.key == HISTORIC)
    assert [code for code, _ in form.options(field)] == ["06652", "06664"]
    assert form.value(HISTORIC) == ""                       # two old units: the officer chooses
    form.choose(HISTORIC, "06652")
    for k, v in {"form": "hoi_nghi", "topic": "Luật Hòa giải ở cơ sở", "participants": "40"}.items():
        form.set(k, v)
    event = form.save()
    assert event is not None and (event.commune_code, event.historic_commune_code) == ("06652", "06652")
    assert app.t("field.historic_commune_code") == "Xã/phường/thị trấn trước sắp xếp"
    from ui.state.details import DetailState
    shown_commune = dict(DetailState(app, "dissemination", event.id).fields())["field.commune_code"]
    assert shown_commune == ("Phường Hà Tu (trước 01/07/2025: Phường Hà Phong, Thành phố Hạ Long, "
                             "Tỉnh Quảng Ninh)")
    again = FormState(app, "dissemination", event.id)
    assert again.value(HISTORIC) == "06652" and shown(again) == [HISTORIC]
    again.choose("commune_code", "06967")                   # Xã Cái Chiên had one predecessor: chosen by itself
    assert again.value(HISTORIC) == "06967"
    again.set("date", "02/08/2025")
    assert again.value(HISTORIC) == "" and shown(again) == []
    assert again.save().historic_commune_code == ""


def test_assessment_screen_offers_the_old_units_for_2024(db):
    from services.data_dir import app as app_service
    from ui.state import AppState
    from ui.state.assessment import AssessmentState
    app_service.save_profile({"full_name": "Nguyễn Thị Lan", "role": "officer", "province_code": "22",
                              "communes": ["06652"]})
    app = AppState(db)
    app.needs_setup = False
    state = AssessmentState(app)
    state.set_year(2024)
    assert [code for code, _ in state.commune_options()] == ["06652", "06664"]
    state.set_commune("06664")
    assert state.card["commune_name"] == "Phường Hà Tu" and state.card["unit"]["district"] == "Thành phố Hạ Long"
    state.set_year(2025)
    assert state.commune == "06652" and state.card["commune_name"] == "Phường Hà Tu"
    assert state.card["unit"]["pre_reform"] is False


# ---- sync -------------------------------------------------------------------------------------------------------
def test_historic_commune_code_syncs_between_devices(tmp_path, kinto_bucket):
    """The old unit travels with the record (real Kinto + PostgreSQL) and is in the server's schema."""
    from server.bootstrap import collection_schema
    from services.data_dir import app
    from tests.test_sync import Client
    assert collection_schema(DisseminationEvent)["properties"]["historic_commune_code"] == {
        "type": "string", "maxLength": 5}
    commune, old = kinto_bucket.communes[0], OLD_SAME        # test buckets use made-up commune codes
    a = Client(tmp_path / "a", kinto_bucket, name="a")
    b = Client(tmp_path / "b", kinto_bucket, name="b")
    try:
        a.use()
        event = records.save("dissemination", {"date": dt.date(2025, 1, 2), "commune_code": commune,
                                               "historic_commune_code": old, "form": "hoi_nghi", "topic": "Luật"},
                             _validated=True)
        assert a.sync().errors == []
        assert b.sync().errors == []
        b.use()
        got = DisseminationEvent.get_by_id(event.id)
        assert (got.commune_code, got.historic_commune_code) == (commune, old)
    finally:
        app.close()


def test_a_2024_assessment_saved_before_old_units_were_recorded_is_kept(db):
    """An assessment stored under the commune code only (before migration 0008) is the old unit that code named
    in 2024, and gets that unit on its next save."""
    from models.records import Assessment
    from services.assessment import assess, pick_framework, set_values, store
    store.save_values("06652", 2024, pick_framework(2024), {"1.1": {"value": 4, "evidence": ""}})
    assert Assessment.get().historic_commune_code == ""
    card = assess("06652", 2024)
    assert card["commune_name"] == "Phường Hà Phong" and card["result"]["total_points"] == 4
    assert assess("06664", 2024)["result"]["total_points"] == 0           # old Hà Tu: another unit
    set_values("06652", 2024, {"1.2": 5})
    assert [(a.historic_commune_code, a.values["1.1"]["value"]) for a in Assessment.select()] == [("06652", 4)]
