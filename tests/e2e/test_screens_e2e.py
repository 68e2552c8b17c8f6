"""End-to-end: first run, language switch, case-slip PDF, and a screenshot of every main screen on demo data."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.e2e.conftest import ROOT, doc_shot
from tests.e2e.helpers import click_nav, create_legal_aid, fill


def test_first_run_asks_who_and_where_then_opens_the_overview(launch):
    page, srv = launch(profile=False)
    fill(page, "Họ và tên cán bộ", "Nguyễn Thị Lan")
    fill(page, "Tìm xã / phường", "ha tu")                 # accent-insensitive commune search
    page.get_by_role("checkbox", name="Phường Hà Tu").click()
    page.wait_for_timeout(1500)
    doc_shot(page, "first-run")
    page.get_by_role("button", name="Bắt đầu làm việc").click()
    page.get_by_text("Từ đầu năm đến").wait_for()
    page.get_by_text("Nguyễn Thị Lan").first.wait_for()


def test_switch_language_re_renders_everything(launch):
    page, srv = launch()
    click_nav(page, "Cài đặt")
    page.get_by_role("radio", name="English").click()
    page.get_by_role("button", name="Legal aid").first.wait_for()
    page.get_by_text("Officer profile").wait_for()
    doc_shot(page, "settings-en")
    click_nav(page, "Overview")
    page.get_by_text("Year to").wait_for()
    click_nav(page, "Settings")
    page.get_by_role("radio", name="Tiếng Việt").click()
    page.get_by_role("button", name="Trợ giúp pháp lý").first.wait_for()


def test_case_slip_pdf_from_the_detail_view(launch):
    page, srv = launch()
    create_legal_aid(page)
    page.get_by_role("button", name="Lưu", exact=True).click()
    page.get_by_text("Tiến trình xử lý").wait_for()
    page.get_by_role("button", name="In phiếu").click()
    page.get_by_role("img", name="Trang 1 trên 1 của bản in").wait_for()     # the print preview
    pdfs = list((srv.data_dir / "exports").glob("case-slip_*.pdf"))
    assert len(pdfs) == 1
    assert pdfs[0].read_bytes()[:5] == b"%PDF-"
    doc_shot(page, "case-slip-printed")


def _demo(data_dir: Path) -> None:
    subprocess.run([sys.executable, "main.py", "demo", "--province", "22", "--records", "600",
                    "--data-dir", str(data_dir)], cwd=ROOT, check=True, capture_output=True)


def test_screenshots_of_every_main_screen_on_demo_data(launch):
    page, srv = launch(seed=_demo)
    page.get_by_text("Từ đầu năm đến").wait_for()
    page.get_by_text("Theo tháng").wait_for()
    page.wait_for_timeout(2500)           # the first frame after start-up can still show Flet's loading overlay
    doc_shot(page, "overview")
    for nav, name, ready in [("Trợ giúp pháp lý", "legal-aid-list", "Số hồ sơ"),
                             ("Hòa giải cơ sở", "mediation-list", "Các bên"),
                             ("Phổ biến pháp luật", "dissemination-list", "Chủ đề"),
                             ("Đánh giá tiếp cận pháp luật", "assessment", "Phiếu đánh giá xã"),
                             ("Báo cáo", "reports", "Số liệu tổng hợp"),
                             ("Đồng bộ", "sync", "Chờ gửi theo loại hồ sơ"),
                             ("Cài đặt", "settings", "Hồ sơ cán bộ")]:
        click_nav(page, nav)
        page.get_by_text(ready).first.wait_for()
        doc_shot(page, name)
    click_nav(page, "Hòa giải cơ sở")
    page.get_by_text(re.compile(r"HG-\d{5}-")).first.click()
    page.get_by_text("Các buổi hòa giải").wait_for()
    doc_shot(page, "mediation-case")
    click_nav(page, "Phổ biến pháp luật")
    page.get_by_text(re.compile(r"1–50 / ")).wait_for()
    page.keyboard.press("Control+n")                       # keyboard: Ctrl+N opens a new record form
    page.get_by_text("Hoạt động phổ biến pháp luật mới").wait_for()
    doc_shot(page, "dissemination-form")
