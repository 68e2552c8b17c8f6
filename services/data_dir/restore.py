"""Restoring a backup (services.data_dir.backup writes and checks them): the one step that re-opens the folder.

    result = restore_backup("/media/usb/plcs.plcsbak")     # integrity_check first; then an atomic swap
    restore_backup(path, passphrase="…")                   # a backup made under another data key
    result -> {"restored", "counts", "safety_backup"[, "attachments_added"]}

The live database is never touched until the candidate passed `PRAGMA integrity_check`, looks like an app
database, and (if needed) was re-keyed to the current data key; the current database is first saved as a
"pre-restore" backup, then replaced by os.replace() (atomic), then reopened through services.security.opening
(and migrated). A module of its own because of that reopening: backup.py sits below the vault and the opener
(they read backup headers and make the day's backup), this module above them — no import cycle.
"""
from __future__ import annotations

import os
from pathlib import Path

from models.crypto_db import is_plain_sqlite
from services.attachments import bundle as attachment_files
from services.data_dir import app, backup
from services.errors import AuthError, FieldError, NotFoundError, ValidationError
from services.i18n import t
from services.security import keyfile, opening
from services.security.fileio import fsync_dir, fsync_file


def restore_backup(path, passphrase: str | None = None, recovery_key: str | None = None) -> dict:
    """Replace the open database by a checked backup; returns {"restored", "counts", "safety_backup"}."""
    with backup.running(app.current().data_dir):
        return _restore_backup(path, passphrase, recovery_key)


def _restore_backup(path, passphrase: str | None, recovery_key: str | None) -> dict:
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(t("backup.no_file", "vi", path=path), t("backup.no_file", "en", path=path))
    ctx = app.current()
    data_dir = ctx.data_dir
    db = data_dir / "plcs.db"
    cur_key = backup.current_key()
    candidate = data_dir / f".plcs.db.restore-{os.getpid()}"
    converted = data_dir / f".plcs.db.restore-{os.getpid()}-conv"
    try:
        header = backup.extract(path, candidate)
        cand_key = _candidate_key(header, candidate, cur_key, passphrase, recovery_key)
        counts = backup.check_candidate(candidate, cand_key)
        adopt = cur_key is None and cand_key is not None and header is not None
        new_key = cand_key if adopt else cur_key     # a plain folder takes over an encrypted backup's key
        if cand_key != new_key:
            backup.convert(candidate, cand_key, converted, new_key)
            if backup.check_candidate(converted, new_key) != counts:
                raise backup.bad_file()
            backup.remove_db_files(candidate)
            os.replace(converted, candidate)
        conn = backup.connect(candidate, new_key)          # journal mode and a clean file before the swap
        try:
            conn.execute("PRAGMA journal_mode = wal")
        finally:
            conn.close()
        fsync_file(candidate)
        safety = backup.create_backup(reason="pre-restore", data_dir=data_dir)
        app.close()
        _settle_wal(db, cur_key)
        if adopt:
            # key file first: if we crash before the swap, the next unlock finds key file + plain database
            # and simply encrypts it (vault.migrate_plain) — nothing is lost either way
            keyfile.save(data_dir, header["key_envelope"])
        os.replace(candidate, db)
        fsync_dir(data_dir)
    finally:
        backup.remove_db_files(candidate)
        backup.remove_db_files(converted)
    opening.open_unlocked(data_dir, new_key, daily=False)
    if adopt:
        backup.encrypt_plain_backups(data_dir, new_key)
        attachment_files.encrypt_plain_files(data_dir, new_key.bytes)
    result = {"restored": str(path), "counts": counts, "safety_backup": str(safety)}
    if (header or {}).get("attachments"):          # idempotent: files already here are left alone
        result["attachments_added"] = attachment_files.restore_files(
            path, header["_attachments_offset"], header["attachments"], data_dir,
            cand_key.bytes if cand_key is not None else None, new_key.bytes if new_key is not None else None)
    return result


def _candidate_key(header: dict | None, path: Path, cur_key, passphrase, recovery_key):
    if header is None:
        return None if is_plain_sqlite(path) else cur_key
    if not header.get("encrypted"):
        return None
    if cur_key is not None and header.get("key_id") == keyfile.key_id(cur_key):
        return cur_key
    envelope = header.get("key_envelope")
    if envelope is not None:
        try:
            keyfile.check_envelope(envelope)
        except keyfile.Malformed:
            raise backup.envelope_damaged() from None
    if not envelope or (passphrase is None and recovery_key is None):
        raise AuthError(t("backup.other_key", "vi"), t("backup.other_key", "en"))
    try:
        return keyfile.unwrap(envelope, passphrase=passphrase, recovery_key=recovery_key)
    except keyfile.WrongSecret:
        raise AuthError(t("backup.wrong_secret", "vi"), t("backup.wrong_secret", "en")) from None
    except keyfile.Malformed:
        raise backup.envelope_damaged() from None


def _settle_wal(db: Path, key) -> None:
    """Fold a leftover WAL into the old database so it cannot be replayed onto the restored one."""
    wal = Path(f"{db}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        conn = backup.connect(db, key)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
    if wal.exists() and wal.stat().st_size > 0:
        raise ValidationError([FieldError("file", t("security.db_busy", "vi"), t("security.db_busy", "en"))])
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
