"""The attachment files on disk: <data folder>/attachments/<2 chars>/<name>.bin (+ .thumb), content-addressed.

    store = BlobStore.current()                       # for the open data folder, keyed like its database
    sha, size = store.put_stream(fileobj)             # streamed: hashed and encrypted in one pass, 64 KiB at a time
    for chunk in store.read(sha): …                   # authenticated plaintext chunks
    store.put_thumb(sha, jpeg_bytes); store.thumb(sha) -> bytes | None
    store.remove(sha)

The same content is stored once (its SHA-256 decides the name). In an encrypted folder the name is an HMAC of the
SHA-256 under the folder's file key, so the names on disk do not reveal which known file is present, and every
file is AES-256-GCM encrypted (crypto.py); in a plain folder the name is the SHA-256 and the bytes are plain,
like the database. Files are written to a temporary name and renamed when complete, so a crash leaves no half
file under a real name (temporaries are removed at the next write).
"""
from __future__ import annotations

import hashlib
import hmac
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from services.attachments import crypto
from services.security.fileio import fsync_dir, secure_remove

FOLDER = "attachments"
TMP_DIR = ".tmp"
_memory_root: Path | None = None


def data_key_bytes() -> bytes | None:
    """The open database's data key (None for a plain folder)."""
    from models.db import database
    raw = getattr(database.obj, "raw_key", None)
    return raw.bytes if raw is not None else None


def _root_for_context() -> Path:
    """<data folder>/attachments, or a private temporary folder when the database is in memory (tests)."""
    global _memory_root
    from models.db import database
    from services.data_dir import app
    if getattr(database.obj, "database", None) == ":memory:":
        if _memory_root is None:
            _memory_root = Path(tempfile.mkdtemp(prefix="plcs-attachments-"))
        return _memory_root
    return app.current().data_dir / FOLDER


class _Hashing:
    """A reader that hashes and counts what passes through it."""

    def __init__(self, src: BinaryIO):
        self.src, self.sha, self.size = src, hashlib.sha256(), 0

    def read(self, n: int = -1) -> bytes:
        block = self.src.read(n)
        self.sha.update(block)
        self.size += len(block)
        return block


class BlobStore:
    def __init__(self, root: Path, key: bytes | None):
        self.root = Path(root)
        self.file_key = crypto.file_key(key) if key is not None else None
        self._name_key = crypto.file_key(key, b"plcs attachment names v1") if key is not None else None

    @classmethod
    def current(cls) -> BlobStore:
        return cls(_root_for_context(), data_key_bytes())

    @property
    def encrypted(self) -> bool:
        return self.file_key is not None

    def _name(self, sha: str) -> str:
        if self._name_key is None:
            return sha
        return hmac.new(self._name_key, sha.encode("ascii"), hashlib.sha256).hexdigest()

    def path(self, sha: str, suffix: str = ".bin") -> Path:
        name = self._name(sha)
        return self.root / name[:2] / f"{name}{suffix}"

    def exists(self, sha: str) -> bool:
        return self.path(sha).exists()

    def _tmp(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)   # owner-only, like the data folder
        folder = self.root / TMP_DIR
        folder.mkdir(exist_ok=True, mode=0o700)
        stale = time.time() - 3600
        for leftover in folder.iterdir():            # temporaries of a crashed write
            try:
                if leftover.stat().st_mtime < stale:
                    leftover.unlink()
            except OSError:
                pass
        fd, name = tempfile.mkstemp(dir=folder, prefix="in-")
        os.close(fd)
        os.chmod(name, 0o600)
        return Path(name)

    def _settle(self, tmp: Path, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if target.exists():                          # stored already: the same content, keep the first copy
            tmp.unlink(missing_ok=True)
            return
        os.replace(tmp, target)
        fsync_dir(target.parent)

    def _write(self, src: BinaryIO, dst: BinaryIO) -> None:
        if self.file_key is not None:
            crypto.encrypt_stream(src, dst, self.file_key)
        else:
            shutil.copyfileobj(src, dst, 64 * 1024)

    def put_stream(self, src: BinaryIO) -> tuple[str, int]:
        """Store what `src` yields. Returns (sha256 hex of the plaintext, size)."""
        tmp = self._tmp()
        try:
            reader = _Hashing(src)
            with open(tmp, "wb") as dst:
                self._write(reader, dst)
                dst.flush()
                os.fsync(dst.fileno())
            sha = reader.sha.hexdigest()
            self._settle(tmp, self.path(sha))
            return sha, reader.size
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def put_encrypted_file(self, sha: str, path: Path, suffix: str = ".bin") -> None:
        """Adopt a file already encrypted with this store's key (restore / transfer of the same folder key)."""
        tmp = self._tmp()
        try:
            shutil.copyfile(path, tmp)
            self._settle(tmp, self.path(sha, suffix))
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def read(self, sha: str, suffix: str = ".bin") -> Iterator[bytes]:
        with open(self.path(sha, suffix), "rb") as f:
            if self.file_key is not None:
                yield from crypto.decrypt_stream(f, self.file_key)
            else:
                while block := f.read(64 * 1024):
                    yield block

    def put_thumb(self, sha: str, data: bytes) -> None:
        import io
        tmp = self._tmp()
        try:
            with open(tmp, "wb") as dst:
                self._write(io.BytesIO(data), dst)
            self._settle(tmp, self.path(sha, ".thumb"))
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def thumb(self, sha: str) -> bytes | None:
        if not self.path(sha, ".thumb").exists():
            return None
        return b"".join(self.read(sha, ".thumb"))

    def remove(self, sha: str) -> None:
        for suffix in (".bin", ".thumb"):
            secure_remove(self.path(sha, suffix))
