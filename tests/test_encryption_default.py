"""Issue 14 §3 (data readable by default) and §4 (a backup with a malformed key envelope): new folders are
encrypted unless opted out, one passphrase policy for CLI and GUI, owner-only permissions, Argon2id key
wrapping (old scrypt key files still open and are upgraded on unlock), orphaned backup temporaries removed at
start only when no backup runs.

The test session sets PLCS_NO_ENCRYPTION=1 (tests/conftest.py); the CLI helper here drops every PLCS_*
variable so these tests see the real default.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from models.crypto_db import is_plain_sqlite
from services.data_dir import app, backup
from services.errors import ValidationError
from services.records import store
from services.security import keyfile, opening, policy, vault
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
PASS = "mật khẩu mặc định"
CCCD = "022070001234"


def _cli(data_dir, *args, env=None, timeout=120):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("PLCS_")}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "main.py", "--data-dir", str(data_dir), *args], cwd=ROOT,
                          env=full_env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)


def _plain_on_disk(path: Path) -> bool:
    """The file's own header (models.crypto_db.is_plain_sqlite trusts what this process opened last)."""
    with open(path, "rb") as f:
        return f.read(16) == b"SQLite format 3\x00"


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def no_opt_out(monkeypatch):
    monkeypatch.delenv(policy.ENV_NO_ENCRYPTION, raising=False)


# ---- the passphrase policy (one service for CLI and GUI) ----------------------------------------------------

@pytest.mark.parametrize("weak, rule", [("a", "at least 8"), ("        ", "empty"),
                                        ("aaaaaaaaaa", "different characters"), ("abababab", "different characters"),
                                        ("12345678", "straight run"), ("hgfedcba", "straight run")])
def test_weak_passphrases_are_refused_naming_the_rule(weak, rule):
    with pytest.raises(ValidationError) as exc:
        policy.check_new_passphrase(weak)
    assert rule in exc.value.message("en").lower() or rule in exc.value.message("en")
    assert vault.validate_new_passphrase is not None
    with pytest.raises(ValidationError):                  # the vault (GUI setup, change, reset) uses the same rules
        vault.validate_new_passphrase(weak)


def test_good_passphrases_pass():
    for good in (PASS, "một câu dài dễ nhớ", "correct horse battery", "Tổ hòa giải 7"):
        assert policy.check_new_passphrase(good) == good


# ---- CLI: a new folder is encrypted; weak -> 2; missing -> 4; explicit opt-out -----------------------------

def test_cli_new_folder_without_passphrase_fails_with_exit_4_and_creates_nothing(tmp_path):
    folder = tmp_path / "new"
    r = _cli(folder, "stats", "--json")
    assert r.returncode == 4, r.stderr
    assert "--no-encryption" in r.stderr and "PLCS_PASSPHRASE" in r.stderr
    db = folder / "plcs.db"
    assert not db.exists() or db.stat().st_size == 0          # no plain database was written


def test_cli_weak_passphrase_on_a_new_folder_exits_2_naming_the_rule(tmp_path):
    folder = tmp_path / "new"
    r = _cli(folder, "stats", "--json", env={"PLCS_PASSPHRASE": "a"})
    assert r.returncode == 2, r.stderr
    assert "ít nhất 8 ký tự" in r.stderr and "at least 8 characters" in r.stderr
    r = _cli(folder, "stats", "--json", env={"PLCS_PASSPHRASE": "12345678"})
    assert r.returncode == 2 and "12345678" in r.stderr
    assert not (folder / "plcs.key").exists()
    db = folder / "plcs.db"
    assert not db.exists() or db.stat().st_size == 0


