"""The one place that opens the local database.

    from models.db import database, open_database
    open_database("/path/app.db")            # plain SQLite (WAL, foreign keys on)
    open_database(":memory:")                # tests

Every model binds to the `database` proxy; nothing opens a connection at import time (peewee's
"defer initialization" pattern). The security feature switches this function to SQLCipher.
"""
from __future__ import annotations

from pathlib import Path

from peewee import DatabaseProxy, SqliteDatabase

from models import open_files

database = DatabaseProxy()

PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "cache_size": -64000,      # 64 MB page cache
    "synchronous": "normal",   # safe with WAL: a crash never corrupts, at most the last commit is lost
    "busy_timeout": 10000,
    "temp_store": "memory",
}


def open_database(path: str | Path, secret=None, unlock=None):
    """Open (creating if needed) the database at `path` and bind every model to it.

    `secret`: None (plain SQLite), a models.crypto_db.RawKey, or a passphrase, which `unlock(data_dir,
    passphrase) -> RawKey` turns into the data key (services.security.vault.unlock_key; passed in by the caller
    because models must not import services)."""
    if secret is not None:
        from models.crypto_db import is_raw_key, open_encrypted  # sqlcipher3 only loaded for encrypted folders
        if not is_raw_key(secret):
            if unlock is None:
                raise TypeError("a passphrase needs an unlock function (services.security.vault.unlock_key)")
            secret = unlock(Path(path).parent, secret)
        db = open_encrypted(str(path), secret, PRAGMAS)
    else:
        db = SqliteDatabase(str(path), pragmas=PRAGMAS, timeout=10)
    db.connect(reuse_if_open=True)
    database.initialize(db)
    open_files.forget_all()
    if str(path) != ":memory:":
        open_files.remember(path, secret is not None)
    return db


def close_database() -> None:
    if database.obj is not None and not database.is_closed():
        database.close()


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
