"""The CLI as scripts use it (../shared/cli-contract.md): options, JSON on stdout, exit codes."""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*args, data_dir=None, env=None, check=True):
    full_env = {**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})}
    full_env.pop("PLCS_PASSPHRASE", None)
    cmd = [sys.executable, str(ROOT / "main.py"), *map(str, args)]
    if data_dir is not None:
        cmd += ["--data-dir", str(data_dir)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=full_env, cwd=ROOT, timeout=300,
                          stdin=subprocess.DEVNULL)
    if check and proc.returncode != 0:
        raise AssertionError(f"{cmd} -> {proc.returncode}\n{proc.stderr}")
    return proc


def test_demo_stats_search_export_import(data_dir, tmp_path):
    run("demo", "--province", "22", "--records", "300", "--seed", "7", data_dir=data_dir)
    stats = json.loads(run("stats", "--json", data_dir=data_dir).stdout)
    assert stats["legal-aid"] + stats["mediation"] + stats["dissemination"] == 300
    # --data-dir before the subcommand, and PLCS_DATA_DIR, reach the same folder.
    before = run("--data-dir", data_dir, "stats", "--json")
    assert json.loads(before.stdout) == stats
    via_env = run("stats", "--json", env={"PLCS_DATA_DIR": str(data_dir)})
    assert json.loads(via_env.stdout) == stats

    hits = json.loads(run("search", "nguyen", "--limit", "3", "--json", data_dir=data_dir).stdout)
    assert 0 < len(hits) <= 3
    assert set(hits[0]) == {"kind", "id", "number", "title"}
    hits = json.loads(run("search", "hoi nghi", "--kind", "dissemination", "--json", data_dir=data_dir).stdout)
    assert all(h["kind"] == "dissemination" for h in hits)

    out = tmp_path / "la.csv"
    run("export", "legal-aid", "--out", out, data_dir=data_dir)
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert len(rows) == stats["legal-aid"] and all("*" in r["id_number"] for r in rows if r["id_number"])
    proc = run("import", "legal-aid", out, data_dir=data_dir)
    assert json.loads(run("stats", "--json", data_dir=data_dir).stdout) == stats
    assert "Imported" in proc.stderr


def test_template_then_bad_import_exits_2_listing_rows(data_dir, tmp_path):
    tpl = tmp_path / "t.csv"
    run("template", "dissemination", "--out", tpl)
    header = tpl.read_text(encoding="utf-8-sig").strip().split(",")
    assert header[:3] == ["date", "commune_code", "village"]
    with tpl.open("a", encoding="utf-8") as fh:
        fh.write("15/10/2026,06652,Thôn 1,Hội nghị,Luật Đất đai,,,50,10,0,0,,,\n")
        fh.write("15/10/2099,06652,Thôn 1,Hội nghị,Luật Đất đai,,,50,10,0,0,,,\n")
        fh.write("15/10/2026,06652,Thôn 1,Múa lân,,,,50,80,0,0,,,\n")
    proc = run("import", "dissemination", tpl, data_dir=data_dir, check=False)
    assert proc.returncode == 2
    assert "Dòng 3" in proc.stderr and "Dòng 4" in proc.stderr and "Row 4" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert json.loads(run("stats", "--json", data_dir=data_dir).stdout)["dissemination"] == 0


def test_exit_codes_for_user_mistakes(data_dir):
    assert run("import", "dissemination", "/no/such.csv", data_dir=data_dir, check=False).returncode == 2
    assert run("frobnicate", data_dir=data_dir, check=False).returncode == 2
    assert run("demo", "--province", "99", "--records", "1", data_dir=data_dir, check=False).returncode == 2
    proc = run("search", "x", "--kind", "nope", data_dir=data_dir, check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
