"""Sync benchmarks: Kinto + PostgreSQL side by side with PouchDB, same documents, same run, ratios reported.

    .venv/bin/python -m bench.run --quick --only 'sync.*'

Kinto side: bench/kinto_client.py (the sync issue's protocol: batched PUT with preconditions, `_since` paging)
against a throwaway server (bench/kinto_server.py); the project's own engine is measured by `sync.engine` once
services.sync and the `sync` command exist. PouchDB side: bench/pouchdb/replicate.js (express-pouchdb, leveldb).
Both go through bench/netem_proxy.py: unshaped for loopback (it only counts bytes), 300 ms RTT + 1 Mbit/s for
the field link. Ratios are Kinto / PouchDB (below 1 = Kinto faster / smaller).
"""
from __future__ import annotations

import json
import shutil
import subprocess
import time

from bench.common import BENCH_DIR, NotAvailable, benchmark, fig, require, resolve, scale_label
from bench.docs import edits, mean_size, synthetic_documents, write_jsonl

POUCH_DIR = BENCH_DIR / "pouchdb"
FIELD = (300, 1000)   # RTT ms, kbit/s per direction


# --- shared setup ---------------------------------------------------------------------------------------------

def ensure_node_modules() -> None:
    if not shutil.which("node"):
        raise NotAvailable("node is not installed")
    if not (POUCH_DIR / "node_modules" / "express-pouchdb").exists():
        r = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=POUCH_DIR,
                           capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            raise NotAvailable(f"npm ci in bench/pouchdb failed: {r.stderr[-300:]}")


def dataset(ctx, n: int):
    """Documents + the 100 the officer edits + the 100 another device edits, as JSONL files (cached per child)."""
    key = f"docs{n}"
    if key not in ctx.state:
        docs = synthetic_documents(n)
        k = min(100, n // 4)
        changed, others = edits(docs[:k], "officer"), edits(docs[k:2 * k], "other-device")
        d = ctx.workdir / key
        d.mkdir(exist_ok=True)
        ctx.state[key] = {"docs": docs, "changed": changed, "others": others,
                          "files": {"docs": write_jsonl(d / "docs.jsonl", docs),
                                    "changed": write_jsonl(d / "changed.jsonl", changed),
                                    "others": write_jsonl(d / "others.jsonl", others)}}
        ctx.note(f"{n:,} synthetic documents, mean {mean_size(docs):.0f} bytes of compact UTF-8 JSON")
    return ctx.state[key]


def kinto(ctx, **opts):
    key = "kinto:" + json.dumps(opts, sort_keys=True)
    if key not in ctx.state:
        from bench.kinto_server import KintoServer
        server = KintoServer(**opts).start()
        ctx.state.setdefault("_cleanup", []).append(server.stop)
        ctx.state[key] = server
    return ctx.state[key]


# --- one round on each side -----------------------------------------------------------------------------------

def kinto_round(ctx, server, data, link: str, preload: bool, tag: str) -> dict:
    from bench.kinto_client import KintoClient
    from bench.netem_proxy import ProxyProcess
    docs, n = data["docs"], len(data["docs"])
    bucket = f"bench-{tag}-{ctx.run_index}-{link}"
    out = {}
    with ProxyProcess(server.port) as proxy:
        via = f"http://127.0.0.1:{proxy.port}/v1"

        def measure(name, fn, client):
            proxy.reset()
            r0 = client.requests
            t0 = time.perf_counter()
            fn()
            sec = time.perf_counter() - t0
            s = proxy.stats()
            out[name] = {"seconds": sec, "requests": client.requests - r0,
                         "bytes_in": s["up_bytes"], "bytes_out": s["down_bytes"]}

        if preload:
            server.bulk_load(bucket, "records", docs)
        else:
            server.ensure_collection(bucket, "records")
            a = KintoClient(via, server.auth, bucket, "records")
            measure("push", lambda: a.push(docs), a)
        b = KintoClient(via, server.auth, bucket, "records")
        measure("pull", lambda: b.pull(), b)
        other = KintoClient(server.url, server.auth, bucket, "records")   # another device, direct
        other.known = dict(b.known)
        other.push(data["others"])
        if link == "field":
            proxy.shape(*FIELD)
        measure("incr_pull", lambda: b.pull(), b)            # Kinto clients pull first, then push
        measure("incr_push", lambda: b.push(data["changed"]), b)
        assert len(b.known) == n
    return out


def pouch_round(ctx, data, link: str, gzip: bool, preload: bool) -> dict:
    from bench.netem_proxy import ProxyProcess
    f = data["files"]
    cmd = ["node", str(POUCH_DIR / "replicate.js"), "--docs", str(f["docs"]), "--changed", str(f["changed"]),
           "--others", str(f["others"]), "--wait-url"]
    cmd += ["--gzip"] if gzip else []
    cmd += ["--preload"] if preload else []
    cmd += ["--pause-before-incr"] if link == "field" else []
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=POUCH_DIR)
    try:
        port = json.loads(proc.stdout.readline())["port"]
        with ProxyProcess(port) as proxy:
            proc.stdin.write(f"http://127.0.0.1:{proxy.port}\n")
            proc.stdin.flush()
            while True:
                line = proc.stdout.readline()
                if not line:
                    raise RuntimeError(f"replicate.js exited with {proc.wait()}")
                msg = json.loads(line)
                if msg.get("event") == "before_incr":
                    proxy.shape(*FIELD)
                    proc.stdin.write("go\n")
                    proc.stdin.flush()
                elif "phases" in msg:
                    break
        proc.wait(timeout=60)
        return msg["phases"]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def figures_for(prefix: str, side: str, phases: dict, n: int, k: int) -> dict:
    out = {}
    for ph, count in (("push", n), ("pull", n), ("incr_push", k), ("incr_pull", k)):
        if ph not in phases:
            continue
        p = phases[ph]
        out[f"{prefix}.{side}.{ph}_s"] = fig(round(p["seconds"], 4), "s")
        out[f"{prefix}.{side}.{ph}_requests"] = fig(p["requests"], "req")
        out[f"{prefix}.{side}.{ph}_bytes_per_rec"] = fig(round((p["bytes_in"] + p["bytes_out"]) / count, 1), "B")
    if "incr_push" in phases and "incr_pull" in phases:
        out[f"{prefix}.{side}.incr_total_s"] = fig(round(phases["incr_push"]["seconds"] +
                                                        phases["incr_pull"]["seconds"], 4), "s")
    return out


