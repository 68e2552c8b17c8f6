"""Benchmark runner: `make bench` (full) and `make bench-quick` (CI, < 3 minutes).

    .venv/bin/python -m bench.run --quick                  # -> bench/results/quick.json + quick.md
    .venv/bin/python -m bench.run --full                   # -> bench/results/latest.json + latest.md
    .venv/bin/python -m bench.run --quick --only sqlite.baseline --only storage.list_page@10k
    .venv/bin/python -m bench.run --list

Each benchmark runs in its own child process (`--child NAME`), repeated `runs` times; the runner keeps the median
of every figure, the child's peak RSS (ru_maxrss of the child and of its own children), compares figures with
bench/targets.json (pass/miss, never enforced) and computes the side-by-side ratios each benchmark reports.
A benchmark whose feature does not exist yet is reported as "not available yet" and does not fail the run.
Exit code: 0, or 1 with --strict when a benchmark crashed.
"""
from __future__ import annotations

import argparse
import datetime as dt
import fnmatch
import json
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

from bench.common import BENCH_DIR, PYTHON, REGISTRY, RESULTS_DIR, ROOT, Context, NotAvailable, project_env

MODULES = ["bench.bench_storage", "bench.bench_startup", "bench.bench_window", "bench.bench_screens",
           "bench.bench_printing", "bench.bench_sync", "bench.bench_import", "bench.bench_security",
           "bench.bench_attachments"]
TARGETS_FILE = BENCH_DIR / "targets.json"


def load_registry() -> None:
    import importlib
    for name in MODULES:
        importlib.import_module(name)


# --- child side ---------------------------------------------------------------------------------------------

def _raise_exit(signum, frame):
    raise SystemExit(128 + signum)


def run_child(name: str, mode: str, result_file: Path, workdir: Path) -> int:
    """Run one benchmark `runs` times in this process and write raw per-run figures to result_file."""
    load_registry()
    bench = REGISTRY[name]
    ctx = Context(mode=mode, params=dict(bench.params), workdir=workdir)
    # SIGTERM (timeout or a stopped runner) unwinds through `finally` so servers started by the benchmark stop
    signal.signal(signal.SIGTERM, _raise_exit)
    out = {"name": name, "status": "ok", "runs": [], "notes": ctx.notes}
    t0 = time.perf_counter()
    try:
        for i in range(bench.runs_for(mode)):
            ctx.run_index = i
            out["runs"].append(bench.func(ctx) or {})
    except NotAvailable as exc:
        out.update(status="not_available", reason=str(exc))
    except Exception as exc:  # noqa: BLE001 - reported, not raised: one broken benchmark must not hide the rest
        out.update(status="error", reason=f"{type(exc).__name__}: {str(exc)[:400]}",
                   traceback=traceback.format_exc()[-4000:])
    except SystemExit:
        out.update(status="timeout", reason="stopped by a signal")
    finally:
        cleanup = ctx.state.get("_cleanup", [])
        for fn in reversed(cleanup):
            try:
                fn()
            except Exception:  # noqa: BLE001
                out["notes"].append(f"cleanup failed: {traceback.format_exc(limit=1)}")
    out["duration_s"] = round(time.perf_counter() - t0, 3)
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out["peak_rss_mb"] = round(self_kb / 1024, 1)
    out["peak_rss_children_mb"] = round(kids_kb / 1024, 1)
    result_file.write_text(json.dumps(out, ensure_ascii=False, default=str), encoding="utf-8")
    return 0


# --- parent side --------------------------------------------------------------------------------------------

