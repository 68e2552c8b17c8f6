"""Device-to-device transfer by file (USB stick): export this device's changes, import them elsewhere.

    summary = export_changes("/media/usb/xa-06652.plcsx", password="…")   # {"path", "count", "counts", …}
    export_changes(path, password, everything=True)                      # all records, not only changes
    result = import_file("/media/usb/xa-06652.plcsx", password="…")      # {"applied", "merged", "skipped", …}

What is exported: every record not yet acknowledged by a sync server (the outbox) plus every record changed
since the last transfer export on this device, and the persons/teams/cases those records point to (so the
file can be imported on a device that has never seen them).

File: b"PLCSXFR1" | 4-byte header length | JSON header | body. The body is gzip(JSON) encrypted with
AES-256-GCM (the header is the associated data, so it cannot be altered either). Without a password (only
allowed when the data folder itself is not encrypted) the body is plain gzip(JSON); an encrypted data folder
refuses such a file.

Keys (version 2): master = Argon2id(NFC(password), salt, parameters in the header; see keyfile.py), then
HKDF-SHA256(master) gives 64 bytes: the AES key and a *key-check value* stored in the header ("check"). On
import the check value decides: it differs -> wrong password (exit 4); it matches but the GCM tag fails, or
the structure is broken (short file, bad header, bad gzip) -> "tệp bị hỏng" / damaged (exit 2). Version 1
files (scrypt n=2**15, no check value) are still read; for them a failed tag cannot tell the two apart.

Hostile files: the file size and the decompressed size are capped (MAX_FILE, MAX_PAYLOAD): the gzip body is
first inflated chunk by chunk without keeping the output, so a gzip bomb is refused with bounded memory
before anything is parsed. Every record goes through the same rules as typing or importing it
(services.kinds normalize), and records of communes outside the officer profile's communes are refused and
listed; any problem stores nothing.

Import rules (the same as sync, services/sync/merge.py): per record, in one transaction (an interrupted or
failed import stores nothing):
  * unknown here -> stored as it is;
  * identical -> skipped (so importing the same file twice changes nothing);
  * both sides still based on the same server version (sync base with equal last_modified) -> three-way
    merge3(base, local, incoming); fields changed on both sides keep the incoming value and the local value
    is stored as a sync conflict, exactly as a sync would;
  * otherwise (no common sync base) -> last writer wins by updated_at; ties keep the local version.
Audit entries are append-only: inserted when missing, never changed. Records the source had not yet sent to
a server are queued in this device's outbox, so the office's next sync forwards them.
"""
from __future__ import annotations

import datetime as dt
import gzip
import hmac
import io
import json
import os
import struct
import unicodedata
import zlib
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from peewee import ForeignKeyField, IntegrityError

from models.base import new_uuid
from models.db import database
from models.records import MODEL_BY_KIND, SYNCED_MODELS, Outbox
from services.data_dir import app, settings
from services.dates import utc_now
from services.errors import AuthError, FieldError, NotFoundError, ValidationError
from services.i18n import t
from services.records import audit, outbox
from services.records.documents import to_document
from services.security.fileio import atomic_write_bytes
from services.sync.apply import apply_remote

MAGIC = b"PLCSXFR1"
SUFFIX = ".plcsx"
SCRYPT = {"n": 2 ** 15, "r": 8, "p": 1}           # version 1 files (read only)
VERSION = 2
LAST_EXPORT = "transfer.last_export_at"
KIND_ORDER = [m.KIND for m in SYNCED_MODELS]
MAX_FILE = 256 * 1024 ** 2                        # the whole file (an encrypted body is decrypted in memory)
MAX_PAYLOAD = 128 * 1024 ** 2                     # decompressed JSON: a commune's changes are a few MB
CHUNK = 1024 ** 2


def _bad(key: str = "transfer.bad_file", detail: str = "", **fmt) -> ValidationError:
    vi, en = t(key, "vi", **fmt), t(key, "en", **fmt)
    suffix = f" ({detail})" if detail else ""
    return ValidationError([FieldError("file", vi + suffix, en + suffix)])


