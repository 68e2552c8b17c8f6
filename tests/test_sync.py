"""Sync engine (services/sync) against the real Kinto + PostgreSQL of tests/kinto_server.py — no mocks.

Each test gets its own commune bucket(s) and accounts (kinto_bucket / kinto_bucket_factory) and two or three
separate client data folders. services.data_dir.app holds one current database, so `Client.use()` switches the current
data folder (open_data_dir) before each step; the steps of a test run one client at a time.
"""
from __future__ import annotations

import gzip
import json
import os
import socket
import threading
import time

import pytest
import requests

from models.records import Outbox, Person
from services import sync
from services.data_dir import app
from services.errors import UsageError
from services.records import outbox, store
from services.sync import SyncOptions, apply
from services.sync.documents import local_document
from services.sync.merge import merge3
from tests.cut_proxy import CutProxy

FAST = SyncOptions(page_size=50, attempts=4, backoff=0.05, max_backoff=0.3)


# --- helpers (also used by tests/test_sync_properties.py) ---------------------------------------------------------
class Client:
    """One device: its own data folder, account and profile. `use()` makes it the current app context."""

    def __init__(self, path, site, account=None, communes=None, role="officer", name="client"):
        self.path, self.site, self.name = path, site, name
        self.account = account or site.officer
        self.profile = {"full_name": f"Cán bộ {name}", "communes": list(communes or site.communes[:1]),
                        "role": role}
        os.makedirs(path, exist_ok=True)
        self.use()

    def use(self):
        ctx = app.open_data_dir(self.path)
        if ctx.profile != self.profile:
            app.save_profile(self.profile)
        return self

    def sync(self, options=FAST, **kw):
        self.use()
        return sync.sync_now(kw.pop("url", self.site.url), self.account.user, self.account.password,
                             options=options, **kw)

    def snapshot(self, kinds=("person", "legal-aid", "mediation", "audit")) -> dict:
        """{(kind, id): (False, canonical document)} of every live record of these kinds. Deleted records are
        left out: a tombstone, a record deleted before it ever reached the server and a record never seen are
        the same state ("not there")."""
        self.use()
        from models.records import MODEL_BY_KIND
        out = {}
        for kind in kinds:
            model = MODEL_BY_KIND[kind]
            for inst in model.alive():
                out[(kind, inst.id)] = (False, local_document(inst))
        return out


def server_records(site, collection="persons", commune=None, auth=None) -> list[dict]:
    url = site.records_url(collection, commune)
    out, params = [], {"_limit": 10000}
    with requests.Session() as s:
        s.trust_env = False
        while url:
            r = s.get(url, params=params, auth=auth or site.admin, timeout=60)
            r.raise_for_status()
            out += r.json()["data"]
            url, params = r.headers.get("Next-Page"), None
    return out


def new_person(name, **extra):
    return store.save("person", {"full_name": name, **extra})


def edit(kind, rid, **values):
    return store.save(kind, values, record_id=rid)


def gzip_body(headers, body: bytes) -> bytes:
    return gzip.decompress(body) if headers.get("Content-Encoding") == "gzip" else body


def assert_converged(*clients, kinds=("person", "audit")):
    snaps = [c.snapshot(kinds) for c in clients]
    for other in snaps[1:]:
        assert other == snaps[0]
    return snaps[0]


def assert_server_matches(site, client, collection="persons", kind="person", commune=None):
    """Server holds exactly the client's records (no duplicate, none missing), tombstones for deletes."""
    snap = client.snapshot((kind,))
    on_server = server_records(site, collection, commune)
    ids = [r["id"] for r in on_server]
    assert len(ids) == len(set(ids))
    alive_local = {rid for (k, rid) in snap}
    assert set(ids) == alive_local
    return on_server


@pytest.fixture
def clients(tmp_path, kinto_bucket):
    def make(n=2, **kw):
        return [Client(tmp_path / f"dev{i}", kinto_bucket, name=f"dev{i}", **kw) for i in range(n)]
    return make


def person_on_two_devices(clients, name, **fields):
    """The start of the two-device tests: A creates a person and syncs, B syncs it in. Returns (a, b, its id)."""
    a, b = clients(2)
    a.use()
    pid = new_person(name, **fields).id
    a.sync()
    b.sync()
    return a, b, pid


@pytest.fixture(autouse=True, params=["bulk", "batch"])
def push_path(request, monkeypatch):
    """Every sync test runs on both push paths: the bulk endpoint (server/kinto_bulk.py, used when GET /v1/ lists
    it) and /batch (a server without the plugin)."""
    from services.sync import bulk
    monkeypatch.setattr(bulk, "ENABLED", request.param == "bulk")
    return request.param


@pytest.fixture(autouse=True)
def _close_app():
    yield
    app.close()


# --- merge (pure) -------------------------------------------------------------------------------------------------
def test_merge3_rules():
    base = {"a": 1, "b": 1, "c": 1, "h": [1]}
    merged, conflicts = merge3(base, {"a": 2, "b": 1, "c": 3, "h": [1, 2]}, {"a": 1, "b": 5, "c": 4, "h": [1, 3]})
    assert merged == {"a": 2, "b": 5, "c": 4, "h": [1, 3]}
    assert conflicts == [("c", 3, 4, 1), ("h", [1, 2], [1, 3], [1])]
    merged, conflicts = merge3(base, {**base, "status_history": [1, 2]}, {**base, "status_history": [1, 3]})
    assert merged["status_history"] == [1, 3, 2] and not conflicts
    merged, conflicts = merge3(None, {"a": 1, "b": 2}, {"a": 1, "b": 3})
    assert merged == {"a": 1, "b": 3} and conflicts == [("b", 2, 3, None)]


# --- convergence and merges ---------------------------------------------------------------------------------------
def test_two_clients_converge_after_offline_edits(clients, kinto_bucket):
    a, b = clients(2)
    a.use()
    ids = [new_person(f"Người số {i}", notes="ban đầu").id for i in range(6)]
    s = a.sync()
    assert s.sent == 12 and s.errors == []        # 6 persons + 6 audit entries
    s = b.sync()
    assert s.received == 12 and s.sent == 0
    # both work offline
    a.use()
    edit("person", ids[0], notes="A sửa")
    edit("person", ids[1], address="Thôn Nà Phặc")
    store.delete("person", ids[2])
    a_new = new_person("Lò Thị Mai").id
    b.use()
    edit("person", ids[3], notes="B sửa")
    edit("person", ids[1], village="Bản Chang")
    b_new = new_person("Hoàng Văn Páo").id
    for c in (a, b, a):
        s = c.sync()
        assert s.errors == []
    snap = assert_converged(a, b)
    assert snap[("person", ids[0])][1]["notes"] == "A sửa"
    assert snap[("person", ids[3])][1]["notes"] == "B sửa"
    assert snap[("person", ids[1])][1]["address"] == "Thôn Nà Phặc"
    assert snap[("person", ids[1])][1]["village"] == "Bản Chang"
    assert ("person", ids[2]) not in snap
    assert ("person", a_new) in snap and ("person", b_new) in snap
    on_server = assert_server_matches(kinto_bucket, a)
    assert len(on_server) == 7
    tombstones = server_records_since(kinto_bucket, "persons")
    assert any(r["id"] == ids[2] and r.get("deleted") for r in tombstones)
    # audit entries travel to the bucket of the record they describe (append-only, one per change)
    audit_ids = {r["id"] for r in server_records(kinto_bucket, "audit_entries")}
    assert audit_ids == {rid for (k, rid) in a.snapshot(("audit",))}
    for c in (a, b):
        c.use()
        assert outbox.pending_total() == 0
        assert sync.list_conflicts() == []


