"""The records as the law writes them (issue 15, items 2–5), checked against verified-2026-12.md:
beneficiary categories of Luật TGPL 2017 Điều 7 with their validity dates (Luật 53/2024/QH15, 59/2024/QH15),
mediation per Luật Hòa giải ở cơ sở 2013 (Điều 12, 19, 20.2, 24, the two statutory outcomes, the sổ cover),
the person's date of birth (Mẫu 02-TP-TGPL) and the NĐ 30/2020 date line. Printed documents are checked by
extracting their text."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pdfplumber
import pytest

from models.records import LegalAidCase, MediationCase
from services import catalogs, printing
from services.errors import ValidationError
from services.formatting import fmt_long_date
from services.kinds import mediation_team
from services.printing.document import QUOC_HIEU, TIEU_NGU
from services.records import exporting, importing, store
from services.records.columns import IMPORT_COLUMNS, all_columns
from services.reports import periods, tally
from tests import factories as f

D = dt.date
CAT = "beneficiary_categories"


def text_of(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return "\n".join(page.extract_text() or "" for page in doc.pages)


def first_page(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return doc.pages[0].extract_text() or ""


def fields_of(err: ValidationError) -> set[str]:
    return {e.field for e in err.errors}


# ---- item 5: the date line (NĐ 30/2020) ---------------------------------------------------------------------

def test_date_line_leading_zero_only_for_days_below_10_and_months_1_2():
    """NĐ 30/2020/NĐ-CP (Phụ lục I; verified-2026-12.md §6): "Chỉ ngày nhỏ hơn 10 và tháng 1, 2 mới thêm số 0"."""
    assert fmt_long_date(D(2026, 3, 5)) == "ngày 05 tháng 3 năm 2026"
    assert fmt_long_date(D(2026, 2, 1)) == "ngày 01 tháng 02 năm 2026"
    assert fmt_long_date(D(2026, 11, 15)) == "ngày 15 tháng 11 năm 2026"
    assert fmt_long_date(D(2026, 1, 9)) == "ngày 09 tháng 01 năm 2026"
    assert fmt_long_date(D(2026, 12, 10)) == "ngày 10 tháng 12 năm 2026"


@pytest.mark.parametrize("received, expected", [("05/03/2026", "Hà Tu, ngày 05 tháng 3 năm 2026"),
                                                 ("01/02/2026", "Hà Tu, ngày 01 tháng 02 năm 2026"),
                                                 ("15/11/2026", "Hà Tu, ngày 15 tháng 11 năm 2026")])
def test_printed_documents_carry_the_decree_date_line(db, received, expected):
    """NĐ 30/2020 Điều 8 (địa danh và thời gian ban hành): the case slip's heading and the Mẫu 02 form."""
    case = store.save("legal-aid", f.legal_aid(received_date=received))
    assert expected in text_of(printing.print_documents("case-slip", [case.id]))
    assert expected in text_of(printing.print_documents("legal-aid-request", [case.id]))


# ---- item 2: beneficiary categories with dates ---------------------------------------------------------------

def test_category_catalog_follows_the_amendments():
    """Luật TGPL 2017 Điều 7 as amended: 6a added and 7g repealed from 01/07/2025 (Luật 53/2024/QH15 Điều 61);
    item 5 reworded and 7đ repealed from 01/01/2026 (Luật 59/2024/QH15 khoản 6 Điều 177). verified §3.3."""
    def valid(on):
        return catalogs.valid_codes(CAT, on)
    base = {"1", "2", "3", "4", "6", "7a", "7b", "7c", "7d", "7e", "7h"}
    assert valid(D(2025, 6, 30)) == base | {"5", "7dd", "7g"}
    assert valid(D(2025, 7, 1)) == base | {"5", "7dd", "6a"}
    assert valid(D(2025, 12, 31)) == base | {"5", "7dd", "6a"}
    assert valid(D(2026, 1, 1)) == base | {"5-2026", "6a"}
    codes = [e["code"] for e in catalogs.entries(CAT)]
    assert len(codes) == len(set(codes))                                    # distinct codes
    assert all(e.get("source") for e in catalogs.entries(CAT))              # every entry cites its source
    assert catalogs.point(CAT, "7dd") == "7đ" and catalogs.point(CAT, "5-2026") == "5"
    # The law's numbering resolves to the entry valid on the date; "7đ" never folds into "7d".
    assert catalogs.resolve(CAT, "5", on=D(2026, 3, 5)) == "5-2026"
    assert catalogs.resolve(CAT, "5", on=D(2025, 3, 5)) == "5"
    assert catalogs.resolve(CAT, "7đ") == "7dd" and catalogs.resolve(CAT, "7d") == "7d"


