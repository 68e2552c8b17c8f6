"""Attachments: scans and photos of signed forms and evidence, attached to a legal-aid case, mediation case,
mediation session or dissemination event. Called by the CLI (`attach`, `attachments`, `detach`) and the UI.

    a = attach("legal-aid", "TG-06652-2026-3FA2-0001", "/scan.pdf", type="signed_slip", document="case-slip",
               caption="Phiếu đã ký")                # -> dict (see as_dict); ValidationError lists every problem
    list_for("legal-aid", "<uuid or number>")        # -> [dict, …] oldest first
    detach("legal-aid", "<uuid or number>", a["id"])
    save_copy(a["id"], "/tmp/out.pdf");  for chunk in open_chunks(a["id"]): …;  thumbnail(a["id"]) -> JPEG bytes
    counts("legal-aid", [ids]) -> {record_id: n};   signed_documents("legal-aid", uuid) -> {doc token: attachment}

Accepted: PDF, JPEG, PNG, HEIC (converted to JPEG), by their first bytes, up to a size limit (setting
"attachments.max_bytes", default 10 MB); photos may be downscaled to a long side of 2,000 px (setting
"attachments.downscale_photos" or the `downscale` argument). Images are checked for decompression bombs before
any pixel is decoded (images.py); PDFs with active content (JavaScript, OpenAction, …) are stored inertly, flagged,
and never rendered. Any problem: ValidationError naming each, and nothing stored. Files are stored once per
content (SHA-256) and encrypted with a key derived from the database's data key (store.py, crypto.py).
Attaching and detaching are audited on the record.
"""
from __future__ import annotations

import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from models.attachments import Attachment
from models.db import database
from services import catalogs
from services.attachments import images, sniff
from services.attachments.store import BlobStore
from services.data_dir import settings
from services.dates import utc_now
from services.errors import FieldError, NotFoundError, PermissionDenied, UsageError, ValidationError
from services.i18n import t
from services.records import audit
from services.records import store as records
from services.security import roles

KINDS = ("legal-aid", "mediation", "mediation-session", "dissemination")
CATALOG = "attachment_types"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
PHOTO_MAX_SIDE = 2000
SETTING_MAX_BYTES = "attachments.max_bytes"
SETTING_DOWNSCALE = "attachments.downscale_photos"
# Printed documents each kind has (services.printing.DOCUMENTS; listed here so that attaching never imports
# reportlab): the signed paper of one of these can be linked to it.
DOCUMENTS_OF_KIND = {
    "legal-aid": ("case-slip", "legal-aid-request"),
    "mediation": ("mediation-minutes", "mediation-agreement"),
    "dissemination": ("event-record", "attendance-sheet"),
    "mediation-session": (),
}


def _err(field: str, key: str, **values) -> FieldError:
    return FieldError(field, t(key, "vi", **values), t(key, "en", **values))


def max_bytes() -> int:
    try:
        return int(settings.get(SETTING_MAX_BYTES, DEFAULT_MAX_BYTES))
    except (TypeError, ValueError):
        return DEFAULT_MAX_BYTES


def downscale_default() -> bool:
    return bool(settings.get(SETTING_DOWNSCALE, False))


def set_options(max_size: int | None = None, downscale: bool | None = None) -> None:
    if max_size is not None:
        if max_size <= 0:
            raise ValidationError(_err("max_bytes", "attachments.err_limit_value"))
        settings.put(SETTING_MAX_BYTES, int(max_size))
    if downscale is not None:
        settings.put(SETTING_DOWNSCALE, bool(downscale))


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise UsageError(t("attachments.err_kind", "vi", kind=kind, choices=", ".join(KINDS)),
                         t("attachments.err_kind", "en", kind=kind, choices=", ".join(KINDS)))


def _check_write(kind: str) -> None:
    if not roles.may_write(roles.current_role(), kind):
        raise PermissionDenied(t("record.err_read_only", "vi"), t("record.err_read_only", "en"))


def types(kind: str | None = None) -> list[dict]:
    """The attachment type catalog; with a kind, each type's `documents` narrowed to that kind's documents."""
    out = []
    for entry in catalogs.entries(CATALOG):
        item = dict(entry)
        docs = list(entry.get("documents", []))
        if kind is not None:
            docs = [d for d in docs if d in DOCUMENTS_OF_KIND.get(kind, ())]
        item["documents"] = docs
        out.append(item)
    return out


def document_choices(kind: str) -> list[tuple[str, str]]:
    """(doc token, type code) pairs the UI offers as "bản ký của phiếu …" for a record of this kind."""
    return [(doc, entry["code"]) for entry in types(kind) for doc in entry["documents"]]


