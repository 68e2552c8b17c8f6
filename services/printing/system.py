"""Handing a printed PDF to the operating system (desktop mode): print it, open it, show its folder.

    send_to_printer(path)  -> "printing" | "viewer" | "unavailable"
    open_file(path)        -> True when a viewer was started
    open_folder(path)      -> True when a file manager was started (the file's folder)

Per platform (what "In" does):
- Windows: `os.startfile(path, "print")` — the PDF application registered for printing (Edge, Acrobat, …)
  prints it, showing its print dialog where it has one; without a "print" verb, the PDF opens in the viewer.
- macOS: `open path` — the PDF opens in Preview (or the default viewer); the officer presses ⌘P there. (`lp`
  would print to the default printer with no dialog, which gives no chance to pick copies or a printer.)
- Linux and other Unix desktops: `xdg-open path` — the default viewer opens it, print with Ctrl+P there. With no
  graphical session but CUPS installed, `lp path` sends it to the default printer.
In web mode nothing here runs: the browser downloads the PDF (services.printing.downloads).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def _has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _spawn(cmd: list[str]) -> bool:
    try:
        subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        return True
    except OSError:
        return False


def print_plan(path: str | Path, platform: str | None = None, *, display: bool | None = None,
               have_lp: bool | None = None) -> tuple[str, list[str] | None]:
    """What "In" will do on `platform`: ("startfile-print", None) | ("viewer", cmd) | ("printing", cmd) |
    ("unavailable", None). Pure, so that each platform's choice is testable anywhere."""
    platform = platform or sys.platform
    path = str(path)
    if platform.startswith("win"):
        return "startfile-print", None
    if platform == "darwin":
        return "viewer", ["open", path]
    display = _has_display() if display is None else display
    if display:
        return "viewer", ["xdg-open", path]
    have_lp = (shutil.which("lp") is not None) if have_lp is None else have_lp
    if have_lp:
        return "printing", ["lp", path]
    return "unavailable", None


def send_to_printer(path: str | Path) -> str:
    """Hand the PDF to the system (see the module notes); returns "printing", "viewer" or "unavailable"."""
    plan, cmd = print_plan(path)
    if plan == "startfile-print":
        try:
            os.startfile(str(path), "print")  # type: ignore[attr-defined]
            return "printing"
        except OSError:
            return "viewer" if open_file(path) else "unavailable"
    if cmd is None:
        return "unavailable"
    return plan if _spawn(cmd) else "unavailable"


def open_file(path: str | Path) -> bool:
    """Open in the system's default viewer; False when none could be started (no desktop session)."""
    if sys.platform.startswith("win"):
        try:
            os.startfile(str(path))  # type: ignore[attr-defined]
            return True
        except OSError:
            return False
    if sys.platform == "darwin":
        return _spawn(["open", str(path)])
    if _has_display():
        return _spawn(["xdg-open", str(path)])
    return False


def open_folder(path: str | Path) -> bool:
    """Show the folder holding `path` (the file selected where the platform allows it)."""
    p = Path(path)
    folder = p if p.is_dir() else p.parent
    if sys.platform.startswith("win"):
        return _spawn(["explorer", "/select,", str(p)]) if p.is_file() else open_file(folder)
    if sys.platform == "darwin":
        return _spawn(["open", "-R", str(p)] if p.is_file() else ["open", str(folder)])
    if _has_display():
        return _spawn(["xdg-open", str(folder)])
    return False