def test_case_refuses_a_category_not_in_force_on_its_date_and_keeps_a_stored_one(db):
    """Luật 53/2024/QH15 Điều 61 repeals 7g from 01/07/2025; a record made before keeps its category."""
    with pytest.raises(ValidationError) as err:
        store.save("legal-aid", f.legal_aid(received_date="05/03/2026", beneficiary_category="7g"))
    message = err.value.message("vi")
    assert "beneficiary_category" in fields_of(err.value) and "7g." in message and "05/03/2026" in message
    assert LegalAidCase.select().count() == 0
    new5 = store.save("legal-aid", f.legal_aid(received_date="05/03/2026", beneficiary_category="5"))
    assert new5.beneficiary_category == "5-2026"
    old = store.save("legal-aid", f.legal_aid(received_date="20/12/2025", beneficiary_category="7đ"))
    assert old.beneficiary_category == "7dd"
    # Editing the stored record (even its date, into 2026) keeps its category.
    store.save("legal-aid", {"beneficiary_category": "7dd", "summary": "Đã tư vấn"}, record_id=old.id)
    store.save("legal-aid", {"received_date": "02/01/2026", "status_date": "02/01/2026"}, record_id=old.id)
    assert LegalAidCase.get_by_id(old.id).beneficiary_category == "7dd"


def test_form_offers_the_categories_valid_on_the_received_date(db):
    """Luật TGPL Điều 7 as in force on the received date (verified §3.3); a stored category stays selectable."""
    from services.data_dir import app as app_service
    from ui.state import AppState
    app_service.save_profile({"full_name": "Nguyễn Thị Lan", "role": "officer", "province_code": "22",
                              "communes": [f.COMMUNE]})
    state = AppState(db)
    from ui.state.forms import SPECS, FormState
    form = FormState(state, "legal-aid")
    field = next(x for _, fs in SPECS["legal-aid"] for x in fs if x.key == "beneficiary_category")
    form.set("received_date", "20/06/2025")
    codes = [c for c, _ in form.options(field)]
    assert "7g" in codes and "6a" not in codes and "5" in codes
    form.set("received_date", "05/03/2026")
    options = dict(form.options(field))
    assert "7g" not in options and "7dd" not in options and "6a" in options and "5-2026" in options
    assert options["6a"].startswith("Nạn nhân, người đang trong quá trình xác định")
    old = store.save("legal-aid", f.legal_aid(received_date="20/12/2025", beneficiary_category="7dd"))
    editing = FormState(state, "legal-aid", old.id)
    editing.set("received_date", "05/03/2026")
    assert "7dd" in dict(editing.options(field))


def test_import_row_with_a_category_not_in_force_names_category_and_date(db, tmp_path):
    """Luật 59/2024/QH15: 7đ is repealed from 01/01/2026 — an import row dated 05/03/2026 with 7đ is a row error."""
    row = {"received_date": "05/03/2026", "commune_code": f.COMMUNE, "requester_name": "Triệu Thị Mai",
           "beneficiary_category": "7đ", "legal_field": "Đất đai", "aid_form": "Tư vấn pháp luật"}
    ok = dict(row, received_date="05/03/2025", requester_name="Lý Văn Sài")
    path = tmp_path / "la.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, IMPORT_COLUMNS["legal-aid"])
        w.writeheader()
        w.writerows([ok, row])
    with pytest.raises(ValidationError) as err:
        importing.import_file("legal-aid", path)
    (error,) = err.value.errors
    assert error.row == 3 and error.field == "beneficiary_category"
    assert "7đ." in error.vi and "05/03/2026" in error.vi
    assert LegalAidCase.select().count() == 0


