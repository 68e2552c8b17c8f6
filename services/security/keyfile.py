"""The key file next to the database (plcs.key): one random data key, wrapped twice.

    env = new_envelope(data_key, passphrase, recovery_key)     # dict, saved as JSON with save()
    key = unwrap(env, passphrase=...)  or  unwrap(env, recovery_key=...)
    env = rewrap_passphrase(env, data_key, new_passphrase)      # change passphrase: the data key stays

Design
------
* The database is encrypted by SQLCipher with a random 256-bit *data key* used as a raw key ("x'…'"), so
  SQLCipher's own KDF is skipped.
* The data key is stored only wrapped (AES-256-GCM, from the `cryptography` package) in two *slots*:
  - "passphrase": wrapping key = scrypt(NFC(passphrase), salt, n=2**15, r=8, p=1) (hashlib);
  - "recovery":   wrapping key = scrypt(normalised recovery key, salt, …). The recovery key is 160 random
    bits shown once at setup as 8 groups of 4 base32 characters (ABCD-EFGH-…).
  GCM's tag tells a wrong passphrase from a right one without touching the database; the slot name is the
  associated data so slots cannot be swapped.
* Changing the passphrase re-wraps the same data key (atomic rewrite of this small file): the database,
  its backups and its WAL are never rewritten, so nothing can be lost half-way. The recovery slot is kept.
* key_id (a hash of the data key) lets backups tell whether they share the current data key.
* Neither the passphrase nor the recovery key is ever stored; only salts, nonces and wrapped keys.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import unicodedata
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from models.crypto_db import RawKey
from services.dates import utc_now
from services.security.fileio import atomic_write_json

KEY_FILE = "plcs.key"
FORMAT = "plcs-key"
SCRYPT_PARAMS = {"n": 2 ** 15, "r": 8, "p": 1}
_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


class WrongSecret(Exception):
    """The passphrase or recovery key does not open this slot."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"))


def normalize_passphrase(passphrase: str) -> bytes:
    """NFC so that the same passphrase typed with different Vietnamese keyboards (NFC/NFD) unlocks."""
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def new_recovery_key() -> str:
    raw = base64.b32encode(secrets.token_bytes(20)).decode("ascii")    # 32 characters, 160 bits
    return "-".join(raw[i:i + 4] for i in range(0, 32, 4))


def normalize_recovery_key(text: str) -> bytes:
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    cleaned = cleaned.replace("0", "O").replace("1", "I").replace("8", "B")   # common misreadings
    return cleaned.encode("ascii", "ignore")


def looks_like_recovery_key(text: str) -> bool:
    cleaned = normalize_recovery_key(text).decode()
    return len(cleaned) == 32 and all(ch in _B32 for ch in cleaned)


def derive(secret: bytes, salt: bytes, params: dict) -> bytes:
    return hashlib.scrypt(secret, salt=salt, n=params["n"], r=params["r"], p=params["p"],
                          maxmem=256 * 1024 * 1024, dklen=32)


def key_id(data_key: RawKey) -> str:
    return hashlib.sha256(b"plcs-key-id|" + RawKey(data_key).bytes).hexdigest()[:16]


def _wrap(slot: str, secret: bytes, data_key: RawKey) -> dict:
    salt, nonce = os.urandom(16), os.urandom(12)
    wrapping = derive(secret, salt, SCRYPT_PARAMS)
    wrapped = AESGCM(wrapping).encrypt(nonce, RawKey(data_key).bytes, slot.encode())
    return {"kdf": "scrypt", **SCRYPT_PARAMS, "salt": _b64(salt), "nonce": _b64(nonce), "wrapped": _b64(wrapped)}


def _unwrap(slot: str, entry: dict, secret: bytes) -> RawKey:
    params = {k: int(entry[k]) for k in ("n", "r", "p")}
    wrapping = derive(secret, _unb64(entry["salt"]), params)
    try:
        raw = AESGCM(wrapping).decrypt(_unb64(entry["nonce"]), _unb64(entry["wrapped"]), slot.encode())
    except InvalidTag:
        raise WrongSecret(slot) from None
    return RawKey(raw)


def new_envelope(data_key: RawKey, passphrase: str, recovery_key: str) -> dict:
    now = utc_now().isoformat()
    return {"format": FORMAT, "version": 1, "cipher": "AES-256-GCM", "key_id": key_id(data_key),
            "created_at": now, "changed_at": now,
            "slots": {"passphrase": _wrap("passphrase", normalize_passphrase(passphrase), data_key),
                      "recovery": _wrap("recovery", normalize_recovery_key(recovery_key), data_key)}}


def unwrap(envelope: dict, passphrase: str | None = None, recovery_key: str | None = None) -> RawKey:
    """The data key, or WrongSecret."""
    if passphrase is not None:
        key = _unwrap("passphrase", envelope["slots"]["passphrase"], normalize_passphrase(passphrase))
    elif recovery_key is not None:
        key = _unwrap("recovery", envelope["slots"]["recovery"], normalize_recovery_key(recovery_key))
    else:
        raise WrongSecret("none")
    if key_id(key) != envelope.get("key_id"):
        raise WrongSecret("key_id")
    return key


def rewrap_passphrase(envelope: dict, data_key: RawKey, new_passphrase: str) -> dict:
    env = json.loads(json.dumps(envelope))
    env["slots"]["passphrase"] = _wrap("passphrase", normalize_passphrase(new_passphrase), data_key)
    env["changed_at"] = utc_now().isoformat()
    return env


def rewrap_recovery(envelope: dict, data_key: RawKey, new_recovery_key: str) -> dict:
    env = json.loads(json.dumps(envelope))
    env["slots"]["recovery"] = _wrap("recovery", normalize_recovery_key(new_recovery_key), data_key)
    env["changed_at"] = utc_now().isoformat()
    return env


def path_for(data_dir: str | Path) -> Path:
    return Path(data_dir) / KEY_FILE


def exists(data_dir: str | Path) -> bool:
    return path_for(data_dir).exists()


def load(data_dir: str | Path) -> dict:
    env = json.loads(path_for(data_dir).read_text(encoding="utf-8"))
    if env.get("format") != FORMAT:
        raise ValueError("not a key file")
    return env


def save(data_dir: str | Path, envelope: dict) -> None:
    """Atomic replace (temp + fsync + rename): a crash leaves the old or the new file, never half of one."""
    atomic_write_json(path_for(data_dir), envelope)
