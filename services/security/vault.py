"""Encryption state of a data folder: unlock, set up, migrate a plain database once, change passphrase, recover.

    st = status(data_dir)                      # Status(encrypted, needs_unlock, wait_seconds, …)
    key = unlock_key(data_dir, passphrase="…")              # RawKey, or AuthError / LockedOut
    key = unlock_key(data_dir, recovery_key="ABCD-…")
    recovery, key = setup(data_dir, "new passphrase")       # new folder, or migrates a plain plcs.db
    change_passphrase(data_dir, "old", "new");  reset_passphrase(data_dir, "ABCD-…", "new")
    new_recovery = replace_recovery_key(data_dir, "passphrase")

Files in the data folder: plcs.db (SQLCipher, raw data key), plcs.key (wrapped data key, see keyfile.py),
plcs.unlock.json (failed-attempt counter). None of them holds the passphrase or the recovery key.

One-time migration of a plain database (migrate_plain): the key file is written first; then the plain file is
checkpointed and copied with sqlcipher_export() into .plcs.db.encrypting, which is checked (integrity_check,
row counts per table) before an atomic rename puts it in place; the plain copy is kept (hard link) only until
the renamed file is verified, then overwritten and removed. A crash at any point leaves either the plain or
the verified encrypted database as plcs.db; recover_interrupted() finishes or rolls back on the next start.
"""
from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from models.crypto_db import RawKey, connect_raw, is_plain_sqlite
from services.errors import AppError, AuthError, UsageError
from services.i18n import t
from services.security import attempts, keyfile
from services.security.fileio import fsync_dir, fsync_file, secure_remove

DB_FILE = "plcs.db"
ENCRYPTING = ".plcs.db.encrypting"
PLAIN_OLD = ".plcs.db.plain-old"
PLAIN_BY_CHOICE = "security.plain_by_choice"   # setting: this folder was created plain on explicit request


def remember_plain_choice() -> None:
    """Record in the open (plain) database that the officer opted out of encryption at creation, so the folder
    is no longer "new" for the encryption-by-default rule."""
    from services.data_dir import settings
    from services.dates import utc_now
    if settings.get(PLAIN_BY_CHOICE) is None:
        settings.put(PLAIN_BY_CHOICE, utc_now().isoformat())


class LockedOut(AuthError):
    """Too many wrong attempts: try again after `seconds`."""

    def __init__(self, seconds: float):
        self.seconds = int(seconds + 0.999)
        super().__init__(t("security.locked_out", "vi", seconds=self.seconds),
                         t("security.locked_out", "en", seconds=self.seconds))


class WrongPassphrase(AuthError):
    def __init__(self, failures: int, recovery: bool = False):
        self.failures = failures
        self.next_delay = attempts.delay_for(failures)
        key = "security.wrong_recovery_key" if recovery else "security.wrong_passphrase"
        vi, en = t(key, "vi"), t(key, "en")
        if self.next_delay:
            vi += " " + t("security.next_try_in", "vi", seconds=self.next_delay)
            en += " " + t("security.next_try_in", "en", seconds=self.next_delay)
        super().__init__(vi, en)


def _auth_error(key: str) -> AuthError:
    return AuthError(t(key, "vi"), t(key, "en"))


@dataclass
class Status:
    data_dir: Path
    encrypted: bool          # a key file exists (or the database is unreadable without one)
    db_exists: bool
    db_plain: bool           # plcs.db is an ordinary SQLite file
    key_file_missing: bool   # plcs.db is encrypted but plcs.key is gone
    failures: int
    wait_seconds: float

    @property
    def needs_unlock(self) -> bool:
        return self.encrypted

    @property
    def migration_pending(self) -> bool:
        """Key file written but the plain database not yet replaced (interrupted migration)."""
        return self.encrypted and self.db_plain


def db_path(data_dir) -> Path:
    return Path(data_dir) / DB_FILE