def test_request_form_tick_list_follows_the_received_date(db):
    """Mẫu 02-TP-TGPL tick-list = Điều 7 on the received date; items print as the law writes them ("7đ.")."""
    before = store.save("legal-aid", f.legal_aid(received_date="20/12/2025", beneficiary_category="7dd"))
    text = text_of(printing.print_documents("legal-aid-request", [before.id]))
    assert "■ 7đ. Người từ đủ 16 tuổi đến dưới 18 tuổi là bị hại" in text
    assert "7dd" not in text and "7g." not in text and "6a. Nạn nhân" in text
    after = store.save("legal-aid", f.legal_aid(received_date="05/03/2026"))
    text = " ".join(text_of(printing.print_documents("legal-aid-request", [after.id])).split())
    assert "7đ." not in text and "□ 6a. Nạn nhân" in text and "■ 2. Người thuộc hộ nghèo" in text
    assert "người làm chứng, người chấp hành biện pháp xử lý chuyển hướng" in text       # new item 5
    slip = text_of(printing.print_documents("case-slip", [before.id]))
    assert "7đ. Người từ đủ 16 tuổi" in slip


def test_tally_lists_historic_categories_under_their_own_labels(db):
    """Item 5 of Điều 7 before (until 31/12/2025) and after Luật 59/2024/QH15 are two lines of the tally."""
    store.save("legal-aid", f.legal_aid(received_date="20/12/2025", beneficiary_category="5"))
    store.save("legal-aid", f.legal_aid(received_date="05/01/2026", beneficiary_category="5"))
    data = tally.compute(periods.custom("2025-12-01", "2026-01-31"), communes=[f.COMMUNE],
                         compare_previous_year=False)
    by_category = data.legal_aid["by_category"]
    assert by_category["5"] == 1 and by_category["5-2026"] == 1 and "7g" not in by_category   # 7g ended 30/06/2025
    labels = [r.label for r in tally.tally_rows(data)]
    assert "– 5. Người bị buộc tội từ đủ 16 tuổi đến dưới 18 tuổi (đến 31/12/2025)" in labels
    assert any(lb.startswith("– 5. Người từ đủ 16 tuổi") and lb.endswith("(từ 01/01/2026)") for lb in labels)


# ---- item 4: date of birth -----------------------------------------------------------------------------------

def test_person_date_of_birth_matches_year_and_prints_on_form_02(db):
    """Mẫu 02-TP-TGPL (TT 12/2018/TT-BTP) asks for "ngày tháng năm sinh" (verified §3.4): the full date when known,
    else the year; a year that contradicts the date is refused."""
    with pytest.raises(ValidationError) as err:
        store.save("legal-aid", f.legal_aid(requester={"full_name": "Triệu Thị Mai", "birth_year": 1986,
                                                         "birth_date": "05/03/1985"}))
    assert "requester.birth_year" in fields_of(err.value)
    case = store.save("legal-aid", f.legal_aid(requester={"full_name": "Triệu Thị Mai",
                                                            "birth_date": "05/03/1985"}))
    assert case.requester.birth_year == 1985 and case.requester.birth_date == D(1985, 3, 5)
    assert "Ngày, tháng, năm sinh: 05/03/1985" in text_of(printing.print_documents("legal-aid-request", [case.id]))
    year_only = store.save("legal-aid", f.legal_aid())
    assert "Năm sinh: 1970" in text_of(printing.print_documents("legal-aid-request", [year_only.id]))


# ---- item 3: mediation per Luật HGCS 2013 -------------------------------------------------------------------

