"""Storage benchmarks: raw SQLite reference, list pages, filtered lists, search, save overhead, CSV import.

    .venv/bin/python -m bench.run --quick --only 'storage.*' --only sqlite.baseline

Lists and search run on the cached demo databases (bench/datasets.py: 10k quick; 100k and 1M full); save and
import run on private copies. Every feature is looked up at run time, so a missing one is "not available yet".
"""
from __future__ import annotations

import csv
import datetime as dt
import itertools
import random
import shutil
import sqlite3
import time
from pathlib import Path

from bench.common import benchmark, fig, latency_figures, require, resolve, scale_label, timed
from bench.datasets import demo_data_dir, working_copy

SEARCHES = ["nguyen van", "dang thi", "hoa giai", "dat dai", "tran duc", "luat hon nhan", "bao luc gia dinh",
            "le thi mai", "khe lanh", "tranh chap"]


def _pragmas():
    try:
        return dict(resolve("models.db:PRAGMAS"))
    except Exception:  # noqa: BLE001
        return {"journal_mode": "wal", "foreign_keys": 1, "synchronous": "normal"}


def _raw_connect(path):
    con = sqlite3.connect(str(path), isolation_level=None)
    for k, v in _pragmas().items():
        con.execute(f"PRAGMA {k}={v}" if not isinstance(v, str) else f"PRAGMA {k}='{v}'")
    return con


# --- raw SQLite reference (always available; the smoke test uses it) -------------------------------------------