def status(data_dir) -> Status:
    data_dir = Path(data_dir)
    recover_interrupted(data_dir)
    db = db_path(data_dir)
    db_exists = db.exists() and db.stat().st_size > 0
    plain = is_plain_sqlite(db)
    has_key = keyfile.exists(data_dir)
    missing = db_exists and not plain and not has_key
    return Status(data_dir, has_key or missing, db_exists, plain, missing,
                  attempts.failures(data_dir), attempts.wait_seconds(data_dir))


def is_blank_plain(data_dir) -> bool:
    """A plain plcs.db that holds nothing yet: no officer profile, no record of any kind and no recorded
    opt-out (e.g. left by a first-run screen that was closed before its passphrase was set). Such a folder
    counts as NEW, so it is encrypted by default like one without a database. Any doubt (unreadable file)
    counts as not blank."""
    from models.records import SYNCED_MODELS
    db = db_path(data_dir)
    if not is_plain_sqlite(db):
        return False
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "setting" in tables and conn.execute("SELECT 1 FROM setting WHERE key IN ('profile', ?)",
                                                (PLAIN_BY_CHOICE,)).fetchone():
            return False
        for model in SYNCED_MODELS:
            name = model._meta.table_name
            if name in tables and conn.execute(f'SELECT 1 FROM "{name}" LIMIT 1').fetchone():
                return False
        return True
    except sqlite3.Error:
        return False
    finally:
        conn.close()


def validate_new_passphrase(passphrase: str | None, strict: bool = True) -> str:
    """The app's rules for a new passphrase (services.security.policy.check_new_passphrase): ValidationError
    (exit 2) naming each rule broken. `strict` is kept for callers; the rules are the same everywhere now."""
    from services.security.policy import check_new_passphrase
    return check_new_passphrase(passphrase)


# ---- unlocking ---------------------------------------------------------------------------------------------

def unlock_key(data_dir, passphrase: str | None = None, recovery_key: str | None = None,
               wait: bool = False) -> RawKey:
    """The data key of an encrypted folder. Wrong secrets count towards growing delays; while a delay runs,
    `wait=True` sleeps it out (CLI), `wait=False` raises LockedOut(seconds) at once (UI countdown)."""
    data_dir = Path(data_dir)
    try:
        envelope = keyfile.load(data_dir)
    except FileNotFoundError:
        db = db_path(data_dir)
        if not db.exists() or is_plain_sqlite(db) or db.stat().st_size == 0:
            raise _auth_error("security.not_encrypted_yet") from None
        raise _auth_error("security.key_file_missing") from None
    except ValueError:
        raise _auth_error("security.key_file_damaged") from None
    if passphrase is None and recovery_key is None:
        raise _auth_error("security.passphrase_required")
    left = attempts.wait_seconds(data_dir)
    if left > 0:
        if not wait:
            raise LockedOut(left)
        time.sleep(left)
    try:
        key = keyfile.unwrap(envelope, passphrase=passphrase, recovery_key=recovery_key)
    except keyfile.WrongSecret:
        raise WrongPassphrase(attempts.record_failure(data_dir), recovery=passphrase is None) from None
    except keyfile.Malformed:
        raise _auth_error("security.key_file_damaged") from None
    attempts.reset(data_dir)
    _upgrade_kdf(data_dir, envelope, key, passphrase, recovery_key)
    return key


def _upgrade_kdf(data_dir: Path, envelope: dict, key: RawKey, passphrase: str | None,
                 recovery_key: str | None) -> None:
    """Re-wrap the slot just opened with today's KDF (Argon2id) when it used an older one (scrypt key files
    of version 1). Atomic rewrite; a failure leaves the old, still valid file and never stops the unlock."""
    slot, secret = ("passphrase", passphrase) if passphrase is not None else ("recovery", recovery_key)
    try:
        if keyfile.needs_upgrade(envelope, slot):
            keyfile.save(data_dir, keyfile.upgrade(envelope, key, slot, secret))
    except OSError:
        pass


