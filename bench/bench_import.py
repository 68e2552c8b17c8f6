"""Import at scale through the real CLI (`main.py import`), each import in its own process so that its own peak
RSS is measured (os.wait4): 1,000,000 valid CSV rows, 1,000,000 bad CSV rows, and an XLSX that would inflate past
the cap (issue 14 item 4). Full run only (`make bench`); the sizes are parameters (`rows`), so a smaller run can
check the benchmark itself:

    .venv/bin/python -c "from bench.bench_import import smoke; smoke(20_000)"
"""
from __future__ import annotations

import csv
import json
import os
import subprocess
import time
import zipfile
from pathlib import Path

from bench.common import PYTHON, ROOT, benchmark, fig, project_env, require, scale_label

HEADER = ["date", "commune_code", "village", "form", "topic", "laws", "target_groups", "participants",
          "participants_women", "language", "presenter", "notes"]


def _row(i: int, bad: bool) -> list:
    women = 500 if bad else 40                       # bad: more women than participants (a rule, not a parse error)
    return [f"{1 + i % 28:02d}/{1 + i % 12:02d}/2025", "06652", f"Thôn {i % 40}", "Hội nghị",
            f"Luật Đất đai 2024 — buổi {i}", "Luật Đất đai", "dtts; phụ nữ", 100 + i % 50, women, "Tiếng Việt",
            f"Cán bộ tư pháp {i % 7}", "Tuyên truyền lưu động tại nhà văn hóa thôn"]


def write_csv(path: Path, rows: int, bad: bool) -> Path:
    """Streamed to disk (never held in memory)."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for i in range(rows):
            w.writerow(_row(i, bad))
    return path


def write_inflating_xlsx(path: Path, xml_bytes: int) -> Path:
    """A small XLSX whose sheet inflates to `xml_bytes` of XML (rows padded with whitespace, which deflates to
    almost nothing), everything else as xlsxwriter writes it."""
    import xlsxwriter
    plain = path.with_suffix(".plain.xlsx")
    wb = xlsxwriter.Workbook(str(plain), {"constant_memory": True})
    ws = wb.add_worksheet()
    ws.write_row(0, 0, HEADER)
    ws.write_row(1, 0, _row(0, False))
    wb.close()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(info.filename, data)
                continue
            head, tail = data.split(b"</sheetData>")
            with dst.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
                out.write(head)
                block = b" " * (1024 * 1024)
                written = len(head) + len(tail)
                while written < xml_bytes:
                    out.write(block)
                    written += len(block)
                out.write(b"</sheetData>" + tail)
    plain.unlink()
    return path


def run_import(data_dir: Path, kind: str, path: Path) -> dict:
    """`main.py import` in a child process: exit code, seconds, the child's own peak RSS, stderr size."""
    env = project_env(PLCS_NO_ENCRYPTION="1", PLCS_LANG="en")
    env.pop("PLCS_PASSPHRASE", None)
    err_path = data_dir.parent / f"{data_dir.name}.stderr"
    t0 = time.perf_counter()
    with err_path.open("wb") as err:
        proc = subprocess.Popen([PYTHON, "main.py", "--data-dir", str(data_dir), "import", kind, str(path), "--json"],
                                cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL)
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
    sec = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    stderr = err_path.read_bytes()
    return {"code": proc.returncode, "seconds": sec, "peak_rss_mb": usage.ru_maxrss / 1024,
            "stdout": json.loads(out) if out.strip() and proc.returncode == 0 else None,
            "stderr_bytes": len(stderr), "stderr_tail": stderr[-600:].decode("utf-8", "replace")}


def _figures(prefix: str, rows: int, r: dict) -> dict:
    return {f"{prefix}_{scale_label(rows)}_rows_s": fig(round(r["seconds"], 2), "s"),
            "rows_per_s": fig(round(rows / r["seconds"]), "rows/s", lower_is_better=False),
            "import_peak_rss_mb": fig(round(r["peak_rss_mb"], 1), "MB"),
            "exit_code": fig(r["code"], "code")}


