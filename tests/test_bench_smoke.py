"""Smoke test of the benchmark runner: one cheap benchmark end to end, and the shape of the results files.

No timing assertions (speed lives in bench/, not in tests): only that the runner works and writes what the
README's performance table and CI rely on.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_bench(tmp_path, *args):
    stem = tmp_path / "smoke"
    r = subprocess.run([sys.executable, "-m", "bench.run", "--quick", "--out", str(stem), *args],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    return r, stem


def test_quick_run_of_one_benchmark_writes_json_and_markdown(tmp_path):
    r, stem = run_bench(tmp_path, "--only", "sqlite.baseline")
    assert r.returncode == 0, r.stderr
    report = json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))
    assert report["schema"] == 1 and report["mode"] == "quick"
    for key in ("started_at", "finished_at", "duration_s", "machine", "git", "benchmarks", "summary"):
        assert key in report
    assert report["machine"]["cpus"] >= 1 and "python" in report["machine"]
    assert set(report["git"]) >= {"commit", "dirty"}
    [bench] = report["benchmarks"]
    assert bench["name"] == "sqlite.baseline" and bench["status"] == "ok", bench
    assert bench["runs"] >= 1 and bench["peak_rss_mb"] > 0
    figures = bench["figures"]
    assert {"bulk_insert_rows_per_s", "fts_match_top50.p50_ms", "fts_match_top50.p95_ms"} <= set(figures)
    for f in figures.values():
        assert isinstance(f["value"], (int, float)) and f["unit"] and f["runs"] >= 1
    assert report["summary"]["ok"] == 1 and report["summary"]["error"] == 0
    md = stem.with_suffix(".md").read_text(encoding="utf-8")
    assert md.startswith("# Benchmark results (quick)")
    assert "| sqlite.baseline | bulk_insert_rows_per_s |" in md


def test_unknown_benchmark_is_a_usage_error(tmp_path):
    r, _ = run_bench(tmp_path, "--only", "no.such.benchmark")
    assert r.returncode != 0 and "unknown benchmark" in r.stderr


def test_list_names_every_area():
    r = subprocess.run([sys.executable, "-m", "bench.run", "--list"], cwd=ROOT, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0
    for name in ("sqlite.baseline", "storage.lists@10k", "storage.save_overhead", "startup@10k", "startup.window@10k",
                 "screens@10k", "screens@100k",
                 "printing.slips", "sync.loopback@500", "sync.field@1k"):
        assert name in r.stdout


def test_targets_file_is_valid_json_with_numeric_limits():
    targets = json.loads((ROOT / "bench" / "targets.json").read_text(encoding="utf-8"))
    for key, t in targets.items():
        if key.startswith("_"):
            continue
        assert "/" in key and ("max" in t or "min" in t), key
        assert all(isinstance(t[k], (int, float)) for k in ("max", "min") if k in t)


def test_screen_benchmark_is_registered_and_its_targets_name_its_figures():
    """Issue 17 §6: the screen-time benchmark runs at 10k in the quick run and at 100k in the full run, and
    every screens target in targets.json names a benchmark and a figure the module reports (no timings here)."""
    import fnmatch

    from bench import bench_screens
    from bench.common import REGISTRY
    from bench.run import load_registry
    load_registry()
    assert REGISTRY["screens@10k"].modes == ("quick",)
    assert REGISTRY["screens@100k"].modes == ("full",)
    figures = {f"{a}.{stat}" for a in bench_screens.ACTIONS for stat in ("p50_ms", "p95_ms", "services_p50_ms")}
    targets = json.loads((ROOT / "bench" / "targets.json").read_text(encoding="utf-8"))
    screen_targets = [k for k in targets if k.startswith("screens@")]
    assert screen_targets
    for key in screen_targets:
        bench, _, figure = key.partition("/")
        assert any(fnmatch.fnmatchcase(n, bench) for n in REGISTRY), key
        assert any(fnmatch.fnmatchcase(f, figure) for f in figures), key
    # the targets: lists, next page, search, detail, save (p50 and p95); overview; reports, assessment,
    # coverage
    judged = {f for f in figures if any(fnmatch.fnmatchcase(f"screens@100k/{f}", k) for k in screen_targets)}
    for action in ("list.legal_aid", "list.mediation", "list.dissemination", "next_page", "search", "detail",
                   "save"):
        assert {f"{action}.p50_ms", f"{action}.p95_ms"} <= judged, action
    for action in ("overview", "reports", "assessment", "coverage"):
        assert f"{action}.p50_ms" in judged, action