def _damaged(detail: str = "") -> ValidationError:
    return _bad("transfer.damaged", detail)


def _derive(password: str, salt: bytes, params: dict) -> bytes:
    from services.security import keyfile
    secret = unicodedata.normalize("NFC", password).encode("utf-8")
    return keyfile.derive(secret, salt, params)


def _keys(master: bytes, salt: bytes) -> tuple[bytes, bytes]:
    """(AES key, key-check value) from the KDF output (version 2)."""
    out = HKDF(algorithm=hashes.SHA256(), length=64, salt=salt, info=b"plcs-transfer v2").derive(master)
    return out[:32], out[32:48]


# ---- documents --------------------------------------------------------------------------------------------------

def _document(instance) -> dict:
    try:
        from services.sync.documents import local_document
        doc = local_document(instance)
    except ImportError:                                # sync engine not installed: plain record document
        doc = to_document(instance)
        doc.pop("id", None)
        doc.pop("deleted", None)
    return doc


def _bases(kind: str, ids: list[str]) -> dict:
    try:
        from services.sync.store import bases
        return {rid: {"last_modified": b.last_modified, "document": b.document} for rid, b in bases(kind, ids).items()}
    except Exception:
        return {}


def _iso(value) -> str | None:
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


def _dependencies(kind: str, instance) -> list[tuple[str, str]]:
    out = []
    for name, field in instance._meta.fields.items():
        if isinstance(field, ForeignKeyField):
            value = instance.__data__.get(name)
            if value:
                out.append((field.rel_model.KIND, value))
    if kind == "mediation":
        out += [("person", pid) for pid in (instance.parties or []) if isinstance(pid, str)]
    return out


def _selected(everything: bool) -> dict[str, set[str]]:
    chosen: dict[str, set[str]] = {k: set() for k in KIND_ORDER}
    since = settings.get(LAST_EXPORT)
    for model in SYNCED_MODELS:
        q = model.select(model.id)
        if not everything and since:
            q = q.where(model.updated_at > dt.datetime.fromisoformat(since))
        if everything or since:
            chosen[model.KIND].update(r.id for r in q)
    for row in Outbox.select(Outbox.kind, Outbox.record_id):
        if row.kind in chosen:
            chosen[row.kind].add(row.record_id)
    # close over references (persons of a case, the case of a session, …)
    todo = [(k, i) for k in KIND_ORDER for i in chosen[k]]
    while todo:
        kind, rid = todo.pop()
        instance = MODEL_BY_KIND[kind].get_or_none(MODEL_BY_KIND[kind].id == rid)
        if instance is None:
            continue
        for dep_kind, dep_id in _dependencies(kind, instance):
            if dep_kind in chosen and dep_id not in chosen[dep_kind]:
                chosen[dep_kind].add(dep_id)
                todo.append((dep_kind, dep_id))
    return chosen


# ---- export -----------------------------------------------------------------------------------------------------

