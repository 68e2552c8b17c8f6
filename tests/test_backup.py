"""Backups (online backup API, encrypted, rotating, before migrations), checked restore, and transfer files."""
from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from models.crypto_db import is_plain_sqlite
from models.records import AuditEntry, LegalAidCase, Outbox, Person
from services.data_dir import app, backup, restore, transfer
from services.errors import AuthError, ValidationError
from services.records import store
from services.security import keyfile, opening
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
PASS = "mật khẩu sao lưu"
NAME = "Đặng Văn Đức"


def _cli(data_dir, *args, env=None):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("PLCS_")}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "main.py", "--data-dir", str(data_dir), *args], cwd=ROOT, env=full_env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)


@pytest.fixture
def enc(data_dir):
    ctx, recovery = opening.enable_encryption(data_dir, PASS)
    yield ctx
    app.close()


def _count():
    return LegalAidCase.select().count()


def test_backup_is_encrypted_and_restores(enc, tmp_path):
    first = store.save("legal-aid", factories.legal_aid())
    out = backup.create_backup(tmp_path / "usb" / "b.plcsbak")
    assert NAME.encode() not in out.read_bytes()
    header = backup.read_header(out)
    assert header["encrypted"] and header["key_id"] == keyfile.key_id(backup.current_key())
    assert PASS not in json.dumps(header)
    store.save("legal-aid", factories.legal_aid(summary="sau sao lưu"))
    store.delete("legal-aid", first.id)
    result = restore.restore_backup(out)
    assert _count() == 1 and store.get("legal-aid", first.id).summary
    assert Path(result["safety_backup"]).exists()                 # the replaced data is kept as a backup
    assert result["counts"]["legal_aid_case"] == 1


