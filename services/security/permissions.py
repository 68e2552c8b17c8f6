"""Owner-only permissions on the data folder: the folder and its sub-folders 0700, every file 0600.

    tighten(data_dir)          # on every open (new and existing folders); cheap: one stat per entry
    create_private(path)       # an empty file with mode 0600 (so SQLite's -wal/-shm, which copy the
                               # database file's mode, are 0600 too)

Other local accounts on a shared office computer then cannot read the database, key file, backups or
exports, even where the database is plain (opt-out). POSIX only; on Windows chmod cannot express this and
the folder's ACL (the user's profile) applies instead.
"""
from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600
# Sub-folders the app writes into (backups, exports, imports, attachments…): all tightened, recursively.
MAX_ENTRIES = 200_000          # a runaway folder must not stall the start; the rest is left as it is


def _chmod(path: Path, mode: int, st: os.stat_result) -> None:
    if stat.S_IMODE(st.st_mode) != mode:
        # not our file (e.g. created by another account): leave it, never fail the open
        with contextlib.suppress(OSError):
            os.chmod(path, mode)


def tighten(data_dir) -> None:
    """Folder and sub-folders 0700, files 0600 (symlinks are not followed)."""
    if os.name != "posix":
        return
    root = Path(data_dir)
    try:
        _chmod(root, DIR_MODE, root.stat())
    except OSError:
        return
    seen = 0
    for current, dirs, files in os.walk(root, followlinks=False):
        for name in dirs + files:
            seen += 1
            if seen > MAX_ENTRIES:
                return
            path = Path(current) / name
            try:
                st = path.lstat()
            except OSError:
                continue
            if stat.S_ISDIR(st.st_mode):
                _chmod(path, DIR_MODE, st)
            elif stat.S_ISREG(st.st_mode):
                _chmod(path, FILE_MODE, st)


def create_private(path) -> None:
    """Create `path` empty with mode 0600 if it does not exist."""
    try:
        fd = os.open(str(path), os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return
    os.close(fd)


def private_dir(path) -> Path:
    """mkdir -p with mode 0700 (and tighten an existing one)."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    if os.name == "posix":
        with contextlib.suppress(OSError):
            os.chmod(path, DIR_MODE)
    return path
