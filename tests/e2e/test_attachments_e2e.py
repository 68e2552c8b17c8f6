"""End-to-end attachments in web mode (Chromium): the detail view's panel takes a file from the browser, shows
its thumbnail and the "đã ký" mark of the printed document, downloads it once byte-identical (streamed from the
encrypted store), and removes it after confirmation."""
from __future__ import annotations

import hashlib
from pathlib import Path

from tests.e2e.conftest import shot
from tests.e2e.helpers import click_nav
from tests.e2e.test_print_e2e import _numbers, _seed_cases
from tests.test_attachments import jpeg


def test_attach_in_panel_then_download_and_remove(launch, tmp_path):
    page, srv = launch(seed=_seed_cases)
    number = _numbers(srv)[0]
    src = jpeg(tmp_path / "phieu-da-ky.jpg", size=(900, 1200), color=(240, 240, 230))
    click_nav(page, "Trợ giúp pháp lý")
    page.get_by_text(number).first.click()
    page.get_by_text("Tiến trình xử lý").wait_for()
    page.get_by_text("Tệp đính kèm (0)").wait_for()
    page.get_by_role("button", name="Bản ký của Phiếu tiếp nhận / thụ lý vụ việc TGPL").click()   # the offer
    page.wait_for_timeout(300)
    with page.expect_file_chooser(timeout=30000) as chooser:
        page.get_by_role("button", name="Đính kèm tệp (PDF, ảnh)…").click()
    chooser.value.set_files(str(src))
    page.get_by_text("Tệp đính kèm (1)").wait_for(timeout=30000)
    page.get_by_role("img", name="phieu-da-ky.jpg").wait_for()                          # the thumbnail
    page.get_by_text("Phiếu tiếp nhận / thụ lý vụ việc TGPL: Đã có bản ký").wait_for()  # the signed mark
    page.wait_for_timeout(500)
    shot(page, "attachments-panel")
    with page.expect_download(timeout=30000) as info:
        page.get_by_label("Tải về", exact=True).last.click()
    download = info.value
    assert (hashlib.sha256(Path(download.path()).read_bytes()).hexdigest()
            == hashlib.sha256(src.read_bytes()).hexdigest())
    assert page.request.get(download.url).status == 404                                 # single use
    page.get_by_label("Gỡ tệp", exact=True).click()
    page.get_by_role("button", name="Gỡ khỏi hồ sơ").click()
    page.get_by_text("Tệp đính kèm (0)").wait_for(timeout=30000)