def test_damaged_or_foreign_backup_changes_nothing(enc, tmp_path):
    store.save("legal-aid", factories.legal_aid())
    good = backup.create_backup(tmp_path / "b.plcsbak")
    data = bytearray(good.read_bytes())
    for at in range(len(data) // 2, len(data) // 2 + 4096):       # damage pages in the middle
        data[at] ^= 0x5A
    bad = tmp_path / "bad.plcsbak"
    bad.write_bytes(bytes(data))
    store.save("legal-aid", factories.legal_aid(summary="vẫn còn"))
    before = (enc.data_dir / "plcs.db").stat().st_ino
    with pytest.raises(ValidationError):
        restore.restore_backup(bad)
    junk = tmp_path / "junk.plcsbak"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(ValidationError):
        restore.restore_backup(junk)
    import sqlite3
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t(x)")
    with pytest.raises(ValidationError):
        restore.restore_backup(other)                               # a sound SQLite file, but not ours
    assert (enc.data_dir / "plcs.db").stat().st_ino == before and _count() == 2
    assert not list(enc.data_dir.glob(".plcs.db.restore-*"))


def test_restore_backup_of_other_key_needs_its_passphrase(enc, tmp_path):
    store.save("legal-aid", factories.legal_aid())
    out = backup.create_backup(tmp_path / "old-laptop.plcsbak")
    app.close()
    new_dir = tmp_path / "new-laptop"
    opening.enable_encryption(new_dir, "mật khẩu máy mới")
    with pytest.raises(AuthError):
        restore.restore_backup(out)
    with pytest.raises(AuthError):
        restore.restore_backup(out, passphrase="sai")
    restore.restore_backup(out, passphrase=PASS)                    # re-keyed to this laptop's key
    assert _count() == 1
    app.close()
    opening.open_for_ui(new_dir, passphrase="mật khẩu máy mới")
    assert _count() == 1


def test_plain_folder_takes_over_encrypted_backup(enc, tmp_path):
    store.save("legal-aid", factories.legal_aid())
    out = backup.create_backup(tmp_path / "b.plcsbak")
    app.close()
    fresh = tmp_path / "fresh"
    app.open_data_dir(fresh)
    restore.restore_backup(out, passphrase=PASS)
    assert _count() == 1
    app.close()
    assert not is_plain_sqlite(fresh / "plcs.db") and (fresh / "plcs.key").exists()
    opening.open_for_ui(fresh, passphrase=PASS)
    assert _count() == 1


def test_rotation_and_daily_backup(enc):
    for _ in range(backup.KEEP["manual"] + 3):
        backup.create_backup()
    manual = [b for b in backup.list_backups() if b["reason"] == "manual"]
    assert len(manual) == backup.KEEP["manual"]
    assert backup.maybe_daily(enc) is None                          # not for a database created just now
    enc.migrations_applied = []
    assert backup.maybe_daily(enc) is not None
    assert backup.maybe_daily(enc) is None                          # once a day
    assert [b["reason"] for b in backup.list_backups()].count("daily") == 1


def test_backup_before_every_migration(data_dir):
    from models.db import close_database, open_database
    from models.schema import migrate_to_latest
    open_database(data_dir / "plcs.db")
    migrate_to_latest("0001_initial")                               # an older schema on disk
    close_database()
    ctx = opening.open_unlocked(data_dir, None)
    assert len(ctx.migrations_applied) >= 1
    reasons = [b["reason"] for b in backup.list_backups(data_dir)]
    assert "pre-migration" in reasons
    app.close()


def test_cli_backup_and_restore(data_dir, tmp_path):
    env = {"PLCS_PASSPHRASE": PASS}
    r = _cli(data_dir, "backup", "--out", str(tmp_path / "x.plcsbak"), "--json", env=env)
    assert r.returncode == 0, r.stderr
    r = _cli(data_dir, "restore", str(tmp_path / "x.plcsbak"), "--json", env=env)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["counts"]["schema_migration"] >= 1
    r = _cli(data_dir, "restore", str(tmp_path / "missing.plcsbak"), env=env)
    assert r.returncode == 3
    (tmp_path / "bad.plcsbak").write_bytes(b"PLCSBAK1\x00\x00\x00\x02{}garbage")
    r = _cli(data_dir, "restore", str(tmp_path / "bad.plcsbak"), env=env)
    assert r.returncode == 2 and "integrity_check" in r.stderr


# ---- transfer ---------------------------------------------------------------------------------------------------

def _device(path: Path, passphrase: str = PASS):
    app.close()
    if (path / "plcs.key").exists():
        return opening.open_for_ui(path, passphrase=passphrase)
    return opening.enable_encryption(path, passphrase)[0]


def test_transfer_round_trip_is_idempotent_and_encrypted(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    _device(a)
    case = store.save("legal-aid", factories.legal_aid())
    mediation = store.save("mediation", factories.mediation())
    event = store.save("dissemination", factories.dissemination())
    store.delete("dissemination", event.id)
    summary = transfer.export_changes(tmp_path / "usb.plcsx", password="chìa khóa USB")
    assert summary["counts"]["legal-aid"] == 1 and summary["counts"]["person"] == 3
    blob = (tmp_path / "usb.plcsx").read_bytes()
    assert NAME.encode() not in blob and b"022070001234" not in blob
    _device(b, "máy văn phòng")
    with pytest.raises(AuthError):
        transfer.import_file(tmp_path / "usb.plcsx", password="sai")
    first = transfer.import_file(tmp_path / "usb.plcsx", password="chìa khóa USB")
    assert first["applied"] == summary["count"]
    got = store.get("legal-aid", case.number)
    assert got.requester.full_name == NAME and store.get("mediation", mediation.id)
    assert store.get("dissemination", event.id, include_deleted=True).deleted
    from services.records.search import search
    assert search("dang van duc", kind="legal-aid")[0]["id"] == case.id
    rows_before = {m.__name__: m.select().count() for m in (LegalAidCase, Person, AuditEntry, Outbox)}
    again = transfer.import_file(tmp_path / "usb.plcsx", password="chìa khóa USB")
    assert again["applied"] == 0 and again["merged"] == 0 and again["skipped"] == summary["count"]
    rows_after = {m.__name__: m.select().count() for m in (LegalAidCase, Person, AuditEntry, Outbox)}
    rows_after["AuditEntry"] -= 1                                    # the import itself is audited (and synced)
    rows_after["Outbox"] -= 1
    assert rows_after == rows_before
    assert Outbox.select().where(Outbox.record_id == case.id).exists()   # forwarded on the office's sync
    app.close()


def test_transfer_last_writer_wins_without_sync_base(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    _device(a)
    case = store.save("legal-aid", factories.legal_aid())
    transfer.export_changes(tmp_path / "1.plcsx", password="k")
    _device(b)
    transfer.import_file(tmp_path / "1.plcsx", password="k")
    store.save("legal-aid", {"summary": "sửa ở văn phòng (mới hơn)"}, record_id=case.id)
    _device(a)
    store.save("legal-aid", {"summary": "sửa ở xã (cũ hơn)"}, record_id=case.id)
    older = LegalAidCase.get_by_id(case.id).updated_at - datetime.timedelta(hours=1)
    LegalAidCase.update(updated_at=older).where(LegalAidCase.id == case.id).execute()
    transfer.export_changes(tmp_path / "2.plcsx", password="k")
    store.save("legal-aid", {"provider": "Luật sư Minh"}, record_id=case.id)     # newest of all
    transfer.export_changes(tmp_path / "3.plcsx", password="k")
    _device(b)
    result = transfer.import_file(tmp_path / "2.plcsx", password="k")
    assert result["kept_local"] >= 1
    assert store.get("legal-aid", case.id).summary == "sửa ở văn phòng (mới hơn)"
    transfer.import_file(tmp_path / "3.plcsx", password="k")
    assert store.get("legal-aid", case.id).provider == "Luật sư Minh"
    app.close()


def test_transfer_rejects_bad_files_and_stores_nothing(tmp_path):
    _device(tmp_path / "a")
    store.save("legal-aid", factories.legal_aid())
    transfer.export_changes(tmp_path / "ok.plcsx", password="k")
    data = bytearray((tmp_path / "ok.plcsx").read_bytes())
    data[-10] ^= 0xFF
    (tmp_path / "tampered.plcsx").write_bytes(bytes(data))
    transfer.export_changes(tmp_path / "plain.plcsx", password=None, everything=True)
    header = transfer.read_header(tmp_path / "plain.plcsx")
    raw = (tmp_path / "plain.plcsx").read_bytes()
    import gzip
    import struct
    hl = struct.unpack(">I", raw[8:12])[0]
    payload = json.loads(gzip.decompress(raw[12 + hl:]))
    payload["records"].append({"kind": "legal-aid", "id": "x" * 36, "doc": {"requester_id": "nobody"}})
    body = gzip.compress(json.dumps(payload).encode())
    (tmp_path / "dangling.plcsx").write_bytes(raw[:12 + hl] + body)
    _device(tmp_path / "b")
    before = LegalAidCase.select().count(), Person.select().count(), AuditEntry.select().count()
    with pytest.raises(ValidationError, match="damaged"):
        transfer.import_file(tmp_path / "tampered.plcsx", password="k")     # right password, GCM tag fails: damaged
    with pytest.raises(ValidationError, match="not encrypted"):
        transfer.import_file(tmp_path / "plain.plcsx", password=None)        # plain file into an encrypted folder
    assert (LegalAidCase.select().count(), Person.select().count(), AuditEntry.select().count()) == before
    app.close()
    app.open_data_dir(tmp_path / "c")                                         # a plain folder takes plain files
    before = LegalAidCase.select().count(), Person.select().count(), AuditEntry.select().count()
    (tmp_path / "short.plcsx").write_bytes(b"PLCSXFR1\x00")
    for name in ("short.plcsx", "dangling.plcsx"):
        with pytest.raises(ValidationError):
            transfer.import_file(tmp_path / name, password=None)
    assert header["encrypted"] is False
    assert (LegalAidCase.select().count(), Person.select().count(), AuditEntry.select().count()) == before
    app.close()


def test_cli_transfer(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    _device(a)
    store.save("legal-aid", factories.legal_aid())
    app.close()
    env = {"PLCS_PASSPHRASE": PASS}
    r = _cli(a, "transfer", "export", "--out", str(tmp_path / "t.plcsx"), "--json", env=env)
    assert r.returncode == 0, r.stderr
    n = json.loads(r.stdout)["count"]
    r = _cli(b, "transfer", "import", str(tmp_path / "t.plcsx"), "--json",
             env={"PLCS_PASSPHRASE": "máy khác 123", "PLCS_TRANSFER_PASSPHRASE": PASS})
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["applied"] == n
    r = _cli(b, "transfer", "import", str(tmp_path / "t.plcsx"), "--json",
             env={"PLCS_PASSPHRASE": "máy khác 123", "PLCS_TRANSFER_PASSPHRASE": PASS})
    assert json.loads(r.stdout)["applied"] == 0
    r = _cli(b, "transfer", "import", str(tmp_path / "t.plcsx"), env={"PLCS_PASSPHRASE": "máy khác 123"})
    assert r.returncode == 4                                          # wrong transfer password


def test_transfer_file_with_the_same_record_twice(tmp_path):
    import gzip
    import struct
    _device(tmp_path / "a")
    case = store.save("legal-aid", factories.legal_aid())
    transfer.export_changes(tmp_path / "plain.plcsx", password=None, everything=True)
    raw = (tmp_path / "plain.plcsx").read_bytes()
    hl = struct.unpack(">I", raw[8:12])[0]
    payload = json.loads(gzip.decompress(raw[12 + hl:]))
    twice = [dict(r) for r in payload["records"] if r["kind"] == "legal-aid"]
    twice[0]["doc"] = dict(twice[0]["doc"], summary="bản sau")
    twice[0]["updated_at"] = "2099-01-01T00:00:00"
    payload["records"] += twice
    (tmp_path / "twice.plcsx").write_bytes(raw[:12 + hl] + gzip.compress(json.dumps(payload).encode()))
    app.close()
    app.open_data_dir(tmp_path / "b")                     # plain files are only taken by a plain folder
    result = transfer.import_file(tmp_path / "twice.plcsx")
    assert result["applied"] == result["total"]
    assert LegalAidCase.select().count() == 1 and store.get("legal-aid", case.id).summary == "bản sau"
    app.close()


def test_plain_folder_backup_and_restore(data_dir, tmp_path):
    app.open_data_dir(data_dir)
    case = store.save("legal-aid", factories.legal_aid())
    out = backup.create_backup(tmp_path / "plain.plcsbak")
    assert backup.read_header(out)["encrypted"] is False
    store.delete("legal-aid", case.id)
    restore.restore_backup(out)
    assert store.get("legal-aid", case.id)
    assert is_plain_sqlite(data_dir / "plcs.db")
    app.close()