def ratio(name: str, a: str, b: str) -> dict:
    return {name: fig(None, "x", ratio_of=[a, b])}


# --- benchmarks -----------------------------------------------------------------------------------------------

def _loopback(ctx, n: int):
    ensure_node_modules()
    data = dataset(ctx, n)
    k = len(data["changed"])
    server = kinto(ctx)
    p = f"loopback@{scale_label(n)}"
    out = figures_for(p, "kinto", kinto_round(ctx, server, data, "loopback", False, "lb"), n, k)
    out.update(figures_for(p, "pouchdb", pouch_round(ctx, data, "loopback", False, False), n, k))
    out.update(figures_for(p, "pouchdb_gzip", pouch_round(ctx, data, "loopback", True, False), n, k))
    for ph in ("push", "pull", "incr_total"):
        out.update(ratio(f"{p}.ratio.{ph}_time", f"{p}.kinto.{ph}_s", f"{p}.pouchdb.{ph}_s"))
    for ph in ("push", "pull"):
        out.update(ratio(f"{p}.ratio.{ph}_bytes", f"{p}.kinto.{ph}_bytes_per_rec", f"{p}.pouchdb.{ph}_bytes_per_rec"))
    out.update(ratio(f"{p}.ratio.pull_bytes_vs_gzip", f"{p}.kinto.pull_bytes_per_rec",
                     f"{p}.pouchdb_gzip.pull_bytes_per_rec"))
    out[f"{p}.kinto.push_ms_per_rec"] = fig(round(out[f"{p}.kinto.push_s"]["value"] * 1000 / n, 3), "ms")
    return out


