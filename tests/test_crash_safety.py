"""Crash safety: SIGKILL a real subprocess during saves, a CSV import and a transfer import/export, then reopen.

Checked after every kill: PRAGMA integrity_check is ok, every save the child acknowledged (printed its id after
save() returned) is there, an interrupted import stored nothing, an interrupted transfer file never appears
half-written. The data folders are encrypted (SQLCipher + WAL), the configuration the app ships with.
"""
from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from models.crypto_db import connect_raw
from models.records import DisseminationEvent, LegalAidCase
from services.data_dir import app
from services.records import store
from services.security import opening, vault

ROOT = Path(__file__).resolve().parent.parent
PASS = "mật khẩu kiểm thử"

SAVE_LOOP = r"""
import sys
sys.path.insert(0, {root!r})
from services.data_dir import app
from services.records import store
from services.security import opening
from tests import factories
opening.open_for_ui({data!r}, passphrase={pw!r})
i = 0
while True:
    i += 1
    case = store.save("legal-aid", factories.legal_aid(summary=f"lần lưu {{i}}"))
    print(case.id, flush=True)
"""


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLCS_")}
    env.update(extra)
    return env


def _encrypted_folder(path: Path) -> None:
    opening.enable_encryption(path, PASS)
    app.close()


def _integrity(path: Path) -> str:
    key = vault.unlock_key(path, passphrase=PASS)
    conn = connect_raw(path / "plcs.db", key)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def _kill_when(proc: subprocess.Popen, stream, ready, timeout: float = 120.0) -> str:
    """Read `stream` until ready(text_so_far) or the process ends; then SIGKILL. Returns what was read."""
    seen: list[str] = []
    done = threading.Event()

    def pump():
        while True:
            chunk = stream.read(1) if stream is proc.stderr else stream.readline()
            if not chunk:
                break
            seen.append(chunk)
            if ready("".join(seen)):
                done.set()
                return
        done.set()

    threading.Thread(target=pump, daemon=True).start()
    done.wait(timeout)
    assert proc.poll() is None, "the child finished before it could be killed: make the work bigger"
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    return "".join(seen)


def test_sigkill_during_saves_keeps_every_acknowledged_save(data_dir, tmp_path):
    _encrypted_folder(data_dir)
    script = tmp_path / "save_loop.py"
    script.write_text(SAVE_LOOP.format(root=str(ROOT), data=str(data_dir), pw=PASS), encoding="utf-8")
    acknowledged: list[str] = []
    proc = subprocess.Popen([sys.executable, str(script)], cwd=ROOT, env=_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True)

    def ready(text):
        lines = [ln for ln in text.splitlines() if ln.strip()]
        return len(lines) >= 40
    out = _kill_when(proc, proc.stdout, ready)
    acknowledged = [ln.strip() for ln in out.splitlines() if len(ln.strip()) == 36]
    assert len(acknowledged) >= 40
    assert _integrity(data_dir) == "ok"
    opening.open_for_ui(data_dir, passphrase=PASS)
    stored = {c.id for c in LegalAidCase.select(LegalAidCase.id)}
    assert set(acknowledged) <= stored                         # nothing acknowledged is lost
    for case_id in acknowledged:                               # and each is whole: person, search entry, audit
        case = store.get("legal-aid", case_id)
        assert case.requester.full_name and case.number
    app.close()


def _big_csv(path: Path, rows: int) -> None:
    header = ["date", "commune_code", "village", "form", "topic", "participants", "participants_women", "language"]
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        for i in range(rows):
            w.writerow([f"{1 + i % 28:02d}/10/2026", "06652", f"Thôn {i % 40}", "Hội nghị", f"Luật Đất đai buổi {i}",
                        100, 40, "Tiếng Việt"])


def test_sigkill_during_csv_import_stores_nothing(data_dir, tmp_path):
    _encrypted_folder(data_dir)
    opening.open_for_ui(data_dir, passphrase=PASS)
    store.save("dissemination", {"date": "2026-10-01", "commune_code": "06652", "form": "Hội nghị",
                                   "topic": "trước khi nhập", "participants": 10})
    app.close()
    big = tmp_path / "big.csv"
    _big_csv(big, 6000)
    proc = subprocess.Popen([sys.executable, "main.py", "--data-dir", str(data_dir), "import", "dissemination",
                             str(big)],
                            cwd=ROOT, env=_env(PLCS_PASSPHRASE=PASS, PLCS_PROGRESS="1"), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)

    def ready(text):            # tqdm prints "…| 1234/6000" or "1234rec": kill once a few hundred rows are in
        import re
        numbers = [int(n) for n in re.findall(r"(\d+)(?:/6000|rec)", text)]
        return any(300 <= n < 5000 for n in numbers)
    _kill_when(proc, proc.stderr, ready)
    assert _integrity(data_dir) == "ok"
    opening.open_for_ui(data_dir, passphrase=PASS)
    assert DisseminationEvent.select().count() == 1            # the interrupted import stored nothing
    from models.records import AuditEntry, Outbox
    from models.search import SearchDoc
    assert SearchDoc.select().count() == 1 and Outbox.select().where(Outbox.kind == "dissemination").count() == 1
    assert AuditEntry.select().where(AuditEntry.record_kind == "dissemination").count() == 1
    app.close()