@pytest.fixture
def agreed(db):
    return store.save("mediation", f.mediation(
        outcome="thanh", closed_date="2026-11-05", assigned_date="2026-11-02",
        invited=["Hoàng Văn Páo (trưởng thôn)", "Đỗ Thị Yến (người có uy tín)"],
        agreement="Hộ ông Bình tháo dỡ hàng rào lấn lối đi",
        rights_obligations="Ông Bình có nghĩa vụ tháo dỡ hàng rào; bà Hoa có quyền sử dụng lối đi chung",
        implementation="Tự tháo dỡ, tổ hòa giải theo dõi", implementation_deadline="2027-03-05"))


def test_agreement_prints_the_eight_items_of_article_24(agreed):
    """Luật Hòa giải ở cơ sở 2013 Điều 24 khoản 2: a) … h), with e) quyền và nghĩa vụ của các bên and g) phương
    thức, thời hạn thực hiện thỏa thuận filled from the case."""
    text = text_of(printing.print_documents("mediation-agreement", [agreed.id]))
    items = ["a) Căn cứ tiến hành hòa giải", "b) Thông tin cơ bản về các bên", "c) Nội dung chủ yếu của vụ, việc",
             "d) Diễn biến của quá trình hòa giải", "đ) Thỏa thuận đạt được và giải pháp thực hiện",
             "e) Quyền và nghĩa vụ của các bên", "g) Phương thức, thời hạn thực hiện thỏa thuận",
             "h) Chữ ký hoặc điểm chỉ của các bên và của hòa giải viên"]
    positions = [text.index(item) for item in items]
    assert positions == sorted(positions)
    flat = " ".join(text.split())
    assert "bà Hoa có quyền sử dụng lối đi chung" in flat
    assert "Tự tháo dỡ, tổ hòa giải theo dõi Thời hạn thực hiện: đến ngày 05 tháng 3 năm 2027." in flat


def test_minutes_keep_invited_third_parties_apart(agreed):
    """Điều 19: người được mời tham gia hòa giải are third parties, listed apart from parties and mediators."""
    text = " ".join(text_of(printing.print_documents("mediation-minutes", [agreed.id])).split())
    invited = text[text.index("3. Người được mời tham gia hòa giải"):text.index("II. Căn cứ")]
    assert "Hoàng Văn Páo (trưởng thôn); Đỗ Thị Yến (người có uy tín)" in invited
    assert "Nguyễn Thị Hoa" not in invited and "Lê Văn Cường" not in invited
    other = store.save("mediation", f.mediation())
    text = " ".join(text_of(printing.print_documents("mediation-minutes", [other.id])).split())
    assert "3. Người được mời tham gia hòa giải: Không có" in text


def test_new_mediation_fields_travel_through_export_import_and_sync(agreed, tmp_path):
    """The fields of Điều 19 and Điều 24 e, g are in the export (re-importable) and in the sync document."""
    from services.sync.documents import local_document
    assert {"invited", "rights_obligations", "implementation_deadline"} <= set(all_columns("mediation"))
    path = tmp_path / "hg.csv"
    exporting.export_file("mediation", path)
    with open(path, encoding="utf-8-sig") as fh:
        row = next(csv.DictReader(fh))
    assert row["invited"] == "Hoàng Văn Páo (trưởng thôn); Đỗ Thị Yến (người có uy tín)"
    assert row["implementation_deadline"] in ("05/03/2027", "2027-03-05")
    row.update(rights_obligations="Các bên tự nguyện thực hiện", invited="Hoàng Văn Páo")
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, list(row))
        w.writeheader()
        w.writerow(row)
    importing.import_file("mediation", path)
    case = MediationCase.get_by_id(agreed.id)
    assert case.rights_obligations == "Các bên tự nguyện thực hiện" and case.invited == ["Hoàng Văn Páo"]
    assert case.implementation_deadline == D(2027, 3, 5)
    doc = local_document(case)
    assert doc["invited"] == ["Hoàng Văn Páo"] and doc["implementation_deadline"] == "2027-03-05"
    assert doc["rights_obligations"] == "Các bên tự nguyện thực hiện"


