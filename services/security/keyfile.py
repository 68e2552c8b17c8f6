"""The key file next to the database (plcs.key): one random data key, wrapped twice.

    env = new_envelope(data_key, passphrase, recovery_key)     # dict, saved as JSON with save()
    key = unwrap(env, passphrase=...)  or  unwrap(env, recovery_key=...)
    env = rewrap_passphrase(env, data_key, new_passphrase)      # change passphrase: the data key stays

Design
------
* The database is encrypted by SQLCipher with a random 256-bit *data key* used as a raw key ("x'…'"), so
  SQLCipher's own KDF is skipped.
* The data key is stored only wrapped (AES-256-GCM, from the `cryptography` package) in two *slots*:
  - "passphrase": wrapping key = Argon2id(NFC(passphrase), salt, t=3, m=64 MiB, p=1) (argon2-cffi; RFC 9106's
    second recommended setting, above OWASP's minimum m=19 MiB, t=2, p=1). The parameters are stored in the
    slot, so they can be raised later without breaking old files;
  - "recovery":   wrapping key = Argon2id(normalised recovery key, salt, …). The recovery key is 160 random
    bits shown once at setup as 8 groups of 4 base32 characters (ABCD-EFGH-…).
  Key files written before version 2 used scrypt (n=2**15, r=8, p=1): they are still read, and the slot that
  was just opened is re-wrapped with Argon2id on that unlock (upgrade(); atomic rewrite). The recovery slot
  of an old file is upgraded when the recovery key is next used (it guards 160 random bits, so its KDF cost
  does not matter for guessing).
* Every field read from a key envelope (also one inside a backup) is checked: a malformed envelope raises
  Malformed (a ValueError), never a KeyError; KDF costs are capped so a hostile file cannot exhaust memory.
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

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from models.crypto_db import RawKey
from services.dates import utc_now
from services.security.fileio import atomic_write_json

KEY_FILE = "plcs.key"
FORMAT = "plcs-key"
SCRYPT_PARAMS = {"n": 2 ** 15, "r": 8, "p": 1}          # version 1 files (read only)
ARGON2_PARAMS = {"t": 3, "m": 64 * 1024, "p": 1}          # m in KiB: 64 MiB
VERSION = 2
# Caps for parameters read from a file (a hostile backup must not make us allocate gigabytes).
MAX_ARGON2 = {"t": 10, "m": 256 * 1024, "p": 16}           # at most 256 MiB per derivation
MAX_SCRYPT = {"n": 2 ** 20, "r": 32, "p": 16}
SCRYPT_MAXMEM = 256 * 1024 * 1024
_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


class WrongSecret(Exception):
    """The passphrase or recovery key does not open this slot."""


class Malformed(ValueError):
    """A key envelope (plcs.key or the copy inside a backup) is not well formed."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


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
    """The 32-byte wrapping key. `params` is {"kdf": "argon2id", "t", "m", "p"} or scrypt's {"n", "r", "p"}
    (a dict without "kdf" is scrypt, as in version 1)."""
    if params.get("kdf", "scrypt") == "argon2id":
        return hash_secret_raw(secret, salt, time_cost=params["t"], memory_cost=params["m"],
                               parallelism=params["p"], hash_len=32, type=Type.ID)
    return hashlib.scrypt(secret, salt=salt, n=params["n"], r=params["r"], p=params["p"],
                          maxmem=SCRYPT_MAXMEM, dklen=32)


def kdf_params(entry) -> dict:
    """The KDF parameters of a slot (or a transfer file header), checked and capped; Malformed otherwise."""
    try:
        name = entry.get("kdf", "scrypt")
        if name == "argon2id":
            params = {k: int(entry[k]) for k in ("t", "m", "p")}
            limits = MAX_ARGON2
            ok = params["t"] >= 1 and params["p"] >= 1 and params["m"] >= 8 * params["p"]
        elif name == "scrypt":
            params = {k: int(entry[k]) for k in ("n", "r", "p")}
            limits = MAX_SCRYPT
            ok = (params["n"] >= 2 and params["n"] & (params["n"] - 1) == 0 and params["r"] >= 1
                  and params["p"] >= 1 and 129 * params["n"] * params["r"] <= SCRYPT_MAXMEM)
        else:
            raise Malformed(f"unknown kdf {name!r}")
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise Malformed(str(exc)) from None
    if not ok or any(params[k] > limits[k] for k in params):
        raise Malformed("kdf parameters out of range")
    return {"kdf": name, **params}


