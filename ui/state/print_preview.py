"""The print preview of one PDF: page images, page navigation, and what the officer does with the file.

    pv = PrintPreviewState(app, path, title="Phiếu tiếp nhận …")   # app.show_print(path, title) does this
    pv.page_label                 # "Trang 1/3"
    pv.image                      # PNG bytes of the page shown (rendered on demand, cached on disk)
    pv.next(); pv.prev()
    pv.print_now()                # desktop: the system's print dialog / viewer (services.printing.system)
    pv.open_folder()              # desktop: the exports folder, the file selected
    pv.save_copy("/home/…/x.pdf") # "Lưu thành…": copy to the place the file picker returned
    pv.download_url(session_id)   # web: one-time link for this browser session (services.printing.downloads)
    pv.close()

Only the page on screen is held in memory; each page is rendered once per job.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import flet as ft

from services.printing import downloads, system
from services.printing.output import PrintJob


def cache_root(app) -> Path:
    return Path(app.data_dir) / "cache" / "print-preview"


@ft.observable
class PrintPreviewState:
    def __init__(self, app, path: str | Path, title: str = ""):
        self._app = app
        self._job = PrintJob.open(path, title=title, cache_root=cache_root(app))
        self.index = 0
        self.image: bytes | None = None
        self.error = ""
        self._show()

    # ---- what is shown -----------------------------------------------------------------------------------
    @property
    def path(self) -> Path:
        return self._job.path

    @property
    def title(self) -> str:
        return self._job.title

    @property
    def page_count(self) -> int:
        return self._job.page_count

    @property
    def file_name(self) -> str:
        return self._job.path.name

    @property
    def page_label(self) -> str:
        return self._app.t("preview.page", page=self.index + 1, pages=self.page_count)

    def _show(self) -> None:
        try:
            self.image = self._job.page_png(self.index) if self.page_count else None
            self.error = ""
        except Exception as exc:   # noqa: BLE001 — a broken page must not close the preview; the file stays usable
            self.image = None
            self.error = self._app.t("preview.render_failed", error=str(exc))

    def go_to(self, index: int) -> None:
        index = max(0, min(index, self.page_count - 1))
        if index != self.index:
            self.index = index
            self._show()

    def next(self) -> None:
        self.go_to(self.index + 1)

    def prev(self) -> None:
        self.go_to(self.index - 1)

    # ---- actions -----------------------------------------------------------------------------------------
    def print_now(self) -> str:
        result = system.send_to_printer(self.path)
        key = {"printing": "preview.sent_to_printer", "viewer": "preview.opened_viewer"}.get(
            result, "preview.print_unavailable")
        self._app.say(self._app.t(key, path=str(self.path)))
        return result

    def open_folder(self) -> bool:
        ok = system.open_folder(self.path)
        if not ok:
            self._app.say(self._app.t("preview.folder_unavailable", path=str(self.path.parent)))
        return ok

    def save_copy(self, dest: str | None) -> str:
        if not dest:
            return ""
        target = Path(dest)
        if target.suffix.lower() != ".pdf":
            target = target.with_name(target.name + ".pdf")
        try:
            if target.resolve() != self.path.resolve():
                shutil.copyfile(self.path, target)
        except OSError as exc:
            self._app.say(self._app.t("preview.save_failed", path=str(target), error=exc.strerror or str(exc)))
            return ""
        self._app.say(self._app.t("preview.saved", path=str(target)))
        return str(target)

    def download_url(self, session_id: str, base_url: str = "") -> str:
        token = downloads.STORE.issue(session_id, self.path, self.file_name)
        return base_url.rstrip("/") + downloads.download_path(session_id, token)

    def close(self) -> None:
        self._job.close()
