"""Sync benchmarks: the project's engine and the raw Kinto protocol, side by side with PouchDB, same documents,
same run, ratios reported.

    .venv/bin/python -m bench.run --quick --only 'sync.*'
    .venv/bin/python -m bench.run --full --only 'sync.engine*'

The targets (bench/targets.json) are judged on the ENGINE (services.sync.sync_now) against the project's server
configuration (server/local.py: server/kinto.ini with the gzip filter): `sync.engine@300` (quick) and
`sync.engine@10k` (full) — first push, first pull, an officer's typical sync over the field link — and
`sync.engine_pull@100k` (full: a province desktop's first pull, server loaded in bulk through PostgreSQL).
`sync.loopback@*`, `sync.field@*`, `sync.pull@100k` and `sync.kinto_tuning` use bench/kinto_client.py (the bare
protocol, no engine, bench/kinto_server.py without the gzip filter): informative only. PouchDB side:
bench/pouchdb/replicate.js (express-pouchdb, leveldb). Both go through bench/netem_proxy.py: unshaped for loopback
(it only counts bytes), 300 ms RTT + 1 Mbit/s for the field link. Ratios are Kinto / PouchDB (below 1 = Kinto
faster / smaller). See bench/README.md "Sync".
"""
from __future__ import annotations

import json
import shutil
import subprocess
import time

from bench.common import BENCH_DIR, PYTHON, NotAvailable, benchmark, fig, require, resolve, scale_label
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


def pouch_round(ctx, data, link: str, gzip: bool, preload: bool, shape_all: bool = False) -> dict:
    """shape_all: every phase over the field link (the first push too), not only the incremental ones."""
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
            if shape_all:
                proxy.shape(*FIELD)
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


# superseded by sync.engine@10k (the engine over the same link); run by name: --full --only sync.field@10k
@benchmark("sync.field@10k", area="sync", modes=("manual",), runs=(1, 3), timeout=(120, 900))
def sync_field_full(ctx):
    """Officer's typical sync (100 up, 100 down) over a 300 ms / 1 Mbit/s link, Kinto vs PouchDB."""
    return _field(ctx, 10_000)


# superseded by sync.engine_pull@100k; run by name: --full --only sync.pull@100k
@benchmark("sync.pull@100k", area="sync", modes=("manual",), runs=(1, 3), timeout=(120, 1500))
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


WORKER_SETUPS = [("1proc_1client", "1 Kinto process, 1 client", 1, 1, "kinto.core.cache.memory"),
                 ("1proc_2clients", "1 Kinto process, 2 clients at once", 1, 2, "kinto.core.cache.memory"),
                 ("2procs_2clients", "2 Kinto processes, 2 clients at once (one each)", 2, 2,
                  "kinto.core.cache.memory"),
                 ("2procs_2clients_pgcache", "2 processes, 2 clients, shared PostgreSQL cache (production)", 2, 2,
                  "kinto.core.cache.postgresql")]


