"""Demo databases for the benchmarks, built once with `main.py demo` and cached under bench/.cache/.

    from bench.datasets import demo_data_dir, working_copy
    src = demo_data_dir(100_000)        # bench/.cache/demo-g1-<schema>-p22-n100000-s1/ (built on first use)
    tmp = working_copy(src, workdir)    # a copy for benchmarks that write

The cache key holds services.data_dir.demo.GENERATOR_VERSION and the list of schema migrations, so a new generator or a
new migration builds fresh databases; stale ones are removed. Quick mode uses 10,000 records, full 100,000 and
1,000,000. A build is locked (fcntl) so two runs never build the same database at once.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.common import CACHE_DIR, PYTHON, ROOT, NotAvailable, project_env, resolve

PROVINCE = "22"
SEED = 1


def generator_version() -> str:
    mod = resolve("services.data_dir.demo")
    resolve("services.data_dir.demo:generate")
    version = getattr(mod, "GENERATOR_VERSION", None) or getattr(mod, "VERSION", None)
    if version is None:   # no explicit version: the generator's source is the version
        version = hashlib.sha1(Path(mod.__file__).read_bytes()).hexdigest()[:10]
    migrations = sorted(p.name for p in (ROOT / "models" / "migrations").glob("[0-9]*.py"))
    schema = hashlib.sha1("\n".join(migrations).encode()).hexdigest()[:8]
    return f"g{version}-{schema}"


def cache_key(records: int) -> str:
    return f"demo-{generator_version()}-p{PROVINCE}-n{records}-s{SEED}"


def demo_data_dir(records: int, timeout: int = 3600) -> Path:
    """Data folder holding a demo database of `records` records (built with the CLI on first use)."""
    if not (ROOT / "main.py").exists():
        raise NotAvailable("main.py does not exist yet")
    key = cache_key(records)
    target = CACHE_DIR / key
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with open(CACHE_DIR / f".{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (target / ".complete").exists():
            return target
        _remove_stale(records, keep=key)
        building = CACHE_DIR / f".{key}.building"
        shutil.rmtree(building, ignore_errors=True)
        building.mkdir()
        t0 = time.perf_counter()
        cmd = [PYTHON, str(ROOT / "main.py"), "--data-dir", str(building), "demo", "--province", PROVINCE,
               "--records", str(records), "--seed", str(SEED)]
        print(f"[bench] building demo database of {records:,} records (cached in {target.name})", file=sys.stderr)
        r = subprocess.run(cmd, cwd=ROOT, env=project_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           text=True, timeout=timeout)
        if r.returncode != 0:
            shutil.rmtree(building, ignore_errors=True)
            if "invalid choice" in r.stderr:
                raise NotAvailable("the `demo` command does not exist yet")
            raise RuntimeError(f"main.py demo failed ({r.returncode}): {r.stderr[-800:]}")
        _checkpoint(building)
        (building / ".complete").write_text(f"{records} records built in {time.perf_counter() - t0:.1f} s\n")
        os.replace(building, target)
    return target


def build_seconds(data_dir: Path) -> float | None:
    try:
        return float((data_dir / ".complete").read_text().split(" built in ")[1].split(" s")[0])
    except (OSError, IndexError, ValueError):
        return None


def _checkpoint(data_dir: Path) -> None:
    """Fold the WAL into the main file so copies are one file and reads start cold-but-clean."""
    import sqlite3
    for db in data_dir.glob("*.db"):
        try:
            con = sqlite3.connect(db)
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            con.close()
        except sqlite3.DatabaseError:   # encrypted database (SQLCipher): leave it as the app wrote it
            pass


def _remove_stale(records: int, keep: str) -> None:
    for old in CACHE_DIR.glob(f"demo-*-p{PROVINCE}-n{records}-s{SEED}"):
        if old.name != keep:
            shutil.rmtree(old, ignore_errors=True)
    for old in CACHE_DIR.glob(f".demo-*-p{PROVINCE}-n{records}-s{SEED}.lock"):
        if old.name != f".{keep}.lock":
            old.unlink(missing_ok=True)


def working_copy(src: Path, workdir: Path, name: str = "data") -> Path:
    """A private copy of a cached data folder (for benchmarks that write)."""
    dst = Path(workdir) / name
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".complete"))
    return dst


def scales(quick: bool) -> list[int]:
    return [10_000] if quick else [100_000, 1_000_000]
