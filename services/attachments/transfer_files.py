"""Attachment files in USB transfer files (services/data_dir/transfer.py): the attachment rows travel in the encrypted
JSON body, the files after it, each encrypted in chunks (crypto.py) under a key derived from the transfer
password (never the folder's data key: the two devices have different keys).

    rows, plan = for_export(items, since, everything)    # rows -> payload["attachments"]; plan -> the files
    sizes = section_sizes(plan, encrypted)                # -> header["files"] (covered by the body's GCM tag)
    write_section(f, plan, files_key)                     # after the body, streamed
    result = import_section(path, offset, rows, sizes, files_key)   # after the records are in; idempotent

Import: an attachment already here (same id) is skipped, one whose record is not here is skipped and counted,
a removal (deleted row) removes it here too; every file's SHA-256 is checked before its row is stored.
"""
from __future__ import annotations

import datetime as dt
import functools
import io

from models.attachments import Attachment
from services.attachments import crypto
from services.attachments.bundle import _Plain, _Window
from services.attachments.store import BlobStore

LABEL = b"plcs transfer attachments v1"
FIELDS = ("id", "created_at", "updated_at", "device_id", "deleted", "record_kind", "record_id", "sha256", "size",
          "mime", "file_name", "type", "caption", "document", "width", "height", "has_thumbnail",
          "active_content", "added_by")
KINDS = ("legal-aid", "mediation", "mediation-session", "dissemination")


def files_key(enc_key: bytes | None) -> bytes | None:
    return crypto.file_key(enc_key, LABEL) if enc_key is not None else None


def _row(a: Attachment) -> dict:
    out = {}
    for name in FIELDS:
        value = getattr(a, name)
        out[name] = value.isoformat() if isinstance(value, dt.datetime) else value
    return out


def for_export(items: list[dict], since: str | None, everything: bool) -> tuple[list[dict], list[tuple]]:
    """Attachments of the exported records, plus any added or removed since the last export."""
    wanted: dict[str, set[str]] = {}
    for item in items:
        if item["kind"] in KINDS:
            wanted.setdefault(item["kind"], set()).add(item["id"])
    chosen: dict[str, Attachment] = {}
    q = Attachment.select()
    if not everything:
        cond = None
        for kind, ids in wanted.items():
            c = (Attachment.record_kind == kind) & (Attachment.record_id.in_(sorted(ids)))
            cond = c if cond is None else cond | c
        if since:
            c = Attachment.updated_at > dt.datetime.fromisoformat(since)
            cond = c if cond is None else cond | c
        if cond is None:
            return [], []
        q = q.where(cond)
    for a in q:
        chosen[a.id] = a
    store = BlobStore.current()
    rows, plan = [], []
    for a in chosen.values():
        row = _row(a)
        if not a.deleted and store.exists(a.sha256):
            row["file"] = len(plan)
            plan.append((store, a.sha256, ".bin", a.size, None))
            thumb = store.thumb(a.sha256) if a.has_thumbnail else None
            if thumb is not None:
                row["thumb"] = len(plan)
                plan.append((store, a.sha256, ".thumb", len(thumb), thumb))
        rows.append(row)
    return rows, plan