def test_cli_new_folder_with_a_passphrase_is_encrypted_and_private(tmp_path):
    folder = tmp_path / "new"
    csv = tmp_path / "cases.csv"
    r = _cli(tmp_path / "tpl", "template", "legal-aid", "--out", str(csv), env={"PLCS_NO_ENCRYPTION": "1"})
    assert r.returncode == 0, r.stderr
    r = _cli(folder, "stats", "--json", env={"PLCS_PASSPHRASE": PASS})
    assert r.returncode == 0, r.stderr
    assert "mã khôi phục" in r.stderr.lower() or "recovery" in r.stderr.lower()
    db = folder / "plcs.db"
    assert db.read_bytes()[:16] != b"SQLite format 3\x00" and not is_plain_sqlite(db)
    env = json.loads((folder / "plcs.key").read_text())
    assert env["version"] == keyfile.VERSION
    for slot in env["slots"].values():                       # Argon2id, at least OWASP's minimum
        assert slot["kdf"] == "argon2id" and slot["m"] >= 19 * 1024 and slot["t"] >= 2 and slot["p"] >= 1
    r = _cli(folder, "backup", "--json", env={"PLCS_PASSPHRASE": PASS})
    assert r.returncode == 0, r.stderr
    out = Path(json.loads(r.stdout)["path"])
    assert _mode(folder) == 0o700 and _mode(folder / "backups") == 0o700
    for path in [db, folder / "plcs.key", out, *folder.glob("plcs.db-*"), *(folder / "backups").iterdir()]:
        assert _mode(path) == 0o600, path


