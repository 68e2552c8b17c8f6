"""Producing files from the UI (PDF prints, tallies) under <data dir>/exports/ and showing them.

    path = print_record(app, "case-slip", case_id, "TG-06652-2026-3FA2-0001")   # case-slip_TG-…_<stamp>.pdf
    path = print_records(app, "case-slip", [id1, id2, id3])                      # one PDF, N documents
    out = new_output(app, "bao-cao", "2026-01-01_2026-06-30", ext="xlsx")        # never overwrites a file
    deliver(app, path, title)   # PDF -> the in-app preview; other files -> system viewer (desktop) / message
"""
from __future__ import annotations

from pathlib import Path

from services import printing
from services.printing import system
from services.printing.output import output_path, safe_name  # noqa: F401 — safe_name is used by other states


def exports_dir(app) -> Path:
    from services.security.permissions import private_dir
    return private_dir(Path(app.ctx.data_dir) / "exports")        # owner-only (0700), like the data folder


def documents_for(kind: str, lang: str) -> list[tuple[str, str]]:
    return [(d.token, d.vi if lang == "vi" else d.en) for d in printing.DOCUMENTS.values() if d.kind == kind]


def new_output(app, doc: str, ident: str, ext: str = "pdf") -> Path:
    """A reserved, never-colliding file name: <doc>_<number or id>_<yyyymmdd-hhmmss>[-n].<ext>."""
    return output_path(exports_dir(app), doc, ident, ext=ext)


def _produce(out: Path, work) -> Path:
    """Run `work()` that writes `out`; on failure remove the empty reserved file."""
    try:
        work()
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    return out


def print_record(app, doc: str, record_id: str, number: str = "") -> Path:
    out = new_output(app, doc, number or record_id)
    return _produce(out, lambda: printing.print_documents(doc, [record_id], out=str(out), actor=app.ctx.actor))


def print_records(app, doc: str, ids: list[str]) -> Path:
    """Several records as one PDF (batch page numbers "Trang x/y"), in the given order."""
    if len(ids) == 1:
        return print_record(app, doc, ids[0])
    out = new_output(app, doc, f"{len(ids)}-records")
    return _produce(out, lambda: printing.print_documents(doc, list(ids), out=str(out), actor=app.ctx.actor))


def open_file(path: str | Path) -> bool:
    """Open in the system viewer (desktop only); False when no viewer could be started."""
    return system.open_file(path)


def deliver(app, path: str | Path, title: str = "", saved_key: str = "reports.saved",
            opened_key: str = "reports.opened") -> None:
    """A produced file reaches the officer: a PDF opens in the print preview; another file opens in the system
    viewer on the desktop, and the message names where it is."""
    if str(path).lower().endswith(".pdf"):
        app.show_print(path, title)
        return
    opened = False if app.web else open_file(path)
    app.say(app.t(opened_key if opened else saved_key, path=str(path)))


def export_records(app, kind: str, fmt: str, communes: list[str] | None = None, year: int | None = None,
                   progress=None) -> tuple[Path, int]:
    """One kind's records (of some communes / one year) to <data dir>/exports/<kind>_<date>.<fmt>; ID numbers
    and phones masked (services.records.exporting audits the export)."""
    import datetime as dt

    from services.records import exporting
    out = new_output(app, kind, str(year or "all"), ext=fmt)
    date_from = dt.date(year, 1, 1) if year else None
    date_to = dt.date(year, 12, 31) if year else None
    n = exporting.export_file(kind, out, include_identifiers=False, actor=app.ctx.actor, communes=communes or None,
                              date_from=date_from, date_to=date_to, progress=progress)
    return out, n
