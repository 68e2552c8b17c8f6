"""Opening a data folder with encryption: the functions the UI's unlock screen and the CLI call.

    st = vault.status(data_dir)                              # needs_unlock? wait_seconds? failures?
    ctx = open_for_ui(data_dir, passphrase="…")              # AuthError / LockedOut(seconds) / WrongPassphrase
    ctx = open_for_ui(data_dir, recovery_key="ABCD-…", new_passphrase="…")   # forgotten passphrase
    ctx, recovery_key = enable_encryption(data_dir, "passphrase")            # show recovery_key ONCE
    ctx = open_for_cli(args.data_dir)                        # PLCS_PASSPHRASE / terminal prompt / exit 4
    lock()                                                   # auto-lock: close the database

Every successful open goes through open_unlocked(): services.data_dir.app.open_data_dir(data_dir, key,
before_migrate=services.data_dir.backup.before_migrate) and then the day's automatic backup.
"""
from __future__ import annotations

import getpass
import os
import sys
import threading

from models.crypto_db import RawKey
from services.errors import AuthError, UsageError
from services.i18n import t
from services.security import policy, vault

ENV_PASSPHRASE = "PLCS_PASSPHRASE"


def _daily_backup(ctx, in_thread: bool) -> None:
    from services.data_dir import app, backup
    try:
        backup.maybe_daily(ctx)
    except Exception as exc:          # a failed backup must never stop the officer from working
        sys.stderr.write(f"{t('backup.daily_failed', 'vi')} / {t('backup.daily_failed', 'en')}: {type(exc).__name__}\n")
    finally:
        if in_thread:
            app.release_thread_connection()


def open_unlocked(data_dir, key: RawKey | None, daily: bool = True, daily_in_background: bool = False):
    """Open an unlocked folder. The app runs the day's backup in a background thread (a province database
    of a million records takes many seconds to copy and the officer must not wait); the CLI runs it in line,
    since a process that exits would cut a background copy short."""
    from services.data_dir import app, backup
    from services.security import permissions
    if key is not None:
        vault.verify_key(data_dir, key)
    permissions.tighten(data_dir)                        # folder 0700, files 0600 (also for existing folders)
    permissions.create_private(vault.db_path(data_dir))  # a new database (and its -wal/-shm) starts as 0600
    ctx = app.open_data_dir(data_dir, key, before_migrate=backup.before_migrate)
    if daily and daily_in_background:
        threading.Thread(target=_daily_backup, args=(ctx, True), name="daily-backup", daemon=True).start()
    elif daily:
        _daily_backup(ctx, False)
    return ctx


def open_for_ui(data_dir=None, passphrase: str | None = None, recovery_key: str | None = None,
                new_passphrase: str | None = None):
    """Unlock and open. With a recovery key and new_passphrase, also sets the new passphrase."""
    from services.data_dir import app
    path = app.resolve_data_dir(str(data_dir) if data_dir else None)
    st = vault.status(path)
    if not st.encrypted:
        return open_unlocked(path, None, daily_in_background=True)
    if recovery_key is not None:
        key = (vault.reset_passphrase(path, recovery_key, new_passphrase) if new_passphrase
               else vault.unlock_key(path, recovery_key=recovery_key))
    else:
        key = vault.unlock_key(path, passphrase=passphrase, wait=False)
    if st.db_plain:
        vault.migrate_plain(path, key)          # finish an interrupted one-time migration
    return open_unlocked(path, key, daily_in_background=True)


def enable_encryption(data_dir, passphrase: str, strict: bool = True):
    """Encrypt a plain (or new) folder. Returns (ctx, recovery_key) — show the recovery key once."""
    from services.data_dir import app
    path = app.resolve_data_dir(str(data_dir) if data_dir else None)
    app.close()
    recovery, key = vault.setup(path, passphrase, strict=strict)
    from services.attachments.bundle import encrypt_plain_files
    encrypt_plain_files(path, key.bytes)          # attached files follow the database into encryption
    from services.data_dir import backup
    backup.encrypt_plain_backups(path, key)
    return open_unlocked(path, key, daily=False), recovery


def lock() -> None:
    from services.data_dir import app
    app.close()


# ---- CLI -------------------------------------------------------------------------------------------------------

def has_terminal() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def ask_secret(prompt_key: str) -> str | None:
    """Read a secret from the terminal (never echoed, never stored); None when there is no terminal."""
    if not has_terminal():
        return None
    try:
        return getpass.getpass(f"{t(prompt_key, 'vi')} / {t(prompt_key, 'en')}: ", stream=sys.stderr)
    except (EOFError, KeyboardInterrupt):
        return None


def cli_passphrase(prompt_key: str = "security.prompt_passphrase") -> str:
    """PLCS_PASSPHRASE, else a terminal prompt, else AuthError (exit 4) at once."""
    value = os.environ.get(ENV_PASSPHRASE) or ask_secret(prompt_key)
    if not value:
        raise AuthError(t("security.passphrase_required", "vi"), t("security.passphrase_required", "en"))
    return value


def new_folder_passphrase() -> str | None:
    """The passphrase for a NEW folder: PLCS_PASSPHRASE, else (terminal) typed twice; None when the officer
    opted out of encryption (--no-encryption / PLCS_NO_ENCRYPTION=1); else AuthError (exit 4) at once."""
    value = os.environ.get(ENV_PASSPHRASE) or None
    if value is not None:
        return policy.check_new_passphrase(value)
    if policy.plain_allowed():
        return None
    first = ask_secret("security.prompt_new_passphrase")
    if first:
        policy.check_new_passphrase(first)
        if ask_secret("security.prompt_repeat_passphrase") != first:
            raise UsageError(t("security.passphrase_mismatch", "vi"), t("security.passphrase_mismatch", "en"))
        return first
    raise AuthError(t("security.new_folder_needs_passphrase", "vi"), t("security.new_folder_needs_passphrase", "en"))


def open_for_cli(data_dir=None):
    """The CLI's open. Encrypted folders need PLCS_PASSPHRASE (or a terminal). A NEW folder is encrypted: it
    needs a passphrase meeting the rules (exit 2 when weak, exit 4 when missing) unless the officer opted out
    (--no-encryption / PLCS_NO_ENCRYPTION=1). An existing plain folder keeps working; a passphrase given for
    it turns encryption on. The recovery key is printed once, to stderr."""
    from services.data_dir import app
    path = app.resolve_data_dir(str(data_dir) if data_dir else None)
    st = vault.status(path)
    if st.key_file_missing:
        raise AuthError(t("security.key_file_missing", "vi"), t("security.key_file_missing", "en"))
    if st.encrypted:
        key = vault.unlock_key(path, passphrase=cli_passphrase(), wait=True)
        if st.db_plain:
            vault.migrate_plain(path, key)
        return open_unlocked(path, key)
    new = not st.db_exists or vault.is_blank_plain(path)
    if new:
        passphrase = new_folder_passphrase()
    else:
        passphrase = os.environ.get(ENV_PASSPHRASE) or None
        if passphrase is not None:
            policy.check_new_passphrase(passphrase)
    if passphrase is None:
        ctx = open_unlocked(path, None)
        if new:
            vault.remember_plain_choice()           # created plain on request (--no-encryption)
        return ctx
    ctx, recovery = enable_encryption(path, passphrase)
    print_recovery_key(recovery)
    return ctx


def print_recovery_key(recovery: str) -> None:
    sys.stderr.write(f"{t('security.recovery_key_notice', 'vi')}\n{t('security.recovery_key_notice', 'en')}\n"
                     f"    {recovery}\n")
    sys.stderr.flush()
