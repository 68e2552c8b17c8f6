"""Backups: automatic (daily, before every migration, before a restore) and manual; restoring one is
services/data_dir/restore.py (it re-opens the folder, so it sits above the opener that makes the daily backup).

    path = create_backup()                                 # <data dir>/backups/plcs-…-manual.plcsbak
    create_backup("/media/usb/plcs.plcsbak")               # backup --out FILE
    list_backups() -> [{"path", "reason", "created_at", "size"}]   newest first

How: the SQLite online backup API (`Connection.backup`) copies the open database page by page into a new
file keyed with the same data key — it works for SQLCipher as long as source and target use the same key —
so a backup is as encrypted as the database itself. The file written is a small container:
    b"PLCSBAK1" | 4-byte header length | JSON header | the database file
The header carries the key envelope (plcs.key: the *wrapped* data key, never the passphrase), so a backup can
be restored on a new laptop with the passphrase or recovery key valid when it was made.

Rotation keeps the newest KEEP[reason] automatic backups of each reason.

Temporary files and a crash: a backup writes `.plcs.db.backup-XXXXXXXX` (the snapshot, as big as the
database) in the data folder and `.plcs-….plcsbak.tmp-XXXXXXXX` in backups/ (plus `.plain-`/`.enc-`/`.old-`
copies while a plain backup is encrypted); a restore writes `.plcs.db.restore-PID`. While any of them runs it
holds a shared flock on `<data dir>/.plcs.backup.lock`. clean_orphans() — called on every start through
vault.status() — takes that lock exclusively without waiting: if it gets it, no backup or restore is running
in any process, so every such temporary is an orphan of a killed run and is removed at once (plain copies are
overwritten first); if not, it leaves them alone. Only these names are touched.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import sqlite3
import struct
import tempfile
from pathlib import Path

from models.crypto_db import RawKey, connect_raw
from models.db import database
from services.attachments import bundle as attachment_files
from services.dates import utc_now
from services.errors import FieldError, ValidationError
from services.i18n import t
from services.security import keyfile
from services.security.fileio import atomic_write, fsync_dir, temp_path

MAGIC = b"PLCSBAK1"
BACKUP_DIR = "backups"
SUFFIX = ".plcsbak"
KEEP = {"daily": 7, "pre-migration": 5, "pre-restore": 5, "pre-transfer": 3, "manual": 10}
REQUIRED_TABLES = {"setting", "schema_migration"}
LOCK_FILE = ".plcs.backup.lock"
# Our temporaries (see the module docstring): in the data folder, and in backups/.
ORPHANS_IN_DATA_DIR = (".plcs.db.backup-*", ".plcs.db.restore-*")
ORPHANS_IN_BACKUPS = tuple(f".plcs-*{SUFFIX}.{tag}-*" for tag in ("tmp", "plain", "enc", "old"))
STALE_SECONDS = 3600           # without flock (Windows): only temporaries older than this are orphans

try:
    import fcntl
except ImportError:            # Windows
    fcntl = None


@contextlib.contextmanager
def running(data_dir):
    """Held while a backup or restore writes temporaries (shared: backups may run side by side)."""
    from services.security.permissions import FILE_MODE
    fd = os.open(str(Path(data_dir) / LOCK_FILE), os.O_RDWR | os.O_CREAT, FILE_MODE)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)             # closing releases the lock


def _orphans(data_dir: Path) -> list[Path]:
    found = [p for pattern in ORPHANS_IN_DATA_DIR for p in data_dir.glob(pattern)]
    folder = data_dir / BACKUP_DIR
    if folder.is_dir():
        found += [p for pattern in ORPHANS_IN_BACKUPS for p in folder.glob(pattern)]
    return [p for p in found if p.is_file() and not p.is_symlink()]


def clean_orphans(data_dir) -> list[str]:
    """Remove the temporaries of backups/restores killed half-way, only when none is running (see the module
    docstring). Returns the names removed."""
    from services.security.fileio import secure_remove
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        return []
    candidates = _orphans(data_dir)
    if not candidates:
        return []
    removed = []
    fd = None
    try:
        if fcntl is not None:
            fd = os.open(str(data_dir / LOCK_FILE), os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return []          # a backup or restore is running: its files are not orphans
            candidates = _orphans(data_dir)
        stale = dt.datetime.now().timestamp() - STALE_SECONDS
        for path in candidates:
            try:
                st = path.stat()
                if fcntl is None and st.st_mtime >= stale:
                    continue
                if st.st_nlink > 1:
                    path.unlink()    # a second name of a live file (".old-"): never overwrite it
                else:
                    secure_remove(path)
                removed.append(path.name)
            except OSError:
                continue
    finally:
        if fd is not None:
            os.close(fd)
    return removed


def current_key() -> RawKey | None:
    """Data key of the open database (None for a plain database)."""
    return getattr(database.obj, "raw_key", None)


def backup_dir(data_dir) -> Path:
    from services.security.permissions import private_dir
    return private_dir(Path(data_dir) / BACKUP_DIR)


def connect(path, key):
    return connect_raw(path, key) if key is not None else sqlite3.connect(str(path), isolation_level=None)


def _table_counts(conn) -> dict[str, int]:
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
        "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'")]
    return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def _snapshot(target: Path, key) -> dict[str, int]:
    """Online backup of the open database into `target` (same key). Returns row counts per table."""
    dst = connect(target, key)
    try:
        database.connection().backup(dst)
        dst.execute("PRAGMA journal_mode = delete")
        if dst.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise RuntimeError("backup copy failed its check")
        return _table_counts(dst)
    finally:
        dst.close()


def _stamp(now: dt.datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%S%fZ")


def create_backup(out=None, reason: str = "manual", data_dir=None) -> Path:
    """Write a backup of the open database; `out` None = the data folder's backups/ (rotated)."""
    from services.data_dir import app
    data_dir = Path(data_dir) if data_dir else app.current().data_dir
    key = current_key()
    now = utc_now()
    rotate = out is None
    out = Path(out) if out else backup_dir(data_dir) / f"plcs-{_stamp(now)}-{reason}{SUFFIX}"
    out.parent.mkdir(parents=True, exist_ok=True)
    snap = temp_path(data_dir / "plcs.db", "backup")
    with running(data_dir):
        _write_backup(out, snap, key, now, reason, data_dir)
    if rotate:
        _rotate(data_dir, reason)
    return out


