"""Schema migrations: a fresh database reaches the latest schema; an older database is upgraded in place."""
from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from pathlib import Path

import models.schema as schema
from models.db import close_database, database, open_database
from models.schema import migrate_to_latest, pending, runner
from services.data_dir import app


def test_fresh_database_gets_every_migration(tmp_path):
    open_database(tmp_path / "a.db")
    try:
        assert pending()[0] == "0001_initial"
        applied = migrate_to_latest()
        assert applied == [m.name for m in runner().migrations()]
        assert pending() == []
        tables = set(database.get_tables())
        assert {"legal_aid_case", "mediation_case", "dissemination_event", "audit_entry", "outbox",
                "search_index", "schema_migration"} <= tables
        mode = database.execute_sql("PRAGMA journal_mode").fetchone()[0]
        assert mode == "wal"
        assert database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    finally:
        close_database()


def test_upgrade_from_schema_version_1_keeps_data(tmp_path):
    """A database made by schema 0001 (before dissemination feedback columns) is upgraded at startup."""
    path = tmp_path / "old"
    path.mkdir()
    open_database(path / "plcs.db")
    migrate_to_latest("0001_initial")
    database.execute_sql(
        "INSERT INTO dissemination_event (id, created_at, updated_at, device_id, deleted, date, commune_code,"
        " village, form, topic, laws, target_groups, language, participants, participants_women,"
        " participants_ethnic_minority, materials_distributed, presenter, notes)"
        " VALUES ('e1', ?, ?, 'd', 0, '2025-03-01', '06652', 'Thôn 1', 'hoi_nghi', 'Luật Đất đai', '', '[]', 'vi',"
        " 80, 30, 10, 5, '', '')", (dt.datetime(2025, 3, 1), dt.datetime(2025, 3, 1)))
    cols = [c.name for c in database.get_columns("dissemination_event")]
    assert "feedback_useful" not in cols
    close_database()

    ctx = app.open_data_dir(path)          # what the app does at startup
    try:
        assert "0002_dissemination_feedback" in ctx.migrations_applied
        from models.records import DisseminationEvent
        event = DisseminationEvent.get_by_id("e1")
        assert event.participants == 80 and event.feedback_useful is None
        assert pending() == []
    finally:
        app.close()
    # The schema history is recorded in the file itself.
    names = [r[0] for r in sqlite3.connect(path / "plcs.db").execute("SELECT name FROM schema_migration")]
    assert names == [m.name for m in sorted((Path(schema.MIGRATIONS_DIR)).glob("[0-9]*.py"))
                     for m in [m.with_suffix("")]]


def test_failed_migration_rolls_back(tmp_path, monkeypatch):
    """Each migration runs in a transaction: a failure leaves the previous schema intact."""
    open_database(tmp_path / "b.db")
    try:
        migrate_to_latest("0001_initial")
        import models.schema as schema
        bad_dir = tmp_path / "migs"
        bad_dir.mkdir()
        for m in runner().migrations():
            (bad_dir / f"{m.name}.py").write_text(Path(m.path).read_text(encoding="utf-8"), encoding="utf-8")
        (bad_dir / "0003_broken.py").write_text(
            "from peewee import IntegerField\n"
            "def up(migrator, db):\n"
            "    migrator.migrate(migrator.add_column('person', 'x', IntegerField(null=True)))\n"
            "    raise RuntimeError('boom')\n", encoding="utf-8")
        monkeypatch.setattr(schema, "MIGRATIONS_DIR", bad_dir)
        with contextlib.suppress(RuntimeError):
            schema.migrate_to_latest()
        cols = [c.name for c in database.get_columns("person")]
        assert "x" not in cols
        names = [r[0] for r in database.execute_sql("SELECT name FROM schema_migration")]
        assert "0003_broken" not in names
    finally:
        close_database()
