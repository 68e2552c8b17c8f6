"""SQLCipher database opened with a raw 256-bit data key (no passphrase ever reaches SQLCipher).

    from models.crypto_db import RawKey, open_encrypted, connect_raw, is_plain_sqlite
    key = RawKey.generate()                         # random data key, "x'<64 hex>'"
    db = open_encrypted("/data/plcs.db", key, PRAGMAS)   # peewee database (not yet connected)
    conn = connect_raw("/data/plcs.db", key)        # a bare sqlcipher3 connection (backup, export, checks)

Why a raw key: the passphrase only unwraps the data key stored in the key file (services/security/keyfile.py),
so changing the passphrase rewrites a tiny JSON file instead of re-encrypting the whole database, and the
recovery key can unwrap the same data key. SQLCipher's own PBKDF2 is skipped (raw keys are used as-is), which
also makes every connection open fast.

models.db.open_database(path, secret, unlock) calls open_encrypted() whenever a RawKey (or a passphrase with the
unlock function that turns it into the key) is given.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from playhouse.sqlcipher_ext import SqlCipherDatabase
from sqlcipher3 import dbapi2 as sqlcipher

from models.open_files import open_file_encrypted

SQLITE_HEADER = b"SQLite format 3\x00"
_RAW_RE = re.compile(r"^x'([0-9a-fA-F]{64})'$")


class RawKey(str):
    """A SQLCipher raw key literal: x'<64 hex digits>' (32 bytes). Never log it."""

    def __new__(cls, value):
        if isinstance(value, (bytes, bytearray)):
            if len(value) != 32:
                raise ValueError("raw key must be 32 bytes")
            value = f"x'{bytes(value).hex()}'"
        if not _RAW_RE.match(value):
            raise ValueError("not a raw key literal")
        return super().__new__(cls, value)

    @classmethod
    def generate(cls) -> RawKey:
        return cls(os.urandom(32))

    @property
    def bytes(self) -> bytes:
        return bytes.fromhex(_RAW_RE.match(self).group(1))

    def __repr__(self) -> str:            # keep keys out of tracebacks and logs
        return "RawKey(<hidden>)"


def is_raw_key(value) -> bool:
    return isinstance(value, RawKey) or (isinstance(value, str) and bool(_RAW_RE.match(value)))


def is_plain_sqlite(path: str | Path) -> bool:
    """True when the file is an ordinary (unencrypted) SQLite database."""
    encrypted = open_file_encrypted(path)
    if encrypted is not None:          # open here: never read it with open() (see models/open_files.py)
        return not encrypted
    try:
        with open(path, "rb") as f:
            return f.read(16) == SQLITE_HEADER
    except FileNotFoundError:
        return False


def _key_statement(key: RawKey) -> str:
    return f'PRAGMA key = "{key}"'


def connect_raw(path: str | Path, key: RawKey | None, **kwargs):
    """A sqlcipher3 connection keyed with `key` (None: a plain SQLite file). Autocommit mode."""
    conn = sqlcipher.connect(str(path), isolation_level=None, **kwargs)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")   # wrong keys must not spam stderr
        if key is not None:
            conn.execute(_key_statement(RawKey(key)))
    except BaseException:
        conn.close()
        raise
    return conn


class KeyedSqlCipherDatabase(SqlCipherDatabase):
    """peewee SqlCipherDatabase keyed with a raw data key (playhouse only knows quoted passphrases)."""

    def __init__(self, database, raw_key: RawKey, **kwargs):
        self.raw_key = RawKey(raw_key)
        super().__init__(database, **kwargs)

    def _connect(self):
        params = dict(self.connect_params)
        params.pop("passphrase", None)
        conn = sqlcipher.connect(self.database, isolation_level=None, **params)
        try:
            conn.execute("PRAGMA cipher_log_level = NONE")
            conn.execute(_key_statement(self.raw_key))
            self._add_conn_hooks(conn)          # pragmas (WAL, foreign keys, …) after the key
        except BaseException:
            conn.close()
            raise
        return conn

    def rekey(self, passphrase):  # pragma: no cover - guarded: the key file design never re-keys in place
        raise NotImplementedError("change the passphrase with services.security.change_passphrase()")


def open_encrypted(path: str, key: RawKey, pragmas: dict):
    """A peewee database for the encrypted file at `path`, keyed with the data key (already unlocked by
    services.security; models.db.open_database calls the unlock function it is given for a passphrase)."""
    return KeyedSqlCipherDatabase(str(path), RawKey(key), pragmas=pragmas, timeout=10)
