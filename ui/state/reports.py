"""Reports screen: the period tally (on screen, PDF, XLSX) and batch printing of a period's documents.
Long work runs in a worker thread; progress and results come back through the event loop.

    r = ReportsState(app); r.set("start", "01/01/2026"); r.set("end", "30/06/2026")
    r.compute()                      -> r.rows (label, current, previous, change)
    await r.export("pdf")            -> r.last_file = "<data dir>/exports/bao-cao_2026-01-01_2026-06-30.pdf"
    await r.batch("case-slip")       -> every legal-aid slip of the period in one PDF
"""
from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import flet as ft

from services import printing
from services.dates import today_local
from services.errors import AppError
from services.formatting import fmt_change_pct, fmt_date, fmt_int
from services.reports import periods, tally
from ui.state import exports
from ui.state.runtime import in_worker


@ft.observable
class ReportsState:
    def __init__(self, app):
        self._app = app
        today = today_local()
        self._values = {"start": fmt_date(dt.date(today.year, 1, 1)), "end": fmt_date(today)}
        self.rows = []
        self.errors = {}
        self.running = False
        self.progress = None
        self.status = ""
        self.last_file = ""
        self._data = None

    def value(self, key: str) -> str:
        return self._values.get(key, "")

    def set(self, key: str, value: str) -> None:
        self._values[key] = value

    def quick_period(self, which: str) -> None:
        today = today_local()
        if which == "year":
            p = periods.resolve("calendar", "year", today.year, 1, self._app.lang)
        elif which == "quarter":
            p = periods.resolve("calendar", "quarter", today.year, (today.month - 1) // 3 + 1, self._app.lang)
        else:
            p = periods.resolve("calendar", "month", today.year, today.month, self._app.lang)
        self._values = {"start": fmt_date(p.start), "end": fmt_date(p.end)}
        self.compute()

    def period(self):
        return periods.custom(self._values.get("start"), self._values.get("end"))

    def compute(self) -> bool:
        try:
            p = self.period()
            self._data = tally.compute(p, communes=self._app.communes or None)
        except AppError as exc:
            self.errors = (exc.by_field(self._app.lang) if hasattr(exc, "by_field")
                           else {"start": exc.message(self._app.lang)})
            self.rows = []
            return False
        self.errors = {}
        self.rows = self._rows(self._data)
        return True

    def _rows(self, data: tally.TallyResult) -> list[dict]:
        lang = self._app.lang
        return [{"number": r.number, "label": r.label, "current": _num(r.current, lang),
                 "previous": _num(r.previous, lang), "change": fmt_change_pct(r.change, lang)}
                for r in tally.tally_rows(data, lang=lang)]

    # ---- files -------------------------------------------------------------------------------------------
    async def export(self, fmt: str) -> str:
        if self._data is None and not self.compute():
            return ""
        data, lang = self._data, self._app.lang
        p = self.period()
        out = exports.new_output(self._app, "bao-cao", f"{p.start.isoformat()}_{p.end.isoformat()}", ext=fmt)

        def work(progress):
            tally.render(data, fmt, str(out), lang=lang)
            return str(out)
        return await self._run(work, out, self._app.t("reports.tally"))

    async def batch(self, doc: str) -> str:
        try:
            p = self.period()
        except AppError as exc:
            self._app.say(exc.message(self._app.lang))
            return ""
        out = exports.new_output(self._app, doc, f"{p.start.isoformat()}_{p.end.isoformat()}")
        communes = self._app.communes or None
        actor = self._app.ctx.actor

        def work(progress):
            _, n = printing.print_batch(doc, p.start, p.end, communes=communes, out=str(out), actor=actor)
            return str(out)
        return await self._run(work, out, dict(self.batch_documents()).get(doc, doc))

    async def _run(self, work, out, title: str = "") -> str:
        """Run `work(progress)` off the UI thread; its file (PDF) opens in the print preview. `out` is the reserved
        output file, removed again when the work fails."""
        if self.running:
            return ""
        loop = asyncio.get_running_loop()

        def progress(done=0, total=0):
            loop.call_soon_threadsafe(self._set_progress, done, total)

        self.running, self.progress, self.status = True, None, self._app.t("reports.working")
        try:
            path = await in_worker(work, progress)
        except AppError as exc:
            self._app.say(exc.message(self._app.lang))
            path = ""
        finally:
            self.running, self.progress, self.status = False, None, ""
        if path:
            self.last_file = path
            exports.deliver(self._app, path, title)
        else:
            Path(out).unlink(missing_ok=True)
        return path

    def _set_progress(self, done, total) -> None:
        self.progress = done / total if total else None

    def batch_documents(self) -> list[tuple[str, str]]:
        out = []
        for kind in ("legal-aid", "mediation", "dissemination"):
            out.extend(exports.documents_for(kind, self._app.lang))
        return out


def _num(value, lang: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}".replace(".", ",") if lang == "vi" else f"{value:.1f}"
    return fmt_int(value, lang)