def _sealed_size(n: int) -> int:
    chunks = max(1, -(-n // crypto.CHUNK))
    return crypto.HEADER_LEN + n + chunks * crypto.TAG


def section_sizes(plan: list[tuple], encrypted: bool) -> list[int]:
    return [_sealed_size(size) if encrypted else size for _, _, _, size, _ in plan]


def write_section(f, plan: list[tuple], key: bytes | None) -> None:
    for store, sha, suffix, _size, data in plan:
        src = io.BytesIO(data) if data is not None else _Plain(store.read(sha, suffix))
        if key is not None:
            crypto.encrypt_stream(src, f, key)
        else:
            while block := src.read(1 << 16):
                f.write(block)


def check_rows(rows, sizes) -> bool:
    if not isinstance(rows, list) or not isinstance(sizes, list):
        return False
    if not all(isinstance(s, int) and s >= 0 for s in sizes):
        return False
    for r in rows:
        if not isinstance(r, dict) or not all(k in r for k in ("id", "record_kind", "record_id", "sha256")):
            return False
        if r["record_kind"] not in KINDS or not isinstance(r["sha256"], str) or len(r["sha256"]) != 64:
            return False
        for k in ("file", "thumb"):
            if k in r and not (isinstance(r[k], int) and 0 <= r[k] < len(sizes)):
                return False
    return True


def _when(value):
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value


def verify_section(path, offset: int, rows: list[dict], sizes: list[int], key: bytes | None) -> None:
    """Read every file once (streamed, nothing kept): each decrypts and each attachment matches its SHA-256,
    before anything is stored. Raises crypto.Corrupt."""
    import hashlib
    pos, starts = offset, []
    for n in sizes:
        starts.append(pos)
        pos += n
    with open(path, "rb") as f:
        for r in rows:
            for k in ("file", "thumb"):
                if k not in r:
                    continue
                f.seek(starts[r[k]])
                window = _Window(f, sizes[r[k]])
                # window.read bound now (B023): the chunks are consumed below, within this iteration
                chunks = (crypto.decrypt_stream(window, key) if key is not None
                          else iter(functools.partial(window.read, 1 << 16), b""))
                digest = hashlib.sha256()
                for chunk in chunks:
                    digest.update(chunk)
                if k == "file" and digest.hexdigest() != r["sha256"]:
                    raise crypto.Corrupt("attachment content does not match its SHA-256")


def import_section(path, offset: int, rows: list[dict], sizes: list[int], key: bytes | None) -> dict:
    """Store the file's attachments (after its records). Raises crypto.Corrupt when a file does not match."""
    from models.db import database
    from models.records import MODEL_BY_KIND
    starts, pos = [], offset
    for s in sizes:
        starts.append(pos)
        pos += s
    store = BlobStore.current()
    result = {"added": 0, "removed": 0, "skipped": 0, "without_record": 0}

    def read(f, index: int):
        f.seek(starts[index])
        window = _Window(f, sizes[index])
        return _Plain(crypto.decrypt_stream(window, key)) if key is not None else window

    with open(path, "rb") as f:
        for r in rows:
            local = Attachment.get_or_none(Attachment.id == r["id"])
            if local is not None:
                if r.get("deleted") and not local.deleted:
                    Attachment.update(deleted=True, updated_at=_when(r.get("updated_at")) or local.updated_at) \
                        .where(Attachment.id == local.id).execute()
                    if not Attachment.select().where((Attachment.sha256 == local.sha256)
                                                     & (Attachment.deleted == False)).exists():  # noqa: E712
                        store.remove(local.sha256)
                    result["removed"] += 1
                else:
                    result["skipped"] += 1
                continue
            model = MODEL_BY_KIND[r["record_kind"]]
            if model.get_or_none(model.id == r["record_id"]) is None:
                result["without_record"] += 1
                continue
            if not r.get("deleted"):
                if "file" not in r:
                    result["skipped"] += 1
                    continue
                sha, size = store.put_stream(read(f, r["file"]))
                if sha != r["sha256"]:
                    if not Attachment.select().where(Attachment.sha256 == sha).exists():
                        store.remove(sha)
                    raise crypto.Corrupt("attachment content does not match its SHA-256")
                if "thumb" in r and not store.path(sha, ".thumb").exists():
                    store.put_thumb(sha, read(f, r["thumb"]).read())
            values = {k: r.get(k) for k in FIELDS if k in r}
            for k in ("created_at", "updated_at"):
                values[k] = _when(values.get(k)) or dt.datetime.utcnow()
            values["has_thumbnail"] = bool(values.get("has_thumbnail")) and store.path(r["sha256"], ".thumb").exists()
            with database.atomic():
                Attachment.insert(**values).execute()
            result["added"] += 1
    return result