@benchmark("sync.loopback@500", area="sync", modes=("quick",), runs=(1, 3), timeout=(150, 600))
def sync_loopback_quick(ctx):
    """First push / first pull / incremental 100, Kinto vs PouchDB over loopback (500 docs, CI size)."""
    return _loopback(ctx, 500)


@benchmark("sync.loopback@10k", area="sync", modes=("full",), runs=(1, 3), timeout=(120, 900))
def sync_loopback_10k(ctx):
    """First push / first pull / incremental 100, Kinto vs PouchDB over loopback (10,000 docs)."""
    return _loopback(ctx, 10_000)


def _field(ctx, n: int):
    ensure_node_modules()
    data = dataset(ctx, n)
    k = len(data["changed"])
    server = kinto(ctx)
    p = f"field@{scale_label(n)}"
    kin = kinto_round(ctx, server, data, "field", True, "fl")
    pou = pouch_round(ctx, data, "field", True, True)
    out = {}
    for side, phases in (("kinto", kin), ("pouchdb_gzip", pou)):
        out.update({key: v for key, v in figures_for(p, side, phases, n, k).items() if ".incr" in key})
    out.update(ratio(f"{p}.ratio.incr_total_time", f"{p}.kinto.incr_total_s", f"{p}.pouchdb_gzip.incr_total_s"))
    out.update(ratio(f"{p}.ratio.incr_push_bytes", f"{p}.kinto.incr_push_bytes_per_rec",
                     f"{p}.pouchdb_gzip.incr_push_bytes_per_rec"))
    out.update(ratio(f"{p}.ratio.incr_pull_bytes", f"{p}.kinto.incr_pull_bytes_per_rec",
                     f"{p}.pouchdb_gzip.incr_pull_bytes_per_rec"))
    ctx.note(f"field link: {FIELD[0]} ms RTT, {FIELD[1]} kbit/s each way (bench/netem_proxy.py); the officer "
             f"pushes {k} edited records and pulls {k} edited by another device")
    return out


@benchmark("sync.field@1k", area="sync", modes=("quick",), runs=(1, 3), timeout=(120, 600))
def sync_field_quick(ctx):
    """Officer's typical sync (100 up, 100 down) over a 300 ms / 1 Mbit/s link, Kinto vs PouchDB."""
    return _field(ctx, 1000)


@benchmark("sync.field@10k", area="sync", modes=("full",), runs=(1, 3), timeout=(120, 900))
def sync_field_full(ctx):
    """Officer's typical sync (100 up, 100 down) over a 300 ms / 1 Mbit/s link, Kinto vs PouchDB."""
    return _field(ctx, 10_000)


@benchmark("sync.pull@100k", area="sync", modes=("full",), runs=(1, 3), timeout=(120, 1500))
def sync_pull_100k(ctx):
    """Province desktop's first pull of 100,000 records (server loaded in bulk), Kinto vs PouchDB."""
    ensure_node_modules()
    n = 100_000
    data = dataset(ctx, n)
    server = kinto(ctx)
    p = "loopback@100k"
    out = {k: v for k, v in figures_for(p, "kinto", kinto_round(ctx, server, data, "loopback", True, "pull"),
                                        n, 100).items() if ".pull" in k}
    out.update({k: v for k, v in figures_for(p, "pouchdb_gzip", pouch_round(ctx, data, "loopback", True, True),
                                             n, 100).items() if ".pull" in k})
    out.update(ratio(f"{p}.ratio.pull_time", f"{p}.kinto.pull_s", f"{p}.pouchdb_gzip.pull_s"))
    out.update(ratio(f"{p}.ratio.pull_bytes", f"{p}.kinto.pull_bytes_per_rec", f"{p}.pouchdb_gzip.pull_bytes_per_rec"))
    return out


TUNING = [("default", "batch 25, PostgreSQL cache, 8 threads", {}),
          ("batch_100", "batch_max_requests=100", {"batch_max_requests": 100, "batch": 100}),
          ("batch_500", "batch_max_requests=500", {"batch_max_requests": 500, "batch": 500}),
          ("memory_cache", "memory cache backend", {"cache_backend": "kinto.core.cache.memory"}),
          ("threads_2", "waitress threads=2", {"threads": 2}),
          ("pg_buffers_nojit", "PostgreSQL shared_buffers=256MB, jit off",
           {"pg_settings": {"shared_buffers": "256MB", "jit": "off"}})]


