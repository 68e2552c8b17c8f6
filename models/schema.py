"""Brings a database to the current schema at startup: numbered scripts in models/migrations, each in a
transaction (playhouse.migrations.Runner), recorded in the `schema_migration` table.

    from models.schema import migrate_to_latest
    applied = migrate_to_latest()      # -> ["0001_initial", ...] newly applied
"""
from __future__ import annotations

from pathlib import Path

from playhouse.migrations import Runner

from models.db import database

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def runner() -> Runner:
    return Runner(database.obj, str(MIGRATIONS_DIR))


def pending() -> list[str]:
    return [m.name for m in runner().status() if m.path is not None and not m.applied]


def migrate_to_latest(target: str | None = None) -> list[str]:
    return runner().up(target)
