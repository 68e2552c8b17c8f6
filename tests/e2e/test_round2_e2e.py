"""End-to-end (real Chromium, web mode): mediation teams with their composition warning, CSV import through the
UI (good file and a file with a bad row: row number shown, nothing stored), the coverage view on the rail, and
an out-of-range assessment value rejected with a message naming the indicator. Screenshots of the new screens
go to test-artifacts/ (and docs/screenshots/ with `make screenshots`)."""
from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

from tests.e2e.conftest import ROOT, doc_shot, services_stats, shot
from tests.e2e.helpers import click_nav, fill, pick

HEADER = ("date,commune_code,village,form,topic,laws,target_groups,participants,participants_women,"
          "participants_ethnic_minority,materials_distributed,language,presenter,notes\n")


def events_csv(commune: str, women_row3: int = 18) -> str:
    return (HEADER +
            f"05/03/2026,{commune},Thôn Khe Lánh,Hội nghị,Luật Đất đai 2024 cho bà con,Luật Đất đai 2024,,45,20,30,40,"
            "Tiếng Việt,Nguyễn Thị Lan,\n"
            f"12/04/2026,{commune},Bản Nà Lừa,Tuyên truyền miệng,Phòng chống bạo lực gia đình,,,30,{women_row3},25,0,"
            "Tiếng Dao,Bàn Văn Sài,\n")



def open_import(page, path: Path) -> None:
    page.get_by_role("button", name="Nhập từ tệp").click()
    page.get_by_text("Nhập dữ liệu từ tệp").wait_for()
    page.wait_for_timeout(500)
    fill(page, "Đường dẫn tệp (.csv, .xlsx)", str(path))


