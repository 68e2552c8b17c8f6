"""Opening the local data folder: the one entry point both the GUI and the CLI use.

    ctx = open_data_dir("/tmp/plcs")          # or None: --data-dir, then PLCS_DATA_DIR, then the user data dir
    ctx.device_id, ctx.device_code, ctx.actor, ctx.profile

The database file is <data dir>/plcs.db (SQLite, WAL). Migrations run at startup, each in a transaction,
after a rotating backup of an existing database when the security feature provides one.
"""
from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_data_dir

from models.db import close_database, database, open_database, refresh_statistics
from models.schema import migrate_to_latest, pending
from services import settings

APP_NAME = "PhapLyCoSo"
DB_FILE = "plcs.db"


def resolve_data_dir(cli_value: str | None = None) -> Path:
    value = cli_value or os.environ.get("PLCS_DATA_DIR") or user_data_dir(APP_NAME, appauthor=False)
    path = Path(value).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class AppContext:
    data_dir: Path
    device_id: str
    profile: dict = field(default_factory=dict)
    migrations_applied: list[str] = field(default_factory=list)

    @property
    def db_path(self) -> Path:
        return self.data_dir / DB_FILE

    @property
    def device_code(self) -> str:
        """4-character device code used in human-readable numbers."""
        return self.device_id.replace("-", "")[:4].upper()

    @property
    def actor(self) -> str:
        return self.profile.get("full_name") or "—"

    @property
    def language(self) -> str:
        return settings.get("language", "vi")


_current: AppContext | None = None


def current() -> AppContext:
    if _current is None:
        raise RuntimeError("open_data_dir() has not been called")
    return _current


def open_data_dir(data_dir: str | Path | None = None, passphrase: str | None = None,
                  before_migrate=None, unlock=None) -> AppContext:
    """Open the database of a data folder, migrate it, and make it the current context. `passphrase` is None
    (plain folder), the data key (services.security.opening passes it) or a passphrase with `unlock(data_dir,
    passphrase) -> key` (see models.db.open_database)."""
    global _current
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
    _current = AppContext(path, device_id, settings.get("profile", {}) or {}, applied)
    from services.importing import recover_interrupted
    recover_interrupted()       # an import killed mid-way: its staged rows are discarded or moved in full
    return _current


def use_memory_database() -> AppContext:
    """In-memory database with the full schema (tests)."""
    global _current
    close_database()
    open_database(":memory:")
    migrate_to_latest()
    settings.put("device_id", "00000000-test-0000-0000-000000000000")
    _current = AppContext(Path("."), settings.get("device_id"), {"full_name": "Kiểm thử"}, [])
    return _current


def save_profile(profile: dict) -> None:
    settings.put("profile", profile)
    if _current is not None:
        _current.profile = profile


def close() -> None:
    global _current
    close_database()
    _current = None


def release_thread_connection() -> None:
    """Close this thread's database connection (background jobs call it when they finish, so that no thread
    keeps a connection to a file that a restore is about to replace)."""
    if database.obj is not None and not database.is_closed():
        database.close()


def in_transaction():
    return database.atomic()


def open_data_dir_for_cli(data_dir=None) -> AppContext:
    """CLI opening: PLCS_PASSPHRASE (or a hidden prompt on a terminal; exit 4 at once without either) for an
    encrypted folder, backup before migrations, the daily backup (services/security/opening.py)."""
    from services.security.opening import open_for_cli
    return open_for_cli(data_dir)
