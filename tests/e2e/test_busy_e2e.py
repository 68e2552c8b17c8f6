"""The app and the CLI on one data folder (issue 14 item 5): saving a case while another program writes.

A CLI import commits in short transactions (services/records/importing.py), so the app's save gets the write lock
between two of them; when another program holds the lock for long, the form stays filled, says that another
program is writing and retries by itself (ui/state/busy.py)."""
from __future__ import annotations

import csv
import os
import re
import sqlite3
import subprocess
import sys
import threading

from tests.e2e.conftest import ROOT, services_stats, shot
from tests.e2e.helpers import create_legal_aid

ROWS = 20_000


def _csv(path, rows: int) -> None:
    header = ["date", "commune_code", "village", "form", "topic", "participants", "participants_women", "language"]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for i in range(rows):
            w.writerow([f"{1 + i % 28:02d}/10/2026", "06652", f"Thôn {i % 40}", "Hội nghị", f"Buổi {i}", 100, 40,
                        "Tiếng Việt"])


def _wait_for(proc, pattern: str, minimum: int, timeout: float = 300) -> None:
    """Read the import's progress (stderr) until a number matching `pattern` reaches `minimum`; keep draining."""
    seen = threading.Event()
    buffer: list[str] = []

    def pump():
        while True:
            chunk = proc.stderr.read(1)
            if not chunk:
                seen.set()
                return
            buffer.append(chunk)
            if not seen.is_set() and chunk in "] \r\n":
                text = "".join(buffer[-400:])
                if any(int(n) >= minimum for n in re.findall(pattern, text)):
                    seen.set()
    threading.Thread(target=pump, daemon=True).start()
    assert seen.wait(timeout), "the import made no progress"
    assert proc.poll() is None, "the import ended before the save: " + "".join(buffer)[-2000:]


def test_saving_a_case_while_the_cli_imports_into_the_same_folder(launch, tmp_path):
    page, srv = launch()
    big = tmp_path / "su-kien.csv"
    _csv(big, ROWS)
    create_legal_aid(page, name="Lò Văn Páo")
    env = {**os.environ, "PLCS_PROGRESS": "1"}
    proc = subprocess.Popen([sys.executable, "main.py", "--data-dir", str(srv.data_dir), "import", "dissemination",
                             str(big)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True)
    try:
        _wait_for(proc, rf"(\d+)/{ROWS}", 500)        # the rows are moving into the real tables now
        page.get_by_role("button", name="Lưu", exact=True).click()
        page.get_by_text("Tiến trình xử lý").wait_for(timeout=90_000)
        page.get_by_text(re.compile(r"Đã lưu TG-")).first.wait_for()
        assert page.get_by_text("Error running app").count() == 0
        shot(page, "busy-saved-during-import")
        assert proc.poll() is None, "the save should have happened while the import was still writing"
        assert proc.wait(600) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)
    counts = services_stats(srv.data_dir)
    assert counts["legal-aid"] == 1 and counts["dissemination"] == ROWS


def test_form_waits_and_retries_while_another_program_holds_the_lock(launch):
    """Another program holds the write lock longer than SQLite's busy timeout (10 s): the form keeps what was
    typed, says so, and saves by itself once the lock is free."""
    page, srv = launch()
    create_legal_aid(page, name="Hà Thị Mỷ")
    other = sqlite3.connect(srv.data_dir / "plcs.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        page.get_by_role("button", name="Lưu", exact=True).click()
        page.get_by_text(re.compile("Một chương trình khác đang ghi dữ liệu")).first.wait_for(timeout=60_000)
        shot(page, "busy-retrying")
        assert services_stats(srv.data_dir)["legal-aid"] == 0
    finally:
        other.execute("ROLLBACK")
        other.close()
    page.get_by_text("Tiến trình xử lý").wait_for(timeout=60_000)
    page.get_by_text("Hà Thị Mỷ").first.wait_for()
    assert page.get_by_text("Error running app").count() == 0
    assert services_stats(srv.data_dir)["legal-aid"] == 1