def _write_backup(out: Path, snap: Path, key, now, reason: str, data_dir: Path) -> None:
    try:
        counts = _snapshot(snap, key)
        files = attachment_files.list_files(data_dir)      # attachments, as stored (encrypted like the database)
        header = {"format": "plcs-backup", "version": 1, "created_at": now.isoformat(), "reason": reason,
                  "encrypted": key is not None, "key_id": keyfile.key_id(key) if key is not None else None,
                  "key_envelope": keyfile.load(data_dir) if key is not None and keyfile.exists(data_dir) else None,
                  "counts": counts, "size": snap.stat().st_size}
        if files:
            header["attachments"] = files
        blob = json.dumps(header, ensure_ascii=False).encode("utf-8")

        def write(f):
            f.write(MAGIC + struct.pack(">I", len(blob)) + blob)
            with open(snap, "rb") as src:
                shutil.copyfileobj(src, f, 1 << 20)
            attachment_files.write_files(f, data_dir, files)
        atomic_write(out, write)
    finally:
        snap.unlink(missing_ok=True)
        Path(f"{snap}-journal").unlink(missing_ok=True)


def _rotate(data_dir, reason: str) -> None:
    keep = KEEP.get(reason, 5)
    files = sorted(backup_dir(data_dir).glob(f"plcs-*-{reason}{SUFFIX}"), reverse=True)
    for old in files[keep:]:
        old.unlink(missing_ok=True)


def list_backups(data_dir=None) -> list[dict]:
    from services.data_dir import app
    data_dir = Path(data_dir) if data_dir else app.current().data_dir
    out = []
    for path in sorted(backup_dir(data_dir).glob(f"plcs-*{SUFFIX}"), reverse=True):
        stamp, _, reason = path.stem[len("plcs-"):].partition("-")
        try:
            created = dt.datetime.strptime(stamp, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=dt.UTC)
        except ValueError:
            continue
        out.append({"path": str(path), "reason": reason, "created_at": created.isoformat(),
                    "size": path.stat().st_size})
    return out


def before_migrate(data_dir, pending: list[str]) -> None:
    """services.data_dir.app.open_data_dir(before_migrate=…) hook: a backup before any schema change — not for a
    database being created now (nothing to save, and an empty file is not an app database)."""
    if "0001_initial" in pending:
        return
    create_backup(reason="pre-migration", data_dir=data_dir)


def maybe_daily(ctx) -> Path | None:
    """The day's automatic backup, once per local day (skipped for a database created just now)."""
    from services.dates import today_local
    if "0001_initial" in (ctx.migrations_applied or []):
        return None
    today = today_local().strftime("%Y%m%d")
    for item in list_backups(ctx.data_dir):
        if item["reason"] == "daily":
            created = dt.datetime.fromisoformat(item["created_at"])
            from zoneinfo import ZoneInfo
            if created.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%Y%m%d") == today:
                return None
            break
    return create_backup(reason="daily", data_dir=ctx.data_dir)


# ---- reading and restoring -----------------------------------------------------------------------------------

def bad_file(key: str = "backup.damaged") -> ValidationError:
    return ValidationError([FieldError("file", t(key, "vi"), t(key, "en"))])


