"""Crash-safe file helpers: atomic writes (temp file + fsync + rename + fsync of the folder) and best-effort
secure removal (overwrite with zeros, fsync, unlink).

    atomic_write_bytes(path, data);  atomic_write_json(path, obj);  secure_remove(path)

Secure removal is best effort only: on SSDs and copy-on-write/journaling file systems old blocks may survive
an overwrite (see docs/threat-model.md).
"""
from __future__ import annotations

import json
import os
import secrets
from pathlib import Path


def fsync_dir(path: str | Path) -> None:
    try:
        fd = os.open(str(path), os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def temp_path(path: str | Path, tag: str = "tmp") -> Path:
    path = Path(path)
    return path.with_name(f".{path.name}.{tag}-{secrets.token_hex(4)}")


def atomic_write(path: str | Path, write, mode: int = 0o600) -> None:
    """Write a file all or nothing: `write(f)` fills a new temporary file, which is fsynced and renamed over
    `path`; on any error the temporary file is removed and `path` is untouched."""
    path = Path(path)
    tmp = temp_path(path)
    fd = os.open(str(tmp), os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def atomic_write_bytes(path: str | Path, data: bytes, mode: int = 0o600) -> None:
    atomic_write(path, lambda f: f.write(data), mode)


def atomic_write_json(path: str | Path, value) -> None:
    atomic_write_bytes(path, json.dumps(value, ensure_ascii=False, indent=1).encode("utf-8"))


def fsync_file(path: str | Path) -> None:
    fd = os.open(str(path), os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def secure_remove(path: str | Path) -> None:
    """Overwrite a file with zeros (in place), fsync, then unlink. Missing files are ignored."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return
    try:
        with open(path, "r+b", buffering=0) as f:
            block = b"\0" * (1 << 20)
            left = size
            while left > 0:
                n = f.write(block[:min(left, len(block))])
                left -= n
            os.fsync(f.fileno())
    except OSError:
        pass
    path.unlink(missing_ok=True)
    fsync_dir(path.parent)
