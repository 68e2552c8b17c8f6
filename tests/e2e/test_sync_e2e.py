"""End-to-end sync (real Chromium + the real Kinto/PostgreSQL of tests/kinto_server.py): a case made in the UI
reaches the server from the sync screen; a wrong password is named as such; a conflict with a second device is
shown with both values (and the base) and resolved "keep this one" from the UI. Screenshots of the sync screen
after a sync and with a conflict go to test-artifacts/ (and docs/screenshots/ with `make screenshots`).

The commune: the fixture's test communes (9xxxx) are not in the national catalog, so the UI's forms refuse them
(services.kinds.common.commune_code). The test therefore adds one real commune bucket to the fixture's province
and assigns the fixture's officer to it; the app's data folder is prepared (services.data_dir.app.open_data_dir +
save_profile) with that commune before the app server starts.
"""
from __future__ import annotations

import requests

from services import admin_units
from tests.e2e.conftest import ARTIFACTS, AppServer, doc_shot, open_page, shot
from tests.e2e.helpers import click_nav, fill, pick

LOCAL, REMOTE = "Trợ giúp viên Lò Thị Hoa", "Luật sư Hoàng Minh Tuấn"
WRONG = "Sai tên đăng nhập hoặc mật khẩu. Hãy nhập lại mật khẩu."


def create_case(page, name: str) -> None:
    """The legal-aid form, typed with the keyboard (helpers.create_legal_aid's Locator.fill can lose a field)."""
    click_nav(page, "Trợ giúp pháp lý")
    page.get_by_role("button", name="Thêm vụ việc").click()
    page.wait_for_timeout(500)
    pick(page, "Diện người được trợ giúp *", "Người thuộc hộ nghèo")
    pick(page, "Lĩnh vực pháp luật *", "Đất đai")
    pick(page, "Hình thức trợ giúp *", "Tư vấn pháp luật")
    fill(page, "Họ và tên người yêu cầu *", name)
    fill(page, "Số điện thoại", "0912345678")



def prepare(path, commune: str, name: str) -> None:
    from services.data_dir import app
    path.mkdir()
    app.open_data_dir(path)
    app.save_profile({"full_name": name, "role": "officer", "province_code": commune_province(commune),
                      "communes": [commune]})
    app.close()


def commune_province(code: str) -> str:
    return admin_units.commune(code).province_code


def server_cases(site, commune: str) -> dict:
    with requests.Session() as s:
        s.trust_env = False
        r = s.get(site.records_url("legal_aid_cases", commune), auth=site.admin, timeout=30)
    r.raise_for_status()
    return {rec["id"]: rec for rec in r.json()["data"]}


def sync_from_ui(page, password: str | None = None, screenshot: str | None = None) -> None:
    page.get_by_role("button", name="Đồng bộ ngay").click()
    if password is not None:
        page.get_by_text("Đăng nhập máy chủ đồng bộ").wait_for()
        fill(page, "Mật khẩu đồng bộ", password)
        if screenshot:
            shot(page, screenshot)
        page.get_by_role("button", name="Bắt đầu đồng bộ").click()


def close_message(page) -> None:
    page.get_by_label("Đóng", exact=True).first.click()
    page.wait_for_timeout(300)