def export_changes(path, password: str | None, everything: bool = False, actor: str | None = None) -> dict:
    """Write the changed records to an (encrypted) transfer file; returns a summary."""
    ctx = app.current()
    started = utc_now()
    pending = {(r.kind, r.record_id) for r in Outbox.select(Outbox.kind, Outbox.record_id)}
    chosen = _selected(everything)
    items, counts = [], {}
    for kind in KIND_ORDER:
        ids = sorted(chosen[kind])
        if not ids:
            continue
        model = MODEL_BY_KIND[kind]
        bases = _bases(kind, ids)
        for i in range(0, len(ids), 500):
            for inst in model.select().where(model.id.in_(ids[i:i + 500])):
                items.append({"kind": kind, "id": inst.id, "deleted": bool(inst.deleted),
                              "updated_at": _iso(inst.updated_at), "created_at": _iso(inst.created_at),
                              "device_id": inst.device_id, "last_modified": inst.last_modified,
                              "pending": (kind, inst.id) in pending, "base": bases.get(inst.id),
                              "doc": _document(inst)})
                counts[kind] = counts.get(kind, 0) + 1
    from services.attachments import transfer_files
    att_rows, plan = transfer_files.for_export(items, settings.get(LAST_EXPORT), everything)
    body = {"records": items, **({"attachments": att_rows} if att_rows else {})}
    payload = gzip.compress(json.dumps(body, ensure_ascii=False, default=_iso).encode("utf-8"), 6)
    header = {"format": "plcs-transfer", "version": VERSION, "created_at": started.isoformat(),
              "source_device": ctx.device_id, "count": len(items), "counts": counts,
              "everything": everything}
    write_file(path, header, payload, password, plan)
    with database.atomic():
        settings.put(LAST_EXPORT, started.isoformat())
        audit.record("transfer", new_uuid(), "export",
                     {"file": [None, Path(str(path)).name], "records": [None, len(items)],
                      "encrypted": [None, password is not None]}, actor)
    return {"path": str(path), "count": len(items), "counts": counts, "encrypted": password is not None,
            "attachments": len(att_rows)}


def write_file(path, header: dict, payload: bytes, password: str | None, plan: list | None = None) -> None:
    """Write a transfer file: `payload` is the gzip body; encrypted (version 2) when a password is given.
    `plan`: attachment files appended after the body (services/attachments/transfer_files.py); the header then
    names the body's size and each file's size, and is the body's associated data as always."""
    from services.attachments import transfer_files
    from services.security import keyfile
    from services.security.fileio import atomic_write
    header = dict(header, version=VERSION, encrypted=password is not None)
    enc_key = None
    if plan:
        header["body_size"] = len(payload) + (16 if password is not None else 0)
        header["files"] = transfer_files.section_sizes(plan, password is not None)
    if password is not None:
        salt, nonce = os.urandom(16), os.urandom(12)
        params = {"kdf": "argon2id", **keyfile.ARGON2_PARAMS}
        enc_key, check = _keys(_derive(password, salt, params), salt)
        header["kdf"] = {"name": "argon2id", **keyfile.ARGON2_PARAMS, "salt": salt.hex()}
        header["nonce"] = nonce.hex()
        header["check"] = check.hex()
        header_bytes = json.dumps(header, ensure_ascii=False).encode("utf-8")
        body = AESGCM(enc_key).encrypt(nonce, payload, header_bytes)
    else:
        header_bytes = json.dumps(header, ensure_ascii=False).encode("utf-8")
        body = payload
    if not plan:
        atomic_write_bytes(path, MAGIC + struct.pack(">I", len(header_bytes)) + header_bytes + body)
        return

    def write(f):
        f.write(MAGIC + struct.pack(">I", len(header_bytes)) + header_bytes + body)
        transfer_files.write_section(f, plan, transfer_files.files_key(enc_key))
    atomic_write(path, write)


# ---- import -----------------------------------------------------------------------------------------------------

