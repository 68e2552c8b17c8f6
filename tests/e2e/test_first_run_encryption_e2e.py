"""End-to-end (real Chromium, web mode), issue 14 §3: on a new data folder the first-run screen requires the
passphrase — "Bắt đầu làm việc" with it empty or weak keeps the officer on the screen with the rule shown; a
good passphrase typed twice encrypts the folder and shows the recovery key once."""
from __future__ import annotations

import os

from tests.e2e.conftest import ARTIFACTS, AppServer, open_page, shot
from tests.e2e.helpers import fill

PASSPHRASE = "một câu dài dễ nhớ"


def test_first_run_cannot_skip_the_passphrase(browser, tmp_path):
    data = tmp_path / "new"
    data.mkdir()
    ARTIFACTS.mkdir(exist_ok=True)
    srv = AppServer(data, ARTIFACTS / f"e2e-server-first-run-enc-{os.getpid()}.log", no_encryption=False)
    context = None
    try:
        context, page = open_page(browser, srv.url)
        page.get_by_text("Chào mừng").first.wait_for(timeout=30000)
        page.get_by_text("Bắt buộc", exact=True).first.wait_for()
        fill(page, "Họ và tên cán bộ", "Nguyễn Thị Lan")
        fill(page, "Tìm xã / phường", "ha tu")
        page.get_by_role("checkbox", name="Phường Hà Tu").click()
        page.get_by_role("button", name="Bắt đầu làm việc").click()
        page.get_by_text("Mật khẩu không được để trống.").first.wait_for()      # no skip
        fill(page, "Mật khẩu mới", "12345678")
        fill(page, "Nhập lại mật khẩu mới", "12345678")
        page.get_by_role("button", name="Bắt đầu làm việc").click()
        page.get_by_text("dãy liên tiếp", exact=False).first.wait_for()        # the rule is named
        assert not (data / "plcs.key").exists()
        fill(page, "Mật khẩu mới", PASSPHRASE)
        fill(page, "Nhập lại mật khẩu mới", PASSPHRASE)
        page.get_by_role("button", name="Bắt đầu làm việc").click()
        page.get_by_text("chỉ hiện một lần", exact=False).first.wait_for(timeout=30000)
        shot(page, "first-run-encrypted-recovery-key")
        assert (data / "plcs.key").exists()
        with open(data / "plcs.db", "rb") as f:
            assert f.read(16) != b"SQLite format 3\x00"
    finally:
        if context is not None:
            context.close()
        srv.stop()