def document_title(doc: str, lang: str = "vi") -> str:
    return t(f"attachments.doc.{doc}", lang)


def _resolve_type(value: str | None, errors: list[FieldError]) -> str | None:
    code = catalogs.resolve(CATALOG, value or "other")
    if code is None:
        codes = ", ".join(e["code"] for e in catalogs.entries(CATALOG))
        errors.append(_err("type", "attachments.err_type", value=value, choices=codes))
    return code


def _check_document(kind: str, type_code: str | None, document: str, errors: list[FieldError]) -> None:
    if not document or type_code is None:
        return
    allowed = next((e["documents"] for e in types(kind) if e["code"] == type_code), [])
    if document not in allowed:
        errors.append(_err("document", "attachments.err_document", value=document,
                           choices=", ".join(allowed) or "—"))


@dataclass
class _Checked:
    """What the file checks learned: its format, size, dimensions, the bytes to store when converted."""
    kind: str = ""
    size: int = 0
    width: int | None = None
    height: int | None = None
    converted: bytes | None = None
    active: list[str] = field(default_factory=list)


def _check_file(path: Path, downscale: bool, errors: list[FieldError]) -> _Checked | None:
    """Every check on the file itself, nothing decoded beyond what a check needs; None after an error."""
    info = _Checked()
    if not path.is_file():
        errors.append(_err("file", "attachments.err_missing", path=str(path)))
        return None
    info.size = path.stat().st_size
    limit = max_bytes()
    if info.size == 0:
        errors.append(_err("file", "attachments.err_empty"))
        return None
    if info.size > limit:
        errors.append(_err("file", "attachments.err_too_large", size=_mb(info.size), limit=_mb(limit)))
        return None
    with open(path, "rb") as f:
        head = f.read(32)
    info.kind = sniff.kind_of(head) or ""
    if not info.kind:
        errors.append(_err("file", "attachments.err_type_unknown"))
        return None
    if info.kind == "pdf":
        if not sniff.pdf_looks_complete(path):
            errors.append(_err("file", "attachments.err_corrupt"))
            return None
        info.active = sniff.pdf_active_content(path)
        return info
    try:
        dims = images.inspect(path, info.kind)
        info.width, info.height = dims.width, dims.height
        side = PHOTO_MAX_SIDE if downscale and info.kind in ("jpeg", "heic") else None
        if info.kind == "heic" or (side and max(dims.width, dims.height) > side):
            info.converted, dims = images.normalised_jpeg(path, side)
            info.width, info.height, info.kind = dims.width, dims.height, "jpeg"
    except images.BadImage as exc:
        errors.append(_err("file", f"attachments.err_{exc.reason}", **exc.values))
        return None
    return info


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def as_dict(a: Attachment, full: bool = False) -> dict:
    out = {"id": a.id, "sha256": a.sha256, "size": a.size, "type": a.type, "caption": a.caption}
    if full:
        out.update({"record_kind": a.record_kind, "record_id": a.record_id, "mime": a.mime,
                    "file_name": a.file_name, "document": a.document, "width": a.width, "height": a.height,
                    "has_thumbnail": a.has_thumbnail, "active_content": a.active_content.split(",")
                    if a.active_content else [], "added_by": a.added_by,
                    "added_at": a.created_at.replace(microsecond=0).isoformat() + "Z" if a.created_at else None})
    return out


def attach(kind: str, id_or_number: str, file_path, type: str | None = None, caption: str = "",
           document: str = "", actor: str | None = None, downscale: bool | None = None,
           file_name: str | None = None) -> dict:
    """Check everything, then store the file (once per content) and the attachment row with an audit entry."""
    from services.data_dir import app
    _check_kind(kind)
    _check_write(kind)
    instance = records.get(kind, id_or_number)
    errors: list[FieldError] = []
    type_code = _resolve_type(type, errors)
    document = (document or "").strip()
    _check_document(kind, type_code, document, errors)
    caption = (caption or "").strip()
    if len(caption) > 500:
        errors.append(_err("caption", "attachments.err_caption_long", max=500))
    path = Path(file_path)
    checked = _check_file(path, downscale_default() if downscale is None else downscale, errors)
    if errors:
        raise ValidationError(errors)
    store = BlobStore.current()
    if checked.converted is not None:
        sha, size = store.put_stream(io.BytesIO(checked.converted))
    else:
        with open(path, "rb") as f:
            sha, size = store.put_stream(f)
    has_thumb = store.path(sha, ".thumb").exists()
    if not has_thumb and not checked.active:
        thumb = (images.pdf_thumbnail(path) if checked.kind == "pdf"
                 else images.thumbnail(io.BytesIO(checked.converted) if checked.converted is not None else path))
        if thumb:
            store.put_thumb(sha, thumb)
            has_thumb = True
    ctx = app.current()
    who = actor or ctx.actor
    name = file_name or path.name
    if checked.converted is not None and not name.lower().endswith((".jpg", ".jpeg")):
        name = f"{os.path.splitext(name)[0]}.jpg"
    row = Attachment(record_kind=kind, record_id=instance.id, sha256=sha, size=size, mime=sniff.MIME[checked.kind],
                     file_name=name, type=type_code, caption=caption, document=document,
                     width=checked.width, height=checked.height, has_thumbnail=has_thumb,
                     active_content=",".join(checked.active), added_by=who, device_id=ctx.device_id)
    with database.atomic():
        row.save(force_insert=True)
        audit.record(kind, instance.id, "attach",
                     {"attachment": [None, _summary(row)]}, actor=who)
    return as_dict(row, full=True)


