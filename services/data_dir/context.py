"""The open data folder's context (device, profile), read by every service that records who did what.

    ctx = current()          # RuntimeError before services.data_dir.app.open_data_dir()
    ctx.device_id, ctx.device_code, ctx.actor, ctx.profile, ctx.language

A module of its own, below services.data_dir.app: app opens folders (and so imports importing, security, the record
hooks…), while audit, records, importing and roles only need to read the context; reading it from app would
make each of them and app import one another (tests/test_layers.py forbids import cycles).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from services.data_dir import settings

DB_FILE = "plcs.db"


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


def current_or_none() -> AppContext | None:
    return _current


def set_current(ctx: AppContext | None) -> None:
    """services.data_dir.app calls this when it opens or closes a folder."""
    global _current
    _current = ctx