def verify_key(data_dir, key: RawKey) -> None:
    """AuthError when the key does not open plcs.db (key file from another database)."""
    db = db_path(data_dir)
    if not db.exists() or db.stat().st_size == 0:
        return
    conn = connect_raw(db, key)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except Exception:
        raise _auth_error("security.key_mismatch") from None
    finally:
        conn.close()


# ---- setting up and changing ---------------------------------------------------------------------------------

def setup(data_dir, passphrase: str, strict: bool = True) -> tuple[str, RawKey]:
    """Turn on encryption for a folder (new, or holding a plain plcs.db which is migrated once).
    Returns (recovery key to show once, data key). The caller must have closed the database."""
    data_dir = Path(data_dir)
    validate_new_passphrase(passphrase, strict)
    st = status(data_dir)
    if st.key_file_missing:
        raise _auth_error("security.key_file_missing")
    if st.encrypted:
        raise UsageError(t("security.already_encrypted", "vi"), t("security.already_encrypted", "en"))
    data_key = RawKey.generate()
    recovery = keyfile.new_recovery_key()
    envelope = keyfile.new_envelope(data_key, passphrase, recovery)
    db = db_path(data_dir)
    if st.db_exists and st.db_plain:
        keyfile.save(data_dir, envelope)
        try:
            migrate_plain(data_dir, data_key)
        except BaseException:
            if is_plain_sqlite(db):                # nothing replaced: back to a plain folder
                keyfile.path_for(data_dir).unlink(missing_ok=True)
            raise
    else:
        for suffix in ("", "-wal", "-shm"):       # an empty file left by a plain open
            Path(str(db) + suffix).unlink(missing_ok=True)
        keyfile.save(data_dir, envelope)
    attempts.reset(data_dir)
    return recovery, data_key


def change_passphrase(data_dir, old: str, new: str) -> None:
    """Re-wrap the data key with a new passphrase (atomic rewrite of plcs.key; the database is untouched)."""
    key = unlock_key(data_dir, passphrase=old)
    validate_new_passphrase(new)
    keyfile.save(data_dir, keyfile.rewrap_passphrase(keyfile.load(data_dir), key, new))


def reset_passphrase(data_dir, recovery_key: str, new: str) -> RawKey:
    """Forgotten passphrase: the recovery key unlocks and sets a new passphrase. Returns the data key."""
    key = unlock_key(data_dir, recovery_key=recovery_key)
    validate_new_passphrase(new)
    keyfile.save(data_dir, keyfile.rewrap_passphrase(keyfile.load(data_dir), key, new))
    return key


def replace_recovery_key(data_dir, passphrase: str) -> str:
    """A new recovery key (the old one stops working with this key file). Show it once."""
    key = unlock_key(data_dir, passphrase=passphrase)
    recovery = keyfile.new_recovery_key()
    keyfile.save(data_dir, keyfile.rewrap_recovery(keyfile.load(data_dir), key, recovery))
    return recovery


def restore_key_file(data_dir, backup_path, passphrase: str | None = None, recovery_key: str | None = None) -> None:
    """plcs.key lost: take the key envelope from a backup (.plcsbak) if the passphrase or recovery key opens
    it AND the key opens this folder's plcs.db; then write it back as plcs.key."""
    from services.data_dir import backup
    data_dir = Path(data_dir)
    header = backup.read_header(backup_path)
    envelope = (header or {}).get("key_envelope")
    if envelope is not None:
        try:
            keyfile.check_envelope(envelope)
        except keyfile.Malformed:
            raise backup.envelope_damaged() from None
    if not envelope:
        raise _auth_error("backup.other_key")
    try:
        key = keyfile.unwrap(envelope, passphrase=passphrase, recovery_key=recovery_key)
    except keyfile.WrongSecret:
        raise _auth_error("backup.wrong_secret") from None
    except keyfile.Malformed:
        raise backup.envelope_damaged() from None
    verify_key(data_dir, key)
    keyfile.save(data_dir, envelope)


