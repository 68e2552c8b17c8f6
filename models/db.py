"""The one place that opens the local database.

    from models.db import database, open_database
    open_database("/path/app.db")            # plain SQLite (WAL, foreign keys on)
    open_database(":memory:")                # tests

Every model binds to the `database` proxy; nothing opens a connection at import time (peewee's
"defer initialization" pattern). The security feature switches this function to SQLCipher.
"""
from __future__ import annotations

import os
from pathlib import Path

from peewee import DatabaseProxy, SqliteDatabase

database = DatabaseProxy()

PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "cache_size": -64000,      # 64 MB page cache
    "synchronous": "normal",   # safe with WAL: a crash never corrupts, at most the last commit is lost
    "busy_timeout": 10000,
    "temp_store": "memory",
}


def open_database(path: str | Path, passphrase: str | None = None):
    """Open (creating if needed) the database at `path` and bind every model to it."""
    if passphrase is not None:
        from models.crypto_db import open_encrypted  # provided by the security feature
        db = open_encrypted(str(path), passphrase, PRAGMAS)
    else:
        db = SqliteDatabase(str(path), pragmas=PRAGMAS, timeout=10)
    db.connect(reuse_if_open=True)
    database.initialize(db)
    _open_files.clear()
    if str(path) != ":memory:":
        _open_files[os.path.realpath(path)] = passphrase is not None
    return db


def close_database() -> None:
    if database.obj is not None and not database.is_closed():
        database.close()


# Database files this process has open (real path -> encrypted?). Code must never open() and close() such a
# file itself: closing any descriptor of a file drops every POSIX lock this process holds on it, so another
# process closing its connection would then believe it is the last one, checkpoint and DELETE the WAL that
# our connections still write into (those writes are then lost). Ask here instead.
_open_files: dict[str, bool] = {}


def open_file_encrypted(path: str | Path) -> bool | None:
    """Whether `path` is the database open in this process and encrypted; None when it is not open here."""
    return _open_files.get(os.path.realpath(path))


def refresh_statistics(force: bool = False) -> None:
    """Give SQLite's query planner table statistics (ANALYZE, sampled so it stays fast on large tables).

    Without them the planner can pick the (deleted, date) index for a commune+year list and scan a whole
    year of the province (1.4 s at 1,000,000 records) instead of the (commune_code, date) one (1 ms)."""
    has_stats = database.execute_sql(
        "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone() is not None
    if force or not has_stats:
        database.execute_sql("PRAGMA analysis_limit = 1000")
        database.execute_sql("ANALYZE")
    else:
        database.execute_sql("PRAGMA optimize")
