"""Start-up benchmarks: process start to the overview's data ready, and the `stats --json` command.

    .venv/bin/python -m bench.run --quick --only 'startup.*'

The overview probe is a fresh Python process (measured from just before it is spawned until it prints READY)
that opens the data folder the way the app does (services.data_dir.app.open_data_dir: database, migrations, settings)
and computes the overview data: record counts and the first page of each list. The GUI window itself cannot
be timed here (no desktop client on this machine); the web-served UI is timed by the E2E suite, not here.
"""
from __future__ import annotations

import subprocess
import time

from bench.common import PYTHON, ROOT, benchmark, fig, project_env, require, scale_label
from bench.datasets import demo_data_dir

PROBE = r"""
import sys
from services.data_dir.app import open_data_dir
open_data_dir(sys.argv[1])
try:
    from services.records.stats import counts
    counts()
except ImportError:
    pass
from services.records.listing import ListQuery, list_page
for kind in ("legal-aid", "mediation", "dissemination"):
    list_page(ListQuery(kind=kind))
print("READY", flush=True)
"""


def _until_ready(cmd, env) -> float:
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in p.stdout:
        if line.startswith("READY"):
            sec = time.perf_counter() - t0
            p.wait(timeout=30)
            return sec
    err = p.stderr.read()
    p.wait()
    raise RuntimeError(f"probe exited {p.returncode} before READY: {err[-600:]}")


def _startup(ctx, n: int):
    require("services.data_dir.app:open_data_dir", "services.records.listing:list_page")
    src = demo_data_dir(n)
    env = project_env()
    overview = [_until_ready([PYTHON, "-c", PROBE, str(src)], env) for _ in range(3)]
    stats = []
    for _ in range(3):
        t0 = time.perf_counter()
        r = subprocess.run([PYTHON, str(ROOT / "main.py"), "--data-dir", str(src), "stats", "--json"], cwd=ROOT,
                           env=env, capture_output=True, text=True, timeout=120)
        stats.append(time.perf_counter() - t0)
        if r.returncode != 0:
            raise RuntimeError(f"main.py stats exited {r.returncode}: {r.stderr[-400:]}")
    bare = []
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run([PYTHON, "-c", "pass"], env=env, check=True)
        bare.append(time.perf_counter() - t0)
    med = lambda xs: round(sorted(xs)[len(xs) // 2], 4)  # noqa: E731
    return {"process_to_overview_data_s": fig(med(overview), "s"),
            "stats_json_cli_s": fig(med(stats), "s"),
            "bare_python_start_s": fig(med(bare), "s")}


for _n, _modes in ((10_000, ("quick",)), (100_000, ("full",)), (1_000_000, ("full",))):
    benchmark(f"startup@{scale_label(_n)}", area="startup", modes=_modes, runs=(1, 3), timeout=(150, 2400),
              description=f"Process start to overview data ready, and `stats --json`, at {_n:,} records"
              )(lambda ctx, n=_n: _startup(ctx, n))
