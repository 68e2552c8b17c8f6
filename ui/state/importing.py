"""Import of CSV/XLSX files from the UI (all or nothing) and templates, through services.records.importing/exporting.

    imp = ImportState(app); imp.show("dissemination")
    imp.set_path("/home/lan/su-kien.csv")
    ok = await imp.run()          # worker thread + progress bar; app.changed() and a message on success
    imp.errors -> [{"row": 3, "field": "participants_women", "message": "…"}]   (nothing was stored)
    path = imp.template()         # <data dir>/exports/mau-nhap_dissemination.csv

In web mode the browser's file picker hands over the file's bytes; `accept_upload` keeps them under
<data dir>/imports/ and imports from there. The same dialog type shows assessment value imports' errors.
"""
from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import flet as ft

from services.errors import AppError, ValidationError
from services.formatting import fmt_int
from services.records import exporting, importing
from ui.state import exports

IMPORT_KINDS = ("dissemination", "legal-aid", "mediation")
SUFFIXES = (".csv", ".xlsx")


def error_rows(exc: ValidationError, lang: str) -> list[dict]:
    """Every FieldError of an import as {row, field, message}, in file order."""
    rows = [{"row": e.row, "field": e.field, "message": e.vi if lang == "vi" else e.en} for e in exc.errors]
    return sorted(rows, key=lambda r: (r["row"] is None, r["row"] or 0))


def imports_dir(app) -> Path:
    from services.security.permissions import private_dir
    return private_dir(Path(app.ctx.data_dir) / "imports")


def save_upload(app, name: str, data: bytes) -> Path:
    """Keep an uploaded file's bytes under <data dir>/imports/ (name made safe, time-stamped)."""
    stem, suffix = Path(name).stem, Path(name).suffix.lower()
    out = imports_dir(app) / f"{dt.datetime.now():%Y%m%d-%H%M%S}_{exports.safe_name(stem)}{suffix}"
    out.write_bytes(data)
    return out


async def run_in_worker(work, on_progress=None):
    """Run `work(progress)` in a worker thread; progress(done, total) calls come back on the event loop."""
    loop = asyncio.get_running_loop()

    def progress(done=0, total=0):
        if on_progress is not None:
            loop.call_soon_threadsafe(on_progress, done, total)

    from ui.state.runtime import in_worker
    return await in_worker(work, progress)


@ft.observable
class ImportState:
    def __init__(self, app):
        self._app = app
        self.open = False
        self.kind = "dissemination"
        self._typed = {"path": ""}    # typed text: kept without re-rendering (a re-render rebuilds the dialog)
        self.running = False
        self.progress = None
        self.status = ""
        self.errors = []
        self.error_text = ""         # a problem that is not about rows (missing file, unreadable file)

    # ---- dialog ------------------------------------------------------------------------------------------
    def show(self, kind: str) -> None:
        self.kind = kind if kind in IMPORT_KINDS else "dissemination"
        self.errors = []
        self.error_text = ""
        self.status = ""
        self.open = True

    def close(self) -> None:
        if not self.running:
            self.open = False

    def back_to_file(self) -> None:
        self.errors = []
        self.error_text = ""

    def set_kind(self, kind: str) -> None:
        self.kind = kind
        self.back_to_file()

    @property
    def path(self) -> str:
        return self._typed["path"]

    def set_path(self, path: str) -> None:
        """Typing in the path field (no re-render)."""
        self._typed["path"] = path

    def choose_path(self, path: str) -> None:
        """A file was picked: show its path in the field."""
        self._typed["path"] = path
        self.error_text = ""
        self.notify()

    def accept_upload(self, name: str, data: bytes) -> str:
        self.choose_path(str(save_upload(self._app, name, data)))
        return self.path

    @property
    def error_title(self) -> str:
        rows = {e["row"] for e in self.errors if e["row"] is not None}
        return self._app.t("import.errors_title", rows=fmt_int(len(rows) or len(self.errors), self._app.lang))

    # ---- work --------------------------------------------------------------------------------------------
    def _checked_path(self) -> Path | None:
        text = (self.path or "").strip().strip('"')
        if not text:
            self.error_text = self._app.t("import.no_file")
            return None
        path = Path(text).expanduser()
        if not path.is_file():
            self.error_text = self._app.t("import.not_found", path=text)
            return None
        if path.suffix.lower() not in SUFFIXES:
            self.error_text = self._app.t("import.bad_suffix")
            return None
        return path

    async def run(self) -> bool:
        """Import the chosen file; True when every row was stored, else errors/error_text say why (nothing stored)."""
        if self.running:
            return False
        self.errors, self.error_text = [], ""
        path = self._checked_path()
        if path is None:
            return False
        kind, actor, lang = self.kind, self._app.ctx.actor, self._app.lang
        self.running, self.progress, self.status = True, 0.0, self._app.t("import.working")
        try:
            result = await run_in_worker(lambda progress: importing.import_file(kind, path, progress=progress,
                                                                               actor=actor), self._set_progress)
        except ValidationError as exc:
            self.errors = error_rows(exc, lang)
            return False
        except AppError as exc:
            self.error_text = exc.message(lang)
            return False
        except (OSError, ValueError, UnicodeError) as exc:         # unreadable file: say so, never a traceback
            self.error_text = self._app.t("import.unreadable", error=str(exc))
            return False
        finally:
            self.running, self.progress, self.status = False, None, ""
        self._app.changed()
        self.open = False
        self._app.say(self._app.t("import.done", n=fmt_int(result.total, lang), created=fmt_int(result.created, lang),
                                  updated=fmt_int(result.updated, lang), kind=self._app.t(f"kind.{kind}")))
        return True

    def _set_progress(self, done, total) -> None:
        self.progress = done / total if total else None
        if total:
            self.status = self._app.t("import.progress", done=fmt_int(done, self._app.lang),
                                      total=fmt_int(total, self._app.lang))

    def template(self, fmt: str = "csv") -> str:
        out = exports.exports_dir(self._app) / f"mau-nhap_{self.kind}.{fmt}"
        try:
            exporting.template_file(self.kind, out)
        except AppError as exc:
            self._app.say(exc.message(self._app.lang))
            return ""
        self._app.say(self._app.t("import.template_saved", path=str(out)))
        return str(out)

    def kind_options(self) -> list[tuple[str, str]]:
        return [(k, self._app.t(f"kind.{k}")) for k in IMPORT_KINDS]