@benchmark("sync.kinto_tuning", area="sync", modes=("full",), runs=(1, 3), timeout=(300, 1500))
def kinto_tuning(ctx):
    """First push of 1,000 records to Kinto under each tuning knob (ms per record, ratio to the default)."""
    from bench.kinto_client import KintoClient
    from bench.kinto_server import KintoServer
    n = 500 if ctx.quick else 1000
    docs = synthetic_documents(n, seed=7)
    out = {}
    for slug, label, opts in TUNING:
        opts = dict(opts)
        batch = opts.pop("batch", 25)
        with KintoServer(**opts) as server:
            server.ensure_collection("tune", "records")
            c = KintoClient(server.url, server.auth, "tune", "records", batch_size=batch)
            t0 = time.perf_counter()
            c.push(docs)
            ms = (time.perf_counter() - t0) * 1000 / n
        out[f"{slug}.push_ms_per_rec"] = fig(round(ms, 3), "ms", label=label)
    for slug, _, _ in TUNING[1:]:
        out.update(ratio(f"{slug}.vs_default", f"{slug}.push_ms_per_rec", "default.push_ms_per_rec"))
    return out


def _engine_device(ctx, name: str, records: int, communes: list[str]):
    """A data folder for one device (optionally with demo records queued for sync), made current."""
    from services import app
    path = ctx.workdir / f"{name}-{ctx.run_index}"
    app.open_data_dir(path)
    app.save_profile({"full_name": f"Bench {name}", "role": "admin", "communes": communes, "province_code": "22"})
    if records:
        resolve("services.demo:generate")("22", records, seed=1, queue_for_sync=True)
    return path


def _documents_of_current_db() -> list[dict]:
    from models.records import SYNCED_MODELS
    from services.records import to_document
    docs = []
    for model in SYNCED_MODELS:
        for inst in model.select():
            d = to_document(inst)
            d["id"], d["kind"] = inst.id, model.KIND
            docs.append(d)
    return docs


