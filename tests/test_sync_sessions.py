"""services.data_dir.sessions (issue 16 §6): lock state per UI session on one open database — no browser here; the
two-browser-context test is tests/e2e/test_sync_sessions_e2e.py."""
from __future__ import annotations

import pytest

from services import security
from services.data_dir import app, sessions
from services.records import store

PASSPHRASE = "một câu dài dễ nhớ cho phiên"


@pytest.fixture
def encrypted(tmp_path):
    app.open_data_dir(tmp_path)
    app.save_profile({"full_name": "Cán bộ", "role": "officer", "communes": ["06652"]})
    security.enable_encryption(tmp_path, PASSPHRASE, strict=False)
    yield tmp_path
    sessions._unlocked.clear()
    app.close()


def test_database_stays_open_while_any_session_is_unlocked(encrypted):
    sessions.opened("tab-1")
    sessions.unlock("tab-2", encrypted, passphrase=PASSPHRASE)       # shares the open database
    assert sessions.lock("tab-1") is False
    pid = store.save("person", {"full_name": "Vẫn mở"}).id        # tab 2 still works
    with pytest.raises(security.WrongPassphrase):
        sessions.unlock("tab-1", encrypted, passphrase="sai rồi")    # a locked session needs the passphrase
    assert not sessions.is_unlocked("tab-1")
    assert store.get("person", pid).full_name == "Vẫn mở"
    assert sessions.end("tab-2") is True                            # the last one: the database closes
    with pytest.raises(RuntimeError):
        app.current()
    ctx = sessions.unlock("tab-1", encrypted, passphrase=PASSPHRASE)  # opens it again
    assert ctx is app.current() and store.get("person", pid).full_name == "Vẫn mở"
