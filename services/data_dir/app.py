"""Opening the local data folder: the one entry point both the GUI and the CLI use.

    ctx = open_data_dir("/tmp/plcs")          # or None: --data-dir, then PLCS_DATA_DIR, then the user data dir
    ctx.device_id, ctx.device_code, ctx.actor, ctx.profile

The database file is <data dir>/plcs.db (SQLite, WAL). Migrations run at startup, each in a transaction,
after a rotating backup of an existing database when the security feature provides one.
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path

from platformdirs import user_data_dir

from models.db import close_database, database, open_database, refresh_statistics
from models.schema import migrate_to_latest, pending
from services.data_dir import context, settings  # noqa: F401
from services.data_dir.context import DB_FILE, AppContext, current  # noqa: F401  (re-exported: app.current())

# The hooks of every record write (services.records.events) register when their modules are imported: here,
# at the one start both the GUI and the CLI go through (a save refuses to run while one is missing).
from services.records import audit, outbox, search, villages  # noqa: F401

APP_NAME = "PhapLyCoSo"


def resolve_data_dir(cli_value: str | None = None) -> Path:
    value = cli_value or os.environ.get("PLCS_DATA_DIR") or user_data_dir(APP_NAME, appauthor=False)
    path = Path(value).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def open_data_dir(data_dir: str | Path | None = None, passphrase: str | None = None,
                  before_migrate=None, unlock=None) -> AppContext:
    """Open the database of a data folder, migrate it, and make it the current context. `passphrase` is None
    (plain folder), the data key (services.security.opening passes it) or a passphrase with `unlock(data_dir,
    passphrase) -> key` (see models.db.open_database)."""
    path = resolve_data_dir(str(data_dir) if data_dir else None)
    close_database()
    open_database(path / DB_FILE, passphrase, unlock)
    todo = pending()
    if todo and before_migrate is not None and (path / DB_FILE).stat().st_size > 0:
        before_migrate(path, todo)
    applied = migrate_to_latest() if todo else []
    refresh_statistics(force=bool(applied))
    device_id = settings.get("device_id")
    if not device_id:
        device_id = str(uuid.uuid4())
        settings.put("device_id", device_id)
    ctx = AppContext(path, device_id, settings.get("profile", {}) or {}, applied)
    context.set_current(ctx)
    from services.records.importing import recover_interrupted
    recover_interrupted()       # an import killed mid-way: its staged rows are discarded or moved in full
    return ctx


def use_memory_database() -> AppContext:
    """In-memory database with the full schema (tests)."""
    close_database()
    open_database(":memory:")
    migrate_to_latest()
    settings.put("device_id", "00000000-test-0000-0000-000000000000")
    ctx = AppContext(Path("."), settings.get("device_id"), {"full_name": "Kiểm thử"}, [])
    context.set_current(ctx)
    return ctx


def save_profile(profile: dict) -> None:
    settings.put("profile", profile)
    ctx = context.current_or_none()
    if ctx is not None:
        ctx.profile = profile


def close() -> None:
    close_database()
    context.set_current(None)


def release_thread_connection() -> None:
    """Close this thread's database connection (background jobs call it when they finish, so that no thread
    keeps a connection to a file that a restore is about to replace)."""
    if database.obj is not None and not database.is_closed():
        database.close()