def key_id(data_key: RawKey) -> str:
    return hashlib.sha256(b"plcs-key-id|" + RawKey(data_key).bytes).hexdigest()[:16]


def _wrap(slot: str, secret: bytes, data_key: RawKey) -> dict:
    salt, nonce = os.urandom(16), os.urandom(12)
    params = {"kdf": "argon2id", **ARGON2_PARAMS}
    wrapping = derive(secret, salt, params)
    wrapped = AESGCM(wrapping).encrypt(nonce, RawKey(data_key).bytes, slot.encode())
    return {**params, "salt": _b64(salt), "nonce": _b64(nonce), "wrapped": _b64(wrapped)}


def _field(entry: dict, name: str, size: int | None = None) -> bytes:
    try:
        value = base64.b64decode(entry[name].encode("ascii"), validate=True)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise Malformed(f"{name}: {exc}") from None
    if size is not None and len(value) != size:
        raise Malformed(f"{name}: {len(value)} bytes")
    return value


def _unwrap(slot: str, entry, secret: bytes) -> RawKey:
    if not isinstance(entry, dict):
        raise Malformed(f"slot {slot}")
    params = kdf_params(entry)
    salt, nonce, wrapped = _field(entry, "salt"), _field(entry, "nonce", 12), _field(entry, "wrapped", 32 + 16)
    if not 8 <= len(salt) <= 64:
        raise Malformed("salt")
    wrapping = derive(secret, salt, params)
    try:
        raw = AESGCM(wrapping).decrypt(nonce, wrapped, slot.encode())
    except InvalidTag:
        raise WrongSecret(slot) from None
    return RawKey(raw)


def needs_upgrade(envelope: dict, slot: str) -> bool:
    """Whether `slot` is wrapped with an older KDF or weaker parameters than today's."""
    entry = envelope["slots"][slot]
    if entry.get("kdf") != "argon2id":
        return True
    return any(int(entry.get(k, 0)) < v for k, v in ARGON2_PARAMS.items())


def upgrade(envelope: dict, data_key: RawKey, slot: str, secret: str) -> dict:
    """The envelope with `slot` re-wrapped under today's KDF (the secret that just opened it)."""
    env = json.loads(json.dumps(envelope))
    normalise = normalize_passphrase if slot == "passphrase" else normalize_recovery_key
    env["slots"][slot] = _wrap(slot, normalise(secret), data_key)
    env["version"] = VERSION
    env["changed_at"] = utc_now().isoformat()
    return env


def new_envelope(data_key: RawKey, passphrase: str, recovery_key: str) -> dict:
    now = utc_now().isoformat()
    return {"format": FORMAT, "version": VERSION, "cipher": "AES-256-GCM", "key_id": key_id(data_key),
            "created_at": now, "changed_at": now,
            "slots": {"passphrase": _wrap("passphrase", normalize_passphrase(passphrase), data_key),
                      "recovery": _wrap("recovery", normalize_recovery_key(recovery_key), data_key)}}


def check_envelope(envelope) -> dict:
    """The envelope if it has the expected shape; Malformed otherwise."""
    if (not isinstance(envelope, dict) or envelope.get("format") != FORMAT
            or not isinstance(envelope.get("slots"), dict) or not isinstance(envelope.get("key_id"), str)):
        raise Malformed("not a key envelope")
    return envelope


def unwrap(envelope: dict, passphrase: str | None = None, recovery_key: str | None = None) -> RawKey:
    """The data key, or WrongSecret; Malformed (a ValueError) when the envelope is not well formed."""
    check_envelope(envelope)
    slots = envelope["slots"]
    if passphrase is not None:
        key = _unwrap("passphrase", slots.get("passphrase"), normalize_passphrase(passphrase))
    elif recovery_key is not None:
        key = _unwrap("recovery", slots.get("recovery"), normalize_recovery_key(recovery_key))
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
    try:
        env = json.loads(path_for(data_dir).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Malformed(str(exc)) from None
    return check_envelope(env)


def save(data_dir: str | Path, envelope: dict) -> None:
    """Atomic replace (temp + fsync + rename): a crash leaves the old or the new file, never half of one."""
    atomic_write_json(path_for(data_dir), envelope)