def _warnings(case):
    return [vi for vi, _ in store.warnings("mediation", MediationCase.get_by_id(case.id))]


def test_start_within_3_days_of_assignment(db):
    """Luật Hòa giải ở cơ sở Điều 20 khoản 2: the mediator starts within 03 days of being assigned. Điều 18 sets
    no deadline for assigning, so an unassigned case and an old case without an assignment date get no warning."""
    late = store.save("mediation", f.mediation(received_date="2026-11-01", assigned_date="2026-11-02"))
    store.save("mediation-session", {"case_id": late.id, "date": "2026-11-06"})
    assert any("Điều 20 khoản 2" in w and "06/11/2026" in w for w in _warnings(late))
    in_time = store.save("mediation", f.mediation(received_date="2026-11-01", assigned_date="2026-11-02"))
    store.save("mediation-session", {"case_id": in_time.id, "date": "2026-11-05"})
    assert not any("Điều 20" in w for w in _warnings(in_time))
    old = store.save("mediation", f.mediation(received_date="2026-01-05"))        # no assignment date
    assert old.assigned_date is None
    store.save("mediation-session", {"case_id": old.id, "date": "2026-03-01"})
    assert not any("Điều 20" in w or "phân công" in w for w in _warnings(old))
    waiting = store.save("mediation", f.mediation(received_date="2026-11-01", assigned_date="2026-11-02"))
    assert any("Chưa bắt đầu hòa giải" in w for w in _warnings(waiting))


def test_team_in_an_ethnic_minority_area_needs_an_ethnic_minority_mediator(db):
    """Luật Hòa giải ở cơ sở Điều 12 khoản 1: "Vùng có nhiều đồng bào dân tộc thiểu số thì tổ phải có hòa giải
    viên là người dân tộc thiểu số" — a warning driven by the commune's setting."""
    members = [{"name": "Lê Văn Cường", "gender": "nam", "ethnicity": "Kinh"},
               {"name": "Phạm Thị Dung", "gender": "nu", "ethnicity": "Kinh"},
               {"name": "Vũ Văn Hải", "gender": "nam"}]
    team = store.save("mediation-team", {"name": "Tổ hòa giải thôn Khe Lánh", "commune_code": f.COMMUNE,
                                           "members": members})
    assert store.warnings("mediation-team", team) == []
    mediation_team.set_minority_area(f.COMMUNE, True)
    (warning,) = [vi for vi, _ in store.warnings("mediation-team", team)]
    assert "dân tộc thiểu số" in warning and "Điều 12" in warning
    team = store.save("mediation-team", {"members": [*members, {"name": "Triệu Văn Sinh", "ethnicity": "Dao"}]},
                        record_id=team.id)
    assert store.warnings("mediation-team", team) == []
    mediation_team.set_minority_area(f.COMMUNE, False)
    assert mediation_team.minority_area_communes() == []


def test_non_statutory_outcomes_are_labelled_working_states(db):
    """The Law knows two outcomes only: hòa giải thành (Điều 24) and không thành (Điều 27); the others are
    working states (verified §4) in lists, prints and tallies."""
    statutory = {e["code"] for e in catalogs.entries("mediation_outcomes") if e.get("statutory")}
    assert statutory == {"thanh", "khong_thanh"}
    for e in catalogs.entries("mediation_outcomes"):
        assert ("trạng thái nghiệp vụ" in e["vi"]) == (e["code"] not in statutory)
    assert catalogs.resolve("mediation_outcomes", "Đang hòa giải") == "in_progress"       # old label imports
    case = store.save("mediation", f.mediation())
    text = " ".join(text_of(printing.print_documents("mediation-minutes", [case.id])).split())
    assert "Kết quả: Đang hòa giải (trạng thái nghiệp vụ)" in text
    data = tally.compute(periods.custom("2026-01-01", "2026-11-30"), communes=[f.COMMUNE],
                         compare_previous_year=False)
    assert "– Đang hòa giải (trạng thái nghiệp vụ)" in [r.label for r in tally.tally_rows(data)]


