"""The attachments panel of a detail view: the record's files with thumbnails, adding one (type, caption, the
printed document it is the signed copy of), opening or saving a copy, downloading in web mode, removing one after
confirmation. Calls services.attachments only.

    s = AttachmentsState(app, "legal-aid", case_id)
    s.items                                   # [dict] as services.attachments.as_dict(full=True)
    s.add_path("/scan.pdf") / s.add_bytes("scan.pdf", data)   # with s.type, s.caption, s.document
    s.ask_remove(att_id); s.confirm_remove(); s.cancel_remove()
    s.signed                                  # {doc token: attachment} -> "đã ký" marks
"""
from __future__ import annotations

import os
from pathlib import Path

from services import attachments
from services.attachments.store import BlobStore
from services.errors import AppError
from services.security.fileio import secure_remove


class AttachmentsState:
    def __init__(self, app, kind: str, record_id: str, changed=None):
        self._app = app
        self._changed = changed or (lambda: None)
        self.kind = kind
        self.record_id = record_id
        self.items: list[dict] = []
        self.signed: dict[str, dict] = {}
        self.type = "other"
        self.caption = ""
        self.document = ""
        self.error = ""
        self.removing: str | None = None
        self.load()

    def load(self) -> None:
        try:
            self.items = attachments.list_for(self.kind, self.record_id)
            self.signed = attachments.signed_documents(self.kind, self.record_id)
        except AppError as exc:
            self.items, self.signed, self.error = [], {}, exc.message(self._app.lang)

    def _done(self):
        self._changed()

    def set_caption(self, text: str) -> None:
        self.caption = text              # typed text: no re-render needed

    # ---- choices -----------------------------------------------------------------------------------------
    def type_options(self) -> list[tuple[str, str]]:
        return [(e["code"], e["vi"] if self._app.lang == "vi" else e["en"]) for e in attachments.types(self.kind)]

    def document_options(self) -> list[tuple[str, str]]:
        """The "bản ký của phiếu …" choices: (doc token, label) for the chosen type on this kind."""
        lang = self._app.lang
        return [(doc, self._app.t("attachments.signed_copy_of", doc=attachments.document_title(doc, lang)))
                for doc, code in attachments.document_choices(self.kind) if code == self.type]

    def set_type(self, code: str) -> None:
        self.type = code or "other"
        if self.document not in dict(self.document_options()):
            options = self.document_options()
            self.document = options[0][0] if len(options) == 1 else ""
        self._done()

    def set_document(self, token: str) -> None:
        self.document = token or ""
        self._done()

    def offer_signed_copy(self, doc: str) -> None:
        """Start adding the signed scan of a printed document (the type follows from the document)."""
        code = next((c for d, c in attachments.document_choices(self.kind) if d == doc), "other")
        self.type, self.document = code, doc
        self._done()

    # ---- adding -------------------------------------------------------------------------------------------
    def add_path(self, path: str, name: str | None = None) -> dict | None:
        try:
            a = attachments.attach(self.kind, self.record_id, path, type=self.type, caption=self.caption,
                                   document=self.document, file_name=name)
        except AppError as exc:
            self.error = exc.message(self._app.lang)
            self._done()
            return None
        self.error, self.caption, self.document, self.type = "", "", "", "other"
        self.load()
        self._done()
        if a["active_content"]:
            self._app.say(self._app.t("attachments.active_content", features=", ".join(a["active_content"])))
        else:
            self._app.say(self._app.t("attachments.attached") + f": {a['file_name']}")
        return a

    def add_bytes(self, name: str, data: bytes) -> dict | None:
        """Web mode hands over the uploaded bytes: they pass through a private temporary file inside the data
        folder (owner-only, wiped right after), since the checks stream from a file."""
        tmp = BlobStore.current()._tmp()
        try:
            with open(tmp, "wb") as f:
                f.write(data)
            return self.add_path(str(tmp), name=os.path.basename(name) or "tep")
        finally:
            secure_remove(tmp)

    # ---- opening -------------------------------------------------------------------------------------------
    def thumbnail(self, att_id: str) -> bytes | None:
        try:
            return attachments.thumbnail(att_id)
        except AppError:
            return None

    def save_copy(self, att_id: str, dest: str | None) -> str:
        if not dest:
            return ""
        try:
            out = attachments.save_copy(att_id, dest)
        except (AppError, OSError) as exc:
            self._app.say(exc.message(self._app.lang) if isinstance(exc, AppError) else str(exc))
            return ""
        self._app.say(self._app.t("attachments.saved", path=str(out)))
        return str(out)

    def download_url(self, att_id: str, session_id: str, base_url: str = "") -> str:
        """A one-time link (this browser session, a few minutes) that streams the decrypted file."""
        from services.printing import downloads
        a = attachments.get(att_id)
        store, sha = BlobStore.current(), a.sha256      # bound now: the web route touches no database
        token = downloads.STORE.issue(session_id, Path(a.file_name or a.id), a.file_name or a.id,
                                      media_type=a.mime, chunks=lambda: store.read(sha))
        return base_url.rstrip("/") + downloads.download_path(session_id, token)

    # ---- removing ------------------------------------------------------------------------------------------
    def ask_remove(self, att_id: str) -> None:
        self.removing = att_id
        self._done()

    def cancel_remove(self) -> None:
        self.removing = None
        self._done()

    def confirm_remove(self) -> None:
        att_id, self.removing = self.removing, None
        if not att_id:
            return
        try:
            attachments.detach(self.kind, self.record_id, att_id)
        except AppError as exc:
            self.error = exc.message(self._app.lang)
            self._done()
            return
        self.load()
        self._done()
        self._app.say(self._app.t("attachments.detached"))
