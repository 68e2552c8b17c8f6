"""The sync screen's state on a partly failed run (issue 16 §2), against the real Kinto + PostgreSQL: the red box
says "Đồng bộ chưa xong" first with the refused read in words, no "Đồng bộ xong" snackbar, "Lần thành công gần
nhất" unchanged; record counts without the change log (shown apart); notices listed with a restore action."""
from __future__ import annotations

from services import sync
from services.data_dir import app as app_service
from services.records import store
from tests.conftest import run_coroutine
from tests.test_sync import Client, new_person
from ui.state.app_state import AppState
from ui.state.sync import SyncState


def test_partly_failed_run_on_the_sync_screen(tmp_path, kinto_bucket_factory):
    site = kinto_bucket_factory(communes=2, officers=1)
    mine, other = site.communes
    account = site.officers[mine][0]
    c = Client(tmp_path / "a", site, account=account, communes=[mine])
    state = AppState(app_service.current())
    state.needs_setup = False
    said = []
    state.say = lambda text, *a, **k: said.append(text)
    s = SyncState(state)
    s.save_server(site.url, account.user)
    new_person("Người một")
    s.load()
    assert s.counts == [("person", 1)] and s.total == 1 and s.change_log == 1
    s.set_password(account.password)
    run_coroutine(s.run(account.password))
    assert not s.partial and s.last_error == "" and said[-1].startswith("Đồng bộ xong")
    first_ok, first_card = s.last_ok, sync.status()["last_success"]
    assert first_ok and first_card
    c.profile["communes"] = [mine, other]
    c.use()
    said.clear()
    run_coroutine(s.run(account.password))
    assert s.partial
    assert s.last_error.startswith("Đồng bộ chưa xong") and f"không có quyền đọc dữ liệu xã {other}" in s.last_error
    assert said and not any(m.startswith("Đồng bộ xong") for m in said)
    assert said[-1].startswith("Đồng bộ chưa xong")
    assert s.last_ok == first_ok and sync.status()["last_success"] == first_card
    app_service.close()


def test_deleted_edit_notice_is_listed_and_restored_from_the_screen(tmp_path, kinto_bucket):
    a = Client(tmp_path / "a", kinto_bucket, name="a")
    b = Client(tmp_path / "b", kinto_bucket, name="b")
    a.use()
    pid = new_person("Người bị xoá", notes="của A").id
    a.sync()
    b.sync()
    b.use()
    store.delete("person", pid)
    b.sync()
    a.sync()
    a.use()
    state = AppState(app_service.current())
    state.needs_setup = False
    state.say = lambda *x, **k: None
    s = SyncState(state)
    s.load()
    [n] = s.notices
    assert n["notice"] == "deleted_edit" and "xoá" in n["text"]["vi"]
    s.restore_notice(n["notice_id"])
    assert s.notices == [] and store.get("person", pid).deleted is False
    assert s.total == 1                                     # the restored record waits to be sent
    app_service.close()
