"""Shared pieces of the benchmark suite: the registry, the per-run context, timing helpers.

    from bench.common import benchmark, NotAvailable, require, timed, latency_figures

    @benchmark("storage.example", area="storage", runs=(3, 5))
    def example(ctx):
        require("services.records.listing:list_page")         # raises NotAvailable when the feature is missing
        samples = [timed(lambda: do_work()) for _ in range(50)]
        return latency_figures("page", samples)        # {"page.p50": {...}, "page.p95": {...}}

A benchmark returns {figure_name: {"value": number, "unit": "ms" | "s" | "B" | "x" | ..., "lower_is_better": bool}}.
The runner (bench/run.py) calls it `runs` times in one child process, keeps the median of every figure and the
child's peak RSS, and compares figures with bench/targets.json.
"""
from __future__ import annotations

import importlib
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
CACHE_DIR = BENCH_DIR / ".cache"
RESULTS_DIR = BENCH_DIR / "results"
PYTHON = sys.executable


class NotAvailable(Exception):
    """The feature a benchmark measures does not exist yet (module, function or tool missing)."""


@dataclass
class Benchmark:
    name: str
    func: Callable
    area: str
    modes: tuple = ("quick", "full")
    runs: tuple = (3, 5)           # (quick, full) repetitions; the median of each figure is kept
    timeout: tuple = (90, 900)     # seconds per child process (quick, full)
    description: str = ""
    params: dict = field(default_factory=dict)

    def runs_for(self, mode: str) -> int:
        return self.runs[0] if mode == "quick" else self.runs[1]

    def timeout_for(self, mode: str) -> int:
        return self.timeout[0] if mode == "quick" else self.timeout[1]


REGISTRY: dict[str, Benchmark] = {}


def benchmark(name: str, area: str, modes=("quick", "full"), runs=(3, 5), timeout=(90, 900),
              description: str = "", **params):
    """Register a benchmark function under `name` (extra keyword arguments reach it as ctx.params)."""
    def wrap(func):
        REGISTRY[name] = Benchmark(name, func, area, tuple(modes), tuple(runs), tuple(timeout),
                                   description or (func.__doc__ or "").strip().split("\n")[0], params)
        return func
    return wrap


@dataclass
class Context:
    """What a benchmark function receives: the mode, its parameters, a scratch folder and a per-child cache."""
    mode: str
    params: dict
    workdir: Path
    run_index: int = 0
    state: dict = field(default_factory=dict)   # survives across the runs of one child (setup once)
    notes: list = field(default_factory=list)

    @property
    def quick(self) -> bool:
        return self.mode == "quick"

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


# --- availability -------------------------------------------------------------------------------------------

def has(spec: str) -> bool:
    """True when "package.module" or "package.module:attr" can be imported from the project."""
    try:
        resolve(spec)
        return True
    except NotAvailable:
        return False


def resolve(spec: str):
    """Import "module" or "module:attr" (attr may be dotted); raise NotAvailable when it is missing."""
    mod_name, _, attr = spec.partition(":")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    try:
        obj = importlib.import_module(mod_name)
    except ModuleNotFoundError as exc:
        if exc.name and (mod_name == exc.name or mod_name.startswith(exc.name + ".")):
            raise NotAvailable(f"module {mod_name} does not exist yet") from None
        raise
    for part in filter(None, attr.split(".")):
        if not hasattr(obj, part):
            raise NotAvailable(f"{mod_name}.{attr} does not exist yet")
        obj = getattr(obj, part)
    return obj


def require(*specs: str) -> None:
    for spec in specs:
        resolve(spec)


def find_callable(module_spec: str, candidates: list[str]):
    """First attribute of `module_spec` (module or package with submodules) named in `candidates`."""
    mod = resolve(module_spec)
    for name in candidates:
        target, _, attr = name.rpartition(".")
        try:
            obj = resolve(f"{module_spec}.{target}:{attr}" if target else f"{module_spec}:{attr}")
        except (NotAvailable, ImportError):
            continue
        if callable(obj):
            return obj, name
    found = sorted(a for a in dir(mod) if not a.startswith("_"))
    raise NotAvailable(f"none of {candidates} in {module_spec} (has: {', '.join(found[:20])})")


# --- timing -------------------------------------------------------------------------------------------------

def timed(func: Callable, *args, **kwargs) -> float:
    """Seconds one call takes (perf_counter)."""
    t0 = time.perf_counter()
    func(*args, **kwargs)
    return time.perf_counter() - t0


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0..100) of a non-empty list."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(pct / 100 * len(ordered) + 0.5)) - 1))
    return ordered[k]


def fig(value, unit: str, lower_is_better: bool = True, **extra) -> dict:
    out = {"value": value, "unit": unit, "lower_is_better": lower_is_better}
    out.update(extra)
    return out


def latency_figures(prefix: str, seconds: list[float]) -> dict:
    """p50/p95 (milliseconds) of latency samples, plus the sample count."""
    ms = [s * 1000 for s in seconds]
    return {f"{prefix}.p50_ms": fig(round(percentile(ms, 50), 3), "ms", samples=len(ms)),
            f"{prefix}.p95_ms": fig(round(percentile(ms, 95), 3), "ms", samples=len(ms))}


def median(values):
    return statistics.median(values)


def scale_label(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


def project_env(**extra) -> dict:
    """Environment for child processes of the project (never inherits a data dir from the caller)."""
    env = dict(os.environ)
    env.pop("PLCS_DATA_DIR", None)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.setdefault("PYTHONWARNINGS", "ignore")
    # the benchmark datasets are plain folders built with `main.py demo`; new folders are encrypted by default
    # (issue 14), so opt out explicitly (a PLCS_PASSPHRASE given by a benchmark still encrypts its folder)
    env.setdefault("PLCS_NO_ENCRYPTION", "1")
    env.update({k: str(v) for k, v in extra.items()})
    return env