@benchmark("sync.engine", area="sync", modes=("full",), runs=(1, 3), timeout=(300, 1500))
def sync_engine(ctx):
    """The project's sync engine (services.sync.sync_now) vs PouchDB on the same documents: first push, first
    pull, and the typical sync (100 pushed + 100 pulled) over loopback and the field link."""
    require("services.sync:sync_now", "services.demo:generate", "services.records:to_document",
            "server.bootstrap:ServerAdmin", "services.app:save_profile")
    from bench.netem_proxy import ProxyProcess
    from server.bootstrap import ServerAdmin
    from services import app, records
    from services.sync import sync_now
    ensure_node_modules()
    # the engine moves ~50 ms per document today (see the report): 1,000 demo records (~1,600 documents) keep the
    # full run inside its 45-minute budget; raise this when the engine gets faster
    n = 300 if ctx.quick else 1000
    link = "loopback" if ctx.quick else "field"     # the field link costs ~1 min per run: full mode only
    # a fresh server per run: every run's first push and first pull start from an empty server
    from bench.kinto_server import KintoServer
    from services.admin_units import communes
    codes = [c.code for c in communes("22")]
    server = KintoServer().start()
    ctx.state.setdefault("_cleanup", []).append(server.stop)
    ServerAdmin(server.url, server.auth).bootstrap("22")
    user, pw = server.auth
    out = {}
    p = f"engine@{scale_label(n)}"
    with ProxyProcess(server.port) as proxy:
        via = f"http://127.0.0.1:{proxy.port}/v1"

        def timed_sync(label, count_label):
            proxy.reset()
            t0 = time.perf_counter()
            summary = sync_now(via, user, pw)
            sec = time.perf_counter() - t0
            st = proxy.stats()
            moved = max(1, summary.sent + summary.received)
            out[f"{p}.kinto_engine.{label}_s"] = fig(round(sec, 4), "s")
            out[f"{p}.kinto_engine.{label}_records"] = fig(summary.sent + summary.received, "rec")
            out[f"{p}.kinto_engine.{label}_requests"] = fig(summary.requests, "req")
            out[f"{p}.kinto_engine.{label}_bytes_per_rec"] = fig(
                round((st["up_bytes"] + st["down_bytes"]) / moved, 1), "B")
            if summary.errors:
                ctx.note(f"{label}: {len(summary.errors)} sync errors, first: {summary.errors[0]}")
            return summary

        # device A: the demo records, first push (before it, collect the same documents for PouchDB)
        _engine_device(ctx, "device-a", n, codes)
        docs = _documents_of_current_db()
        timed_sync("push", "sent")
        # device B: a new province desktop, first pull
        _engine_device(ctx, "device-b", 0, codes)
        timed_sync("pull", "received")
        # the other device (A) edits 100 dissemination events and syncs; then B edits 100 and syncs over the link
        ids = sorted(d["id"] for d in docs if d["kind"] == "dissemination")[:200]
        for rid in ids[100:200]:
            records.save("dissemination", {"notes": "Cập nhật bởi thiết bị B"}, record_id=rid)
        app.open_data_dir(ctx.workdir / f"device-a-{ctx.run_index}")
        for rid in ids[:100]:
            records.save("dissemination", {"notes": "Cập nhật bởi thiết bị A"}, record_id=rid)
        sync_now(server.url, user, pw)
        app.open_data_dir(ctx.workdir / f"device-b-{ctx.run_index}")
        if link == "field":
            proxy.shape(*FIELD)
        timed_sync(f"{link}_typical_sync", "sent")
    resolve("models.db:close_database")()
    server.stop()
    # PouchDB on the same documents, same run
    by_id = {d["id"]: d for d in docs}
    changed = edits([by_id[i] for i in ids[100:200] if i in by_id], "device-b")
    others = edits([by_id[i] for i in ids[:100] if i in by_id], "device-a")
    d = ctx.workdir / f"pouch-{ctx.run_index}"
    d.mkdir()
    data = {"docs": docs, "changed": changed, "others": others,
            "files": {"docs": write_jsonl(d / "docs.jsonl", docs), "changed": write_jsonl(d / "changed.jsonl", changed),
                      "others": write_jsonl(d / "others.jsonl", others)}}
    pl = pouch_round(ctx, data, "loopback", True, False)
    pf = pouch_round(ctx, data, "field", True, True) if link == "field" else pl
    out.update({k: v for k, v in figures_for(p, "pouchdb_gzip", pl, len(docs), len(changed)).items()
                if k.endswith((".push_s", ".pull_s", "push_bytes_per_rec", ".pull_bytes_per_rec"))})
    out[f"{p}.pouchdb_gzip.{link}_typical_sync_s"] = fig(
        round(pf["incr_push"]["seconds"] + pf["incr_pull"]["seconds"], 4), "s")
    out.update(ratio(f"{p}.ratio.push_time", f"{p}.kinto_engine.push_s", f"{p}.pouchdb_gzip.push_s"))
    out.update(ratio(f"{p}.ratio.pull_time", f"{p}.kinto_engine.pull_s", f"{p}.pouchdb_gzip.pull_s"))
    out.update(ratio(f"{p}.ratio.{link}_typical_sync_time", f"{p}.kinto_engine.{link}_typical_sync_s",
                     f"{p}.pouchdb_gzip.{link}_typical_sync_s"))
    out.update(ratio(f"{p}.ratio.pull_bytes", f"{p}.kinto_engine.pull_bytes_per_rec",
                     f"{p}.pouchdb_gzip.pull_bytes_per_rec"))
    out.update(ratio(f"{p}.ratio.push_bytes", f"{p}.kinto_engine.push_bytes_per_rec",
                     f"{p}.pouchdb_gzip.push_bytes_per_rec"))
    ctx.note(f"{len(docs):,} documents (demo of {n:,} records + persons, teams, sessions), "
             f"role admin; PouchDB replicates the same documents (services.records.to_document)")
    return out
