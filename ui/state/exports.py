"""Producing files from the UI (PDF prints, tallies) under <data dir>/exports/ and opening them.

    path = print_record(app, "case-slip", case_id, "TG-06652-2026-3FA2-0001")
    open_file(path)     # system viewer on desktop; no-op in web mode (the UI shows the path / a download)
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from services.errors import UsageError
from ui.state.runtime import optional


def exports_dir(app) -> Path:
    path = Path(app.ctx.data_dir) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def printing():
    mod = optional("services.printing")
    if mod is None or not hasattr(mod, "print_documents"):
        raise UsageError("Chức năng in chưa sẵn sàng", "Printing is not available yet")
    return mod


def documents_for(kind: str, lang: str) -> list[tuple[str, str]]:
    mod = optional("services.printing")
    if mod is None or not hasattr(mod, "DOCUMENTS"):
        return []
    return [(d.token, d.vi if lang == "vi" else d.en) for d in mod.DOCUMENTS.values() if d.kind == kind]


def safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "document"


def print_record(app, doc: str, record_id: str, number: str = "") -> Path:
    out = exports_dir(app) / f"{safe_name(doc)}_{safe_name(number or record_id)}.pdf"
    printing().print_documents(doc, [record_id], out=str(out), actor=app.ctx.actor)
    return out


def open_file(path: str | Path) -> bool:
    """Open in the system viewer (desktop only); False when no viewer could be started."""
    try:
        if sys.platform.startswith("win"):
            os.startfile(str(path))  # type: ignore[attr-defined]
        elif sys.platform == "darwin":
            subprocess.Popen(["open", str(path)])
        elif os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
            subprocess.Popen(["xdg-open", str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        else:
            return False
        return True
    except OSError:
        return False


def export_records(app, kind: str, fmt: str, communes: list[str] | None = None, year: int | None = None,
                   progress=None) -> tuple[Path, int]:
    """One kind's records (of some communes / one year) to <data dir>/exports/<kind>_<date>.<fmt>; ID numbers
    and phones masked (services.exporting audits the export)."""
    import datetime as dt

    from services import exporting
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = exports_dir(app) / f"{safe_name(kind)}_{year or 'all'}_{stamp}.{fmt}"
    date_from = dt.date(year, 1, 1) if year else None
    date_to = dt.date(year, 12, 31) if year else None
    n = exporting.export_file(kind, out, include_identifiers=False, actor=app.ctx.actor, communes=communes or None,
                              date_from=date_from, date_to=date_to, progress=progress)
    return out, n
