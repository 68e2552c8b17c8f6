"""Attachment files inside backups (and other containers): appended after the database, as they are stored.

    entries = list_files(data_dir)                       # [{"path": "ab/ab12….bin", "size": n}] for the header
    write_files(f, data_dir, entries)                    # the bytes, in header order, streamed
    restore_files(container, offset, entries, data_dir, src_key, dst_key)   # after the database is in place

The files are copied as stored: in an encrypted folder they are AES-256-GCM under the folder's file key with
HMAC names, so a backup holds nothing readable and its header lists only those opaque names and sizes. Restoring
is idempotent (a file already present is left alone). When the backup was made under another data key (restored
with its passphrase), each file is decrypted with the backup's key and stored again under this folder's key,
its name found through the SHA-256 in the restored database.
"""
from __future__ import annotations

import io
import os
import re
from pathlib import Path

from services.attachments.crypto import Corrupt, decrypt_stream
from services.attachments.store import FOLDER, TMP_DIR, BlobStore

_NAME = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{64}\.(bin|thumb)$")


def list_files(data_dir) -> list[dict]:
    root = Path(data_dir) / FOLDER
    if not root.is_dir():
        return []
    out = []
    for path in sorted(root.glob("*/*")):
        rel = path.relative_to(root).as_posix()
        if path.parent.name != TMP_DIR and _NAME.match(rel) and path.is_file():
            out.append({"path": rel, "size": path.stat().st_size})
    return out


def write_files(f, data_dir, entries: list[dict]) -> None:
    root = Path(data_dir) / FOLDER
    for entry in entries:
        with open(root / entry["path"], "rb") as src:
            left = entry["size"]
            while left > 0:
                block = src.read(min(left, 1 << 20))
                if not block:
                    raise OSError(f"attachment file shrank while backing up: {entry['path']}")
                f.write(block)
                left -= len(block)


def check_entries(entries) -> bool:
    return isinstance(entries, list) and all(
        isinstance(e, dict) and isinstance(e.get("path"), str) and _NAME.match(e["path"])
        and isinstance(e.get("size"), int) and e["size"] >= 0 for e in entries)


class _Window(io.RawIOBase):
    """A read-only view of `size` bytes of an open file from its current position."""

    def __init__(self, f, size: int):
        self.f, self.left = f, size

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        n = self.left if n is None or n < 0 else min(n, self.left)
        block = self.f.read(n)
        self.left -= len(block)
        return block


def restore_files(container, offset: int, entries: list[dict], data_dir, src_key: bytes | None,
                  dst_key: bytes | None) -> int:
    """Put the container's attachment files into data_dir (same key: copied; other key: re-encrypted).
    Returns how many files were added."""
    if not entries:
        return 0
    store = BlobStore(Path(data_dir) / FOLDER, dst_key)
    same = src_key == dst_key
    by_name = {}
    pos = offset
    for e in entries:
        by_name[e["path"]] = (pos, e["size"])
        pos += e["size"]
    added = 0
    with open(container, "rb") as f:
        if same:
            for rel, (start, size) in by_name.items():
                target = store.root / rel
                if target.exists():
                    continue
                f.seek(start)
                tmp = store._tmp()
                with open(tmp, "wb") as out:
                    window = _Window(f, size)
                    while block := window.read(1 << 20):
                        out.write(block)
                    out.flush()
                    os.fsync(out.fileno())
                store._settle(tmp, target)
                added += 1
            return added
        source = BlobStore(Path("."), src_key)          # only its naming and keys are used
        from models.attachments import Attachment
        for sha in {a.sha256 for a in Attachment.select(Attachment.sha256)}:
            for suffix in (".bin", ".thumb"):
                name = source._name(sha)
                rel = f"{name[:2]}/{name}{suffix}"
                if rel not in by_name or store.path(sha, suffix).exists():
                    continue
                start, size = by_name[rel]
                f.seek(start)
                window = _Window(f, size)
                plain = _Plain(decrypt_stream(window, source.file_key) if source.file_key else _chunks(window))
                if suffix == ".bin":
                    got, _ = store.put_stream(plain)
                    if got != sha:
                        store.remove(got)
                        raise Corrupt("attachment content does not match its SHA-256")
                else:
                    store.put_thumb(sha, plain.read())
                added += 1
    return added


def _chunks(window):
    while block := window.read(1 << 16):
        yield block


class _Plain:
    """A file-like reader over an iterator of chunks."""

    def __init__(self, chunks):
        self.chunks, self.buf = iter(chunks), b""

    def read(self, n: int = -1) -> bytes:
        while n < 0 or len(self.buf) < n:
            try:
                self.buf += next(self.chunks)
            except StopIteration:
                break
        if n < 0:
            out, self.buf = self.buf, b""
        else:
            out, self.buf = self.buf[:n], self.buf[n:]
        return out


def encrypt_section(container, offset: int, entries: list[dict], key: bytes, work_dir: Path) -> list[dict]:
    """A plain backup's attachment files (named by their SHA-256) encrypted under `key` into
    work_dir/attachments; returns their entries (for a plain backup re-encrypted when its folder is)."""
    store = BlobStore(Path(work_dir) / FOLDER, key)
    pos = offset
    with open(container, "rb") as f:
        for e in entries:
            f.seek(pos)
            pos += e["size"]
            name, suffix = e["path"].split("/")[1].split(".")
            window = _Window(f, e["size"])
            if suffix == "bin":
                store.put_stream(window)
            else:
                store.put_thumb(name, window.read())
    return list_files(work_dir)


def encrypt_plain_files(data_dir, key: bytes) -> int:
    """The attachment files of a plain folder whose database was just encrypted: each is encrypted under the new
    key (stored first, the plain file wiped after), so a crash leaves every file readable one way or the other."""
    from services.attachments.crypto import is_encrypted_file
    from services.security.fileio import secure_remove
    root = Path(data_dir) / FOLDER
    store = BlobStore(root, key)
    done = 0
    for e in list_files(data_dir):
        path = root / e["path"]
        name, suffix = path.name.split(".")
        if is_encrypted_file(path):
            continue
        if suffix == "bin":
            with open(path, "rb") as src:
                store.put_stream(src)
        else:
            store.put_thumb(name, path.read_bytes())
        secure_remove(path)
        done += 1
    return done