def _split(path) -> tuple[dict, bytes, int]:
    """(header, header bytes, body offset); damaged (exit 2) when the structure is broken."""
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(t("backup.no_file", "vi", path=path), t("backup.no_file", "en", path=path))
    with open(path, "rb") as f:
        if f.read(len(MAGIC)) != MAGIC:
            raise _bad()
        raw = f.read(4)
        if len(raw) != 4:
            raise _damaged("header")
        (length,) = struct.unpack(">I", raw)
        if length > 1_000_000:
            raise _damaged("header")
        header_bytes = f.read(length)
    if len(header_bytes) != length:
        raise _damaged("header")
    try:
        header = json.loads(header_bytes.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _damaged("header") from None
    if not isinstance(header, dict) or header.get("format") != "plcs-transfer":
        raise _damaged("header")
    return header, header_bytes, len(MAGIC) + 4 + length


def read_header(path) -> dict:
    return _split(path)[0]


def _decrypt(header: dict, header_bytes: bytes, body: bytes, password: str, keys_out: dict | None = None) -> bytes:
    """The gzip body of an encrypted file: AuthError (4) for a wrong password, damaged (2) otherwise."""
    from services.security import keyfile
    kdf = header.get("kdf")
    try:
        if not isinstance(kdf, dict):
            raise ValueError("kdf")
        params = keyfile.kdf_params({**kdf, "kdf": kdf.get("name", "scrypt")})
        salt, nonce = bytes.fromhex(kdf["salt"]), bytes.fromhex(header["nonce"])
        check = bytes.fromhex(header["check"]) if "check" in header else None
        if len(nonce) != 12 or not 8 <= len(salt) <= 64 or (check is not None and len(check) != 16):
            raise ValueError("sizes")
    except (KeyError, TypeError, ValueError, AttributeError):
        raise _damaged("kdf") from None
    master = _derive(password, salt, params)
    if check is None:                                    # version 1: no check value
        key = master
    else:
        key, expected = _keys(master, salt)
        if not hmac.compare_digest(expected, check):
            raise AuthError(t("transfer.wrong_password", "vi"), t("transfer.wrong_password", "en"))
    if len(body) < 16:
        raise _damaged("body")
    try:
        plain = AESGCM(key).decrypt(nonce, body, header_bytes)
        if keys_out is not None:
            keys_out["enc_key"] = key
        return plain
    except InvalidTag:
        if check is not None:
            raise _damaged("GCM") from None
        raise AuthError(t("transfer.wrong_password_or_damaged", "vi"),
                        t("transfer.wrong_password_or_damaged", "en")) from None


def _inflate(source, keep: bool) -> bytes | int:
    """Stream-decompress a gzip body (file object) in CHUNK steps, refusing beyond MAX_PAYLOAD. With keep=False
    nothing is kept (returns the size): the first pass, so that a bomb costs only a chunk of memory."""
    out = bytearray() if keep else None
    size = 0
    try:
        with gzip.GzipFile(fileobj=source, mode="rb") as z:
            while True:
                chunk = z.read(CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > MAX_PAYLOAD:
                    raise _bad("transfer.too_large", mb=MAX_PAYLOAD // 1024 ** 2)
                if keep:
                    out += chunk
    except (OSError, EOFError, zlib.error):
        raise _damaged("gzip") from None
    return bytes(out) if keep else size


def _read_payload(path, password: str | None, folder_encrypted: bool = False) -> tuple[dict, list]:
    path = Path(path)
    header, header_bytes, offset = _split(path)
    files = header.get("files")
    body_size = header.get("body_size")
    if files is not None and not (isinstance(files, list) and all(isinstance(n, int) and n >= 0 for n in files)
                                  and isinstance(body_size, int) and body_size >= 0
                                  and offset + body_size + sum(files) == path.stat().st_size):
        raise _damaged("files")
    if path.stat().st_size - sum(files or []) > MAX_FILE:
        raise _bad("transfer.file_too_large", mb=MAX_FILE // 1024 ** 2)
    keys: dict = {}
    if header.get("encrypted"):
        if not password:
            raise AuthError(t("transfer.password_required", "vi"), t("transfer.password_required", "en"))
        with open(path, "rb") as f:
            f.seek(offset)
            body = _decrypt(header, header_bytes, f.read(body_size if files is not None else -1), password, keys)
        open_body = lambda: io.BytesIO(body)             # noqa: E731
    else:
        if folder_encrypted:
            raise _bad("transfer.plain_into_encrypted")

        def open_body():
            f = open(path, "rb")  # noqa: SIM115 — returned to the `with` blocks below
            f.seek(offset)
            if files is None:
                return f
            with f:                               # the body only (the attachment files follow it)
                return io.BytesIO(f.read(body_size))
    with open_body() as src:
        _inflate(src, keep=False)
    with open_body() as src:
        data = _inflate(src, keep=True)
    try:
        payload = json.loads(data.decode("utf-8"))
        records = payload["records"]
        if not isinstance(records, list):
            raise ValueError
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise _damaged("JSON") from None
    if files is not None or payload.get("attachments"):
        from services.attachments import transfer_files
        rows = payload.get("attachments") or []
        if not transfer_files.check_rows(rows, files or []):
            raise _damaged("attachments")
        header["_attachments"] = (rows, files or [], offset + (body_size or 0),
                                  transfer_files.files_key(keys.get("enc_key")))
    return header, records


def _check_item(n: int, item) -> None:
    ok = (isinstance(item, dict) and item.get("kind") in MODEL_BY_KIND and isinstance(item.get("id"), str)
          and 0 < len(item["id"]) <= 36 and isinstance(item.get("doc"), dict))
    if ok and item.get("updated_at") is not None:
        try:
            dt.datetime.fromisoformat(str(item["updated_at"]))
        except ValueError:
            ok = False
    if not ok:
        raise _bad(detail=f"#{n + 1}")


def _when(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None) if value.tzinfo else value
    if not value:
        return dt.datetime.min
    v = dt.datetime.fromisoformat(str(value))
    return v.replace(tzinfo=None) if v.tzinfo else v


def _merge(kind, local_doc, incoming_doc, local_base, incoming_base, local_when, incoming_when):
    """(document to store or None to keep local, [(field, local, remote, base)])."""
    if (local_base and incoming_base and local_base.get("last_modified") == incoming_base.get("last_modified")
            and local_base.get("document") is not None):
        from services.sync.merge import merge3
        merged, conflicts = merge3(local_base["document"], local_doc, incoming_doc)
        return (None if merged == local_doc else merged), conflicts
    if incoming_when > local_when:
        return incoming_doc, []
    return None, []


def import_file(path, password: str | None = None, actor: str | None = None, progress=None) -> dict:
    """Merge a transfer file into the open database (one transaction; idempotent). Returns counts.
    `progress(done, total)` is called as records are merged."""
    from services.data_dir import backup, transfer_rules
    header, records = _read_payload(path, password, folder_encrypted=backup.current_key() is not None)
    for n, item in enumerate(records):
        _check_item(n, item)
    ctx = app.current()
    transfer_rules.raise_if_any(transfer_rules.commune_problems(records, (ctx.profile or {}).get("communes")))
    # file positions kept for messages; stored in dependency order (persons before the cases naming them)
    order = sorted(range(len(records)), key=lambda i: KIND_ORDER.index(records[i]["kind"]))
    if header.get("_attachments"):                # every attached file checked before anything is stored
        from services.attachments import crypto as att_crypto
        from services.attachments import transfer_files
        rows, sizes, start, key = header["_attachments"]
        try:
            transfer_files.verify_section(path, start, rows, sizes, key)
        except att_crypto.Corrupt:
            raise _damaged("attachment file") from None
    _safety_backup()
    result = {"total": len(records), "applied": 0, "merged": 0, "skipped": 0, "kept_local": 0, "conflicts": 0}
    problems = []
    try:
        with database.atomic():
            locals_, bases_ = _prefetch(records)
            for done, n in enumerate(order, start=1):
                item = records[n]
                bad = transfer_rules.record_problems(n, item, ctx)
                if bad:
                    problems += bad
                else:
                    _import_one(item, result, locals_, bases_)
                if progress and (done % 50 == 0 or done == len(records)):
                    progress(done, len(records))
            transfer_rules.raise_if_any(problems)           # inside the transaction: nothing is stored
            audit.record("transfer", new_uuid(), "import",
                         {"file": [None, Path(str(path)).name], "source_device": [None, header.get("source_device")],
                          "applied": [None, result["applied"] + result["merged"]]}, actor)
    except IntegrityError as exc:
        raise _bad(detail=str(exc)[:200]) from None
    if header.get("_attachments"):                # after the records they belong to; idempotent by id
        from services.attachments import crypto as att_crypto
        from services.attachments import transfer_files
        rows, sizes, start, key = header["_attachments"]
        try:
            result["attachments"] = transfer_files.import_section(path, start, rows, sizes, key)
        except att_crypto.Corrupt:
            raise _damaged("attachment file") from None
    return result


def _prefetch(records: list[dict]) -> tuple[dict, dict]:
    """Local rows and sync bases of every record in the file, a few queries per kind (not per record)."""
    by_kind: dict[str, list[str]] = {}
    for item in records:
        by_kind.setdefault(item["kind"], []).append(item["id"])
    locals_, bases_ = {}, {}
    for kind, ids in by_kind.items():
        model = MODEL_BY_KIND[kind]
        for i in range(0, len(ids), 500):
            for inst in model.select().where(model.id.in_(ids[i:i + 500])):
                locals_[(kind, inst.id)] = inst
        if kind != "audit":
            for rid, base in _bases(kind, [i for i in ids if (kind, i) in locals_]).items():
                bases_[(kind, rid)] = base
    return locals_, bases_


def _safety_backup() -> None:
    """A rotated "pre-transfer" backup of a file database before merging (last-writer-wins may replace
    local versions by design; this keeps them recoverable)."""
    if getattr(database.obj, "database", ":memory:") in (":memory:", ""):
        return
    from services.data_dir import backup
    backup.create_backup(reason="pre-transfer", data_dir=app.current().data_dir)


def _import_one(item: dict, result: dict, locals_: dict, bases_: dict) -> None:
    kind, rid = item["kind"], item["id"]
    model = MODEL_BY_KIND[kind]
    incoming = dict(item["doc"])
    incoming_deleted = bool(item.get("deleted"))
    if (kind, rid) in locals_.get("_written", ()):   # the same record twice in one file: read it again
        local = model.get_or_none(model.id == rid)
    else:
        local = locals_.get((kind, rid))
    locals_.setdefault("_written", set()).add((kind, rid))
    if local is None:
        _store(kind, rid, incoming, incoming_deleted, item, item.get("last_modified"))
        if item.get("created_at"):
            model.update(created_at=_when(item["created_at"])).where(model.id == rid).execute()
        result["applied"] += 1
        return
    if kind == "audit":                                   # append-only
        result["skipped"] += 1
        return
    local_doc = _document(local)
    if local_doc == incoming and bool(local.deleted) == incoming_deleted:
        result["skipped"] += 1
        return
    local_base = bases_.get((kind, rid))
    new_doc, conflicts = _merge(kind, local_doc, incoming, local_base, item.get("base"),
                                _when(local.updated_at), _when(item.get("updated_at")))
    if conflicts:
        from services.sync.store import add_conflict
        for field, lv, rv, bv in conflicts:
            add_conflict(kind, rid, field, local=lv, remote=rv, base=bv,
                         remote_ts=(item.get("base") or {}).get("last_modified"), document=incoming)
        result["conflicts"] += len(conflicts)
    if new_doc is None:
        if incoming_deleted and not local.deleted and _when(item.get("updated_at")) > _when(local.updated_at):
            _store(kind, rid, local_doc, True, item, local.last_modified)   # newer delete wins
            result["applied"] += 1
        else:
            result["kept_local"] += 1
        return
    deleted = incoming_deleted if new_doc is incoming else bool(local.deleted) or incoming_deleted
    _store(kind, rid, new_doc, deleted, item, local.last_modified,
           updated=max(_when(local.updated_at), _when(item.get("updated_at"))))
    result["merged" if local_doc != new_doc and new_doc is not incoming else "applied"] += 1


def _store(kind, rid, doc, deleted, item, last_modified, updated=None) -> None:
    model = MODEL_BY_KIND[kind]
    apply_remote(kind, {**doc, "id": rid, "deleted": deleted, "device_id": item.get("device_id") or ""},
                 last_modified=last_modified)
    when = updated or _when(item.get("updated_at"))
    if when != dt.datetime.min:
        model.update(updated_at=when).where(model.id == rid).execute()
    if item.get("pending"):
        outbox.queue(kind, rid)