@benchmark("import.csv@1M", area="import", modes=("full",), runs=(1, 1), timeout=(600, 3600), rows=1_000_000)
def import_csv_1m(ctx):
    """1,000,000 valid CSV rows through `main.py import` into an empty folder: time and the importer's peak RSS."""
    require("services.records.importing:import_file", "services.records.tabular:open_table")
    rows = ctx.params["rows"]
    path = ctx.state.get("csv") or write_csv(ctx.workdir / "good.csv", rows, bad=False)
    ctx.state["csv"] = path
    r = run_import(ctx.workdir / f"good-{ctx.run_index}", "dissemination", path)
    if r["code"] != 0 or (r["stdout"] or {}).get("created") != rows:
        raise RuntimeError(f"import failed ({r['code']}): {r['stderr_tail']}")
    ctx.note(f"file {path.stat().st_size / 2**20:.0f} MiB; peak RSS is the importing process's own (os.wait4)")
    return _figures("import", rows, r)


@benchmark("import.bad_csv@1M", area="import", modes=("full",), runs=(1, 1), timeout=(600, 3600), rows=1_000_000)
def import_bad_csv_1m(ctx):
    """1,000,000 bad CSV rows: exit 2, the first bad rows listed and the rest counted, bounded memory."""
    require("services.records.importing:import_file", "services.records.tabular:open_table")
    rows = ctx.params["rows"]
    path = ctx.state.get("bad") or write_csv(ctx.workdir / "bad.csv", rows, bad=True)
    ctx.state["bad"] = path
    r = run_import(ctx.workdir / f"bad-{ctx.run_index}", "dissemination", path)
    if r["code"] != 2:
        raise RuntimeError(f"expected exit 2, got {r['code']}: {r['stderr_tail']}")
    out = _figures("refuse", rows, r)
    out["stderr_kb"] = fig(round(r["stderr_bytes"] / 1024, 1), "KB")
    return out


@benchmark("import.xlsx_inflating", area="import", modes=("full",), runs=(1, 1), timeout=(600, 1800),
           xml_mib=1100)
def import_xlsx_inflating(ctx):
    """An XLSX of a few MiB whose sheet inflates to 1.1 GiB of XML: refused (exit 2) before parsing."""
    require("services.records.tabular:XLSX_LIMITS")
    path = ctx.state.get("xlsx") or write_inflating_xlsx(ctx.workdir / "inflating.xlsx",
                                                        ctx.params["xml_mib"] * 2**20)
    ctx.state["xlsx"] = path
    r = run_import(ctx.workdir / f"xlsx-{ctx.run_index}", "dissemination", path)
    if r["code"] != 2:
        raise RuntimeError(f"expected exit 2, got {r['code']}: {r['stderr_tail']}")
    ctx.note(f"file {path.stat().st_size / 2**20:.1f} MiB zipped")
    return {"refuse_s": fig(round(r["seconds"], 2), "s"), "import_peak_rss_mb": fig(round(r["peak_rss_mb"], 1), "MB"),
            "exit_code": fig(r["code"], "code")}


def smoke(rows: int = 20_000, xml_mib: int = 1100) -> None:
    """Run the three benchmarks once at a smaller size (checks the benchmark, not the targets)."""
    import tempfile

    from bench.common import Context
    with tempfile.TemporaryDirectory(prefix="plcs-bench-import-") as tmp:
        for fn, params in ((import_csv_1m, {"rows": rows}), (import_bad_csv_1m, {"rows": rows}),
                           (import_xlsx_inflating, {"xml_mib": xml_mib})):
            ctx = Context(mode="full", params=params, workdir=Path(tmp))
            figures = fn(ctx)
            print(fn.__name__, {k: v["value"] for k, v in figures.items()}, ctx.notes)
