"""End-to-end (real Chromium, web mode), issue 16 §6: two browser contexts (two tabs of two officers' sessions)
on one encrypted data folder. Locking one session must not close the database under the other: the other keeps
reading records and its sync screen works; the locked one asks for the passphrase (no data, no raw message) and
unlocks while the database stays open. A tab closed and then locked by its idle timer changes nothing either."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.e2e.conftest import ARTIFACTS, ROOT, AppServer, _communes, open_page, seed_profile
from tests.e2e.helpers import click_nav
from tests.e2e.test_security_e2e import PASSPHRASE, SEED_AND_ENCRYPT, type_into
from tests.e2e.test_sync_e2e import sync_from_ui

REMEMBER_SERVER = """
import sys
from services.data_dir import app, settings
app.open_data_dir(sys.argv[1])
settings.put("sync.server_url", sys.argv[2]); settings.put("sync.user", sys.argv[3])
app.close()
"""

RAW = ("open_data_dir", "Traceback", "RuntimeError", "Error running app")


@pytest.fixture
def encrypted_server(tmp_path, kinto_bucket):
    """An encrypted folder with one case, the sync server and account remembered (the real Kinto of the test
    session, with the folder's commune assigned to the officer)."""
    data = tmp_path / "data"
    data.mkdir()
    communes = [c.code for c in _communes()[:3]]
    site = kinto_bucket
    admin = site.server.admin_client()
    admin.ensure_communes([(communes[0], "Xã của phiên")], province=site.province)
    admin.assign_officer(site.officer.user, [communes[0]], province=site.province)
    seed_profile(data, communes[:1])
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLCS_")}
    subprocess.run([sys.executable, "-c", REMEMBER_SERVER, str(data), site.url, site.officer.user], cwd=ROOT,
                   env={**env, "PLCS_NO_ENCRYPTION": "1"}, check=True)
    subprocess.run([sys.executable, "-c", SEED_AND_ENCRYPT, str(data), communes[0], PASSPHRASE], cwd=ROOT,
                   env=env, check=True)
    ARTIFACTS.mkdir(exist_ok=True)
    srv = AppServer(data, ARTIFACTS / f"e2e-server-sessions-{os.getpid()}.log")
    srv.site = site
    try:
        yield srv
    finally:
        srv.stop()


def _unlock(page) -> None:
    """Unlock; the session comes back where it was (the overview the first time)."""
    page.get_by_text("Mở khóa dữ liệu").first.wait_for(timeout=30000)
    type_into(page, "Mật khẩu", PASSPHRASE, submit=True)
    page.get_by_role("button", name="Tổng quan").first.wait_for(timeout=20000)
    page.get_by_text("Mở khóa dữ liệu").first.wait_for(state="detached", timeout=20000)


def _no_raw(page) -> None:
    for text in RAW:
        assert page.get_by_text(text, exact=False).count() == 0, text


def test_locking_one_session_keeps_the_database_open_for_the_other(browser, encrypted_server):
    srv = encrypted_server
    ctx1, p1 = open_page(browser, srv.url)
    ctx2, p2 = open_page(browser, srv.url)
    try:
        _unlock(p1)
        _unlock(p2)
        # session 1 locks itself (Settings → "Khóa ngay")
        click_nav(p1, "Cài đặt")
        p1.get_by_role("button", name="Khóa ngay").first.click()
        p1.get_by_text("Mở khóa dữ liệu").first.wait_for(timeout=20000)
        assert p1.get_by_text("Đặng Văn Đức").count() == 0
        # session 2 still works with the open database: the sync screen reads the outbox, and a sync runs
        click_nav(p2, "Đồng bộ")
        p2.get_by_text("Chờ gửi theo loại hồ sơ").first.wait_for(timeout=20000)
        sync_from_ui(p2, srv.site.officer.password)            # the sync that used to fail ("open_data_dir…")
        p2.get_by_text("Lần đồng bộ này:").first.wait_for(timeout=60000)
        p2.get_by_text("Mọi hồ sơ đã được gửi").first.wait_for(timeout=20000)
        _no_raw(p2)
        # the locked session asks for the passphrase: a wrong one is refused, the right one opens it
        type_into(p1, "Mật khẩu", "không phải mật khẩu", submit=True)
        p1.get_by_text("Mật khẩu không đúng.", exact=False).first.wait_for(timeout=20000)
        p1.wait_for_timeout(2500)        # the delay after a wrong passphrase
        _unlock(p1)
        click_nav(p1, "Đồng bộ")
        p1.get_by_text("Chờ gửi theo loại hồ sơ").first.wait_for(timeout=20000)
        _no_raw(p1)
        # session 2's tab is closed; session 1 locks and unlocks again: the last unlocked session closes the
        # database on lock, and the unlock opens it again
        ctx2.close()
        ctx2 = None
        click_nav(p1, "Cài đặt")
        p1.get_by_role("button", name="Khóa ngay").first.click()
        _unlock(p1)
        click_nav(p1, "Đồng bộ")
        p1.get_by_text("Chờ gửi theo loại hồ sơ").first.wait_for(timeout=20000)
        _no_raw(p1)
    except Exception:
        from tests.e2e.conftest import shot
        shot(p1, "sessions-failure-1")
        if ctx2 is not None:
            shot(p2, "sessions-failure-2")
        raise
    finally:
        for ctx in (ctx1, ctx2):
            if ctx is not None:
                ctx.close()