def test_book_cover_has_national_heading_and_open_close_dates(db):
    """Sổ theo dõi hoạt động hòa giải ở cơ sở (BTP template, verified §4): Quốc hiệu – Tiêu ngữ on the cover,
    "Mở ngày … tháng … năm …" and "Khóa ngày … tháng … năm …" (NĐ 30/2020 date form)."""
    team = store.save("mediation-team", {"name": "Tổ hòa giải thôn Khe Lánh", "commune_code": f.COMMUNE})
    pdf = printing.print_mediation_book(team.id, D(2026, 1, 1), D(2026, 12, 31))
    cover = first_page(pdf)
    assert cover.index(QUOC_HIEU) < cover.index(TIEU_NGU) < cover.index("SỔ THEO DÕI HOẠT ĐỘNG HÒA GIẢI Ở CƠ SỞ")
    assert "Mở ngày 01 tháng 01 năm 2026" in cover and "Khóa ngày 31 tháng 12 năm 2026" in cover


def test_migration_0006_keeps_existing_rows(tmp_path):
    """Migration 0006 adds the new columns to a database made before it; old rows get empty values."""
    from models.db import close_database, database, open_database
    from models.schema import migrate_to_latest, pending
    open_database(tmp_path / "m.db")
    try:
        migrate_to_latest("0005_search_kind_tokens")
        now = dt.datetime(2025, 3, 1)
        database.execute_sql(
            "INSERT INTO person (id, created_at, updated_at, device_id, deleted, full_name, gender, birth_year,"
            " ethnicity, id_number, phone, commune_code, village, address, notes)"
            " VALUES ('p1', ?, ?, 'd', 0, 'Lý Thị Sâm', 'nu', 1980, '09', '', '', '06652', '', '', '')", (now, now))
        database.execute_sql(
            "INSERT INTO mediation_case (id, created_at, updated_at, device_id, deleted, number, received_date,"
            " commune_code, village, basis, mediators, parties, dispute_field, summary, outcome, agreement,"
            " implementation, referred_to) VALUES ('m1', ?, ?, 'd', 0, 'HG-1', '2025-03-01', '06652', '', '',"
            " '[]', '[\"p1\", \"p1\"]', 'dat_dai', '', 'in_progress', '', '', '')", (now, now))
        assert "0006_law_records" in migrate_to_latest() and pending() == []
        from models.records import MediationCase as M
        from models.records import Person
        case = M.get_by_id("m1")
        assert case.invited == [] and case.rights_obligations == "" and case.implementation_deadline is None
        assert Person.get_by_id("p1").birth_date is None and Person.get_by_id("p1").birth_year == 1980
    finally:
        close_database()


def test_team_detail_toggles_the_minority_area_setting(db):
    """Điều 12 khoản 1 Luật Hòa giải ở cơ sở: the per-commune setting is set from the team detail screen, and the
    team's warnings follow it."""
    from services.data_dir import app as app_service
    from ui.state import AppState
    from ui.state.teams import TeamsState
    app_service.save_profile({"full_name": "Nguyễn Thị Lan", "role": "officer", "province_code": "22",
                              "communes": [f.COMMUNE]})
    team = store.save("mediation-team", {"name": "Tổ hòa giải bản Nà Pá", "commune_code": f.COMMUNE,
                                           "members": [{"name": "Lê Văn Cường", "gender": "nam", "ethnicity": "Kinh"},
                                                       {"name": "Phạm Thị Dung", "gender": "nu", "ethnicity": "Kinh"},
                                                       {"name": "Vũ Văn Hải", "gender": "nam", "ethnicity": "Kinh"}]})
    st = TeamsState(AppState(db))
    st.open_detail(team.id)
    assert st.minority_area is False and st.warnings() == []
    st.set_minority_area(True)
    assert st.minority_area is True and mediation_team.is_minority_area(f.COMMUNE)
    assert any("dân tộc thiểu số" in w for w in st.warnings())
