"""Database files this process has open (real path -> encrypted?), shared by models/db.py (which records them)
and models/crypto_db.py (which asks before reading a file's header).

    remember("/data/plcs.db", encrypted=True);  open_file_encrypted("/data/plcs.db") -> True;  forget_all()

Code must never open() and close() such a file itself: closing any descriptor of a file drops every POSIX lock
this process holds on it, so another process closing its connection would then believe it is the last one,
checkpoint and DELETE the WAL that our connections still write into (those writes are then lost). Ask here
instead. A module of its own so that db.py and crypto_db.py do not import each other.
"""
from __future__ import annotations

import os
from pathlib import Path

_open_files: dict[str, bool] = {}


def remember(path: str | Path, encrypted: bool) -> None:
    _open_files[os.path.realpath(path)] = encrypted


def forget_all() -> None:
    _open_files.clear()


def open_file_encrypted(path: str | Path) -> bool | None:
    """Whether `path` is the database open in this process and encrypted; None when it is not open here."""
    return _open_files.get(os.path.realpath(path))