def read_header(path) -> dict | None:
    """The container header, or None for a bare database file."""
    with open(path, "rb") as f:
        if f.read(len(MAGIC)) != MAGIC:
            return None
        raw = f.read(4)
        if len(raw) != 4:
            raise bad_file()
        (length,) = struct.unpack(">I", raw)
        if length > 10_000_000:
            raise bad_file()
        try:
            header = json.loads(f.read(length).decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise bad_file() from None
        if not isinstance(header, dict):
            raise bad_file()
        return header


def extract(path: Path, target: Path) -> dict | None:
    header = read_header(path)
    files = (header or {}).get("attachments")
    if files is not None and (not attachment_files.check_entries(files) or not isinstance(header.get("size"), int)):
        raise bad_file()
    with open(path, "rb") as f, open(target, "wb") as out:
        if header is not None:
            (length,) = struct.unpack(">I", f.read(len(MAGIC) + 4)[len(MAGIC):])
            f.seek(len(MAGIC) + 4 + length)
        if files is None:
            shutil.copyfileobj(f, out, 1 << 20)
        else:                                   # the database, then the attachment files (restored later)
            left = header["size"]
            while left > 0:
                block = f.read(min(left, 1 << 20))
                if not block:
                    raise bad_file()
                out.write(block)
                left -= len(block)
            header["_attachments_offset"] = f.tell()
            if f.seek(0, os.SEEK_END) != header["_attachments_offset"] + sum(e["size"] for e in files):
                raise bad_file()
        out.flush()
        os.fsync(out.fileno())
    return header


def check_candidate(path: Path, key) -> dict[str, int]:
    """Row counts of a candidate database after integrity_check; ValidationError when it is not sound."""
    try:
        conn = connect(path, key)
    except Exception:
        raise bad_file() from None
    try:
        result = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        if result != ["ok"]:
            raise bad_file()
        counts = _table_counts(conn)
    except ValidationError:
        raise
    except Exception:
        raise bad_file() from None
    finally:
        conn.close()
    if not set(counts) >= REQUIRED_TABLES:
        raise bad_file("backup.not_app_db")
    return counts


def convert(src: Path, src_key, dst: Path, dst_key) -> None:
    """Copy a database to another key (or to/from plain) with sqlcipher_export."""
    conn = connect_raw(src, src_key)
    try:
        target_key = f"{dst_key}" if dst_key is not None else ""
        conn.execute(f'ATTACH DATABASE ? AS conv KEY "{target_key}"', (str(dst),))
        conn.execute("SELECT sqlcipher_export('conv')")
        uv = conn.execute("PRAGMA main.user_version").fetchone()[0]
        conn.execute(f"PRAGMA conv.user_version = {int(uv)}")
        conn.execute("DETACH DATABASE conv")
    finally:
        conn.close()


def envelope_damaged() -> ValidationError:
    """A backup whose key envelope is not well formed: bad input (exit 2), not a wrong passphrase."""
    return bad_file("backup.key_envelope_damaged")


def encrypt_backup_file(path: Path, key: RawKey, data_dir) -> None:
    """Re-write a plain backup container as an encrypted one (after a folder was encrypted)."""
    with running(data_dir):
        _encrypt_backup_file(path, key, data_dir)


def _encrypt_backup_file(path: Path, key: RawKey, data_dir) -> None:
    from services.security.fileio import secure_remove
    path = Path(path)
    plain, enc = temp_path(path, "plain"), temp_path(path, "enc")
    work = None
    try:
        header = extract(path, plain)
        convert(plain, None, enc, key)
        counts = check_candidate(enc, key)
        header = dict(header or {}, encrypted=True, key_id=keyfile.key_id(key),
                      key_envelope=keyfile.load(data_dir), counts=counts, size=enc.stat().st_size)
        work = None
        if header.get("attachments"):               # the plain attachment files, encrypted too
            work = Path(tempfile.mkdtemp(prefix=".plcs-att-", dir=path.parent))
            header["attachments"] = attachment_files.encrypt_section(
                path, header.pop("_attachments_offset"), header["attachments"], key.bytes, work)
        header.pop("_attachments_offset", None)
        blob = json.dumps(header, ensure_ascii=False).encode("utf-8")
        tmp_out = temp_path(path)
        with os.fdopen(os.open(str(tmp_out), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as f, \
                open(enc, "rb") as src:
            f.write(MAGIC + struct.pack(">I", len(blob)) + blob)
            shutil.copyfileobj(src, f, 1 << 20)
            if work is not None:
                attachment_files.write_files(f, work, header["attachments"])
            f.flush()
            os.fsync(f.fileno())
        old = temp_path(path, "old")
        os.link(path, old)                      # wipe the plain copy only after the swap
        os.replace(tmp_out, path)
        fsync_dir(path.parent)
        secure_remove(old)
    finally:
        secure_remove(plain)
        remove_db_files(enc)
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)     # encrypted files only


def remove_db_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def encrypt_plain_backups(data_dir: Path, key: RawKey) -> None:
    """Automatic backups made while the folder was plain hold plain data: re-encrypt them in place."""
    folder = Path(data_dir) / BACKUP_DIR
    if not folder.exists():
        return
    for item in folder.glob(f"plcs-*{SUFFIX}"):
        try:
            header = read_header(item)
        except Exception:
            continue
        if header is not None and not header.get("encrypted"):
            encrypt_backup_file(item, key, data_dir)