@benchmark("sync.kinto_workers", area="sync", modes=("full",), runs=(1, 3), timeout=(300, 1500))
def kinto_workers(ctx):
    """Write throughput with more Kinto worker processes: first pushes of 1,000 records per client, 1 or 2
    clients at once (each to its own collection), on 1 or 2 Kinto processes sharing one PostgreSQL."""
    import threading

    from bench.kinto_client import KintoClient
    from bench.kinto_server import KintoServer
    n = 1000
    out = {}
    for slug, label, procs, clients, cache in WORKER_SETUPS:
        with KintoServer(batch_max_requests=100, cache_backend=cache) as server:
            urls = [server.url] + [server.add_worker() for _ in range(procs - 1)]
            pushers = []
            for c in range(clients):
                server.ensure_collection("tune", f"records{c}")
                docs = synthetic_documents(n, seed=11 + c)
                pushers.append((KintoClient(urls[c % procs], server.auth, "tune", f"records{c}", batch_size=100),
                                docs))
            errors = []

            def push(client, docs, errors=errors):
                try:
                    client.push(docs)
                except Exception as exc:  # noqa: BLE001 — reported below
                    errors.append(exc)
            threads = [threading.Thread(target=push, args=p) for p in pushers]
            t0 = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            seconds = time.perf_counter() - t0
            if errors:
                raise errors[0]
        out[f"{slug}.records_per_s"] = fig(round(clients * n / seconds, 1), "rec/s", lower_is_better=False,
                                           label=label)
        out[f"{slug}.ms_per_rec"] = fig(round(seconds * 1000 / (clients * n), 3), "ms", label=label)
    for slug, *_ in WORKER_SETUPS[1:]:
        out.update(ratio(f"{slug}.throughput_vs_1proc_1client", "1proc_1client.ms_per_rec", f"{slug}.ms_per_rec"))
    ctx.note("throughput ratios: 1proc_1client ms/record divided by the setup's (above 1 = more records per "
             "second); batches of 100; the machine has 2 cores for Kinto, PostgreSQL and the clients")
    return out


# --- the project's engine (services.sync.sync_now): what the targets are judged on --------------------------------

ENGINE_PW = "bench-officer-pw-2026"


def engine_site(ctx, pairs: int):
    """One project server per child (server/local.py: server/kinto.ini, gzip filter, guard plugin), province 22
    bootstrapped for `pairs` pairs of communes; officers officer-a-<r>/officer-b-<r> (both communes of pair r)
    and a supervisor. Each run uses its own pair, so every run's first push and first pull start empty."""
    if "engine_site" not in ctx.state:
        require("services.sync:sync_now", "services.data_dir.demo:generate", "server.bootstrap:ServerAdmin",
                "server.local:LocalServer", "services.data_dir.app:save_profile")
        from server.bootstrap import ServerAdmin
        from server.local import LocalServer
        from services.admin_units import communes
        codes = [c.code for c in communes("22")][:2 * pairs]
        srv = LocalServer.create(batch_max_requests=int(ctx.params.get("batch_max_requests", 100)))
        ctx.state.setdefault("_cleanup", []).append(srv.close)
        srv.start()
        admin = ServerAdmin(srv.url, srv.admin)
        admin.bootstrap("22", communes=codes)
        for r in range(pairs):
            for dev in ("a", "b"):
                admin.ensure_account(f"officer-{dev}-{r}", ENGINE_PW)
                admin.assign_officer(f"officer-{dev}-{r}", codes[2 * r:2 * r + 2], province="22")
        admin.ensure_account("supervisor", ENGINE_PW)
        admin.add_supervisor("supervisor", "22")
        ctx.state["engine_site"] = {"server": srv, "codes": codes}
    return ctx.state["engine_site"]


def _device(ctx, name: str, communes: list[str], role: str = "officer"):
    from services.data_dir import app
    path = ctx.workdir / f"{name}-{ctx.run_index}"
    app.open_data_dir(path)
    app.save_profile({"full_name": f"Bench {name}", "role": role, "communes": communes, "province_code": "22"})
    return path


def _move_to_communes(communes: list[str]) -> None:
    """Demo records are spread over the whole province; an officer's device holds its own communes only."""
    from models.records import SYNCED_MODELS, Officer
    for model in SYNCED_MODELS:
        if "commune_code" in model._meta.fields:
            model.update(commune_code=communes[0]).where(model.id < "8").execute()
            model.update(commune_code=communes[-1]).where(model.id >= "8").execute()
    Officer.update(communes=communes).execute()


def _docs_of(instances) -> list[dict]:
    from services.records.store import to_document
    out = []
    for inst in instances:
        d = to_document(inst)
        d["id"], d["kind"] = inst.id, inst.KIND
        out.append(d)
    return out


def _all_docs() -> list[dict]:
    from models.records import SYNCED_MODELS
    return _docs_of(inst for model in SYNCED_MODELS for inst in model.select())


