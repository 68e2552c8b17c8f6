"""End-to-end (real Chromium, web mode): an encrypted data folder prepared by the test (services.security.
enable_encryption before the server starts) opens on the unlock screen; a wrong passphrase shows the message;
the right one opens the overview; the legal-aid detail masks the CCCD number until "Hiện số CCCD"; Settings →
"Sao lưu ngay" writes a backup file; a new recovery key is shown once. Screenshots (1366×768) of the unlock
screen, the recovery key screen and Settings → Bảo mật go to test-artifacts/ (and docs/screenshots/ with
`make screenshots`)."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.e2e.conftest import ARTIFACTS, ROOT, AppServer, _communes, doc_shot, open_page, seed_profile
from tests.e2e.helpers import click_nav

PASSPHRASE = "một câu dài dễ nhớ"

SEED_AND_ENCRYPT = """
import sys
from services import security
from services.data_dir import app
from services.records import store
ctx = app.open_data_dir(sys.argv[1])
store.save("legal-aid", {"commune_code": sys.argv[2], "received_date": "2026-03-05", "beneficiary_category": "2",
                           "legal_field": "dat_dai",
                           "aid_form": "tu_van", "requester": {"full_name": "Đặng Văn Đức",
                           "id_number": "022090001234", "phone": "0912345678"}})
app.close()
security.enable_encryption(sys.argv[1], sys.argv[3])
app.close()
"""



def type_into(page, label: str, value: str, submit: bool = False) -> None:
    """Focus the field by its label, then type through the keyboard (see test_round2_e2e.fill)."""
    page.get_by_role("textbox", name=label, exact=True).click()
    page.wait_for_timeout(150)
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(value)
    page.wait_for_timeout(150)
    if submit:
        page.keyboard.press("Enter")


@pytest.fixture
def encrypted_app(browser, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    communes = [c.code for c in _communes()[:3]]
    seed_profile(data, communes)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLCS_")}
    subprocess.run([sys.executable, "-c", SEED_AND_ENCRYPT, str(data), communes[0], PASSPHRASE], cwd=ROOT,
                   env=env, check=True)
    ARTIFACTS.mkdir(exist_ok=True)
    srv = AppServer(data, ARTIFACTS / f"e2e-server-security-{os.getpid()}.log")
    context = None
    try:
        context, page = open_page(browser, srv.url)
        yield page, srv
    finally:
        if context is not None:
            context.close()
        srv.stop()


def test_unlock_screen_wrong_then_right_passphrase_masking_backup_and_recovery_key(encrypted_app):
    page, srv = encrypted_app
    page.get_by_text("Mở khóa dữ liệu").first.wait_for(timeout=30000)
    assert page.get_by_text("Tổng quan").count() == 0            # nothing of the data before the unlock
    page.wait_for_timeout(400)
    doc_shot(page, "unlock")

    type_into(page, "Mật khẩu", "không phải mật khẩu")
    page.get_by_role("button", name="Mở khóa", exact=True).click()
    page.get_by_text("Mật khẩu không đúng.", exact=False).first.wait_for()
    doc_shot(page, "unlock-wrong")

    type_into(page, "Mật khẩu", PASSPHRASE, submit=True)
    page.get_by_text("Từ đầu năm đến").first.wait_for(timeout=20000)

    # identifiers are masked in the detail view until the officer asks (and the role allows)
    click_nav(page, "Trợ giúp pháp lý")
    page.get_by_text("Đặng Văn Đức").first.click()
    page.get_by_text("0220******34").wait_for()
    assert page.get_by_text("022090001234").count() == 0
    page.get_by_role("switch", name="Hiện số CCCD").click()
    page.get_by_text("022090001234").wait_for()

    # settings → backups: "Sao lưu ngay" writes an (encrypted) backup file
    click_nav(page, "Cài đặt")
    page.get_by_text("Bảo mật", exact=True).first.wait_for()
    before = set((srv.data_dir / "backups").glob("*-manual.plcsbak"))
    page.get_by_role("button", name="Sao lưu ngay").click()
    page.get_by_text("Đã sao lưu:", exact=False).first.wait_for()
    made = set((srv.data_dir / "backups").glob("*-manual.plcsbak")) - before
    assert len(made) == 1 and next(iter(made)).stat().st_size > 4096
    assert "Đặng Văn Đức".encode() not in next(iter(made)).read_bytes()     # the backup is encrypted too
    doc_shot(page, "settings-security")
    page.get_by_text("Các bản sao lưu (", exact=False).first.wait_for()

    # a new recovery key is shown once, with the instruction to print it and keep it at the office
    page.get_by_role("button", name="Mã khôi phục mới").first.click()
    page.wait_for_timeout(400)
    type_into(page, "Mật khẩu", PASSPHRASE, submit=True)
    page.get_by_text("Mã khôi phục — chỉ hiện một lần").wait_for()
    page.get_by_text("trụ sở UBND xã", exact=False).first.wait_for()
    doc_shot(page, "recovery-key")
    page.get_by_role("button", name="Tôi đã lưu").click()
    page.get_by_text("Bảo mật", exact=True).first.wait_for()
    assert page.get_by_text("Mã khôi phục — chỉ hiện một lần").count() == 0