@pytest.mark.parametrize("how", ["option-before", "option-after", "env"])
def test_cli_explicit_opt_out_creates_a_plain_folder_that_keeps_working(tmp_path, how):
    folder = tmp_path / "plain"
    if how == "option-before":
        r = subprocess.run([sys.executable, "main.py", "--no-encryption", "--data-dir", str(folder), "stats", "--json"],
                           cwd=ROOT, env={k: v for k, v in os.environ.items() if not k.startswith("PLCS_")},
                           stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    elif how == "option-after":
        r = _cli(folder, "stats", "--json", "--no-encryption")
    else:
        r = _cli(folder, "stats", "--json", env={"PLCS_NO_ENCRYPTION": "1"})
    assert r.returncode == 0, r.stderr
    assert is_plain_sqlite(folder / "plcs.db") and not (folder / "plcs.key").exists()
    assert _mode(folder) == 0o700 and _mode(folder / "plcs.db") == 0o600
    r = _cli(folder, "stats", "--json")                       # an existing plain folder: no opt-out needed
    assert r.returncode == 0, r.stderr


def test_a_plain_folder_with_nothing_in_it_counts_as_new(tmp_path):
    """A first-run screen closed before its passphrase leaves an empty plain database: still a new folder."""
    folder = tmp_path / "abandoned"
    app.open_data_dir(folder)                                 # what the app does before its first-run screen
    app.close()
    assert vault.is_blank_plain(folder)
    r = _cli(folder, "stats", "--json")
    assert r.returncode == 4, r.stderr
    assert _plain_on_disk(folder / "plcs.db")
    r = _cli(folder, "stats", "--json", env={"PLCS_PASSPHRASE": PASS})
    assert r.returncode == 0, r.stderr
    assert not _plain_on_disk(folder / "plcs.db") and (folder / "plcs.key").exists()
    used = tmp_path / "used"
    app.open_data_dir(used)
    app.save_profile({"full_name": "Lý Thị Sen", "communes": ["06652"]})
    app.close()
    assert not vault.is_blank_plain(used)
    r = _cli(used, "stats", "--json")                          # a plain folder in use keeps working
    assert r.returncode == 0, r.stderr


def test_existing_folder_with_loose_permissions_is_tightened_on_open(tmp_path):
    folder = tmp_path / "loose"
    app.open_data_dir(folder)
    store.save("legal-aid", factories.legal_aid())
    backup.create_backup(reason="manual", data_dir=folder)
    app.close()
    (folder / "exports").mkdir()
    (folder / "exports" / "ds.csv").write_text("x")
    for path in [folder, *folder.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    (folder / "my-script.sh").write_text("echo hi")            # not the app's: left as the user made it
    os.chmod(folder / "my-script.sh", 0o755)
    ctx = opening.open_for_cli(folder)                        # plain, existing: opens, and tightens
    try:
        assert _mode(folder) == 0o700
        for path in folder.rglob("*"):
            if path.is_symlink() or path.name == "my-script.sh":
                continue
            assert _mode(path) == (0o700 if path.is_dir() else 0o600), path
        assert _mode(folder / "my-script.sh") == 0o755
        assert ctx.data_dir == folder
    finally:
        app.close()


# ---- GUI first run: the passphrase cannot be skipped -------------------------------------------------------

def test_first_run_requires_a_passphrase_unless_opted_out(tmp_path, no_opt_out, monkeypatch):
    from services import admin_units
    from ui.state import AppState
    from ui.state.profile import ProfileState
    from ui.state.security import ProtectState, first_run_save
    path = tmp_path / "gui"
    state = AppState.open(path)
    p, protect = ProfileState(state), ProtectState(state)
    assert protect.required
    p.set("full_name", "Lý Thị Sen")
    p.toggle_commune(admin_units.communes("22")[0].code)
    assert not first_run_save(state, p, protect)               # empty passphrase: refused, no skip
    assert "passphrase" in protect.errors and state.needs_setup
    protect.set("passphrase", "a")
    protect.set("repeat", "a")
    assert not first_run_save(state, p, protect) and "8" in protect.errors["passphrase"]
    protect.set("passphrase", PASS)
    protect.set("repeat", PASS)
    assert first_run_save(state, p, protect)
    assert not state.needs_setup and state.encrypted and state.recovery_key
    assert vault.status(path).encrypted and not is_plain_sqlite(path / "plcs.db")
    app.close()
    monkeypatch.setenv(policy.ENV_NO_ENCRYPTION, "1")          # the explicit opt-out: may be left empty
    other = AppState.open(tmp_path / "gui-plain")
    p2, protect2 = ProfileState(other), ProtectState(other)
    assert not protect2.required
    p2.set("full_name", "Lý Thị Sen")
    p2.toggle_commune(admin_units.communes("22")[0].code)
    assert first_run_save(other, p2, protect2) and not other.encrypted
    app.close()


# ---- Argon2id, and old scrypt key files ------------------------------------------------------------------------

def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _scrypt_v1_envelope(data_key, passphrase: str, recovery: str) -> dict:
    """A key file exactly as version 1 wrote it (scrypt n=2**15, r=8, p=1)."""
    def wrap(slot, secret):
        salt, nonce = os.urandom(16), os.urandom(12)
        k = hashlib.scrypt(secret, salt=salt, n=2 ** 15, r=8, p=1, maxmem=256 * 1024 * 1024, dklen=32)
        return {"kdf": "scrypt", "n": 2 ** 15, "r": 8, "p": 1, "salt": _b64(salt), "nonce": _b64(nonce),
                "wrapped": _b64(AESGCM(k).encrypt(nonce, data_key.bytes, slot.encode()))}
    return {"format": "plcs-key", "version": 1, "cipher": "AES-256-GCM", "key_id": keyfile.key_id(data_key),
            "created_at": "2026-01-01T00:00:00+00:00", "changed_at": "2026-01-01T00:00:00+00:00",
            "slots": {"passphrase": wrap("passphrase", keyfile.normalize_passphrase(passphrase)),
                      "recovery": wrap("recovery", keyfile.normalize_recovery_key(recovery))}}


def test_old_scrypt_key_file_opens_and_is_upgraded_to_argon2id_on_unlock(data_dir):
    ctx, recovery = opening.enable_encryption(data_dir, PASS)
    case = store.save("legal-aid", factories.legal_aid())
    key = backup.current_key()
    app.close()
    keyfile.save(data_dir, _scrypt_v1_envelope(key, PASS, recovery))
    old = keyfile.load(data_dir)
    with pytest.raises(vault.WrongPassphrase):
        vault.unlock_key(data_dir, passphrase="không phải mật khẩu")
    assert keyfile.load(data_dir) == old                       # a wrong passphrase never rewrites the file
    vault.attempts.reset(data_dir)
    opening.open_for_ui(data_dir, passphrase=PASS)
    assert store.get("legal-aid", case.id)
    app.close()
    env = keyfile.load(data_dir)
    assert env["slots"]["passphrase"]["kdf"] == "argon2id" and env["version"] == keyfile.VERSION
    assert env["slots"]["recovery"]["kdf"] == "scrypt"         # only the slot that was opened can be re-wrapped
    assert _mode(keyfile.path_for(data_dir)) == 0o600
    assert not list(data_dir.glob(".plcs.key.tmp-*"))          # atomic write left nothing behind
    assert vault.unlock_key(data_dir, recovery_key=recovery) == key
    assert keyfile.load(data_dir)["slots"]["recovery"]["kdf"] == "argon2id"
    assert vault.unlock_key(data_dir, passphrase=PASS) == key


@pytest.mark.parametrize("damage", [
    lambda e: e["slots"]["passphrase"].update(kdf="argon2id", t=3, m=2 ** 30, p=1),   # absurd memory cost
    lambda e: e["slots"]["passphrase"].update(salt="***"),
    lambda e: e["slots"]["passphrase"].pop("wrapped"),
    lambda e: e.update(slots="x"),
])
def test_malformed_key_file_is_reported_as_damaged(data_dir, damage):
    opening.enable_encryption(data_dir, PASS)
    app.close()
    env = keyfile.load(data_dir)
    damage(env)
    keyfile.path_for(data_dir).write_text(json.dumps(env))
    r = _cli(data_dir, "stats", "--json", env={"PLCS_PASSPHRASE": PASS})
    assert r.returncode == 4 and "Traceback" not in r.stderr and "Internal" not in r.stderr, r.stderr


# ---- a backup with a malformed key envelope: exit 2 -------------------------------------------------------------

def _rewrite_header(src: Path, dst: Path, change) -> None:
    raw = src.read_bytes()
    (length,) = struct.unpack(">I", raw[8:12])
    header = json.loads(raw[12:12 + length])
    change(header)
    blob = json.dumps(header).encode()
    dst.write_bytes(raw[:8] + struct.pack(">I", len(blob)) + blob + raw[12 + length:])


@pytest.mark.parametrize("bad", ["garbage", "salt", "kdf"])
def test_backup_with_malformed_key_envelope_exits_2(tmp_path, bad):
    a, b = tmp_path / "a", tmp_path / "b"
    opening.enable_encryption(a, PASS)
    store.save("legal-aid", factories.legal_aid())
    good = backup.create_backup(tmp_path / "a.plcsbak")
    app.close()

    def change(header):
        if bad == "garbage":
            header["key_envelope"] = "not an envelope"
        elif bad == "salt":
            header["key_envelope"]["slots"]["passphrase"]["salt"] = "%%%"
        else:
            header["key_envelope"]["slots"]["passphrase"]["kdf"] = "rot13"
    _rewrite_header(good, tmp_path / "bad.plcsbak", change)
    r = _cli(b, "stats", "--json", env={"PLCS_PASSPHRASE": "máy khác 123"})
    assert r.returncode == 0, r.stderr
    r = _cli(b, "restore", str(tmp_path / "bad.plcsbak"), env={"PLCS_PASSPHRASE": "máy khác 123"})
    assert r.returncode == 2, r.stderr
    assert "khóa được bọc" in r.stderr.lower() and "malformed" in r.stderr
    r = _cli(b, "security", "restore-key-file", str(tmp_path / "bad.plcsbak"), env={"PLCS_PASSPHRASE": PASS})
    assert r.returncode == 2, r.stderr


# ---- orphaned backup temporaries (kill -9 during a backup) ----------------------------------------------------

def _orphans(folder: Path) -> list[Path]:
    (folder / "backups").mkdir(exist_ok=True)
    made = [folder / ".plcs.db.backup-1a2b3c4d", folder / ".plcs.db.backup-1a2b3c4d-journal",
            folder / ".plcs.db.restore-4242",
            folder / "backups" / ".plcs-20261203T101010000000Z-daily.plcsbak.tmp-deadbeef",
            folder / "backups" / ".plcs-20261203T101010000000Z-manual.plcsbak.plain-0badf00d"]
    for path in made:
        path.write_bytes(b"\x01" * 4096)
    return made


def test_orphaned_backup_temporaries_are_removed_at_start_only_when_no_backup_runs(data_dir):
    opening.enable_encryption(data_dir, PASS)
    store.save("legal-aid", factories.legal_aid())
    real = backup.create_backup(reason="manual", data_dir=data_dir)
    app.close()
    made = _orphans(data_dir)
    foreign = [data_dir / ".plcs.db.something-else", data_dir / "backups" / "notes.txt",
               data_dir / "backups" / ".other.plcsbak.tmp-12345678"]
    for path in foreign:
        path.write_text("not ours")
    with backup.running(data_dir):                            # a backup is running (another process or thread)
        vault.status(data_dir)
        assert all(p.exists() for p in made)                   # its temporaries are not orphans
    vault.status(data_dir)                                     # start: nothing runs -> orphans go at once
    assert not any(p.exists() for p in made)
    assert all(p.exists() for p in foreign) and real.exists()  # only our own names, never a real backup


def test_cli_start_cleans_orphans_left_by_a_killed_backup(tmp_path):
    folder = tmp_path / "d"
    r = _cli(folder, "stats", "--json", env={"PLCS_PASSPHRASE": PASS})
    assert r.returncode == 0, r.stderr
    made = _orphans(folder)
    r = _cli(folder, "stats", "--json", env={"PLCS_PASSPHRASE": PASS})
    assert r.returncode == 0, r.stderr
    assert not any(p.exists() for p in made)


def test_backup_lock_does_not_block_concurrent_backups(data_dir):
    opening.enable_encryption(data_dir, PASS)
    store.save("legal-aid", factories.legal_aid())
    with backup.running(data_dir):                            # shared: a second backup still runs
        out = backup.create_backup(reason="manual", data_dir=data_dir)
    assert out.exists() and _mode(out) == 0o600
    assert backup.clean_orphans(data_dir) == []
    app.close()


KILL_LOOP = """
import sys
sys.path.insert(0, {root!r})
from services.data_dir import backup
from services.security import opening
opening.open_for_ui({data!r}, passphrase={pw!r})
print("ready", flush=True)
while True:
    backup.create_backup(reason="manual", data_dir={data!r})
"""


def test_kill_9_during_backup_leaves_orphans_that_the_next_start_removes(data_dir, tmp_path):
    import signal
    import time
    opening.enable_encryption(data_dir, PASS)
    from services.data_dir import settings
    settings.put("bench.filler", os.urandom(24 * 1024 ** 2).hex())      # ~48 MB: a copy takes a moment
    app.close()
    script = tmp_path / "backup_loop.py"
    script.write_text(KILL_LOOP.format(root=str(ROOT), data=str(data_dir), pw=PASS), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLCS_")}
    proc = subprocess.Popen([sys.executable, str(script)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        deadline = time.time() + 120
        snapshot = []
        while time.time() < deadline and not snapshot:
            snapshot = [p for p in data_dir.glob(".plcs.db.backup-*") if p.stat().st_size > 1024 ** 2]
            if not snapshot:
                time.sleep(0.01)
        assert snapshot, "no backup snapshot seen"
        proc.send_signal(signal.SIGKILL)                       # kill -9 in the middle of a backup
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)
    assert any(p.exists() for p in snapshot)                  # the orphan is there …
    r = _cli(data_dir, "stats", "--json", env={"PLCS_PASSPHRASE": PASS})
    assert r.returncode == 0, r.stderr
    assert not list(data_dir.glob(".plcs.db.backup-*"))        # … and the next start removed it at once
    assert not list((data_dir / "backups").glob(".plcs-*"))
    for item in backup.list_backups(data_dir):                 # the finished backups are intact
        assert backup.read_header(item["path"])["encrypted"]