def _queued_docs() -> list[dict]:
    """The documents waiting in the outbox (what the next sync pushes), for PouchDB's side."""
    from models.records import MODEL_BY_KIND, Outbox
    out = []
    for row in Outbox.select():
        model = MODEL_BY_KIND.get(row.kind)
        inst = model.get_or_none(model.id == row.record_id) if model else None
        if inst is not None:
            out.extend(_docs_of([inst]))
    return out


class _Timed:
    """Runs sync_now through the byte-counting proxy and records seconds, records, requests, bytes."""

    def __init__(self, proxy, prefix: str, out: dict):
        self.proxy, self.prefix, self.out = proxy, prefix, out

    def __call__(self, label: str, user: str, direction: str | None = None):
        from services.sync import sync_now
        self.proxy.reset()
        t0 = time.perf_counter()
        s = sync_now(f"http://127.0.0.1:{self.proxy.port}/v1", user, ENGINE_PW)
        sec = time.perf_counter() - t0
        st = self.proxy.stats()
        moved = s.sent if direction == "push" else s.received if direction == "pull" else s.sent + s.received
        p, o = self.prefix, self.out
        o[f"{p}.engine.{label}_s"] = fig(round(sec, 4), "s")
        o[f"{p}.engine.{label}_records"] = fig(moved, "rec")
        o[f"{p}.engine.{label}_requests"] = fig(s.requests, "req")
        o[f"{p}.engine.{label}_bytes_per_rec"] = fig(round((st["up_bytes"] + st["down_bytes"]) / max(1, moved), 1), "B")
        if s.errors:
            raise RuntimeError(f"{label}: {len(s.errors)} sync errors, first: {s.errors[0]}")
        return s