@benchmark("sqlite.baseline", area="storage", runs=(3, 5), timeout=(60, 300))
def sqlite_baseline(ctx):
    """Raw sqlite3 with the app's pragmas: bulk insert, one row per transaction, FTS5 match (reference)."""
    n = 10_000 if ctx.quick else 200_000
    path = ctx.workdir / f"raw-{ctx.run_index}.db"
    con = _raw_connect(path)
    con.execute("CREATE TABLE ev (id TEXT PRIMARY KEY, date TEXT, commune TEXT, topic TEXT, participants INT)")
    con.execute("CREATE INDEX ev_date ON ev(date)")
    con.execute("CREATE VIRTUAL TABLE fts USING fts5(text, tokenize='unicode61 remove_diacritics 2')")
    rng = random.Random(1)
    rows = [(f"id{i:08d}", f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}", f"{7000 + i % 54:05d}",
             f"luat dat dai hoa giai {rng.choice(['nguyen', 'tran', 'le', 'dang'])} van {i}", i % 200)
            for i in range(n)]
    t0 = time.perf_counter()
    con.execute("BEGIN")
    con.executemany("INSERT INTO ev VALUES (?,?,?,?,?)", rows)
    con.executemany("INSERT INTO fts(rowid, text) VALUES (?,?)", [(i, r[3]) for i, r in enumerate(rows)])
    con.execute("COMMIT")
    bulk = time.perf_counter() - t0
    single = []
    for i in range(200):
        single.append(timed(lambda i=i: (con.execute("BEGIN"), con.execute(
            "INSERT INTO ev VALUES (?,?,?,?,?)", (f"s{ctx.run_index}-{i}", "2026-01-01", "07000", "x", 1)),
            con.execute("COMMIT"))))
    match = [timed(lambda t=t: con.execute("SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY rank LIMIT 50",
                                         (f'"{t}"*',)).fetchall()) for t in ["nguyen", "dang", "hoa", "tran"] * 25]
    page = [timed(lambda: con.execute("SELECT * FROM ev ORDER BY date DESC, id LIMIT 50 OFFSET 500").fetchall())
            for _ in range(100)]
    con.close()
    out = {"bulk_insert_rows_per_s": fig(round(2 * n / bulk), "rows/s", lower_is_better=False),
           "single_row_txn_ms": fig(round(sorted(single)[len(single) // 2] * 1000, 4), "ms")}
    out.update(latency_figures("fts_match_top50", match))
    out.update(latency_figures("page_by_date", page))
    return out


# --- lists and search on the demo databases -------------------------------------------------------------------

def _open(data_dir):
    require("services.data_dir.app:open_data_dir")
    return resolve("services.data_dir.app:open_data_dir")(data_dir)


def _list_bench(ctx, n: int):
    require("services.records.listing:list_page", "services.records.listing:ListQuery")
    from services.records.listing import ListQuery, list_page
    src = demo_data_dir(n)
    if "opened" not in ctx.state:
        t0 = time.perf_counter()
        _open(src)
        ctx.state["opened"] = time.perf_counter() - t0
    from models.records import DisseminationEvent, LegalAidCase, MediationCase
    communes = [r.commune_code for r in DisseminationEvent.select(DisseminationEvent.commune_code).distinct()
                .limit(20)]
    year = (DisseminationEvent.select(DisseminationEvent.date).order_by(DisseminationEvent.date.desc())
            .limit(1).scalar() or dt.date.today()).year
    rng = random.Random(ctx.run_index)
    reps = 20 if ctx.quick else 40
    kinds = ["legal-aid", "mediation", "dissemination"]
    first, deep, filtered, text = [], [], [], []
    for i in range(reps):
        kind = kinds[i % 3]
        first.append(timed(list_page, ListQuery(kind=kind)))
        deep.append(timed(list_page, ListQuery(kind=kind, page=rng.randint(2, 40))))
        filtered.append(timed(list_page, ListQuery(kind=kind, communes=[rng.choice(communes)], year=year)))
        text.append(timed(list_page, ListQuery(kind=kind, text=rng.choice(SEARCHES))))
    search = []
    if "search" not in ctx.state:
        try:
            ctx.state["search"] = resolve("services.records.search:search")
        except Exception:  # noqa: BLE001
            ctx.state["search"] = None
    if ctx.state["search"]:
        for i in range(reps * 2):
            search.append(timed(ctx.state["search"], SEARCHES[i % len(SEARCHES)]))
    out = {}
    out.update(latency_figures("list_first_page", first))
    out.update(latency_figures("list_deep_page", deep))
    out.update(latency_figures("list_filtered_commune_year", filtered))
    out.update(latency_figures("list_text_filter", text))
    if search:
        out.update(latency_figures("search_accent_insensitive", search))
    out["open_data_dir_s"] = fig(round(ctx.state["opened"], 4), "s")
    out["records"] = fig(sum(m.select().count() for m in (DisseminationEvent, LegalAidCase, MediationCase)), "rec")
    return out


for _n, _modes in ((10_000, ("quick",)), (100_000, ("full",)), (1_000_000, ("full",))):
    benchmark(f"storage.lists@{scale_label(_n)}", area="storage", modes=_modes, runs=(3, 5),
              timeout=(150, 2400), description=f"List page / filtered / search p50-p95 at {_n:,} records"
              )(lambda ctx, n=_n: _list_bench(ctx, n))


# --- save through the services vs raw inserts of the same rows ------------------------------------------------

def _tables(con):
    names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE "
                                       "'sqlite_%'")]
    fts = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'")}
    shadow = {n for n in names for f in fts if n.startswith(f + "_")}
    return [n for n in names if n not in shadow], fts


def _max_rowids(con):
    tables, _ = _tables(con)
    return {t: con.execute(f'SELECT coalesce(max(rowid), 0) FROM "{t}"').fetchone()[0] for t in tables}


PASSPHRASE = "bench-Mật-khẩu-2026!"


def _encrypted_base(ctx, src) -> tuple[Path, object]:
    """A copy of the demo folder encrypted with SQLCipher the way the app does it (services.security), once per
    child process, and its data key."""
    if "encrypted_base" not in ctx.state:
        from services.security import opening, vault
        base = working_copy(src, ctx.workdir, "encrypted-base")
        shutil.rmtree(base / "backups", ignore_errors=True)
        opening.enable_encryption(base, PASSPHRASE, strict=False)
        resolve("services.data_dir.app:close")()
        ctx.state["encrypted_base"] = (base, vault.unlock_key(base, passphrase=PASSPHRASE))
    return ctx.state["encrypted_base"]


def _connect(path, key=None):
    """sqlite3 (plain) or sqlcipher3 keyed with the data key (encrypted), with the app's pragmas."""
    if key is None:
        return _raw_connect(path)
    from models.crypto_db import connect_raw
    con = connect_raw(path, key)
    for k, v in _pragmas().items():
        con.execute(f"PRAGMA {k}={v}" if not isinstance(v, str) else f"PRAGMA {k}='{v}'")
    return con


@benchmark("storage.save_overhead", area="storage", runs=(3, 3), timeout=(150, 1200))
def save_overhead(ctx):
    """services.records.store.save (validation, audit, outbox, search, villages) vs raw inserts of the same rows."""
    return _save_overhead(ctx, encrypted=False)


@benchmark("storage.save_overhead_encrypted", area="storage", runs=(3, 3), timeout=(150, 1200))
def save_overhead_encrypted(ctx):
    """The same on a SQLCipher-encrypted folder: services vs raw inserts through SQLCipher with the same key."""
    return _save_overhead(ctx, encrypted=True)


def _save_overhead(ctx, encrypted: bool):
    require("services.records.store:save", "services.records.store:to_document", "services.data_dir.app:open_data_dir")
    from services.records import store
    n = 100 if ctx.quick else 500
    src = demo_data_dir(10_000 if ctx.quick else 100_000)
    key = None
    if encrypted:
        from services.security import opening
        base, key = _encrypted_base(ctx, src)
        data_dir = working_copy(base, ctx.workdir, f"save-{ctx.run_index}")
        raw_dir = working_copy(base, ctx.workdir, f"raw-{ctx.run_index}")
        app = opening.open_unlocked(data_dir, key, daily=False)
    else:
        data_dir = working_copy(src, ctx.workdir, f"save-{ctx.run_index}")
        raw_dir = working_copy(src, ctx.workdir, f"raw-{ctx.run_index}")
        app = _open(data_dir)
    from models.records import DisseminationEvent
    db_path = app.db_path
    template = store.to_document(DisseminationEvent.select().where(DisseminationEvent.deleted == False)  # noqa
                                   .order_by(DisseminationEvent.date.desc()).first())
    template = {k: v for k, v in template.items() if k not in ("id", "deleted", "last_modified")}
    con = _connect(db_path, key)
    before = _max_rowids(con)
    con.close()
    times = []
    for i in range(n):
        data = dict(template, topic=f"{template.get('topic', '')} #{i}", participants=20 + i % 50,
                    participants_women=10, participants_ethnic_minority=5)
        times.append(timed(store.save, "dissemination", data))
    # the rows those saves inserted, table by table
    con = _connect(db_path, key)
    tables, fts = _tables(con)
    new_rows = {}
    for t in tables:
        cols = [r[1] for r in con.execute(f'PRAGMA table_info("{t}")')]
        sel = ", ".join(["rowid"] + [f'"{c}"' for c in cols])
        rows = con.execute(f'SELECT {sel} FROM "{t}" WHERE rowid > ?', (before.get(t, 0),)).fetchall()
        if rows:
            new_rows[t] = (["rowid"] + cols, rows)
    con.close()
    resolve("models.db:close_database")()
    # replay: same engine, same pragmas, one transaction per record, all rows / the record row only
    raw = _connect(next(raw_dir.glob("*.db")), key)

    def replay(tables_rows):
        per_txn = {t: [rows[i::n] for i in range(n)] for t, (cols, rows) in tables_rows.items()}
        stmts = {t: f'INSERT INTO "{t}" ({", ".join(c if c == "rowid" else chr(34) + c + chr(34) for c in cols)}) '
                    f'VALUES ({", ".join("?" * len(cols))})' for t, (cols, rows) in tables_rows.items()}
        out = []
        for i in range(n):
            t0 = time.perf_counter()
            raw.execute("BEGIN")
            for t in tables_rows:
                raw.executemany(stmts[t], per_txn[t][i])
            raw.execute("COMMIT")
            out.append(time.perf_counter() - t0)
        return out
    rec_table = DisseminationEvent._meta.table_name
    raw_record = replay({rec_table: new_rows[rec_table]})
    raw.execute("BEGIN")
    raw.execute(f'DELETE FROM "{rec_table}" WHERE rowid > ?', (before.get(rec_table, 0),))
    raw.execute("COMMIT")
    raw_all = replay(new_rows)
    raw.close()
    med = lambda xs: sorted(xs)[len(xs) // 2] * 1000  # noqa: E731
    rows_per_save = sum(len(r) for _, r in new_rows.values()) / n
    ctx.note(f"{'SQLCipher (raw data key, as the app opens it); ' if encrypted else ''}"
             f"each save inserted {rows_per_save:.1f} rows on average into: "
             f"{', '.join(f'{t} ({len(r)})' for t, (_, r) in new_rows.items())}; rows updated in place "
             f"(sequences, villages) are not replayed")
    out = latency_figures("save_through_services", times)
    out.update({"raw_insert_same_rows_ms": fig(round(med(raw_all), 4), "ms"),
                "raw_insert_record_row_ms": fig(round(med(raw_record), 4), "ms"),
                "save_ms": fig(round(med(times), 4), "ms"),
                "overhead_vs_same_rows": fig(None, "x", ratio_of=["save_ms", "raw_insert_same_rows_ms"]),
                "overhead_vs_record_row": fig(None, "x", ratio_of=["save_ms", "raw_insert_record_row_ms"]),
                "rows_per_save": fig(round(rows_per_save, 2), "rows")})
    return out


# --- import of CSV rows -----------------------------------------------------------------------------------------

@benchmark("storage.import_csv", area="storage", runs=(1, 3), timeout=(150, 2400))
def import_csv(ctx):
    """All-or-nothing import of dissemination CSV rows (1,000 quick, 100,000 full) into an empty data folder."""
    require("services.records.importing:import_file", "services.records.exporting:export_file",
            "services.data_dir.app:open_data_dir")
    from services.records.exporting import export_file
    from services.records.importing import import_file
    n = 1_000 if ctx.quick else 100_000
    src = demo_data_dir(10_000 if ctx.quick else 100_000)
    if "csv" not in ctx.state:
        _open(working_copy(src, ctx.workdir, "export-src"))
        exported = ctx.workdir / "export.csv"
        export_file("dissemination", exported)
        with exported.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            fields = [c for c in reader.fieldnames if c != "id"]
            rows = [{k: r[k] for k in fields} for r in reader]
        path = ctx.workdir / f"import-{n}.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=fields)
            w.writeheader()
            for r in itertools.islice(itertools.cycle(rows), n):
                w.writerow(r)
        ctx.state["csv"] = path
        resolve("models.db:close_database")()
    target = ctx.workdir / f"import-dir-{ctx.run_index}"
    _open(target)
    t0 = time.perf_counter()
    result = import_file("dissemination", ctx.state["csv"])
    sec = time.perf_counter() - t0
    resolve("models.db:close_database")()
    created = getattr(result, "created", None)
    return {f"import_{scale_label(n)}_rows_s": fig(round(sec, 3), "s"),
            "rows_per_s": fig(round(n / sec), "rows/s", lower_is_better=False),
            "created": fig(created, "rec")}