# ---- one-time migration of a plain database ------------------------------------------------------------------

def _table_counts(conn) -> dict[str, int]:
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
        "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'")]
    return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


class MigrationFailed(AppError):
    exit_code = 1


def migrate_plain(data_dir, key: RawKey) -> None:
    """Replace the plain plcs.db by an encrypted copy keyed with `key` (see the module docstring)."""
    from models.db import close_database
    close_database()
    data_dir = Path(data_dir)
    db = db_path(data_dir)
    if not is_plain_sqlite(db):
        return
    tmp, old = data_dir / ENCRYPTING, data_dir / PLAIN_OLD
    for leftover in (tmp, Path(f"{tmp}-journal")):
        leftover.unlink(missing_ok=True)
    plain = sqlite3.connect(str(db), isolation_level=None)
    try:
        plain.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        if plain.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise MigrationFailed(t("security.plain_damaged", "vi"), t("security.plain_damaged", "en"))
        counts = _table_counts(plain)
        user_version = plain.execute("PRAGMA user_version").fetchone()[0]
    finally:
        plain.close()
    conn = connect_raw(db, None)
    try:
        conn.execute(f'ATTACH DATABASE ? AS enc KEY "{key}"', (str(tmp),))
        conn.execute("SELECT sqlcipher_export('enc')")
        conn.execute(f"PRAGMA enc.user_version = {int(user_version)}")
        conn.execute("DETACH DATABASE enc")
    finally:
        conn.close()
    _verify_copy(tmp, key, counts)
    fsync_file(tmp)
    for suffix in ("-wal", "-shm"):                 # plain WAL must never meet the encrypted file
        side = Path(f"{db}{suffix}")
        if suffix == "-wal" and side.exists() and side.stat().st_size > 0:
            tmp.unlink(missing_ok=True)
            raise MigrationFailed(t("security.db_busy", "vi"), t("security.db_busy", "en"))
        secure_remove(side)
    old.unlink(missing_ok=True)
    os.link(db, old)                               # keep the plain copy until the swap is verified
    os.replace(tmp, db)
    fsync_dir(data_dir)
    _verify_copy(db, key, counts)
    secure_remove(old)


def _verify_copy(path: Path, key: RawKey, counts: dict[str, int]) -> None:
    conn = connect_raw(path, key)
    try:
        ok = conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        ok = ok and _table_counts(conn) == counts
    except Exception:
        ok = False
    finally:
        conn.close()
    if not ok:
        raise MigrationFailed(t("security.encrypt_check_failed", "vi"), t("security.encrypt_check_failed", "en"))


def recover_interrupted(data_dir) -> None:
    """Finish or roll back a migration/restore that a crash interrupted (cheap when nothing is left over)."""
    data_dir = Path(data_dir)
    db = db_path(data_dir)
    tmp, old = data_dir / ENCRYPTING, data_dir / PLAIN_OLD
    tmp.unlink(missing_ok=True)
    Path(f"{tmp}-journal").unlink(missing_ok=True)
    if old.exists():
        if db.exists() and os.path.samefile(db, old):
            old.unlink()                           # crashed before the swap: plcs.db is still the plain file
        elif db.exists():
            secure_remove(old)                     # swap done: wipe the plain copy
        else:
            os.replace(old, db)                    # should not happen; never lose the only copy
    from services.data_dir import backup
    backup.clean_orphans(data_dir)                 # temporaries of a killed backup/restore (when none runs)
    stale = time.time() - 3600                     # temp files of a crashed atomic write
    for pattern in (".plcs.key.tmp-*", ".plcs.unlock.json.tmp-*"):
        for leftover in data_dir.glob(pattern):
            try:
                if leftover.stat().st_mtime < stale:
                    leftover.unlink()
            except OSError:
                pass