def _engine_officer(ctx, n: int):
    """Officer devices A and B share two communes (9 collections each). A's first push of a demo database of n
    records, B's first pull (loopback), then the typical sync: A and B each edit 100 dissemination events (each
    edit also makes an audit entry), A syncs, then B syncs over the field link — pushing its 200 documents and
    pulling A's 200. PouchDB replicates the same documents (same edits and audit entries) in the same run."""
    from bench.netem_proxy import ProxyProcess
    from services.records import store
    from services.sync import sync_now
    runs = ctx.params.get("runs_hint", 3)
    site = engine_site(ctx, runs)
    srv, r = site["server"], ctx.run_index % runs
    communes = site["codes"][2 * r:2 * r + 2]
    user_a, user_b = f"officer-a-{r}", f"officer-b-{r}"
    p = f"engine@{scale_label(n)}"
    out: dict = {}
    _device(ctx, "device-a", communes)
    resolve("services.data_dir.demo:generate")("22", n, seed=1, queue_for_sync=True)
    _move_to_communes(communes)
    docs = _all_docs()
    with ProxyProcess(srv.port) as proxy:
        timed = _Timed(proxy, p, out)
        timed("push", user_a, "push")                       # A: first push
        _device(ctx, "device-b", communes)
        timed("pull", user_b, "pull")                       # B: first pull (a new device)
        ids = sorted(d["id"] for d in docs if d["kind"] == "dissemination")
        k = min(100, len(ids) // 2)
        for rid in ids[k:2 * k]:
            store.save("dissemination", {"notes": "Cập nhật bởi thiết bị B"}, record_id=rid)
        changed = _queued_docs()
        from services.data_dir import app
        app.open_data_dir(ctx.workdir / f"device-a-{ctx.run_index}")
        for rid in ids[:k]:
            store.save("dissemination", {"notes": "Cập nhật bởi thiết bị A"}, record_id=rid)
        others = _queued_docs()
        sync_now(srv.url, user_a, ENGINE_PW)                # A: its edits reach the server (direct)
        app.open_data_dir(ctx.workdir / f"device-b-{ctx.run_index}")
        proxy.shape(*FIELD)
        s = timed("field_typical_sync", user_b)            # B: 200 up, 200 down over the field link
        proxy.shape(0, 0)
        out[f"{p}.engine.field_typical_sync_sent"] = fig(s.sent, "rec")
        out[f"{p}.engine.field_typical_sync_received"] = fig(s.received, "rec")
    resolve("models.db:close_database")()
    # PouchDB: same documents, same edits (and audit entries), same proxy
    d = ctx.workdir / f"pouch-{ctx.run_index}"
    d.mkdir()
    data = {"docs": docs, "files": {"docs": write_jsonl(d / "docs.jsonl", docs),
                                    "changed": write_jsonl(d / "changed.jsonl", changed),
                                    "others": write_jsonl(d / "others.jsonl", others)}}
    ph = pouch_round(ctx, data, "field", True, False)
    q = f"{p}.pouchdb_gzip"
    for phase, count in (("push", len(docs)), ("pull", len(docs))):
        out[f"{q}.{phase}_s"] = fig(round(ph[phase]["seconds"], 4), "s")
        out[f"{q}.{phase}_requests"] = fig(ph[phase]["requests"], "req")
        out[f"{q}.{phase}_bytes_per_rec"] = fig(
            round((ph[phase]["bytes_in"] + ph[phase]["bytes_out"]) / count, 1), "B")
    inc = [ph["incr_push"], ph["incr_pull"]]
    out[f"{q}.field_typical_sync_s"] = fig(round(sum(x["seconds"] for x in inc), 4), "s")
    out[f"{q}.field_typical_sync_requests"] = fig(sum(x["requests"] for x in inc), "req")
    out[f"{q}.field_typical_sync_bytes_per_rec"] = fig(
        round(sum(x["bytes_in"] + x["bytes_out"] for x in inc) / (len(changed) + len(others)), 1), "B")
    for ph_name in ("push", "pull", "field_typical_sync"):
        out.update(ratio(f"{p}.ratio.{ph_name}_time", f"{p}.engine.{ph_name}_s", f"{q}.{ph_name}_s"))
        out.update(ratio(f"{p}.ratio.{ph_name}_bytes", f"{p}.engine.{ph_name}_bytes_per_rec",
                         f"{q}.{ph_name}_bytes_per_rec"))
    out[f"{p}.engine.push_ms_per_rec"] = fig(round(out[f"{p}.engine.push_s"]["value"] * 1000 / len(docs), 3), "ms")
    ctx.note(f"{len(docs):,} documents (demo of {n:,} records: cases, persons, teams, sessions, events, audit) in "
             f"two communes; typical sync: officer B pushes {len(changed)} documents ({k} edited events + their "
             f"audit entries) and pulls the {len(others)} of officer A; PouchDB replicates the same documents; "
             f"field link {FIELD[0]} ms RTT, {FIELD[1]} kbit/s (bench/netem_proxy.py); push and pull on loopback "
             f"through the same proxy (byte counts); Kinto = server/kinto.ini (gzip filter on)")
    return out


@benchmark("sync.engine@300", area="sync", modes=("quick",), runs=(1, 3), timeout=(150, 900), runs_hint=3)
def sync_engine_quick(ctx):
    """services.sync vs PouchDB, same documents: first push, first pull (loopback) and an officer's typical
    sync (100 edits up + 100 down, with audit entries) over the 300 ms / 1 Mbit/s field link."""
    ensure_node_modules()
    return _engine_officer(ctx, 300)


@benchmark("sync.engine@10k", area="sync", modes=("full",), runs=(1, 3), timeout=(600, 1800), runs_hint=3)
def sync_engine_10k(ctx):
    """services.sync vs PouchDB at 10,000 demo records: first push, first pull, typical sync over the field link."""
    ensure_node_modules()
    return _engine_officer(ctx, 10_000)


def _bulk_docs(n: int) -> list[dict]:
    """n documents (persons and dissemination events, no foreign keys) cloned from the cached 10k demo database
    with fresh ids: what a province's server holds after years of work."""
    import uuid

    from bench.datasets import demo_data_dir
    from models.records import DisseminationEvent, Person
    from services.data_dir import app
    app.open_data_dir(demo_data_dir(10_000))
    base = _docs_of(list(Person.select()) + list(DisseminationEvent.select()))
    resolve("models.db:close_database")()
    out = []
    for i in range(n):
        d = dict(base[i % len(base)])
        d["id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"plcs-bench/{i}"))
        out.append(d)
    return out


def _bulk_load_engine(srv, docs: list[dict], communes: list[str]) -> None:
    """The documents into Kinto's PostgreSQL storage in one COPY (wire form, as the engine would send them);
    Kinto's trigger gives each row its timestamp, as tests/test_sync.py does."""
    import io

    import psycopg2

    from models.records import MODEL_BY_KIND
    from services.sync.documents import user_fields, wire_document
    buf = io.StringIO()
    for i, d in enumerate(docs):
        kind = d["kind"]
        doc = {key: d.get(key if key in d else fld.name) for key, fld in user_fields(kind)}
        doc = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in doc.items()}
        data = json.dumps(wire_document(kind, doc), ensure_ascii=False, separators=(",", ":"), default=str)
        data = data.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
        parent = f"/buckets/c-{communes[i % len(communes)]}/collections/{MODEL_BY_KIND[kind].COLLECTION}"
        buf.write(f"{d['id']}\t{parent}\trecord\t{data}\tf\n")
    buf.seek(0)
    with psycopg2.connect(srv.database_url) as conn, conn.cursor() as cur:
        cur.copy_expert("COPY objects (id, parent_id, resource_name, data, deleted) FROM STDIN", buf)
    conn.close()


@benchmark("sync.engine_pull@100k", area="sync", modes=("full",), runs=(1, 3), timeout=(600, 1800))
def sync_engine_pull_100k(ctx):
    """A province desktop's first pull of 100,000 records with services.sync (server loaded in bulk through
    PostgreSQL) vs PouchDB's first pull of the same documents, both over loopback."""
    ensure_node_modules()
    from bench.netem_proxy import ProxyProcess
    n = 100_000
    site = engine_site(ctx, 3)
    if "bulk100k" not in ctx.state:
        docs = _bulk_docs(n)
        _bulk_load_engine(site["server"], docs, site["codes"])
        d = ctx.workdir / "bulk100k"
        d.mkdir()
        ctx.state["bulk100k"] = {"docs": docs, "files": {"docs": write_jsonl(d / "docs.jsonl", docs),
                                                          "changed": write_jsonl(d / "c.jsonl", []),
                                                          "others": write_jsonl(d / "o.jsonl", [])}}
    data = ctx.state["bulk100k"]
    p, out = "pull@100k", {}
    with ProxyProcess(site["server"].port) as proxy:
        _device(ctx, "province", site["codes"], role="supervisor")
        _Timed(proxy, p, out)("pull", "supervisor", "pull")
    resolve("models.db:close_database")()
    ph = pouch_round(ctx, data, "loopback", True, True)["pull"]
    out[f"{p}.pouchdb_gzip.pull_s"] = fig(round(ph["seconds"], 4), "s")
    out[f"{p}.pouchdb_gzip.pull_requests"] = fig(ph["requests"], "req")
    out[f"{p}.pouchdb_gzip.pull_bytes_per_rec"] = fig(round((ph["bytes_in"] + ph["bytes_out"]) / n, 1), "B")
    out.update(ratio(f"{p}.ratio.pull_time", f"{p}.engine.pull_s", f"{p}.pouchdb_gzip.pull_s"))
    out.update(ratio(f"{p}.ratio.pull_bytes", f"{p}.engine.pull_bytes_per_rec", f"{p}.pouchdb_gzip.pull_bytes_per_rec"))
    ctx.note(f"{n:,} persons and dissemination events (cloned from the 10k demo database) in {len(site['codes'])} "
             f"commune buckets; supervisor account; engine and PouchDB both through the byte-counting proxy")
    return out


# --- issue 19: first push through the bulk endpoint (server/kinto_bulk.py) vs /batch vs PouchDB ---------------------

def _server_peak_rss_mb(server) -> float | None:
    """Peak resident memory (VmHWM) of the Kinto process so far."""
    try:
        with open(f"/proc/{server.kinto.pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def kinto_push(ctx, server, data, mode: str, link: str, tag: str) -> dict:
    """One first push of data["docs"] into an empty collection by bench/bulk_client.py (its own process, streaming
    the JSONL file) through the byte-counting proxy, shaped as the field link when link == "field"."""
    from bench.netem_proxy import ProxyProcess
    bucket = f"bulk-{tag}-{mode}-{ctx.run_index}"
    server.ensure_collection(bucket, "records")
    with ProxyProcess(server.port) as proxy:
        if link == "field":
            proxy.shape(*FIELD)
        proxy.reset()
        r = subprocess.run([PYTHON, "-m", "bench.bulk_client", f"http://127.0.0.1:{proxy.port}/v1", *server.auth,
                            bucket, "records", str(data["files"]["docs"]), mode], capture_output=True, text=True,
                           cwd=BENCH_DIR.parent)
        st = proxy.stats()
    if r.returncode != 0:
        raise RuntimeError(f"bench.bulk_client {mode}: {r.stderr[-500:]}")
    res = json.loads(r.stdout.strip().splitlines()[-1])
    assert res["records"] == len(data["docs"]), res
    return {"seconds": res["seconds"], "requests": res["requests"], "bytes_in": st["up_bytes"],
            "bytes_out": st["down_bytes"], "client_peak_rss_mb": res["client_peak_rss_mb"]}


def _push_figures(p: str, side: str, ph: dict, n: int) -> dict:
    out = {f"{p}.{side}.push_s": fig(round(ph["seconds"], 4), "s"),
           f"{p}.{side}.push_requests_per_1k_rec": fig(round(ph["requests"] * 1000 / n, 2), "req"),
           f"{p}.{side}.push_bytes_up_per_rec": fig(round(ph["bytes_in"] / n, 1), "B"),
           f"{p}.{side}.push_bytes_down_per_rec": fig(round(ph["bytes_out"] / n, 1), "B")}
    if "client_peak_rss_mb" in ph:
        out[f"{p}.{side}.client_peak_rss_mb"] = fig(ph["client_peak_rss_mb"], "MB")
    return out


BATCH_SAMPLE = 2000


def _bulk_vs(ctx, n: int, link: str) -> dict:
    ensure_node_modules()
    data = dataset(ctx, n)
    server = kinto(ctx, batch_max_requests=100)       # the project's batch limit (server/kinto.ini)
    p = f"bulk_{link}@{scale_label(n)}"
    out = {}
    out.update(_push_figures(p, "kinto_bulk", kinto_push(ctx, server, data, "bulk", link, link[:2]), n))
    # /batch costs ~7–10 ms a record (minutes at 10k on a loaded 2-core machine): above BATCH_SAMPLE records it
    # pushes the first BATCH_SAMPLE and its time is scaled to n (labelled; per-record costs are flat, see
    # server/README.md "Write throughput")
    m = min(n, BATCH_SAMPLE)
    sample = data if m == n else {"docs": data["docs"][:m],
                                  "files": {"docs": write_jsonl(ctx.workdir / f"sample{m}.jsonl", data["docs"][:m])}}
    batch = _push_figures(p, "kinto_batch", kinto_push(ctx, server, sample, "batch", link, link[:2]), m)
    if m < n:
        batch[f"{p}.kinto_batch.push_s"] = fig(round(batch[f"{p}.kinto_batch.push_s"]["value"] * n / m, 2), "s",
                                               label=f"first {m:,} records pushed, time scaled to {n:,}")
    out.update(batch)
    pouch = pouch_round(ctx, data, link, False, False, shape_all=(link == "field"))
    out.update(_push_figures(p, "pouchdb", pouch["push"], n))
    out.update(ratio(f"{p}.ratio.bulk_vs_pouchdb_time", f"{p}.kinto_bulk.push_s", f"{p}.pouchdb.push_s"))
    out.update(ratio(f"{p}.ratio.batch_vs_pouchdb_time", f"{p}.kinto_batch.push_s", f"{p}.pouchdb.push_s"))
    out.update(ratio(f"{p}.ratio.bulk_vs_batch_time", f"{p}.kinto_bulk.push_s", f"{p}.kinto_batch.push_s"))
    out.update(ratio(f"{p}.ratio.bulk_vs_pouchdb_bytes_up", f"{p}.kinto_bulk.push_bytes_up_per_rec",
                     f"{p}.pouchdb.push_bytes_up_per_rec"))
    ctx.note(f"first push of {n:,} documents into an empty collection: Kinto bulk (POST …/bulk, 1,000 records a "
             f"request), Kinto /batch (100 PUT If-None-Match a request) and PouchDB (replicate.to, batches of 100), "
             f"no request compression on either side, {'field link ' + str(FIELD) if link == 'field' else 'loopback'}"
             f" through bench/netem_proxy.py; the Kinto client is bench/bulk_client.py in its own process")
    return out


@benchmark("sync.bulk_loopback@10k", area="sync", modes=("full",), runs=(1, 3), timeout=(300, 900))
def sync_bulk_loopback_10k(ctx):
    """First push of 10,000 documents over loopback: Kinto bulk endpoint vs Kinto /batch vs PouchDB (issue 19)."""
    return _bulk_vs(ctx, 10_000, "loopback")


@benchmark("sync.bulk_loopback@1k", area="sync", modes=("quick",), runs=(1, 3), timeout=(150, 600))
def sync_bulk_loopback_1k(ctx):
    """First push of 1,000 documents over loopback: Kinto bulk vs Kinto /batch vs PouchDB (CI size)."""
    return _bulk_vs(ctx, 1000, "loopback")


@benchmark("sync.bulk_field@1k", area="sync", modes=("quick", "full"), runs=(1, 3), timeout=(300, 900))
def sync_bulk_field_1k(ctx):
    """First push of 1,000 documents over the field link (300 ms, 1 Mbit/s): Kinto bulk vs /batch vs PouchDB."""
    return _bulk_vs(ctx, 1000, "field")


@benchmark("sync.bulk_push@100k", area="sync", modes=("full",), runs=(1, 1), timeout=(900, 1500))
def sync_bulk_push_100k(ctx):
    """First push of 100,000 documents through the bulk endpoint (loopback): time, requests, bytes, server and
    client peak RSS (a fresh Kinto process)."""
    from bench.kinto_server import KintoServer
    n = 100_000
    data = dataset(ctx, n)
    p = "bulk_push@100k"
    with KintoServer(batch_max_requests=100, cache_backend="kinto.core.cache.memory") as server:
        before = _server_peak_rss_mb(server)
        out = _push_figures(p, "kinto_bulk", kinto_push(ctx, server, data, "bulk", "loopback", "big"), n)
        out[f"{p}.kinto_bulk.server_peak_rss_mb"] = fig(_server_peak_rss_mb(server), "MB")
        out[f"{p}.kinto_bulk.server_rss_at_start_mb"] = fig(before, "MB")
    out[f"{p}.kinto_bulk.records_per_s"] = fig(round(n / out[f"{p}.kinto_bulk.push_s"]["value"], 1), "rec/s",
                                               lower_is_better=False)
    ctx.note("100,000 documents, 1,000 a request; the client streams them from a JSONL file (one request's "
             "records in memory); server peak RSS = VmHWM of the Kinto process, fresh for this benchmark")
    return out
