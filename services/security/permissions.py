"""Owner-only permissions on the data folder: the folder and the app's sub-folders 0700, the app's files 0600.

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
# What the app writes in the data folder: files named plcs.* / .plcs.* (database, -wal/-shm, key file, unlock
# counter, temporaries, backup lock) and these sub-folders, tightened recursively. Anything else a user keeps
# in the folder is left alone (it is still behind the folder's 0700); only group/other bits are ever removed,
# so an owner's execute bit is never lost.
OWN_DIRS = {"backups", "exports", "imports", "attachments", "frameworks"}
MAX_ENTRIES = 200_000          # a runaway folder must not stall the start; the rest is left as it is


def _strip(path: Path, st: os.stat_result, is_dir: bool) -> None:
    mode = stat.S_IMODE(st.st_mode)
    wanted = DIR_MODE if is_dir else (mode & 0o700) | 0o600
    if mode != wanted:
        # not our file (e.g. created by another account): leave it, never fail the open
        with contextlib.suppress(OSError):
            os.chmod(path, wanted)


def _ours(name: str) -> bool:
    return name.startswith(("plcs.", ".plcs"))


def tighten(data_dir) -> None:
    """Folder and our sub-folders 0700, our files 0600 (symlinks are not followed)."""
    if os.name != "posix":
        return
    root = Path(data_dir)
    try:
        _strip(root, root.stat(), True)
        entries = list(os.scandir(root))
    except OSError:
        return
    seen = 0
    for entry in entries:
        try:
            if entry.is_symlink():
                continue
            if entry.is_file() and _ours(entry.name):
                _strip(Path(entry.path), entry.stat(), False)
            elif entry.is_dir() and entry.name in OWN_DIRS:
                _strip(Path(entry.path), entry.stat(), True)
                for current, dirs, files in os.walk(entry.path, followlinks=False):
                    for name in dirs + files:
                        seen += 1
                        if seen > MAX_ENTRIES:
                            return
                        path = Path(current) / name
                        st = path.lstat()
                        if stat.S_ISDIR(st.st_mode) or stat.S_ISREG(st.st_mode):
                            _strip(path, st, stat.S_ISDIR(st.st_mode))
        except OSError:
            continue


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
