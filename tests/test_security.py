"""Encryption at rest, unlock delays, passphrase change, recovery key, plain-database migration, roles and
masking, auto-lock policy, export auditing, and the CLI's passphrase rules (PLCS_PASSPHRASE, exit 4)."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from models.crypto_db import RawKey, is_plain_sqlite
from services.data_dir import app
from services.errors import AuthError, PermissionDenied, UsageError, ValidationError
from services.records import store
from services.security import attempts, keyfile, opening, policy, roles, vault
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
PASS = "mật khẩu thử nghiệm"
NAME = "Đặng Văn Đức"


def _all_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())


def _cli(data_dir, *args, env=None, timeout=120):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("PLCS_")}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "main.py", "--data-dir", str(data_dir), *args], cwd=ROOT,
                          env=full_env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def enc_dir(data_dir):
    """An encrypted data folder with one legal-aid case; yields (path, recovery key, case id)."""
    ctx, recovery = opening.enable_encryption(data_dir, PASS)
    case = store.save("legal-aid", factories.legal_aid())
    app.close()
    yield data_dir, recovery, case.id
    app.close()


# ---- key file ---------------------------------------------------------------------------------------------------

def test_key_file_wraps_data_key_twice_and_tells_wrong_secrets():
    key = RawKey.generate()
    recovery = keyfile.new_recovery_key()
    env = keyfile.new_envelope(key, PASS, recovery)
    assert keyfile.unwrap(env, passphrase=PASS) == key
    assert keyfile.unwrap(env, recovery_key=recovery.lower().replace("-", " ")) == key
    assert keyfile.unwrap(env, passphrase=unicodedata.normalize("NFD", PASS)) == key   # other keyboard, same text
    with pytest.raises(keyfile.WrongSecret):
        keyfile.unwrap(env, passphrase="sai mật khẩu")
    with pytest.raises(keyfile.WrongSecret):
        keyfile.unwrap(env, recovery_key=keyfile.new_recovery_key())
    text = json.dumps(env)
    assert PASS not in text and recovery not in text and key[2:-1] not in text
    assert keyfile.looks_like_recovery_key(recovery) and len(recovery) == 39
    assert "<hidden>" in repr(key)


# ---- encrypted folder ----------------------------------------------------------------------------------------------

def test_new_encrypted_folder_is_unreadable_without_key(enc_dir):
    path, _recovery, case_id = enc_dir
    db = path / "plcs.db"
    assert not is_plain_sqlite(db)
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(str(db)).execute("SELECT count(*) FROM sqlite_master").fetchone()
    assert NAME.encode() not in _all_bytes(path)
    assert b"022070001234" not in _all_bytes(path)
    opening.open_for_ui(path, passphrase=PASS)
    assert store.get("legal-aid", case_id).requester.full_name == NAME


def test_wrong_passphrase_counts_and_delays_grow(enc_dir):
    path, _recovery, _ = enc_dir
    for expected in (1, 2):
        with pytest.raises(vault.WrongPassphrase) as err:
            opening.open_for_ui(path, passphrase="nope")
        assert err.value.failures == expected and err.value.exit_code == 4
    with pytest.raises(vault.WrongPassphrase) as err:
        opening.open_for_ui(path, passphrase="nope")
    assert err.value.next_delay == 2 and "2" in err.value.message("en")
    with pytest.raises(vault.LockedOut) as locked:              # even the right passphrase must wait
        opening.open_for_ui(path, passphrase=PASS)
    assert 0 < locked.value.seconds <= 2
    assert json.loads((path / attempts.ATTEMPTS_FILE).read_text())["failures"] == 3   # outside the db
    assert [attempts.delay_for(n) for n in range(3, 9)] == [2, 4, 8, 16, 32, 64]
    assert attempts.delay_for(50) == attempts.MAX_DELAY
    state = json.loads((path / attempts.ATTEMPTS_FILE).read_text())
    state["last_failure"] -= 10                                 # the delay has passed
    (path / attempts.ATTEMPTS_FILE).write_text(json.dumps(state))
    opening.open_for_ui(path, passphrase=PASS)
    assert attempts.failures(path) == 0
    assert attempts.wait_seconds(path, now=0) == 0


def test_clock_set_backwards_cannot_lock_forever(tmp_path):
    attempts.record_failure(tmp_path, now=1e12)
    for _ in range(5):
        attempts.record_failure(tmp_path, now=1e12)
    assert attempts.wait_seconds(tmp_path, now=0) <= attempts.delay_for(6)


def test_change_passphrase_keeps_data_and_recovery(enc_dir):
    path, recovery, case_id = enc_dir
    with pytest.raises(ValidationError):
        vault.change_passphrase(path, PASS, "short")
    vault.change_passphrase(path, PASS, "mật khẩu mới 2026")
    with pytest.raises(vault.WrongPassphrase):
        opening.open_for_ui(path, passphrase=PASS)
    opening.open_for_ui(path, passphrase="mật khẩu mới 2026")
    assert store.get("legal-aid", case_id)
    app.close()
    assert vault.unlock_key(path, recovery_key=recovery)


def test_recovery_key_unlocks_and_sets_new_passphrase(enc_dir):
    path, recovery, case_id = enc_dir
    with pytest.raises(vault.WrongPassphrase):
        opening.open_for_ui(path, recovery_key=keyfile.new_recovery_key(), new_passphrase="x" * 10)
    opening.open_for_ui(path, recovery_key=recovery, new_passphrase="quên rồi đặt lại")
    assert store.get("legal-aid", case_id)
    app.close()
    opening.open_for_ui(path, passphrase="quên rồi đặt lại")
    app.close()
    fresh = vault.replace_recovery_key(path, "quên rồi đặt lại")
    with pytest.raises(vault.WrongPassphrase):
        vault.unlock_key(path, recovery_key=recovery)
    assert vault.unlock_key(path, recovery_key=fresh)


def test_missing_key_file_is_a_clear_auth_error(enc_dir):
    path, _recovery, _ = enc_dir
    (path / "plcs.key").rename(path / "elsewhere.key")
    st = vault.status(path)
    assert st.key_file_missing and st.needs_unlock
    with pytest.raises(AuthError) as err:
        opening.open_for_ui(path, passphrase=PASS)
    assert "plcs.key" in err.value.message("en")


# ---- migration of a plain database ------------------------------------------------------------------------------

def _plain_folder(data_dir, n=3):
    app.open_data_dir(data_dir)
    ids = [store.save("legal-aid", factories.legal_aid(summary=f"Vụ {i}")).id for i in range(n)]
    from services.data_dir import backup
    backup.create_backup(reason="daily")
    app.close()
    assert is_plain_sqlite(data_dir / "plcs.db")
    return ids


def test_plain_database_is_migrated_once_and_plain_copies_wiped(data_dir):
    ids = _plain_folder(data_dir)
    assert NAME.encode() in _all_bytes(data_dir)                  # plain: readable on disk (and in its backup)
    ctx, recovery = opening.enable_encryption(data_dir, PASS)
    assert [store.get("legal-aid", i).id for i in ids] == ids
    app.close()
    assert not is_plain_sqlite(data_dir / "plcs.db")
    assert not (data_dir / vault.PLAIN_OLD).exists() and not (data_dir / vault.ENCRYPTING).exists()
    assert NAME.encode() not in _all_bytes(data_dir)              # db and the old backup are encrypted now
    with pytest.raises(UsageError):
        vault.setup(data_dir, PASS)                               # only once


def test_interrupted_migration_before_swap_is_finished_on_next_unlock(data_dir):
    ids = _plain_folder(data_dir)
    key = RawKey.generate()
    recovery = keyfile.new_recovery_key()
    keyfile.save(data_dir, keyfile.new_envelope(key, PASS, recovery))   # crash right after the key file
    (data_dir / vault.ENCRYPTING).write_bytes(b"half written")          # and a partial copy
    os.link(data_dir / "plcs.db", data_dir / vault.PLAIN_OLD)            # and the link before the swap
    st = vault.status(data_dir)
    assert st.migration_pending and not (data_dir / vault.ENCRYPTING).exists()
    assert is_plain_sqlite(data_dir / "plcs.db")                          # rolled back, nothing lost
    opening.open_for_ui(data_dir, passphrase=PASS)
    assert len([store.get("legal-aid", i) for i in ids]) == 3
    app.close()
    assert not is_plain_sqlite(data_dir / "plcs.db")


def test_interrupted_migration_after_swap_wipes_plain_copy(data_dir):
    _plain_folder(data_dir)
    plain_bytes = (data_dir / "plcs.db").read_bytes()
    opening.enable_encryption(data_dir, PASS)
    app.close()
    (data_dir / vault.PLAIN_OLD).write_bytes(plain_bytes)                 # crash before the wipe
    vault.status(data_dir)
    assert not (data_dir / vault.PLAIN_OLD).exists()
    assert NAME.encode() not in _all_bytes(data_dir)


# ---- roles and masking -----------------------------------------------------------------------------------------

def test_masking_of_identifiers():
    assert roles.mask("022109001234") == "0221******34"
    assert roles.mask_phone("0912345678") == "0912****78"
    assert roles.mask("12345") == "***45" and roles.mask("") == "" and roles.mask(None) == ""
    assert roles.mask("0221******34") == "0221******34"            # idempotent
    assert roles.is_masked("0221******34") and not roles.is_masked("022109001234") and not roles.is_masked("a*b")
    row = {"number": "TG-1", "requester_id_number": "022109001234", "phone": "0912345678", "name": NAME}
    masked = roles.mask_row(row)
    assert masked["requester_id_number"] == "0221******34" and masked["phone"] == "0912****78"
    assert masked["name"] == NAME and roles.mask_row(row, reveal=True) == row


def test_roles_decide_who_may_reveal_identifiers():
    assert roles.show_identifiers("officer", requested=True)
    assert not roles.show_identifiers("officer", requested=False)            # only when asked
    assert not roles.show_identifiers("supervisor", requested=True)
    with pytest.raises(PermissionDenied):
        roles.show_identifiers("supervisor", requested=True, strict=True)
    assert roles.show_identifiers("admin", True) and roles.show_identifiers("centre_staff", True)
    assert roles.may_write("officer", "mediation") and not roles.may_write("supervisor", "legal-aid")
    assert not roles.may_write("centre_staff", "dissemination") and roles.may_write("centre_staff", "legal-aid")
    assert roles.normalize_role("hacker") == "officer"
    assert roles.role_label("supervisor", "en") == "Provincial supervisor"


def test_scope_conditions_limit_what_each_role_reads(db):
    from models.records import LegalAidCase
    store.save("legal-aid", factories.legal_aid())
    referred = store.save("legal-aid", factories.legal_aid(commune_code=factories.OTHER_COMMUNE))
    store.save("legal-aid", {"status": "referred", "referred_to": "Trung tâm TGPL"}, record_id=referred.id)

    def visible(profile):
        cond = roles.scope_condition(LegalAidCase, profile)
        q = LegalAidCase.select()
        return q.count() if cond is None else q.where(cond).count()

    assert visible({"role": "officer", "communes": [factories.COMMUNE]}) == 1
    assert visible({"role": "officer", "communes": []}) == 0
    assert visible({"role": "centre_staff"}) == 1
    assert visible({"role": "supervisor", "province_code": "22"}) == 2
    assert visible({"role": "supervisor", "province_code": "01"}) == 0
    assert visible({"role": "admin"}) == 2


def test_exports_and_prints_are_audited(db):
    from models.records import AuditEntry
    from services.security import audit_export, audit_print
    audit_export("legal-aid", "/tmp/x/ds.xlsx", rows=12, include_identifiers=False, actor="Lan")
    case = store.save("legal-aid", factories.legal_aid())
    audit_print("case-slip", [case.id], "/tmp/slip.pdf")
    exports = list(AuditEntry.select().where(AuditEntry.action == "export"))
    assert len(exports) == 1 and exports[0].changes["identifiers"][1] == "masked"
    assert exports[0].changes["rows"][1] == 12 and exports[0].officer == "Lan"
    prints = list(AuditEntry.select().where(AuditEntry.action == "print"))
    assert prints[0].record_id == case.id and prints[0].changes["document"][1] == "case-slip"


def test_auto_lock_policy(db):
    assert policy.auto_lock_minutes() == policy.DEFAULT_MINUTES
    assert policy.set_auto_lock_minutes("15") == 15 and policy.auto_lock_minutes() == 15
    for bad in (0, 500, "abc", None):
        with pytest.raises(ValidationError):
            policy.set_auto_lock_minutes(bad)
    now = [0.0]
    locked = []
    idle = policy.IdleLock(2, lambda: locked.append(True), clock=lambda: now[0])
    now[0] = 100
    assert not idle.check()
    idle.touch()
    now[0] = 100 + 119
    assert not idle.check()
    now[0] = 100 + 121
    assert idle.check() and locked == [True]
    assert not idle.check() and locked == [True]                 # once


# ---- CLI ------------------------------------------------------------------------------------------------------------

def test_cli_passphrase_rules(data_dir):
    r = _cli(data_dir, "passphrase", "set", "--json", env={"PLCS_NEW_PASSPHRASE": PASS})
    assert r.returncode == 0, r.stderr
    recovery = json.loads(r.stdout)["recovery_key"]
    assert recovery in r.stderr and keyfile.looks_like_recovery_key(recovery)
    r = _cli(data_dir, "backup")                                 # no terminal, no passphrase: exit 4 at once
    assert r.returncode == 4 and "PLCS_PASSPHRASE" in r.stderr
    r = _cli(data_dir, "backup", env={"PLCS_PASSPHRASE": "sai rồi"})
    assert r.returncode == 4
    r = _cli(data_dir, "backup", "--json", env={"PLCS_PASSPHRASE": PASS})
    assert r.returncode == 0, r.stderr
    r = _cli(data_dir, "passphrase", "change", env={"PLCS_PASSPHRASE": PASS, "PLCS_NEW_PASSPHRASE": "đổi mật khẩu 2"})
    assert r.returncode == 0, r.stderr
    r = _cli(data_dir, "recovery-key", "unlock",
             env={"PLCS_RECOVERY_KEY": recovery, "PLCS_NEW_PASSPHRASE": "lấy lại 3 x"})
    assert r.returncode == 0, r.stderr
    r = _cli(data_dir, "recovery-key", "unlock", env={"PLCS_RECOVERY_KEY": recovery})   # no new passphrase
    assert r.returncode == 4
    r = _cli(data_dir, "security", "status", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["encrypted"] is True
    r = _cli(data_dir, "security", "auto-lock", "20", env={"PLCS_PASSPHRASE": "lấy lại 3 x"})
    assert r.returncode == 0 and json.loads(r.stdout) == {"auto_lock_minutes": 20}
    everything = _all_bytes(data_dir)
    for secret in (PASS, "đổi mật khẩu 2", "lấy lại 3 x", recovery):
        assert secret.encode() not in everything                  # never written to disk


def test_cli_passphrase_env_encrypts_a_new_folder(data_dir):
    r = _cli(data_dir, "backup", env={"PLCS_PASSPHRASE": "kịch bản"})
    assert r.returncode == 0, r.stderr
    assert "RECOVERY KEY" in r.stderr and (data_dir / "plcs.key").exists()
    assert not is_plain_sqlite(data_dir / "plcs.db")
    r = _cli(data_dir, "security", "status", "--json")
    assert json.loads(r.stdout)["encrypted"]


def test_every_cli_command_honours_the_passphrase_contract(data_dir):
    """The CLI opens every folder through services.security.opening.open_for_cli (cli/context.py)."""
    r = _cli(data_dir, "stats", "--json", env={"PLCS_PASSPHRASE": PASS})     # a new folder: encrypted at once
    assert r.returncode == 0, r.stderr
    assert (data_dir / "plcs.key").exists() and not is_plain_sqlite(data_dir / "plcs.db")
    for args in (["stats", "--json"], ["search", "đức", "--json"]):
        r = _cli(data_dir, *args)                                # no terminal, no passphrase
        assert r.returncode == 4 and "Traceback" not in r.stderr
        r = _cli(data_dir, *args, env={"PLCS_PASSPHRASE": "sai"})
        assert r.returncode == 4 and "Traceback" not in r.stderr
    r = _cli(data_dir, "stats", "--json", env={"PLCS_PASSPHRASE": PASS})
    assert r.returncode == 0 and json.loads(r.stdout)["legal-aid"] == 0


def test_lost_key_file_comes_back_from_a_backup(enc_dir, tmp_path):
    from services.data_dir import backup
    path, recovery, case_id = enc_dir
    opening.open_for_ui(path, passphrase=PASS)
    out = backup.create_backup(tmp_path / "usb.plcsbak")
    app.close()
    (path / "plcs.key").unlink()
    with pytest.raises(AuthError):
        vault.restore_key_file(path, out, passphrase="sai")
    r = _cli(path, "security", "restore-key-file", str(out), env={"PLCS_RECOVERY_KEY": recovery})
    assert r.returncode == 0, r.stderr
    opening.open_for_ui(path, passphrase=PASS)
    assert store.get("legal-aid", case_id)
