"""Encryption at rest of attachment files: AES-256-GCM in chunks, so a file of any size streams through a small
buffer and nothing unauthenticated is ever returned.

    key = file_key(data_key)                       # 32 bytes, HKDF-SHA256 of the database's data key
    encrypt_stream(src, dst, key)                  # src/dst: binary file objects
    for chunk in decrypt_stream(src, key): …       # raises Corrupt on any tampering, truncation or reordering

Format: MAGIC (8) | nonce prefix (7, random per file) | chunks of ciphertext+tag. Chunk i (plaintext CHUNK bytes,
the last one shorter, possibly empty) is sealed with nonce = prefix | i (4 bytes, big-endian) | last flag (1),
and the header as associated data — the "STREAM" construction (Hoang, Reyhanitabar, Rogaway, Vizár 2015).
Hand-written because `cryptography` offers the AEAD primitive only and no library in our stack does chunked
AEAD; the construction is twenty lines over AESGCM, and the tests flip, cut and reorder chunks.

Why a derived key and not the data key itself: the data key is SQLCipher's raw key; a separate key per purpose
(HKDF with its own label) keeps the two uses from ever meeting.
"""
from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from typing import BinaryIO

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"PLCSATT1"
PREFIX_LEN = 7
HEADER_LEN = len(MAGIC) + PREFIX_LEN
CHUNK = 64 * 1024
TAG = 16


class Corrupt(Exception):
    """The encrypted file was altered, cut short, or belongs to another key."""


def file_key(data_key_bytes: bytes, label: bytes = b"plcs attachments v1") -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(data_key_bytes)


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + struct.pack(">IB", index, 1 if last else 0)


def _read_full(src: BinaryIO, n: int) -> bytes:
    parts, left = [], n
    while left > 0:
        block = src.read(left)
        if not block:
            break
        parts.append(block)
        left -= len(block)
    return b"".join(parts)


def encrypt_stream(src: BinaryIO, dst: BinaryIO, key: bytes) -> int:
    """Encrypt everything `src` yields into `dst`. Returns the number of plaintext bytes."""
    aead = AESGCM(key)
    prefix = os.urandom(PREFIX_LEN)
    header = MAGIC + prefix
    dst.write(header)
    total, index = 0, 0
    current = _read_full(src, CHUNK)
    while True:
        following = _read_full(src, CHUNK) if len(current) == CHUNK else b""
        last = not following
        dst.write(aead.encrypt(_nonce(prefix, index, last), current, header))
        total += len(current)
        if last:
            return total
        if index == 0xFFFFFFFF:
            raise ValueError("file too large")
        current, index = following, index + 1


def decrypt_stream(src: BinaryIO, key: bytes) -> Iterator[bytes]:
    """Plaintext chunks of an encrypted file; each is authenticated before it is yielded."""
    aead = AESGCM(key)
    header = _read_full(src, HEADER_LEN)
    if len(header) != HEADER_LEN or not header.startswith(MAGIC):
        raise Corrupt("not an encrypted attachment")
    prefix = header[len(MAGIC):]
    index = 0
    current = _read_full(src, CHUNK + TAG)
    while True:
        if len(current) < TAG:
            raise Corrupt("truncated")
        following = _read_full(src, CHUNK + TAG) if len(current) == CHUNK + TAG else b""
        last = not following
        try:
            plain = aead.decrypt(_nonce(prefix, index, last), current, header)
        except Exception:
            raise Corrupt("authentication failed") from None
        yield plain
        if last:
            return
        current, index = following, index + 1


def is_encrypted_file(path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(len(MAGIC)) == MAGIC
    except OSError:
        return False