def server_records_since(site, collection, since=0):
    with requests.Session() as s:
        s.trust_env = False
        r = s.get(site.records_url(collection), params={"_since": since, "_limit": 10000}, auth=site.admin)
        return r.json()["data"]


def test_edits_of_different_fields_merge(clients):
    a, b, pid = person_on_two_devices(clients, "Đặng Văn Đức", notes="gốc", address="gốc")
    a.use()
    edit("person", pid, notes="ghi chú của A")
    b.use()
    edit("person", pid, address="địa chỉ của B", phone="0912345678")
    a.sync()
    s = b.sync()
    assert s.merged == 1 and s.conflicts == 0
    a.sync()
    snap = assert_converged(a, b)
    doc = snap[("person", pid)][1]
    assert (doc["notes"], doc["address"], doc["phone"]) == ("ghi chú của A", "địa chỉ của B", "0912345678")
    for c in (a, b):
        c.use()
        assert sync.list_conflicts() == []


def test_same_field_gives_one_conflict_with_both_values(clients, capsys):
    a, b, pid = person_on_two_devices(clients, "Triệu Thị Hoa", notes="gốc")
    a.use()
    edit("person", pid, notes="giá trị A", address="A đổi địa chỉ")
    b.use()
    edit("person", pid, notes="giá trị B")
    a.sync()
    s = b.sync()
    assert s.conflicts == 1 and s.open_conflicts == 1
    b.use()
    [c] = sync.list_conflicts()
    assert (c["kind"], c["id"], c["field"]) == ("person", pid, "notes")
    assert (c["local"], c["remote"], c["base"]) == ("giá trị B", "giá trị A", "gốc")
    # policy: the record keeps the server's value until someone resolves the conflict; other fields merged
    person = store.get("person", pid)
    assert person.notes == "giá trị A" and person.address == "A đổi địa chỉ"
    # the CLI lists it (contract keys)
    from cli import run
    assert run(["conflicts", "--json", "--data-dir", str(b.path)]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [{k: x[k] for k in ("kind", "id", "field", "local", "remote", "base")} for x in listed] == [
        {"kind": "person", "id": pid, "field": "notes", "local": "giá trị B", "remote": "giá trị A", "base": "gốc"}]
    a.sync()
    assert_converged(a, b)          # converged on the server value while the conflict is open
    # resolving with the local value re-queues it; everyone gets it
    b.use()
    assert run(["conflicts", "resolve", str(c["conflict_id"]), "--choice", "local", "--data-dir", str(b.path)]) == 0
    assert sync.list_conflicts() == []
    assert outbox.pending_total() >= 1
    b.sync()
    a.sync()
    snap = assert_converged(a, b)
    assert snap[("person", pid)][1]["notes"] == "giá trị B"
    a.use()
    assert sync.list_conflicts() == []
    b.use()
    with pytest.raises(UsageError) as already:
        sync.resolve_conflict(c["conflict_id"], "remote")
    assert already.value.en == f"Conflict {c['conflict_id']} is already resolved."


def test_conflict_resolved_with_typed_value(clients):
    a, b, pid = person_on_two_devices(clients, "Vàng A Dế", phone="0911111111")
    a.use()
    edit("person", pid, phone="0922222222")
    b.use()
    edit("person", pid, phone="0933333333")
    a.sync()
    b.sync()
    b.use()
    [c] = sync.list_conflicts()
    sync.resolve_conflict(c["conflict_id"], "value", value="0944444444")
    b.sync()
    a.sync()
    assert assert_converged(a, b)[("person", pid)][1]["phone"] == "0944444444"


def test_edit_against_remote_delete_is_a_conflict_not_a_resurrection(clients, kinto_bucket):
    a, b, pid = person_on_two_devices(clients, "Lý Văn Sáu", notes="gốc")
    a.use()
    store.delete("person", pid)
    b.use()
    edit("person", pid, notes="B vẫn sửa")
    a.sync()
    s = b.sync()
    assert s.conflicts == 1
    b.use()
    [c] = sync.list_conflicts()
    assert (c["field"], c["local"], c["remote"]) == ("deleted", False, True)
    assert c["document"]["notes"] == "B vẫn sửa"              # the edit is kept for review
    assert store.get("person", pid, include_deleted=True).deleted is True
    a.sync()
    b.sync()
    snap = assert_converged(a, b)
    assert ("person", pid) not in snap                         # deleted everywhere, not resurrected
    assert pid not in {r["id"] for r in server_records(kinto_bucket)}
    # a third device that never saw the record gets the tombstone only
    c3 = Client(b.path.parent / "dev-late", kinto_bucket, name="late")
    c3.sync()
    c3.use()
    assert Person.get_or_none(Person.id == pid) is None
    # restoring the edited version is an explicit decision
    b.use()
    sync.resolve_conflict(c["conflict_id"], "local")
    b.sync()
    a.sync()
    c3.sync()
    snap = assert_converged(a, b, c3, kinds=("person",))
    assert snap[("person", pid)][0] is False and snap[("person", pid)][1]["notes"] == "B vẫn sửa"


def test_delete_from_an_older_copy_is_held_as_a_conflict_then_the_editor_is_told(clients, kinto_bucket):
    """Issue 16 §4: B deletes from a copy older than A's synced edit. The delete is a conflict on B's side,
    showing A's edit, before it reaches the server; A's record is untouched. When B deletes anyway, A's next
    sync reports it (a notice in the summary and the list) and A can restore the record."""
    a, b, pid = person_on_two_devices(clients, "Sùng A Lử", notes="gốc")
    a.use()
    edit("person", pid, notes="A sửa trước")
    b.use()
    store.delete("person", pid)
    a.sync()
    s = b.sync()
    assert s.conflicts == 1 and s.errors == []
    b.use()
    [c] = sync.list_conflicts()
    assert (c["field"], c["local"], c["remote"]) == ("deleted", True, False)
    assert c["document"]["notes"] == "A sửa trước"
    assert store.get("person", pid).notes == "A sửa trước"          # B sees the newer edit, not deleted
    assert pid in {r["id"] for r in server_records(kinto_bucket)}      # the delete never reached the server
    s = a.sync()
    assert s.notices == []
    snap = assert_converged(a, b)
    assert snap[("person", pid)][1]["notes"] == "A sửa trước"
    # B decides to delete after all: A is told on the next sync and can restore it
    b.use()
    sync.resolve_conflict(c["conflict_id"], "local")
    b.sync()
    assert pid not in {r["id"] for r in server_records(kinto_bucket)}
    s = a.sync()
    assert [(n["notice"], n["id"]) for n in s.notices] == [("deleted_edit", pid)]
    a.use()
    [n] = sync.list_notices()
    assert n["notice"] == "deleted_edit" and n["detail"]["document"]["notes"] == "A sửa trước"
    assert "xoá" in n["text"]["vi"]
    assert store.get("person", pid, include_deleted=True).deleted is True
    sync.restore_notice(n["notice_id"])
    assert sync.list_notices() == []
    a.sync()
    b.sync()
    snap = assert_converged(a, b, kinds=("person",))
    assert snap[("person", pid)][1]["notes"] == "A sửa trước"


def test_delete_from_an_up_to_date_copy_goes_through(clients, kinto_bucket):
    """The other order of §4's README: B deletes from the newest copy: no conflict, deleted everywhere."""
    a, b, pid = person_on_two_devices(clients, "Lò Văn Bảy", notes="gốc")
    b.use()
    store.delete("person", pid)
    s = b.sync()
    assert s.conflicts == 0 and s.errors == []
    a.sync()
    assert ("person", pid) not in assert_converged(a, b)


# --- interruptions ------------------------------------------------------------------------------------------------
# Every way a link can break a message (issue 16 §1): where the cut falls, with or without garbage bytes.
CUTS = [("down", "bytes", 6000, False), ("up", "bytes", 800, False),
        ("down", "status", 5, False), ("down", "headers", 0, False), ("down", "body", 0, False),
        ("down", "status", 0, True), ("down", "headers", 0, True), ("down", "body", 0, True),
        ("up", "status", 5, False), ("up", "headers", 0, False), ("up", "body", 0, False),
        ("up", "body", 0, True)]
STRESS_RUNS = int(os.environ.get("PLCS_CUT_RUNS", "50"))


@pytest.mark.parametrize("parallel", [False, True], ids=["serial-push", "parallel-push"])
def test_connection_cut_mid_batch_resumes_without_loss_or_duplicates(clients, kinto_bucket, kinto_server,
                                                                      parallel):
    """50 syncs in a row (PLCS_CUT_RUNS), each with its first push batch cut: in the status line, the headers,
    the body, with garbage bytes, on the request or the response. Every run ends without error, nothing lost,
    nothing twice; the other device converges. The parallel variant has several push batches on the wire."""
    a, b = clients(2)
    options = SyncOptions(page_size=50, attempts=6, backoff=0.02, max_backoff=0.2,
                          push_parallel=3 if parallel else 1, pipeline_min_rtt=0.0)
    proxy = CutProxy(kinto_server.port)
    made: list[str] = []
    try:
        for run in range(STRESS_RUNS):
            direction, where, after, garbage = CUTS[run % len(CUTS)]
            if run >= len(CUTS):
                after = min(after, 400)      # later rounds push 12 records, not 60: smaller batches
            a.use()
            made += [new_person(f"Người {run}-{i}", notes="x" * 40).id for i in range(12 if run else 60)]

            def progress(phase, done, total, run=run, direction=direction, after=after, where=where,
                         garbage=garbage):      # this round's cut, bound now (called during this round's sync)
                if phase == "push" and done == 0 and proxy.cuts == run and proxy.armed is None:
                    proxy.arm(direction, after, where=where, garbage=garbage)   # inside the first push batch

            label = f"run {run}: {direction} {where} {after} garbage={garbage}"
            s = a.sync(url=proxy.url, progress=progress, options=options)
            assert proxy.cuts == run + 1, label
            assert s.errors == [], label
            if direction == "down" and where == "body":
                assert s.rounds >= 2, label   # the batch had landed; its re-send got 412 and a pull matched it
            a.use()
            assert outbox.pending_total() == 0, label
            on_server = assert_server_matches(kinto_bucket, a)
            assert {r["id"] for r in on_server} == set(made), label
        assert len(server_records(kinto_bucket, "audit_entries")) == len(made)
        b.sync()
        assert_converged(a, b)
    finally:
        proxy.close()


def test_connection_cut_with_no_retry_left_then_resume(clients, kinto_bucket, kinto_server, push_path):
    a, b = clients(2)
    proxy = CutProxy(kinto_server.port)
    try:
        a.use()
        ids = [new_person(f"Người {i}").id for i in range(40)]
        no_retry = SyncOptions(page_size=50, attempts=1)

        def progress(phase, done, total):
            # /batch: the 2nd batch's response is lost; bulk (one chunk of 80 here): the chunk's response is lost
            if phase == "push" and done == (25 if push_path == "batch" else 0) and proxy.cuts == 0:
                proxy.arm("down", 2000 if push_path == "batch" else 300)

        with pytest.raises(sync.OfflineError) as err:
            a.sync(url=proxy.url, progress=progress, options=no_retry)
        assert err.value.category == "offline" and err.value.exit_code == 5
        a.use()
        assert 0 < outbox.pending_total() < 80 if push_path == "batch" else outbox.pending_total() == 80
        assert sync.status()["last_error"]["category"] == "offline"
        s = a.sync(url=proxy.url)
        assert s.errors == []
        a.use()
        assert outbox.pending_total() == 0
        assert {r["id"] for r in assert_server_matches(kinto_bucket, a)} == set(ids)
        b.sync()
        assert_converged(a, b)
    finally:
        proxy.close()


def test_server_restart_mid_sync_resumes(clients, kinto_bucket, kinto_server):
    a, b = clients(2)
    a.use()
    ids = [new_person(f"Người {i}").id for i in range(80)]
    state = {"stopped": False}

    def progress(phase, done, total):
        if phase == "push" and done >= 25 and not state["stopped"]:
            state["stopped"] = True
            kinto_server.stop(kill=True)                    # a crash in the middle of the push
            state["timer"] = threading.Timer(0.5, kinto_server.start)
            state["timer"].start()

    patient = SyncOptions(page_size=50, attempts=12, backoff=0.2, max_backoff=1.0)
    try:
        s = a.sync(progress=progress, options=patient)
    finally:
        if "timer" in state:
            state["timer"].join()
        kinto_server.start()
    assert state["stopped"] and s.errors == []
    a.use()
    assert outbox.pending_total() == 0
    assert {r["id"] for r in assert_server_matches(kinto_bucket, a)} == set(ids)
    # the server goes away for longer than the retries: a clean offline error, then a resumed sync
    a.use()
    for pid in ids[:30]:
        edit("person", pid, notes="sửa khi máy chủ tắt")
    kinto_server.stop()
    try:
        with pytest.raises(sync.OfflineError):
            a.sync()
    finally:
        kinto_server.start()
    s = a.sync()
    assert s.sent == 60 and s.errors == []
    b.sync()
    snap = assert_converged(a, b)
    assert sum(1 for (k, _), (_, d) in snap.items() if k == "person" and d["notes"] == "sửa khi máy chủ tắt") == 30


def test_sigkill_mid_push_transaction_then_next_sync_completes(clients, kinto_bucket, kinto_server, push_path):
    """Kinto SIGKILLed while a push transaction is open in PostgreSQL (a bulk request, or a /batch): that
    transaction leaves all or none of its records, and the client's next sync completes with no loss and no
    duplicate (issue 19)."""
    import psycopg2
    a, = clients(1)
    a.use()
    ids = [new_person(f"Người {i}").id for i in range(300)]
    conn = psycopg2.connect(kinto_server.database_url)
    conn.autocommit = True
    state = {"pushing": threading.Event(), "killed": False}

    def killer():
        state["pushing"].wait(60)
        with conn.cursor() as cur:
            for _ in range(4000):
                cur.execute("SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                            "AND state <> 'idle' AND (query ILIKE '%%INSERT INTO objects%%' OR "
                            "query ILIKE '%%UPDATE objects%%' OR query ILIKE '%%pg_advisory_xact_lock%%')")
                if cur.fetchone()[0]:
                    kinto_server.stop(kill=True)
                    state["killed"] = True
                    break
                time.sleep(0.002)
        time.sleep(0.5)
        kinto_server.start()

    def progress(phase, done, total):
        if phase == "push":
            state["pushing"].set()

    t = threading.Thread(target=killer)
    t.start()
    patient = SyncOptions(page_size=50, attempts=12, backoff=0.2, max_backoff=1.0)
    try:
        s = a.sync(progress=progress, options=patient)
    finally:
        t.join()
        kinto_server.start()
        conn.close()
    assert state["killed"] and s.errors == []
    s = a.sync()
    assert s.errors == [] and s.sent == 0
    a.use()
    assert outbox.pending_total() == 0
    assert {r["id"] for r in assert_server_matches(kinto_bucket, a)} == set(ids)


def test_pull_interrupted_mid_page_keeps_checkpoint_consistent(clients, kinto_bucket, monkeypatch):
    a, b = clients(2)
    a.use()
    for i in range(30):
        new_person(f"Người {i}")
    a.sync()
    calls = {"n": 0}
    real = apply.apply_remote_many

    def flaky(kind, items):
        calls["n"] += 1
        if calls["n"] == 2:                   # the second page: half of it is written, then the power goes
            real(kind, items[:5])
            raise RuntimeError("power cut while applying a page")
        return real(kind, items)

    monkeypatch.setattr(apply, "apply_remote_many", flaky)
    small = SyncOptions(page_size=10, attempts=2, backoff=0.05)
    with pytest.raises(RuntimeError):
        b.sync(options=small)
    b.use()
    from models.sync_state import SyncBase, SyncCheckpoint
    assert Person.select().count() == 10                  # the first page only; the second was rolled back
    assert SyncBase.select().where(SyncBase.kind == "person").count() == 10
    assert SyncCheckpoint.get(bucket=kinto_bucket.bucket, collection="persons").since > 0
    monkeypatch.setattr(apply, "apply_remote_many", real)
    s = b.sync(options=small)
    assert s.errors == []
    assert_converged(a, b)


def test_edit_made_during_sync_stays_queued(clients, monkeypatch):
    """A record is read and sent; while its batch is on the wire the officer edits it again. The server's answer
    acknowledges only the version that was sent (queued_before), so the new edit stays queued and travels next."""
    from services.sync.http import KintoHTTP
    a, b = clients(2)
    a.use()
    pid = new_person("Giàng Thị Dua", notes="trước").id
    real_batch = KintoHTTP.batch
    state = {}

    def batch_with_concurrent_edit(self, subrequests, defaults=None):
        if not state and any(pid in sub["path"] and sub["method"] == "PUT" for sub in subrequests):
            state["edited"] = True
            edit("person", pid, notes="sửa trong lúc đồng bộ")
        return real_batch(self, subrequests, defaults)

    monkeypatch.setattr(KintoHTTP, "batch", batch_with_concurrent_edit)
    from services.sync.bulk import BulkPusher
    real_send = BulkPusher.send

    def send_with_concurrent_edit(self, subrequests):
        if not state and any(pid in sub["path"] and sub["method"] == "PUT" for sub in subrequests):
            state["edited"] = True
            edit("person", pid, notes="sửa trong lúc đồng bộ")
        return real_send(self, subrequests)

    monkeypatch.setattr(BulkPusher, "send", send_with_concurrent_edit)
    s = a.sync()
    assert state and s.errors == []
    a.use()
    assert ("person", pid) in {(r.kind, r.record_id) for r in Outbox.select()}   # still queued
    assert {r["id"]: r for r in server_records(a.site)}[pid]["notes"] == "trước"
    monkeypatch.setattr(KintoHTTP, "batch", real_batch)
    a.sync()
    b.sync()
    assert assert_converged(a, b)[("person", pid)][1]["notes"] == "sửa trong lúc đồng bộ"
    a.use()
    assert outbox.pending_total() == 0


def test_batches_respect_server_limit_and_payloads_are_compact(clients, kinto_bucket, kinto_server, monkeypatch,
                                                                push_path):
    from services.sync.http import KintoHTTP
    sizes, bodies = [], []
    real_batch, real_request = KintoHTTP.batch, KintoHTTP.request

    def spy_batch(self, subrequests, defaults=None):
        sizes.append(len(subrequests))
        return real_batch(self, subrequests, defaults)

    def spy_request(self, method, path, **kw):
        resp = real_request(self, method, path, **kw)
        bodies.append((resp.request.headers, resp.request.body))
        return resp

    monkeypatch.setattr(KintoHTTP, "batch", spy_batch)
    monkeypatch.setattr(KintoHTTP, "request", spy_request)
    a, = clients(1)
    a.use()
    for i in range(40):
        new_person(f"Người {i}")
    s = a.sync()
    if push_path == "batch":
        assert s.sent == 80 and max(sizes) == kinto_server.batch_max_requests and len(sizes) >= 4
    else:            # one bulk request per collection; only the checkpoint listings go through /batch
        bulk_posts = [b for h, b in bodies if b and b"\"mode\":\"partial\"" in gzip_body(h, b)]
        assert s.sent == 80 and len(bulk_posts) == 2 and s.requests <= 6
    # batch bodies over 1 kB travel gzipped (the server advertised RFC 7694 Accept-Encoding: gzip)
    zipped = [(h, b) for h, b in bodies if b and h.get("Content-Encoding") == "gzip"]
    assert zipped and all(b[:2] == b"\x1f\x8b" for h, b in zipped)
    headers, body = next((h, gzip.decompress(b)) for h, b in zipped
                         if b'"PUT"' in gzip.decompress(b) or b'"create"' in gzip.decompress(b))
    assert headers["Accept-Encoding"] == "gzip"
    assert b", " not in body and b'": ' not in body and "Người".encode() in body     # compact UTF-8 JSON
    # bytes_sent counts the compressed bodies that went on the wire, not the JSON before compression
    plain_size = sum(len(gzip.decompress(b)) for h, b in zipped)
    assert s.bytes_sent < plain_size
    rec = server_records(kinto_bucket)[0]
    assert "gender" not in rec and "notes" not in rec and rec["full_name"].startswith("Người")   # defaults left out
    assert s.bytes_sent > 0 and s.bytes_received > 0 and s.bytes_per_record > 0


def test_cases_sessions_and_people_travel_to_their_commune(tmp_path, kinto_bucket_factory):
    """Cases go to their commune's bucket; their people and sessions follow them (FKs resolve on the other
    device); audit entries go with the record they describe; status histories of both sides are kept."""
    import datetime as dt
    site = kinto_bucket_factory(communes=2, officers=1)
    c1, c2 = site.communes
    officer = site.officers[c1][0]
    site.server.admin_client().assign_officer(officer.user, [c2], province=site.province)
    a = Client(tmp_path / "a", site, account=officer, communes=[c1, c2], name="a")
    case = store.save("legal-aid", {"received_date": dt.date(2026, 11, 2), "commune_code": c2,
                                      "requester": {"full_name": "Đặng Văn Đức"}, "beneficiary_category": "2",
                                      "legal_field": "dat_dai", "aid_form": "tu_van"}, _validated=True)
    med = store.save("mediation", {"received_date": dt.date(2026, 11, 3), "commune_code": c1,
                                     "parties": [{"full_name": "Bên A"}, {"full_name": "Bên B"}],
                                     "dispute_field": "dat_dai"}, _validated=True)
    sess = store.save("mediation-session", {"case": med.id, "date": dt.date(2026, 11, 4), "content": "Buổi 1"},
                        _validated=True)
    assert a.sync().errors == []
    in_bucket = lambda coll, commune: {r["id"] for r in server_records(site, coll, commune)}  # noqa: E731
    assert case.id in in_bucket("legal_aid_cases", c2) and case.requester_id in in_bucket("persons", c2)
    assert med.id in in_bucket("mediation_cases", c1) and set(med.parties) <= in_bucket("persons", c1)
    assert sess.id in in_bucket("mediation_sessions", c1)
    assert any(r["record_id"] == case.id for r in server_records(site, "audit_entries", c2))
    kinds = ("person", "legal-aid", "mediation", "mediation-session")
    b = Client(tmp_path / "b", site, account=officer, communes=[c1, c2], name="b")
    assert b.sync().errors == []
    assert_converged(a, b, kinds=kinds)
    b.use()
    assert store.get("legal-aid", case.number).requester.full_name == "Đặng Văn Đức"
    # an officer of commune 1 only gets commune 1's records
    only1 = Client(tmp_path / "c", site, account=site.add_officer(c1), communes=[c1], name="c")
    assert only1.sync().errors == []
    snap = only1.snapshot(kinds)
    assert ("mediation-session", sess.id) in snap and ("legal-aid", case.id) not in snap
    # concurrent status changes: one conflict on status, both history entries kept
    a.use()
    store.save("legal-aid", {"status": "referred", "summary": "A tóm tắt"}, record_id=case.id,
                 _validated=True)
    b.use()
    store.save("legal-aid", {"status": "in_progress"}, record_id=case.id, _validated=True)
    a.sync()
    s = b.sync()
    assert s.conflicts == 1
    a.sync()
    snap = assert_converged(a, b, kinds=kinds)
    doc = snap[("legal-aid", case.id)][1]
    assert doc["status"] == "referred" and doc["summary"] == "A tóm tắt"
    assert [h["status"] for h in doc["status_history"]] == ["received", "referred", "in_progress"]


def test_create_of_a_record_the_server_already_has_is_acknowledged(clients, kinto_bucket):
    """A record that reached this device outside sync (USB transfer, restored backup) and is queued without a
    base: its create gets 412 with the server's copy, which is merged at once — no duplicate, no endless retry."""
    from models.sync_state import SyncBase
    a, b, pid = person_on_two_devices(clients, "Hờ A Chứ", notes="bản gốc")
    b.use()
    SyncBase.delete().where(SyncBase.record_id == pid).execute()
    outbox.queue("person", pid)
    s = b.sync()
    assert s.errors == [] and s.conflicts == 0
    b.use()
    assert outbox.pending_total() == 0
    assert SyncBase.get(record_id=pid).last_modified == store.get("person", pid).last_modified
    assert [r["id"] for r in server_records(kinto_bucket)] == [pid]


# --- access and errors --------------------------------------------------------------------------------------------
def test_officer_gets_403_for_another_commune(tmp_path, kinto_bucket_factory):
    site = kinto_bucket_factory(communes=2, officers=1)
    mine, other = site.communes
    # the profile claims both communes, the server assigned only the first
    c = Client(tmp_path / "dev", site, account=site.officers[mine][0], communes=[mine, other])
    c.use()
    ok = new_person("Người xã mình").id
    foreign = store.save("person", {"full_name": "Người xã khác", "commune_code": other}, _validated=True).id
    s = c.sync()
    cats = {(e["category"], e.get("bucket")) for e in s.errors}
    assert ("permission", f"c-{other}") in cats
    assert any(e.get("id") == foreign and e["category"] == "permission" for e in s.errors)
    c.use()
    assert ("person", foreign) in {(r.kind, r.record_id) for r in Outbox.select()}     # kept, not lost
    assert ok in {r["id"] for r in server_records(site, "persons", mine)}
    with requests.Session() as http:
        http.trust_env = False
        r = http.get(site.records_url("persons", other), auth=site.officers[mine][0])
        assert r.status_code == 403
    # the CLI maps it to exit code 4 (permission) while the rest is synced
    from cli import run
    os.environ["PLCS_SYNC_PASSWORD"] = site.officers[mine][0].password
    try:
        code = run(["sync", "--no-progress", "--data-dir", str(c.path)])
    finally:
        del os.environ["PLCS_SYNC_PASSWORD"]
    assert code == 4


def test_errors_are_classified(tmp_path, kinto_bucket):
    c = Client(tmp_path / "dev", kinto_bucket)
    with pytest.raises(sync.WrongPasswordError) as e:
        sync.sync_now(kinto_bucket.url, kinto_bucket.officer.user, "wrong-password", options=FAST)
    assert e.value.category == "auth" and e.value.exit_code == 4 and "mật khẩu" in e.value.message("vi")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    with pytest.raises(sync.OfflineError) as e:
        sync.sync_now(f"http://127.0.0.1:{dead}/v1", "u", "p", options=SyncOptions(attempts=2, backoff=0.01))
    assert e.value.category == "offline" and e.value.exit_code == 5 and "Cannot reach" in e.value.message("en")
    with pytest.raises(sync.WrongPasswordError):
        sync.sync_now(kinto_bucket.url, "u", "x" * 73, options=FAST)
    c.use()
    st = sync.status()
    assert st["last_error"]["category"] == "offline"


def test_supervisor_pulls_every_readable_commune(tmp_path, kinto_bucket_factory):
    site = kinto_bucket_factory(communes=2, officers=1)
    for i, code in enumerate(site.communes):
        c = Client(tmp_path / f"off{i}", site, account=site.officers[code][0], communes=[code], name=f"o{i}")
        new_person(f"Người xã {code}")
        assert c.sync().errors == []
    sup = Client(tmp_path / "sup", site, account=site.supervisor, communes=[], role="supervisor")
    s = sup.sync()
    assert s.errors == [] and s.received == 4
    staff = Client(tmp_path / "staff", site, account=site.centre_staff, communes=[], role="centre_staff")
    s = staff.sync()
    assert s.errors == [] and s.received == 2             # persons of both communes; no audit read permission


def test_cli_sync_json_and_password_rules(tmp_path, kinto_bucket, capsys, monkeypatch):
    c = Client(tmp_path / "dev", kinto_bucket)
    new_person("Người CLI")
    from cli import run
    monkeypatch.delenv("PLCS_SYNC_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", open(os.devnull))  # noqa: SIM115 - stdin for the rest of the test, not a terminal
    assert run(["sync", "--server", kinto_bucket.url, "--user", kinto_bucket.officer.user,
                "--data-dir", str(c.path)]) == 4
    monkeypatch.setenv("PLCS_SYNC_PASSWORD", kinto_bucket.officer.password)
    assert run(["sync", "--server", kinto_bucket.url, "--user", kinto_bucket.officer.user, "--json",
                "--data-dir", str(c.path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["sent"] == 2 and out["received"] == 0 and out["conflicts"] == 0 and out["merged"] == 0
    assert out["bytes_sent"] > 0 and out["bytes_per_record"] > 0
    # server and user were remembered
    assert run(["sync", "--json", "--no-progress", "--data-dir", str(c.path)]) == 0
    assert json.loads(capsys.readouterr().out)["sent"] == 0
    c.use()
    st = sync.status()
    assert st["server_url"] == kinto_bucket.url and st["user"] == kinto_bucket.officer.user
    assert st["pending_total"] == 0 and st["last_success"] and st["last_error"] is None


def test_background_syncer(tmp_path, kinto_bucket):
    Client(tmp_path / "dev", kinto_bucket)
    sync.sync_now(kinto_bucket.url, kinto_bucket.officer.user, kinto_bucket.officer.password, options=FAST)
    new_person("Người chạy nền")
    results = []
    done = threading.Event()

    def on_result(summary, error):
        results.append((summary, error))
        done.set()

    syncer = sync.BackgroundSyncer(lambda: kinto_bucket.officer.password, interval=3600, on_result=on_result,
                                   options=FAST)
    syncer.start()
    try:
        assert done.wait(30)
        summary, error = results[0]
        assert error is None and summary.sent == 2
        done.clear()
        syncer.trigger()
        assert done.wait(30)
    finally:
        syncer.stop()
    assert not syncer.running
    assert outbox.pending_total() == 0


# --- volume -------------------------------------------------------------------------------------------------------
def _bulk_create_on_server(kinto_server, bucket: str, n: int) -> None:
    """n person records created in bulk in Kinto's own PostgreSQL storage (one INSERT; Kinto's trigger gives each
    its timestamp) — the state a new device finds when the commune already has years of records."""
    import psycopg2
    with psycopg2.connect(kinto_server.database_url) as conn, conn.cursor() as cur:
        cur.execute("""
            INSERT INTO objects (id, parent_id, resource_name, last_modified, data, deleted)
            SELECT gen_random_uuid()::text, %s, 'record', NULL,
                   jsonb_build_object('full_name', 'Nguyễn Thị Bích ' || i, 'gender', 'nu',
                                      'birth_year', 1950 + i %% 50, 'village', 'Thôn ' || (i %% 12),
                                      'phone', '09' || lpad(i::text, 8, '0')),
                   FALSE
            FROM generate_series(1, %s) AS i""", (f"/buckets/{bucket}/collections/persons", n))
    conn.close()


def test_first_sync_of_10000_records(tmp_path, kinto_bucket, kinto_server):
    _bulk_create_on_server(kinto_server, kinto_bucket.bucket, 10_000)
    new = Client(tmp_path / "new-device", kinto_bucket, name="new")
    opts = SyncOptions(page_size=1000, attempts=6, backoff=0.2)
    t0 = time.monotonic()
    s = new.sync(options=opts)
    t1 = time.monotonic()
    assert s.received == 10_000 and s.errors == []
    assert s.bytes_per_record < 120     # gzip responses, counted as on the wire (~230 B/record uncompressed)
    new.use()
    assert Person.select().count() == 10_000 and outbox.pending_total() == 0
    # the next sync downloads nothing; a few edits travel as small patches
    again = new.sync(options=opts)
    assert again.received == 0 and again.sent == 0
    new.use()
    some = [p.id for p in Person.select().limit(20)]
    for pid in some:
        edit("person", pid, notes="đã gặp")
    s2 = new.sync(options=opts)
    assert s2.sent == 40 and s2.errors == []
    on_server = {r["id"]: r for r in server_records(kinto_bucket)}
    assert len(on_server) == 10_000 and all(on_server[pid]["notes"] == "đã gặp" for pid in some)
    print(f"\nfirst sync of 10,000 records: {t1 - t0:.1f}s, {s.bytes_per_record} B/record received "
          f"({s.bytes_received} B in {s.requests} requests); 20 edits: {s2.bytes_per_record} B/record")


# --- bulk apply of pulled pages ---------------------------------------------------------------------------------
def _local_state() -> dict:
    """Every table apply_remote touches, without the wall-clock columns (created_at, updated_at)."""
    from models.records import DisseminationEvent, LegalAidCase, MediationCase, Village
    from models.search import SearchDoc, SearchIndex
    out = {}
    for model in (Person, LegalAidCase, MediationCase, DisseminationEvent):
        out[model.__name__] = sorted(
            json.dumps({k: v for k, v in row.items() if k not in ("created_at", "updated_at")}, default=str,
                        sort_keys=True) for row in model.select().dicts())
    texts = {r.rowid: r.text for r in SearchIndex.select(SearchIndex.rowid, SearchIndex.text)}
    out["search"] = sorted((d.id, d.kind, d.record_id, d.commune_code, str(d.date), d.number, d.title, texts.get(d.id))
                           for d in SearchDoc.select())
    out["search_orphans"] = sorted(set(texts) - {d.id for d in SearchDoc.select(SearchDoc.id)})
    out["villages"] = sorted((v.commune_code, v.name, v.name_folded) for v in Village.select())
    return out


def test_apply_remote_many_equals_apply_remote_per_record():
    """apply.apply_remote_many gives exactly the tables (records, search index with ids and texts, villages)
    that apply_remote gives record by record: creates, updates, partial documents, tombstones, unknown
    tombstones, persons named in legal-aid and mediation titles."""
    import datetime as dt

    from services.sync.documents import local_document as doc_of
    app.use_memory_database()
    try:
        p = [store.save("person", {"full_name": f"Lò Thị Mai {i}", "village": f"Bản Nà {i % 2}",
                                     "commune_code": "90001", "phone": f"09{i:08d}"}, _validated=True)
             for i in range(4)]
        la = store.save("legal-aid", {"received_date": dt.date(2026, 11, 2), "commune_code": "90001",
                                        "requester": p[0].id, "beneficiary": p[1].id, "beneficiary_category": "2",
                                        "legal_field": "dat_dai", "aid_form": "tu_van",
                                        "summary": "Tranh chấp ranh giới đất"}, _validated=True)
        md = store.save("mediation", {"received_date": dt.date(2026, 11, 3), "commune_code": "90001",
                                        "village": "Thôn Khe Lánh", "parties": [p[2].id, p[3].id],
                                        "mediators": ["Hà Văn Sáng"], "dispute_field": "dat_dai"}, _validated=True)
        ev = store.save("dissemination", {"date": dt.date(2026, 11, 4), "commune_code": "90001",
                                            "village": "bản nà 0", "form": "hoi_nghi", "topic": "Luật Đất đai"},
                          _validated=True)
        first = [(k, [({**doc_of(i), "id": i.id, "deleted": False}, n + 1) for n, i in enumerate(items)])
                 for k, items in (("person", p), ("legal-aid", [la]), ("mediation", [md]), ("dissemination", [ev]))]
        second = [("person", [({**doc_of(p[0]), "id": p[0].id, "full_name": "Lò Thị Mai Anh", "deleted": False}, 10),
                              ({"id": p[3].id, "deleted": True}, 11), ({"id": "not-here", "deleted": True}, 12),
                              # partial documents (older clients, transfer files): an update of the keys given,
                              # and a new record whose missing fields take the model defaults
                              ({"id": p[1].id, "phone": "0900000001", "deleted": False}, 15),
                              ({"id": "0190a0a0-0000-7000-8000-000000000001", "full_name": "Hà Thị Lan",
                                "commune_code": "90001", "deleted": False}, 16)]),
                  ("legal-aid", [({**doc_of(la), "id": la.id, "summary": "Đã hòa giải", "deleted": False}, 13)]),
                  ("mediation", [({"id": md.id, "deleted": True}, 14)])]
    finally:
        app.close()
    states = []
    for bulk in (False, True):
        app.use_memory_database()
        try:
            for rounds in (first, second):
                for kind, items in rounds:
                    if bulk:
                        apply.apply_remote_many(kind, items)
                        continue
                    for doc, ts in items:
                        if doc["id"] == "not-here":
                            continue          # apply_remote cannot store a bare tombstone of an unknown record
                        apply.apply_remote(kind, doc, last_modified=ts)
            states.append(_local_state())
        finally:
            app.close()
    per_record, bulk = states
    assert bulk == per_record
    assert any("lo thi mai anh" in (s[-1] or "") for s in bulk["search"])       # the update reached the index
    assert ("90001", "Bản Nà 0", "ban na 0") in bulk["villages"]


# --- passwords with Vietnamese letters (issue 16 §3) ---------------------------------------------------------------
def test_password_with_vietnamese_letters_right_and_wrong(tmp_path, kinto_bucket, kinto_server, capsys,
                                                          monkeypatch):
    """Basic credentials go out as UTF-8 (RFC 7617 charset="UTF-8"), in the engine and so in the CLI and the
    app; a wrong password with diacritics is exit 4, not an internal error."""
    from tests.kinto_server import Account
    account = Account(f"t{kinto_bucket.province[1:]}-vn-{os.urandom(3).hex()}", "mật-khẩu-cán-bộ-2026")
    admin = kinto_server.admin_client()
    admin.ensure_account(*account)
    admin.assign_officer(account.user, [kinto_bucket.commune], province=kinto_bucket.province)
    c = Client(tmp_path / "dev", kinto_bucket, account=account)
    pid = new_person("Người mật khẩu có dấu").id
    s = c.sync()
    assert s.errors == [] and s.sent == 2
    assert pid in {r["id"] for r in server_records(kinto_bucket)}
    from cli import run
    monkeypatch.setattr("sys.stdin", open(os.devnull))  # noqa: SIM115 - stdin for the rest of the test
    monkeypatch.setenv("PLCS_SYNC_PASSWORD", "mật-khẩu-cán-bộ-2026")
    assert run(["sync", "--no-progress", "--server", kinto_bucket.url, "--user", account.user,
                "--data-dir", str(c.path)]) == 0
    monkeypatch.setenv("PLCS_SYNC_PASSWORD", "mật-khẩu-sai-đấy")
    assert run(["sync", "--no-progress", "--data-dir", str(c.path)]) == 4
    err = capsys.readouterr().err
    assert "Internal error" not in err and "UnicodeEncodeError" not in err
    c.use()
    with pytest.raises(sync.WrongPasswordError):
        sync.sync_now(kinto_bucket.url, account.user, "Mật-khẩu-cán-bộ-2026", options=FAST)


# --- partial failure, quarantine, renumbering (issue 16 §2, issue 14 §2) --------------------------------------------
def _insert_on_server(kinto_server, bucket: str, collection: str, docs: list[dict]) -> None:
    """Records written straight into Kinto's PostgreSQL storage: what a buggy or hostile client (or an older
    server without schemas) may have left there, whatever the server's JSON schemas say today."""
    import psycopg2
    from psycopg2.extras import Json
    with psycopg2.connect(kinto_server.database_url) as conn, conn.cursor() as cur:
        for doc in docs:
            cur.execute("INSERT INTO objects (id, parent_id, resource_name, last_modified, data, deleted) "
                        "VALUES (%s, %s, 'record', NULL, %s, FALSE)",
                        (doc["id"], f"/buckets/{bucket}/collections/{collection}", Json(doc)))
    conn.close()


def test_partly_failed_run_says_so_first_and_is_no_success(tmp_path, kinto_bucket_factory, capsys, monkeypatch):
    """A refused read is said in words ("không có quyền đọc dữ liệu xã …"), the CLI's first line is "Đồng bộ
    chưa xong", "last success" stays at the last run without errors, and "unsent" counts records while
    change-log entries are counted apart."""
    site = kinto_bucket_factory(communes=2, officers=1)
    mine, other = site.communes
    c = Client(tmp_path / "dev", site, account=site.officers[mine][0], communes=[mine])
    new_person("Người xã mình")
    st = sync.status()
    assert st["pending"] == {"person": 1} and st["pending_total"] == 1 and st["pending_change_log"] == 1
    s = c.sync()
    assert s.complete
    c.use()
    first_success = sync.status()["last_success"]
    assert first_success
    c.profile["communes"] = [mine, other]                     # claims a commune the server never assigned
    c.use()
    new_person("Người thứ hai")
    s = c.sync()
    assert not s.complete
    read = [e for e in s.errors if e.get("scope") == "read"]
    assert read and f"không có quyền đọc dữ liệu xã {other}" in read[0]["vi"]
    assert "chưa gửi" not in read[0]["vi"]
    assert sync.headline(s, "vi").startswith("Đồng bộ chưa xong")
    c.use()
    st = sync.status()
    assert st["last_success"] == first_success and st["last_error"]["category"] == "permission"
    from cli import run
    monkeypatch.setattr("sys.stdin", open(os.devnull))  # noqa: SIM115 - stdin for the rest of the test
    monkeypatch.setenv("PLCS_SYNC_PASSWORD", site.officers[mine][0].password)
    capsys.readouterr()
    assert run(["sync", "--no-progress", "--json", "--data-dir", str(c.path)]) == 4
    out = capsys.readouterr()
    lines = out.err.strip().splitlines()
    assert lines[0].startswith("Đồng bộ chưa xong") and "không có quyền đọc dữ liệu xã" in lines[0]
    assert not any(line.startswith("Đồng bộ xong") for line in lines)
    assert json.loads(out.out)["complete"] is False
    c.use()
    assert sync.status()["last_success"] == first_success


def _case(commune: str, content: str):
    import datetime as dt
    return store.save("legal-aid", {"received_date": dt.date(2026, 11, 2), "commune_code": commune,
                                      "requester": {"full_name": "Người yêu cầu"}, "beneficiary_category": "2",
                                      "legal_field": "dat_dai", "aid_form": "tu_van", "request_content": content},
                        _validated=True)


def test_pulled_records_that_cannot_be_stored_are_quarantined_and_the_rest_completes(
        tmp_path, kinto_bucket, kinto_server):
    """Issue 14 §2: an impossible date, a non-digit CCCD, a 1 MB name, another commune's code: each kept aside
    with its reason and raw document, listed in the summary and by list_quarantine(); a number that a local
    record also holds: the local record is renumbered (a notice) and both are kept. The sync completes."""
    import uuid
    a, b = (Client(tmp_path / f"dev{i}", kinto_bucket, name=f"dev{i}") for i in range(2))
    a.use()
    case = _case(kinto_bucket.commune, "Việc của máy A")
    a.sync()
    [srv] = [r for r in server_records(kinto_bucket, "legal_aid_cases")]
    b.use()
    mine = _case(kinto_bucket.commune, "Việc riêng của máy B")
    bucket = kinto_bucket.bucket
    twin = {**srv, "id": str(uuid.uuid4()), "number": mine.number}          # same number as B's own case
    bad_date = {**srv, "id": str(uuid.uuid4()), "number": "TG-X-1", "received_date": "2026-99-99"}
    foreign = {**srv, "id": str(uuid.uuid4()), "number": "TG-X-2", "commune_code": "00001"}
    for d in (twin, bad_date, foreign):
        d.pop("last_modified", None)
    _insert_on_server(kinto_server, bucket, "legal_aid_cases", [twin, bad_date, foreign])
    _insert_on_server(kinto_server, bucket, "persons", [
        {"id": str(uuid.uuid4()), "full_name": "CCCD sai", "id_number": "12ab"},
        {"id": str(uuid.uuid4()), "full_name": "x" * 1_000_000},
        {"id": str(uuid.uuid4()), "full_name": "Người tốt", "birth_year": 1980}])
    s = b.sync()
    assert s.errors == []
    reasons = {q["id"]: q["reason"] for q in s.quarantined}
    assert set(reasons) >= {bad_date["id"], foreign["id"]} and len(reasons) == 4
    assert "received_date" in reasons[bad_date["id"]] and "commune_code" in reasons[foreign["id"]]
    b.use()
    q = sync.list_quarantine()
    assert len(q) == 4 and all(item["raw"]["id"] == item["id"] for item in q)
    assert sync.status()["quarantined"] == 4
    from models.records import LegalAidCase
    assert LegalAidCase.get_by_id(twin["id"]).number == mine.number            # the server's record as it is
    renumbered = LegalAidCase.get_by_id(mine.id)
    assert renumbered.number != mine.number
    [n] = [n for n in s.notices if n["notice"] == "renumbered"]
    assert (n["id"], n["old"], n["new"]) == (mine.id, mine.number, renumbered.number)
    assert any(n["notice"] == "renumbered" and mine.number in n["text"]["vi"] for n in sync.list_notices())
    assert Person.select().where(Person.full_name == "Người tốt").exists()
    assert outbox.pending_total() == 0                                          # the new number was sent
    on_server = {r["id"]: r for r in server_records(kinto_bucket, "legal_aid_cases")}
    assert on_server[mine.id]["number"] == renumbered.number
    s2 = b.sync()                               # nothing new: nothing kept aside twice, nothing lost
    assert s2.errors == [] and s2.quarantined == []
    b.use()
    assert len(sync.list_quarantine()) == 4
    a.use()
    assert store.get("legal-aid", case.id).number == srv["number"]
