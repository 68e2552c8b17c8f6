"""End-to-end in Chromium (issue 17 §2–§3): the Vietnamese date picker, accent-free dropdown filtering,
scroll-to-error with the full error text, team -> mediators, village suggestions, feedback fields."""
from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import shot
from tests.e2e.helpers import click_nav, create_legal_aid, fill, pick


def _seed_team_and_villages(data_dir):
    import subprocess
    import sys

    from tests.e2e.conftest import ROOT, _communes
    commune = _communes()[0].code
    code = (
        "import sys; from services.data_dir import app; from services.records import teams, villages; "
        "app.open_data_dir(sys.argv[1]); "
        "teams.add({'name': 'Tổ hòa giải thôn Khe Lánh', 'commune_code': sys.argv[2], "
        "'members': [{'name': 'Lý Văn Sài'}, {'name': 'Bàn Thị Hoa'}, {'name': 'Đặng Văn Tòng'}]}); "
        "villages.remember(sys.argv[2], 'Thôn Khe Lánh'); villages.remember(sys.argv[2], 'Bản Pò Hèn'); app.close()")
    subprocess.run([sys.executable, "-c", code, str(data_dir), commune], cwd=ROOT, check=True)


def _stored(data_dir, kind: str, *fields) -> dict:
    """The named fields of the one record of `kind`, read through the services."""
    import json
    import subprocess
    import sys

    from tests.e2e.conftest import ROOT
    code = ("import sys, json; from services.data_dir import app; from services.records.store import model_for; "
            "app.open_data_dir(sys.argv[1]); m = model_for(sys.argv[2]); r = m.alive().get(); "
            "print(json.dumps({f: getattr(r, f) for f in sys.argv[3:]}, default=str, ensure_ascii=False)); app.close()")
    out = subprocess.run([sys.executable, "-c", code, str(data_dir), kind, *fields], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_date_picker_is_vietnamese_with_monday_first_weeks(launch):
    page, _ = launch()
    click_nav(page, "Trợ giúp pháp lý")
    page.get_by_role("button", name="Thêm vụ việc").click()
    page.get_by_label("Chọn ngày", exact=True).first.click()       # the calendar button of "Ngày tiếp nhận"
    page.get_by_role("dialog").wait_for()
    page.get_by_role("group", name=re.compile(r"^Chọn ngày\s+Th \d")).wait_for()   # "Chọn ngày / Th 6, 4 thg 12"
    page.get_by_role("button", name="Hủy", exact=True).last.wait_for()
    page.get_by_role("button", name="Chọn", exact=True).wait_for()
    page.get_by_role("button", name="Tháng sau", exact=True).wait_for()
    shot(page, "date-picker-vi")
    days = page.evaluate("() => [...document.querySelectorAll('flt-semantics[role=button]')]"
                         ".map(e => [e.getAttribute('aria-label') || e.innerText, e.getBoundingClientRect().x])"
                         ".filter(([t]) => / tháng \\d+, \\d{4}/.test(t))")
    assert len(days) >= 28, days
    left = min(x for _, x in days)
    first_column = [t for t, x in days if abs(x - left) < 2]
    assert first_column and all("Thứ Hai" in t for t in first_column), first_column   # weeks start on Monday
    assert page.get_by_text("Select date").count() == 0 and page.get_by_text("Cancel").count() == 0
    page.get_by_role("button", name="Hủy", exact=True).last.click()


def test_dropdown_filter_ignores_diacritics(launch):
    page, _ = launch()
    click_nav(page, "Trợ giúp pháp lý")
    page.get_by_role("button", name="Thêm vụ việc").click()
    field = page.get_by_role("textbox", name="Diện người được trợ giúp *", exact=True)
    field.focus()                          # a tap through the semantics tree opens the menu without focusing
    page.wait_for_timeout(200)
    page.keyboard.insert_text("ngheo")     # no diacritics
    page.wait_for_timeout(500)
    field.click()
    option = page.get_by_role("button", name="Người thuộc hộ nghèo", exact=True)
    option.wait_for()
    page.get_by_role("button", name="Người bị buộc tội thuộc hộ cận nghèo", exact=True).wait_for()
    assert page.get_by_role("button", name="Trẻ em", exact=True).count() == 0
    shot(page, "dropdown-accent-free")
    option.click()
    page.wait_for_timeout(300)
    field.click()                          # reopened after the pick: every option again
    page.get_by_role("button", name="Trẻ em", exact=True).wait_for()


def test_failed_save_scrolls_to_and_focuses_the_first_invalid_field(launch):
    page, _ = launch()
    click_nav(page, "Trợ giúp pháp lý")
    page.get_by_role("button", name="Thêm vụ việc").click()
    pick(page, "Diện người được trợ giúp *", "Người thuộc hộ nghèo")
    pick(page, "Lĩnh vực pháp luật *", "Đất đai")
    pick(page, "Hình thức trợ giúp *", "Tư vấn pháp luật")
    fill(page, "Họ và tên người yêu cầu *", "Đặng Văn Đức")
    fill(page, "Năm sinh", "1700")
    page.set_viewport_size({"width": 1366, "height": 560})    # a small laptop screen: the form scrolls
    page.wait_for_timeout(300)
    page.mouse.move(700, 400)
    page.mouse.wheel(0, 2000)                                  # away from the field, at the bottom of the form
    page.wait_for_timeout(500)
    before = page.get_by_role("textbox", name="Năm sinh", exact=True)
    top = 100                                                  # the page header above the scrolling form
    assert before.count() == 0 or (before.bounding_box() or {"y": -1})["y"] < top   # scrolled out of view
    page.get_by_role("button", name="Lưu", exact=True).click()
    year = page.get_by_role("textbox", name="Năm sinh", exact=True)
    page.wait_for_function("() => document.activeElement && document.activeElement.closest('flt-semantics') !== null"
                           " || document.activeElement.tagName === 'INPUT'", timeout=10000)
    page.wait_for_timeout(500)
    assert year.is_visible()
    box = year.bounding_box()
    assert box is not None and top <= box["y"] <= 560 - box["height"]
    focused = page.evaluate("() => document.activeElement && (document.activeElement.getAttribute('aria-label') "
                            "|| document.activeElement.closest('[aria-label]')?.getAttribute('aria-label') || '')")
    assert "Năm sinh" in focused
    error = page.get_by_text(re.compile(r"Phải trong khoảng 19\d\d.*"))
    error.first.wait_for()
    assert not error.first.inner_text().endswith("…")
    shot(page, "scroll-to-error")


def test_team_fills_mediators_and_village_is_suggested(launch):
    page, srv = launch(seed=_seed_team_and_villages)
    click_nav(page, "Hòa giải cơ sở")
    page.get_by_role("button", name="Thêm vụ việc hòa giải").click()
    pick(page, "Tổ hòa giải", re.compile(r"Tổ hòa giải thôn Khe Lánh"))
    page.get_by_role("textbox", name="Hòa giải viên", exact=True).wait_for()   # filled: checked after saving
    fill(page, "Thôn / bản / khu", "khe lanh")
    page.get_by_role("button", name="Thôn Khe Lánh", exact=True).click()
    page.wait_for_timeout(400)
    pick(page, "Lĩnh vực tranh chấp *", "Đất đai")
    fill(page, "Bên thứ nhất *", "Hoàng Văn Páo")
    fill(page, "Bên thứ hai *", "Triệu Thị Mai")
    shot(page, "team-mediators-village")
    page.get_by_role("button", name="Lưu", exact=True).click()
    page.get_by_text("Các buổi hòa giải").wait_for()
    shot(page, "team-mediators-detail")
    case = _stored(srv.data_dir, "mediation", "mediators", "village")
    assert case == {"mediators": ["Lý Văn Sài", "Bàn Thị Hoa", "Đặng Văn Tòng"], "village": "Thôn Khe Lánh"}


@pytest.mark.xfail(strict=False, reason="known bug, open under issue 17: in the browser run the value typed into "
                   "'Số người trả lời phiếu' is lost (the field shows empty before saving), so the save is refused; "
                   "the fields themselves save and show (tests/test_ui_forms.py, tests/test_field_descriptions.py)")
def test_feedback_fields_are_saved_and_shown_in_the_detail(launch):
    page, srv = launch()
    click_nav(page, "Phổ biến pháp luật")
    page.get_by_role("button", name=re.compile("Thêm hoạt động")).first.click()
    pick(page, "Hình thức *", "Tuyên truyền miệng")
    fill(page, "Chủ đề *", "Luật Đất đai 2024")
    fill(page, "Tổng số người tham dự", "40")
    fill(page, "Số người trả lời phiếu", "30")
    fill(page, "Số người thấy hữu ích", "25")
    fill(page, "Số câu hỏi", "7")
    fill(page, "Yêu cầu tư vấn tiếp", "3")
    page.get_by_role("button", name="Lưu", exact=True).click()
    page.get_by_text("Lịch sử thay đổi").wait_for()                    # the detail view
    for label in ("Số người trả lời phiếu", "Số người thấy hữu ích", "Số câu hỏi", "Yêu cầu tư vấn tiếp"):
        page.get_by_text(label, exact=True).first.wait_for()          # shown in the detail (values beside them)
    shot(page, "dissemination-feedback-detail")
    assert _stored(srv.data_dir, "dissemination", "feedback_respondents", "feedback_useful", "questions_asked",
                   "followup_requests") == {"feedback_respondents": 30, "feedback_useful": 25, "questions_asked": 7,
                                            "followup_requests": 3}


def test_first_run_select_all_communes_and_the_no_commune_message(launch):
    page, _ = launch(profile=False)
    page.get_by_text(re.compile(r"^Chưa chọn xã nào")).wait_for()
    page.get_by_role("button", name="Chọn tất cả", exact=True).click()
    page.get_by_text(re.compile(r"^Đã chọn 54: ")).wait_for()           # Quảng Ninh: 54 communes/wards
    assert page.get_by_text(re.compile(r"^Chưa chọn xã nào")).count() == 0
    page.get_by_role("button", name="Bỏ chọn tất cả", exact=True).click()
    page.get_by_text(re.compile(r"^Chưa chọn xã nào")).wait_for()
    shot(page, "first-run-no-commune")


def test_screen_reader_labels_follow_the_language(launch):
    """Flutter's own semantics labels ("Tab 1 of 9") come from the page locale: vi-VN, then en."""
    page, _ = launch()
    page.get_by_role("button", name=re.compile(r"^Tổng quan Tab 1 trong tổng số \d+$")).wait_for()
    click_nav(page, "Cài đặt")
    page.get_by_role("radio", name="English").click()
    page.get_by_role("button", name=re.compile(r"^Overview Tab 1 of \d+$")).wait_for()


def test_case_referred_while_recording_needs_no_second_edit(launch):
    page, srv = launch()
    create_legal_aid(page)
    # the status field is below the fold: a tap on it would scroll and open the menu at once, and the menu may
    # open at the old position; scroll the form first, then tap
    page.mouse.move(700, 450)
    page.mouse.wheel(0, 2000)
    page.wait_for_timeout(600)
    page.get_by_role("textbox", name="Trạng thái", exact=True).click()
    referred = page.get_by_role("button", name="Đã chuyển Trung tâm TGPL / chi nhánh", exact=True)
    referred.wait_for()
    page.wait_for_timeout(300)
    referred.click()
    fill(page, "Chuyển đến", "Trung tâm TGPL tỉnh Quảng Ninh")
    page.get_by_role("button", name="Lưu", exact=True).click()
    page.get_by_text("Tiến trình xử lý").wait_for()
    shot(page, "referred-on-first-save")
    case = _stored(srv.data_dir, "legal-aid", "status", "referred_to", "status_date", "received_date")
    assert (case["status"], case["referred_to"]) == ("referred", "Trung tâm TGPL tỉnh Quảng Ninh")
    assert case["status_date"] == case["received_date"]          # defaulted by the service
