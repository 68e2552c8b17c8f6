"""End-to-end printing in web mode (Chromium): the print preview shows the PDF's pages as images with page
navigation; "Tải về (PDF)" makes the browser download the file once (a second fetch of the same link is refused);
rows selected in a list print as ONE PDF."""
from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pdfplumber

from tests.e2e.conftest import ROOT, _communes, shot
from tests.e2e.helpers import click_nav

NAMES = ["Đặng Văn Đức", "Triệu Thị Mai", "Lý Văn Phú"]


def _seed_cases(data_dir: Path) -> None:
    """Three legal-aid cases, written through the services; their numbers go to numbers.json."""
    code = (
        "import json, sys; from services.data_dir import app; from services.records import store; "
        "from tests import factories; "
        "app.open_data_dir(sys.argv[1]); "
        "nums = [store.save('legal-aid', factories.legal_aid(commune_code=sys.argv[2], "
        "received_date=f'1{i}/11/2026', requester={'full_name': n, 'gender': 'Nam'})).number "
        "for i, n in enumerate(json.loads(sys.argv[3]))]; "
        "open(sys.argv[1] + '/numbers.json', 'w').write(json.dumps(nums)); app.close()")
    subprocess.run([sys.executable, "-c", code, str(data_dir), _communes()[0].code,
                    json.dumps(NAMES, ensure_ascii=False)], cwd=ROOT, check=True)


def _numbers(srv) -> list[str]:
    return json.loads((srv.data_dir / "numbers.json").read_text())


def _pdf_pages(path: str) -> list[str]:
    with pdfplumber.open(io.BytesIO(Path(path).read_bytes())) as doc:
        return [p.extract_text() or "" for p in doc.pages]


def _download(page):
    with page.expect_download(timeout=30000) as info:
        page.get_by_role("button", name="Tải về (PDF)").click()
    return info.value


def _page_button(page, tooltip: str) -> None:
    """The preview's previous/next page buttons (named by their tooltip; the dialog comes after the list's pager
    that uses the same words)."""
    page.get_by_label(tooltip, exact=True).last.click()
    page.wait_for_timeout(300)


def test_case_slip_preview_then_one_time_download(launch):
    page, srv = launch(seed=_seed_cases)
    number = _numbers(srv)[0]
    click_nav(page, "Trợ giúp pháp lý")
    page.get_by_text(number).first.click()                                           # a list row
    page.get_by_text("Tiến trình xử lý").wait_for()
    page.get_by_role("button", name="In phiếu").click()
    page.get_by_role("button", name="Tải về (PDF)").wait_for()                 # the preview dialog
    page.get_by_role("img", name="Trang 1 trên 1 của bản in").wait_for()       # the page drawn as an image
    shot(page, "print-preview-slip")
    download = _download(page)
    assert re.fullmatch(r"case-slip_.+_\d{8}-\d{6}(-\d+)?\.pdf", download.suggested_filename)
    text = "\n".join(_pdf_pages(download.path()))
    assert number in text and "NGƯỜI TIẾP NHẬN" in text
    url = download.url
    assert "/_print/" in url
    assert page.request.get(url).status == 404                                # single use
    assert page.request.get(url.rsplit("/", 2)[0] + "/other-session/" + url.rsplit("/", 1)[1]).status == 404


def test_batch_print_of_selected_rows_is_one_pdf_with_page_navigation(launch):
    page, srv = launch(seed=_seed_cases)
    numbers = _numbers(srv)
    click_nav(page, "Trợ giúp pháp lý")
    page.get_by_role("checkbox", name=f"Chọn dòng {numbers[0]}").wait_for()
    for n in numbers:
        page.get_by_role("checkbox", name=f"Chọn dòng {n}").click()
        page.wait_for_timeout(200)
    page.get_by_text("Đã chọn 3").wait_for()
    page.get_by_role("button", name="In các mục đã chọn").click()
    page.get_by_text("Trang 1/3").wait_for(timeout=30000)
    page.get_by_role("img", name="Trang 1 trên 3 của bản in").wait_for()
    _page_button(page, "Trang sau")
    page.get_by_text("Trang 2/3").wait_for()
    page.get_by_role("img", name="Trang 2 trên 3 của bản in").wait_for()
    _page_button(page, "Trang sau")
    page.get_by_text("Trang 3/3").wait_for()
    _page_button(page, "Trang trước")
    page.get_by_text("Trang 2/3").wait_for()
    shot(page, "print-preview-batch")
    pages = _pdf_pages(_download(page).path())
    assert len(pages) == 3
    for n, text in zip(numbers, pages, strict=True):
        assert n in text and "Trang" in text                                  # one slip per page, "Trang x/y"
