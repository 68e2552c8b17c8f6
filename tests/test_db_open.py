"""models.db.open_database: a passphrase is turned into the data key by the unlock function the caller passes
(models never import services.security, issue 18 §4)."""
from __future__ import annotations

import pytest

from models.crypto_db import RawKey, is_plain_sqlite
from models.db import close_database, database, open_database


def test_a_passphrase_is_unlocked_by_the_function_passed_in(tmp_path):
    key = RawKey.generate()
    calls = []

    def unlock(data_dir, passphrase):
        calls.append((data_dir, passphrase))
        return key

    open_database(tmp_path / "p.db", "một câu dài", unlock)
    try:
        database.execute_sql("CREATE TABLE t (x)")
        database.execute_sql("INSERT INTO t VALUES (1)")
    finally:
        close_database()
    assert calls == [(tmp_path, "một câu dài")]
    open_database(tmp_path / "p.db", key)               # the key alone opens it: the unlock gave the data key
    try:
        assert database.execute_sql("SELECT x FROM t").fetchall() == [(1,)]
    finally:
        close_database()
    assert not is_plain_sqlite(tmp_path / "p.db")


def test_a_passphrase_without_an_unlock_function_is_refused(tmp_path):
    with pytest.raises(TypeError, match="unlock function"):
        open_database(tmp_path / "q.db", "một câu dài")
    assert not (tmp_path / "q.db").exists()