def test_sigkill_while_moving_staged_rows_finishes_the_import_at_next_open(data_dir, tmp_path):
    """Killed after every row was checked, while the staged rows move into the real tables in short transactions
    (progress "n/6000" is only shown then): the next open finishes the move, so the file is stored whole, once."""
    _encrypted_folder(data_dir)
    big = tmp_path / "big.csv"
    _big_csv(big, 6000)
    command = [sys.executable, "main.py", "--data-dir", str(data_dir), "import", "dissemination", str(big)]
    proc = subprocess.Popen(command, cwd=ROOT, env=_env(PLCS_PASSPHRASE=PASS, PLCS_PROGRESS="1"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)

    def ready(text):
        import re
        return any(300 <= int(n) < 5000 for n in re.findall(r"(\d+)/6000", text))
    _kill_when(proc, proc.stderr, ready)
    assert _integrity(data_dir) == "ok"
    opening.open_for_ui(data_dir, passphrase=PASS)
    from models.imports import ImportBatch, ImportRow
    from models.records import AuditEntry
    assert DisseminationEvent.select().count() == 6000           # finished at the open, each row exactly once
    assert len({e.topic for e in DisseminationEvent.select(DisseminationEvent.topic)}) == 6000
    assert AuditEntry.select().where(AuditEntry.record_kind == "dissemination").count() == 6000
    assert ImportBatch.select().count() == 0 and ImportRow.select().count() == 0
    assert not list(data_dir.glob("import-*.lock"))
    app.close()


def _source_with_records(path: Path, n: int) -> None:
    from services.data_dir import demo
    opening.enable_encryption(path, PASS)
    demo.generate("22", n, seed=7)
    app.close()


def test_sigkill_during_transfer_import_and_export(tmp_path):
    src, dst = tmp_path / "src", tmp_path / "dst"
    _source_with_records(src, 1200)
    usb = tmp_path / "usb.plcsx"
    env = _env(PLCS_PASSPHRASE=PASS, PLCS_PROGRESS="1")
    r = subprocess.run([sys.executable, "main.py", "--data-dir", str(src), "transfer", "export", "--all",
                        "--out", str(usb)], cwd=ROOT, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    _encrypted_folder(dst)
    opening.open_for_ui(dst, passphrase=PASS)
    before = {m.__name__: m.select().count() for m in (LegalAidCase, DisseminationEvent)}
    app.close()
    proc = subprocess.Popen([sys.executable, "main.py", "--data-dir", str(dst), "transfer", "import", str(usb)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True)

    def ready(text):
        import re
        return any(n >= 200 for n in map(int, re.findall(r"(\d+)(?:/\d+|rec)", text)))
    _kill_when(proc, proc.stderr, ready)
    assert _integrity(dst) == "ok"
    opening.open_for_ui(dst, passphrase=PASS)
    after = {m.__name__: m.select().count() for m in (LegalAidCase, DisseminationEvent)}
    assert after == before                                     # all or nothing
    app.close()
    # the same file imports completely afterwards
    r = subprocess.run([sys.executable, "main.py", "--data-dir", str(dst), "transfer", "import", str(usb), "--json"],
                       cwd=ROOT, env=_env(PLCS_PASSPHRASE=PASS), capture_output=True, text=True,
                       stdin=subprocess.DEVNULL, timeout=300)
    assert r.returncode == 0, r.stderr
    # an export killed mid-way never leaves a half-written file under the target name
    out = tmp_path / "killed.plcsx"
    proc = subprocess.Popen([sys.executable, "main.py", "--data-dir", str(src), "transfer", "export", "--all",
                             "--out", str(out)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    time.sleep(1.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    if out.exists():                                           # finished before the kill: then it is whole
        from services.data_dir.transfer import read_header
        assert read_header(out)["count"] > 0
    assert _integrity(src) == "ok"


def test_sigkill_during_sync_then_resume(tmp_path, kinto_bucket):
    """Kill `main.py sync` mid-push: the local database stays sound, and the next sync finishes with every
    record on the server exactly once and nothing left in the outbox."""
    import requests

    from services import sync
    from services.records import outbox
    site = kinto_bucket
    folder = tmp_path / "device"
    opening.enable_encryption(folder, PASS)
    app.save_profile({"full_name": "Cán bộ thử", "communes": [site.commune], "role": "officer"})
    ids = [store.save("person", {"full_name": f"Người {i}", "notes": "x" * 40}).id for i in range(400)]
    sync.remember(site.url, site.officer.user)
    app.close()
    proc = subprocess.Popen([sys.executable, "main.py", "--data-dir", str(folder), "sync"], cwd=ROOT,
                            env=_env(PLCS_PASSPHRASE=PASS, PLCS_SYNC_PASSWORD=site.officer.password),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)

    def ready(text):
        import re
        return any(n >= 50 for n in map(int, re.findall(r"(\d+)/\d+", text)))
    _kill_when(proc, proc.stderr, ready, timeout=180)
    assert _integrity(folder) == "ok"
    opening.open_for_ui(folder, passphrase=PASS)
    from models.records import Person
    assert set(ids) <= {p.id for p in Person.select()}
    summary = sync.sync_now(password=site.officer.password)
    assert summary.errors == [] and outbox.pending_total() == 0
    url = site.records_url("persons", None)
    on_server = requests.get(url, params={"_limit": 10000}, auth=site.officer, timeout=30).json()["data"]
    server_ids = [r["id"] for r in on_server]
    assert sorted(server_ids) == sorted(set(server_ids)) and set(ids) <= set(server_ids)
    app.close()