def test_sync_screen_against_the_real_server(browser, tmp_path, kinto_bucket):
    site = kinto_bucket
    commune = admin_units.communes("22")[7]
    admin = site.server.admin_client()
    admin.ensure_communes([(commune.code, commune.name)], province=site.province)
    admin.assign_officer(site.officer.user, [commune.code], province=site.province)
    user, password = site.officer

    data = tmp_path / "ui"
    prepare(data, commune.code, "Nguyễn Thị Lan")
    ARTIFACTS.mkdir(exist_ok=True)
    srv = AppServer(data, ARTIFACTS / "e2e-server-sync.log")
    context = None
    try:
        context, page = open_page(browser, srv.url)
        page.get_by_text("Tổng quan").first.wait_for(timeout=30000)

        # a case made in the UI waits in the outbox
        create_case(page, "Đặng Văn Đức")
        page.get_by_role("button", name="Lưu", exact=True).click()
        page.get_by_text("Tiến trình xử lý").wait_for()

        # server and account in the settings (no password there)
        click_nav(page, "Cài đặt")
        fill(page, "Địa chỉ máy chủ", site.url)
        fill(page, "Tên đăng nhập", user)
        page.get_by_role("button", name="Lưu máy chủ").click()
        page.get_by_text("Đã lưu").first.wait_for()
        shot(page, "sync-settings-server")

        click_nav(page, "Đồng bộ")
        page.get_by_text(f"Tài khoản: {user}", exact=False).first.wait_for()
        page.get_by_text("hồ sơ chưa gửi").first.wait_for()

        # wrong password: said in plain words, nothing sent
        sync_from_ui(page, "mat-khau-sai", screenshot="sync-password-dialog")
        page.get_by_text(WRONG).first.wait_for()
        shot(page, "sync-wrong-password")
        assert server_cases(site, commune.code) == {}
        close_message(page)

        # right password: everything sent, summary and last success shown
        sync_from_ui(page, password)
        page.get_by_text("Lần đồng bộ này:").wait_for(timeout=30000)
        page.get_by_text("Mọi hồ sơ đã được gửi").wait_for()
        page.get_by_text("Lần thành công gần nhất:").first.wait_for()
        cases = server_cases(site, commune.code)
        assert len(cases) == 1
        [case_id] = cases
        for f in data.iterdir():                              # the password is never written to the data folder
            assert not f.is_file() or password.encode() not in f.read_bytes(), f.name
        doc_shot(page, "sync-done")

        # a second device edits the case's provider and syncs first
        from services import sync
        from services.data_dir import app
        from services.records import store
        other = tmp_path / "other"
        prepare(other, commune.code, "Lò Thị Mai")
        app.open_data_dir(other)
        try:
            assert sync.sync_now(site.url, user, password).received >= 1
            store.save("legal-aid", {"provider": REMOTE}, record_id=case_id)
            assert sync.sync_now(site.url, user, password).sent >= 1
        finally:
            app.close()

        # the UI device edits the same field (the assigned provider), then syncs: the conflict shows both values
        close_message(page)
        click_nav(page, "Trợ giúp pháp lý")
        page.get_by_text("Đặng Văn Đức").first.click()
        page.get_by_text("Tiến trình xử lý").wait_for()
        page.get_by_role("button", name="Sửa", exact=True).click()
        page.wait_for_timeout(500)
        fill(page, "Người thực hiện trợ giúp", LOCAL)
        page.get_by_role("button", name="Lưu", exact=True).click()
        page.get_by_text("Tiến trình xử lý").wait_for()
        page.get_by_text("Cập nhật", exact=True).first.wait_for()      # the edit is in the history
        click_nav(page, "Đồng bộ")
        sync_from_ui(page)                                   # the session remembers the password: no dialog
        page.get_by_text("Xung đột cần xem lại (1)").wait_for(timeout=30000)
        page.get_by_text(LOCAL).first.wait_for()
        page.get_by_text(REMOTE).first.wait_for()
        page.get_by_text("Trường: Người thực hiện trợ giúp").wait_for()
        doc_shot(page, "sync-conflict")

        # keep this device's value: the conflict goes, and the next sync sends it
        page.get_by_role("button", name="Giữ bản này").click()
        page.get_by_text("Không có xung đột.").wait_for()
        page.get_by_text("hồ sơ chưa gửi").first.wait_for()    # the kept value is queued again
        close_message(page)
        sync_from_ui(page)
        page.get_by_text("Mọi hồ sơ đã được gửi").wait_for(timeout=30000)
        assert server_cases(site, commune.code)[case_id]["provider"] == LOCAL
    except Exception:
        if context is not None:
            shot(page, "sync-e2e-failure")
        raise
    finally:
        if context is not None:
            context.close()
        srv.stop()