def _summary(a: Attachment) -> str:
    doc = f" [{a.document}]" if a.document else ""
    return f"{a.type}{doc}: {a.file_name} ({a.size} B, sha256 {a.sha256[:12]}…)"


def _alive(kind: str, record_id: str):
    return (Attachment.select().where((Attachment.record_kind == kind) & (Attachment.record_id == record_id)
                                      & (Attachment.deleted == False))  # noqa: E712
            .order_by(Attachment.created_at, Attachment.id))


def list_for(kind: str, id_or_number: str, include_deleted_record: bool = True) -> list[dict]:
    _check_kind(kind)
    instance = records.get(kind, id_or_number, include_deleted=include_deleted_record)
    return [as_dict(a, full=True) for a in _alive(kind, instance.id)]


def get(attachment_id: str) -> Attachment:
    a = Attachment.get_or_none((Attachment.id == attachment_id) & (Attachment.deleted == False))  # noqa: E712
    if a is None:
        raise NotFoundError(t("attachments.err_not_found", "vi", id=attachment_id),
                            t("attachments.err_not_found", "en", id=attachment_id))
    return a


def detach(kind: str, id_or_number: str, attachment_id: str, actor: str | None = None) -> dict:
    """Remove an attachment from its record (audited). The stored file is wiped when no other attachment uses it."""
    _check_kind(kind)
    _check_write(kind)
    instance = records.get(kind, id_or_number, include_deleted=True)
    a = get(attachment_id)
    if a.record_kind != kind or a.record_id != instance.id:
        raise NotFoundError(t("attachments.err_not_found", "vi", id=attachment_id),
                            t("attachments.err_not_found", "en", id=attachment_id))
    with database.atomic():
        Attachment.update(deleted=True, updated_at=utc_now()).where(Attachment.id == a.id).execute()
        audit.record(kind, instance.id, "detach", {"attachment": [_summary(a), None]}, actor=actor)
    if not Attachment.select().where((Attachment.sha256 == a.sha256) & (Attachment.deleted == False)).exists():  # noqa: E712
        BlobStore.current().remove(a.sha256)
    return {"kind": kind, "record_id": instance.id, "id": a.id, "detached": True}


def open_chunks(attachment_id: str) -> Iterator[bytes]:
    """The file's bytes, decrypted and authenticated chunk by chunk (never the whole file in memory)."""
    a = get(attachment_id)
    return BlobStore.current().read(a.sha256)


def save_copy(attachment_id: str, out) -> Path:
    """Write a plain copy of the file (the officer chose to take it out of the encrypted folder)."""
    from services.security.fileio import atomic_write
    out = Path(out)

    def write(f):
        for chunk in open_chunks(attachment_id):
            f.write(chunk)
    atomic_write(out, write)
    return out


def thumbnail(attachment_id: str) -> bytes | None:
    a = get(attachment_id)
    return BlobStore.current().thumb(a.sha256) if a.has_thumbnail else None


def counts(kind: str, record_ids: list[str]) -> dict[str, int]:
    """Number of attachments per record (for list rows)."""
    from peewee import fn
    if not record_ids:
        return {}
    q = (Attachment.select(Attachment.record_id, fn.COUNT(Attachment.id).alias("n"))
         .where((Attachment.record_kind == kind) & (Attachment.record_id.in_(list(record_ids)))
                & (Attachment.deleted == False))  # noqa: E712
         .group_by(Attachment.record_id))
    return {r.record_id: r.n for r in q}


def signed_documents(kind: str, record_id: str) -> dict[str, dict]:
    """{doc token: the latest attachment that is its signed copy} for the detail view's "đã ký" marks."""
    out: dict[str, dict] = {}
    for a in _alive(kind, record_id):
        if a.document:
            out[a.document] = as_dict(a, full=True)
    return out