def machine_info() -> dict:
    info = {"hostname": platform.node(), "platform": platform.platform(), "python": platform.python_version(),
            "cpus": os.cpu_count(), "processor": platform.processor() or platform.machine()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    for tool, args in (("node", ["node", "--version"]),
                       ("sqlite", [PYTHON, "-c", "import sqlite3;print(sqlite3.sqlite_version)"])):
        try:
            info[tool] = subprocess.run(args, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            info[tool] = None
    return info


def git_info() -> dict:
    def git(*args):
        try:
            r = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10)
            return r.stdout.strip() if r.returncode == 0 else None
        except OSError:
            return None
    return {"commit": git("rev-parse", "HEAD"), "branch": git("rev-parse", "--abbrev-ref", "HEAD"),
            "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}


def load_targets() -> dict:
    try:
        data = json.loads(TARGETS_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if not k.startswith("_")}


def check_target(fig_id: str, value, targets: dict):
    """Target of a figure id ("bench/figure"; fnmatch patterns allowed in targets.json) and pass/miss."""
    for pattern, target in targets.items():
        if fnmatch.fnmatchcase(fig_id, pattern):
            if not isinstance(value, (int, float)):
                return target, None
            ok = True
            if "max" in target:
                ok = ok and value <= target["max"]
            if "min" in target:
                ok = ok and value >= target["min"]
            return target, ok
    return None, None


def aggregate(raw: dict, targets: dict) -> dict:
    """Median of each figure over the runs; targets; ratios from the medians."""
    runs = raw.get("runs") or []
    figures: dict = {}
    for run in runs:
        for key, f in run.items():
            if isinstance(f, dict) and "value" in f:
                figures.setdefault(key, {"unit": f.get("unit", ""), "values": [],
                                         "lower_is_better": f.get("lower_is_better", True),
                                         "extra": {k: v for k, v in f.items()
                                                   if k not in ("value", "unit", "lower_is_better")}})
                figures[key]["values"].append(f["value"])
    result = {}
    for key, f in figures.items():
        nums = [v for v in f["values"] if isinstance(v, (int, float)) and not isinstance(v, bool)]
        value = statistics.median(nums) if nums else (f["values"][-1] if f["values"] else None)
        if isinstance(value, float):
            value = round(value, 4)
        entry = {"value": value, "unit": f["unit"], "runs": len(f["values"])}
        if len(nums) > 1:
            entry["min"], entry["max"] = round(min(nums), 4), round(max(nums), 4)
        entry.update(f["extra"])
        target, ok = check_target(f"{raw['name']}/{key}", value, targets)
        if target is not None:
            entry["target"] = {k: v for k, v in target.items() if k in ("max", "min", "label")}
            entry["pass"] = ok
        result[key] = entry
    # side-by-side ratios declared by figures: {"ratio_of": ["a", "b"]} -> value = a / b from the medians
    for key, entry in result.items():
        pair = entry.get("ratio_of")
        if pair and all(p in result and isinstance(result[p]["value"], (int, float)) for p in pair):
            num, den = result[pair[0]]["value"], result[pair[1]]["value"]
            if den:
                entry["value"] = round(num / den, 3)
                target, ok = check_target(f"{raw['name']}/{key}", entry["value"], targets)
                if target is not None:
                    entry["pass"] = ok
    return result


CURRENT_CHILD: list = []


def stop_child(proc) -> None:
    """SIGTERM the child's process group (the child then stops its servers), SIGKILL after 20 s."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.communicate()


def _on_signal(signum, frame):
    for proc in CURRENT_CHILD:
        stop_child(proc)
    raise SystemExit(128 + signum)


def run_benchmark(bench, mode: str, workroot: Path, verbose: bool) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix=bench.name.replace("/", "_") + "-", dir=workroot))
    result_file = workdir / "_result.json"
    cmd = [PYTHON, "-m", "bench.run", "--child", bench.name, "--mode", mode,
           "--result-file", str(result_file), "--workdir", str(workdir)]
    t0 = time.perf_counter()
    stderr = None if verbose else subprocess.PIPE
    try:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=project_env(), stdout=subprocess.DEVNULL, stderr=stderr,
                                text=True, start_new_session=True)
        CURRENT_CHILD[:] = [proc]
        try:
            _, err = proc.communicate(timeout=bench.timeout_for(mode))
        except subprocess.TimeoutExpired:
            stop_child(proc)
            raw = {"name": bench.name, "status": "timeout",
                   "reason": f"killed after {bench.timeout_for(mode)} s"}
            err = ""
        else:
            if result_file.exists():
                raw = json.loads(result_file.read_text(encoding="utf-8"))
            else:
                raw = {"name": bench.name, "status": "error",
                       "reason": f"child exited with {proc.returncode} without a result",
                       "stderr_tail": (err or "")[-2000:]}
        if raw.get("status") == "error" and err:
            raw["stderr_tail"] = err[-2000:]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    raw["wall_s"] = round(time.perf_counter() - t0, 3)
    return raw


def report_of(mode: str, started: dt.datetime, t0: float, results: list[dict], machine: dict, git: dict,
              complete: bool) -> dict:
    """The results file's content for the benchmarks run so far (`complete` is false while the run goes on)."""
    figs = [f for b in results for f in b["figures"].values()]
    return {
        "schema": 1, "mode": mode, "complete": complete, "started_at": started.isoformat(timespec="seconds"),
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "duration_s": round(time.perf_counter() - t0, 1), "machine": machine, "git": git,
        "targets_file": str(TARGETS_FILE.relative_to(ROOT)), "benchmarks": results,
        "summary": {"ok": sum(b["status"] == "ok" for b in results),
                    "not_available": sum(b["status"] == "not_available" for b in results),
                    "error": sum(b["status"] in ("error", "timeout") for b in results),
                    "targets_pass": sum(f.get("pass") is True for f in figs),
                    "targets_miss": sum(f.get("pass") is False for f in figs)},
    }


def write_report(stem: Path, report: dict) -> Path:
    """Write STEM.json and STEM.md (each replaced atomically, so a reader never sees half a file)."""
    json_path, md_path = stem.with_suffix(".json"), stem.with_suffix(".md")
    for path, text in ((json_path, json.dumps(report, ensure_ascii=False, indent=2, default=str)),
                       (md_path, markdown(report))):
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    return json_path


def markdown(report: dict) -> str:
    m = report["machine"]
    lines = [f"# Benchmark results ({report['mode']})", "",
             f"{report['finished_at']} · commit `{(report['git'].get('commit') or 'uncommitted')[:10]}`"
             f"{' (dirty)' if report['git'].get('dirty') else ''} · {m.get('cpu_model', m.get('processor'))}, "
             f"{m.get('cpus')} CPUs, {m.get('memory_gb')} GB · Python {m.get('python')} · Node {m.get('node')} · "
             f"run took {report['duration_s']} s"
             f"{'' if report.get('complete', True) else ' so far (run still going or stopped part-way)'}", "",
             "Each value is the median of the runs shown; targets are from bench/targets.json (not enforced); "
             "ratios are measured side by side in the same run (Kinto / PouchDB, services / raw SQLite).", ""]

    def fmt(v):
        if isinstance(v, float):
            return f"{v:,.3f}".rstrip("0").rstrip(".") if abs(v) < 100 else f"{v:,.1f}"
        if isinstance(v, int):
            return f"{v:,}"
        return "—" if v is None else str(v)
    targeted = [(b["name"], k, f) for b in report["benchmarks"] for k, f in b["figures"].items() if "target" in f]
    if targeted:
        lines += ["## Targets", "", "| Target | Benchmark / figure | Value | Status |", "|---|---|---:|---|"]
        for name, key, f in targeted:
            t = f["target"]
            limit = f"≤ {fmt(t['max'])}" if "max" in t else f"≥ {fmt(t.get('min'))}"
            lines.append(f"| {t.get('label', '')} ({limit} {f.get('unit', '')}) | {name} / {key} | "
                         f"{fmt(f['value'])} {f.get('unit', '')} | "
                         f"{({True: 'pass', False: '**miss**'}).get(f.get('pass'), '—')} |")
        lines.append("")
    lines += ["## All figures", "", "| Benchmark | Figure | Value | Target | Status | Peak RSS |",
              "|---|---|---:|---:|---|---:|"]
    for b in report["benchmarks"]:
        rss = f"{b['peak_rss_mb']:.0f} MB" if b.get("peak_rss_mb") else ""
        if rss and b.get("peak_rss_children_mb"):
            rss += f" (children {b['peak_rss_children_mb']:.0f} MB)"
        if b["status"] != "ok":
            label = {"not_available": "not available yet"}.get(b["status"], b["status"])
            reason = (b.get("reason") or "").replace("|", "/").replace("\n", " ")[:140]
            lines.append(f"| {b['name']} | — | — | — | {label}: {reason} | {rss} |")
            continue
        for i, (key, f) in enumerate(b["figures"].items()):
            t = f.get("target") or {}
            tgt = (f"≤ {fmt(t['max'])}" if "max" in t else "") + (f" ≥ {fmt(t['min'])}" if "min" in t else "")
            status = {True: "pass", False: "**miss**", None: ""}[f.get("pass")]
            unit = f" {f['unit']}" if f.get("unit") else ""
            runs = f" (n={f['runs']})" if f.get("runs", 1) > 1 else ""
            lines.append(f"| {b['name'] if i == 0 else ''} | {key} | {fmt(f['value'])}{unit}{runs} | {tgt} | "
                         f"{status} | {rss if i == 0 else ''} |")
    s = report["summary"]
    lines += ["", f"{s['ok']} measured, {s['not_available']} not available yet, {s['error']} failed; "
                  f"targets: {s['targets_pass']} met, {s['targets_miss']} missed.", ""]
    notes = [(b["name"], n) for b in report["benchmarks"] for n in b.get("notes", [])]
    if notes:
        lines += ["Notes:", ""] + [f"- {name}: {n}" for name, n in notes] + [""]
    return "\n".join(lines)


def select(mode: str, only: list[str]) -> list:
    names = [n for n, b in REGISTRY.items() if mode in b.modes]
    if only:   # patterns pick among this mode's benchmarks; an exact name runs even if not in this mode
        chosen = [n for n in REGISTRY if any(n == pat or (n in names and fnmatch.fnmatchcase(n, pat))
                                             for pat in only)]
        unknown = [p for p in only if not any(fnmatch.fnmatchcase(n, p) for n in REGISTRY)]
        if unknown:
            raise SystemExit(f"unknown benchmark(s): {', '.join(unknown)} (see --list)")
        names = chosen
    return [REGISTRY[n] for n in names]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--quick", action="store_true", help="small data, CI (< 3 min); writes results/quick.*")
    g.add_argument("--full", action="store_true", help="100k/1M records (< 45 min); writes results/latest.*")
    ap.add_argument("--only", action="append", default=[], metavar="NAME",
                    help="run only this benchmark (repeatable; shell patterns allowed, e.g. 'sync.*')")
    ap.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    ap.add_argument("--out", help="results file stem (default: bench/results/quick or latest)")
    ap.add_argument("--strict", action="store_true", help="exit 1 when a benchmark crashed")
    ap.add_argument("--verbose", action="store_true", help="show the children's stderr")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--mode", help=argparse.SUPPRESS)
    ap.add_argument("--result-file", help=argparse.SUPPRESS)
    ap.add_argument("--workdir", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child:
        return run_child(args.child, args.mode, Path(args.result_file), Path(args.workdir))

    load_registry()
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    mode = "full" if args.full else "quick"
    if args.list:
        for n, b in REGISTRY.items():
            print(f"{n:40s} {','.join(b.modes):12s} {b.description}")
        return 0
    benches = select(mode, args.only)
    stem = Path(args.out) if args.out else RESULTS_DIR / ("latest" if mode == "full" else "quick")
    stem.parent.mkdir(parents=True, exist_ok=True)
    targets = load_targets()
    started = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    workroot = Path(tempfile.mkdtemp(prefix="plcs-bench-"))
    os.chmod(workroot, 0o755)   # PostgreSQL (run as user postgres) must be able to enter it
    results = []
    machine, git = machine_info(), git_info()
    try:
        from tqdm import tqdm
        bar = tqdm(benches, desc=f"bench {mode}", unit="bench", file=sys.stderr, dynamic_ncols=True)
        for bench in bar:
            bar.set_postfix_str(bench.name)
            raw = run_benchmark(bench, mode, workroot, args.verbose)
            entry = {"name": bench.name, "area": bench.area, "description": bench.description,
                     "status": raw.get("status", "error"), "reason": raw.get("reason"),
                     "duration_s": raw.get("wall_s"), "runs": len(raw.get("runs") or []),
                     "peak_rss_mb": raw.get("peak_rss_mb"),
                     "peak_rss_children_mb": raw.get("peak_rss_children_mb"),
                     "figures": aggregate(raw, targets) if raw.get("status") == "ok" else {},
                     "notes": raw.get("notes", [])}
            if raw.get("status") in ("error", "timeout"):
                entry["traceback"] = raw.get("traceback") or raw.get("stderr_tail")
                tqdm.write(f"[bench] {bench.name}: {entry['status']}: {entry['reason']}", file=sys.stderr)
            results.append(entry)
            # Written after every benchmark, so that a run stopped part-way keeps what it measured.
            write_report(stem, report_of(mode, started, t0, results, machine, git, complete=False))
    finally:
        shutil.rmtree(workroot, ignore_errors=True)
    report = report_of(mode, started, t0, results, machine, git, complete=True)
    json_path = write_report(stem, report)
    s = report["summary"]
    print(f"bench {mode}: {s['ok']} measured, {s['not_available']} not available yet, {s['error']} failed, "
          f"targets {s['targets_pass']} met / {s['targets_miss']} missed, {report['duration_s']} s -> "
          f"{json_path.relative_to(ROOT) if json_path.is_relative_to(ROOT) else json_path}", file=sys.stderr)
    return 1 if (args.strict and s["error"]) else 0


if __name__ == "__main__":
    sys.exit(main())