def test_team_with_two_members_shows_the_composition_warning(launch):
    page, srv = launch()
    click_nav(page, "Hòa giải cơ sở")
    page.get_by_text("Tổ hòa giải", exact=True).first.click()
    page.get_by_role("button", name="Thêm tổ hòa giải").click()
    page.get_by_text("Tổ hòa giải mới").wait_for()
    page.wait_for_timeout(500)                             # let the form settle before typing
    fill(page, "Tên tổ hòa giải *", "Tổ hòa giải thôn Khe Lánh")
    fill(page, "Họ tên hòa giải viên 1", "Bàn Thị Hoa")
    pick(page, "Giới tính 1", "Nữ")
    fill(page, "Họ tên hòa giải viên 2", "Lý Văn Sài")
    doc_shot(page, "team-form")
    page.get_by_role("button", name="Lưu", exact=True).click()
    page.get_by_text("Tổ hòa giải cần ít nhất 3 hòa giải viên (hiện có 2)").wait_for()
    doc_shot(page, "team-detail")
    assert services_stats(srv.data_dir)["mediation-team"] == 1

    page.get_by_label("Đóng", exact=True).first.click()          # dismiss the message (its timer re-renders)
    page.get_by_label("Quay lại", exact=True).first.click()
    page.get_by_text("Tổ hòa giải thôn Khe Lánh").first.wait_for()
    doc_shot(page, "teams-list")
    # the team is offered in the mediation case form
    page.get_by_text("Vụ việc hòa giải", exact=True).first.click()
    page.get_by_role("button", name="Thêm vụ việc hòa giải").click()
    page.wait_for_timeout(500)
    pick(page, "Tổ hòa giải", "Tổ hòa giải thôn Khe Lánh — Phường Hà Tu")
    pick(page, "Lĩnh vực tranh chấp *", "Đất đai")
    fill(page, "Bên thứ nhất *", "Hoàng Văn Páo")
    fill(page, "Bên thứ hai *", "Triệu Thị Mai")
    doc_shot(page, "mediation-form-team")
    page.get_by_role("button", name="Lưu", exact=True).click()
    page.get_by_text("Các buổi hòa giải").wait_for()
    page.get_by_text("Tổ hòa giải cần ít nhất 3 hòa giải viên (hiện có 2)").wait_for()   # team warning on the case
    out = srv.data_dir / "cases.csv"
    subprocess.run([sys.executable, "main.py", "export", "mediation", "--out", str(out), "--data-dir",
                    str(srv.data_dir)], cwd=ROOT, check=True, capture_output=True)
    row = next(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert row["team"] == "Tổ hòa giải thôn Khe Lánh"
    assert row["mediators"] == "Bàn Thị Hoa; Lý Văn Sài"                    # prefilled from the team


def test_import_csv_of_events_through_the_ui(launch):
    page, srv = launch()
    path = srv.data_dir / "su-kien.csv"
    path.write_text(events_csv(srv.communes[0]), encoding="utf-8")
    click_nav(page, "Phổ biến pháp luật")
    open_import(page, path)
    doc_shot(page, "import-dialog")
    page.get_by_role("button", name="Nhập", exact=True).click()
    page.get_by_text("Đã nhập 2 hồ sơ").first.wait_for()
    page.get_by_text("Luật Đất đai 2024 cho bà con").wait_for()
    page.get_by_text("Phòng chống bạo lực gia đình").wait_for()
    page.get_by_text("1–2 / 2").wait_for()
    doc_shot(page, "import-done")
    assert services_stats(srv.data_dir)["dissemination"] == 2

    page.get_by_role("button", name="Xuất CSV").click()                 # export: masked, under exports/
    page.get_by_text("Đã xuất 2 hồ sơ").first.wait_for()
    assert len(list((srv.data_dir / "exports").glob("dissemination_*.csv"))) == 1


def test_import_with_a_bad_row_names_the_row_and_stores_nothing(launch):
    page, srv = launch()
    path = srv.data_dir / "su-kien-loi.csv"
    path.write_text(events_csv(srv.communes[0], women_row3=99), encoding="utf-8")
    click_nav(page, "Phổ biến pháp luật")
    open_import(page, path)
    page.get_by_role("button", name="Nhập", exact=True).click()
    page.get_by_text("Tệp có lỗi ở 1 dòng").wait_for()
    page.get_by_text("Dòng 3").first.wait_for()
    page.get_by_text("participants_women").first.wait_for()
    page.get_by_text("Chưa lưu hồ sơ nào", exact=False).first.wait_for()
    doc_shot(page, "import-errors")
    assert services_stats(srv.data_dir)["dissemination"] == 0


def _seed_events(data_dir: Path) -> None:
    from services import admin_units
    commune = admin_units.communes("22")[0].code
    path = data_dir / "seed.csv"
    path.write_text(events_csv(commune), encoding="utf-8")
    done = subprocess.run([sys.executable, "main.py", "import", "dissemination", str(path), "--data-dir",
                           str(data_dir)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_coverage_view_is_on_the_navigation_rail(launch):
    page, srv = launch(seed=_seed_events)
    click_nav(page, "Phạm vi tiếp cận")
    page.get_by_text("Bao phủ phổ biến pháp luật").wait_for()
    page.get_by_text("Thôn Khe Lánh").first.wait_for()
    page.wait_for_timeout(800)
    doc_shot(page, "coverage")


def test_out_of_range_assessment_value_gets_a_clear_error(launch, tmp_path):
    page, srv = launch()
    click_nav(page, "Đánh giá tiếp cận pháp luật")
    page.get_by_text("Phiếu đánh giá xã").first.wait_for()
    pick(page, "Năm", "2024")                                       # QĐ 25/2021 (2022–2024)
    page.get_by_text("QĐ 25/2021/QĐ-TTg").first.wait_for()
    page.get_by_text("cần xác nhận: điểm").first.wait_for()         # TT 09/2021 Phụ lục I points are flagged
    page.get_by_text("Nguồn bảng điểm/chỉ tiêu: Điểm tạm tính", exact=False).first.wait_for()
    page.get_by_text("chưa có số liệu").first.wait_for()            # a missing value is never "met"
    doc_shot(page, "assessment-scorecard")
    page.get_by_role("button", name="Nhập giá trị").click()
    page.get_by_text("Nhập giá trị chỉ tiêu").first.wait_for()
    page.wait_for_timeout(500)
    fill(page, "Giá trị 2.3", "150")
    page.get_by_role("button", name="Lưu giá trị").click()
    page.get_by_text("nằm ngoài phạm vi cho phép 0–5 điểm", exact=False).first.wait_for()
    page.get_by_text("Chỉ tiêu 2.3", exact=False).first.wait_for()
    doc_shot(page, "assessment-entry-error")
    fill(page, "Giá trị 2.3", "4")
    page.get_by_role("button", name="Lưu giá trị").click()
    try:
        page.get_by_text("Đã lưu 1 giá trị chỉ tiêu").first.wait_for()
    except Exception:
        shot(page, "debug-assessment-save")
        raise
    page.get_by_role("button", name="In phiếu (PDF)").click()
    page.get_by_text("danh-gia_").first.wait_for()
    assert list((srv.data_dir / "exports").glob("danh-gia_*.pdf"))
    page.get_by_role("button", name="Đóng", exact=True).last.click()     # the print preview

    # a province loads a corrected points table: a bad row is named and nothing is stored; a good one is shown
    rows = ["id,max_points"] + [f"TC{c},{5 * n}" for c, n in zip(range(1, 6), (2, 6, 3, 5, 4), strict=True)]
    rows += [f"{c}.{i},5" for c, n in zip(range(1, 6), (2, 6, 3, 5, 4), strict=True) for i in range(1, n + 1)]
    bad = tmp_path / "bang-diem-loi.csv"
    bad.write_text("\n".join(rows[:-1] + ["5.4,năm"]) + "\n", encoding="utf-8")
    good = tmp_path / "bang-diem.csv"
    good.write_text("\n".join(rows) + "\n", encoding="utf-8")
    page.get_by_role("button", name="Nạp bảng điểm").click()
    fill(page, "Đường dẫn tệp (.csv, .xlsx)", str(bad))
    page.get_by_role("button", name="Kiểm tra và nạp").click()
    page.get_by_text("Bảng điểm có lỗi").first.wait_for()
    page.get_by_text("điểm tối đa phải là số dương", exact=False).first.wait_for()
    shot(page, "assessment-points-error")
    assert not (srv.data_dir / "frameworks" / "QD25_2021.points.json").exists()
    page.get_by_role("button", name="Đóng").first.click()
    page.get_by_role("button", name="Nạp bảng điểm").click()
    fill(page, "Đường dẫn tệp (.csv, .xlsx)", str(good))
    fill(page, "Nguồn (văn bản, số hiệu)", "TT 09/2021/TT-BTP Phụ lục I")
    page.get_by_role("button", name="Kiểm tra và nạp").click()
    page.get_by_text("Nguồn bảng điểm/chỉ tiêu: TT 09/2021/TT-BTP Phụ lục I", exact=False).first.wait_for()
    assert (srv.data_dir / "frameworks" / "QD25_2021.points.json").exists()
    doc_shot(page, "assessment-points-loaded")
