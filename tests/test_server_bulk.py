"""Issue 19: the bulk write plugin (server/kinto_bulk.py) against a real Kinto + PostgreSQL (tests/kinto_server.py).

    .venv/bin/python -m pytest -q tests/test_server_bulk.py

Same rules as the per-record path: permission checked once (another commune: 403 for every record, nothing
written), JSON schema + guard rules per record (400 for that record only), record permissions refused (403),
preconditions (412 with the current record, 404), tombstones, explicit author permissions, strictly increasing
timestamps, one transaction (a SIGKILL mid-request leaves all or none), 413 beyond the record limit.
"""
from __future__ import annotations

import contextlib
import threading
import uuid

import psycopg2
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_server_guard import person

DEFAULT_MAX_RECORDS = 1000          # server/kinto_bulk.py default (kinto.plcs_bulk_max_records)


def bulk_url(site, collection="persons", commune=None):
    return site.records_url(collection, commune)[:-len("/records")] + "/bulk"


def creates(commune, n, **extra):
    return [{"id": str(uuid.uuid4()), "op": "create", "data": person(commune, f"Người {i}", **extra)}
            for i in range(n)]


def server_records(http, site, collection="persons", commune=None, since=0):
    r = http.get(site.records_url(collection, commune), auth=site.admin,
                 params={"_since": since, "_sort": "last_modified", "_limit": 10000})
    assert r.status_code == 200, r.text
    return r.json()["data"]


def test_capability_advertised(http, kinto_server):
    caps = http.get(kinto_server.url + "/").json()["capabilities"]
    assert caps["plcs_bulk"]["max_records"] == DEFAULT_MAX_RECORDS
    assert caps["plcs_bulk"]["path"] == "/buckets/{bucket_id}/collections/{collection_id}/bulk"


def test_create_update_delete_and_preconditions(http, kinto_bucket):
    site = kinto_bucket
    recs = creates(site.commune, 5)
    r = http.post(bulk_url(site), json={"records": recs}, auth=site.officer)
    assert r.status_code == 200, r.text
    out = r.json()["responses"]
    assert [o["status"] for o in out] == [201] * 5
    stamps = [o["last_modified"] for o in out]
    assert stamps == sorted(stamps) and len(set(stamps)) == 5
    stored = {x["id"]: x for x in server_records(http, site)}
    assert {x["id"] for x in recs} == set(stored)
    assert stored[recs[0]["id"]]["full_name"] == "Người 0"
    assert stored[recs[0]["id"]]["schema"]          # the collection schema's timestamp, as Kinto sets it
    # again: 412 with the current record
    r = http.post(bulk_url(site), json={"records": recs[:1]}, auth=site.officer).json()["responses"][0]
    assert r["status"] == 412 and r["details"]["existing"]["id"] == recs[0]["id"]
    # update with the right / a stale if_match; delete; delete of an absent record
    a, b, c = (x["id"] for x in recs[:3])
    body = {"records": [
        {"id": a, "op": "update", "if_match": stamps[0], "data": {"full_name": "Tên mới"}},
        {"id": b, "op": "update", "if_match": stamps[0], "data": {"full_name": "Cũ"}},
        {"id": c, "op": "delete", "if_match": stamps[2]},
        {"id": str(uuid.uuid4()), "op": "delete"},
    ]}
    out = http.post(bulk_url(site), json=body, auth=site.officer).json()["responses"]
    assert [o["status"] for o in out] == [200, 412, 200, 404]
    assert out[1]["details"]["existing"]["last_modified"] == stamps[1]
    got = http.get(f"{site.records_url('persons')}/{a}", auth=site.officer).json()["data"]
    assert got["full_name"] == "Tên mới" and got["gender"] == "nam" and got["last_modified"] == out[0]["last_modified"]
    assert http.get(f"{site.records_url('persons')}/{c}", auth=site.officer).status_code == 404
    tomb = [x for x in server_records(http, site, since=stamps[-1]) if x["id"] == c]
    assert tomb and tomb[0]["deleted"] is True
    # a tombstone can be created again (If-None-Match: * semantics)
    out = http.post(bulk_url(site), json={"records": [{"id": c, "op": "create", "data": person(site.commune)}]},
                    auth=site.officer).json()["responses"]
    assert out[0]["status"] == 201


def test_author_gets_write_as_kinto_gives_it(http, kinto_bucket):
    site = kinto_bucket
    recs = creates(site.commune, 1)
    http.post(bulk_url(site), json={"records": recs}, auth=site.officer)
    r = http.get(f"{site.records_url('persons')}/{recs[0]['id']}", auth=site.officer).json()
    assert r["permissions"]["write"] == [http.get(site.url + "/", auth=site.officer).json()["user"]["id"]]


def test_other_commune_gets_403_per_record_and_nothing_written(http, kinto_bucket_factory):
    site = kinto_bucket_factory(communes=2)
    stranger = site.officers[site.communes[1]][0]
    recs = creates(site.commune, 3)
    r = http.post(bulk_url(site), json={"records": recs}, auth=stranger)
    assert r.status_code == 200
    assert [o["status"] for o in r.json()["responses"]] == [403] * 3
    assert server_records(http, site) == []
    assert http.post(bulk_url(site), json={"records": recs}).status_code == 401
    assert http.post(bulk_url(site), json={"records": recs}, auth=site.supervisor).json()["responses"][0][
        "status"] == 403


def test_schema_violation_is_400_for_that_record_only(http, kinto_bucket):
    site = kinto_bucket
    recs = creates(site.commune, 3)
    recs[1]["data"]["birth_year"] = 2999
    recs[2]["data"]["id_number"] = "00108001234x"
    out = http.post(bulk_url(site), json={"records": recs}, auth=site.officer).json()["responses"]
    assert [o["status"] for o in out] == [201, 400, 400]
    assert out[1]["details"][0]["name"] == "birth_year" and "future" in out[1]["message"]
    assert out[2]["details"][0]["name"] == "id_number"
    assert {x["id"] for x in server_records(http, site)} == {recs[0]["id"]}
    # atomic mode: nothing written when one record is refused
    more = creates(site.commune, 2)
    more[1]["data"]["gender"] = "không rõ"
    out = http.post(bulk_url(site), json={"mode": "atomic", "records": more}, auth=site.officer).json()["responses"]
    assert [o["status"] for o in out] == [424, 400]
    assert {x["id"] for x in server_records(http, site)} == {recs[0]["id"]}


def test_record_permissions_refused_as_the_guard_does(http, kinto_bucket):
    site = kinto_bucket
    recs = creates(site.commune, 3)
    recs[0]["permissions"] = {"read": ["system.Everyone"]}
    recs[1]["data"]["__permissions__"] = {"read": ["system.Everyone"]}
    out = http.post(bulk_url(site), json={"records": recs}, auth=site.officer).json()["responses"]
    assert [o["status"] for o in out] == [403, 403, 201]


def test_limits_413_and_bad_bodies(http, kinto_bucket):
    site = kinto_bucket
    r = http.post(bulk_url(site), json={"records": creates(site.commune, DEFAULT_MAX_RECORDS + 1)},
                  auth=site.officer)
    assert r.status_code == 413 and str(DEFAULT_MAX_RECORDS) in r.json()["message"]
    assert server_records(http, site) == []
    assert http.post(bulk_url(site), json=[1, 2], auth=site.officer).status_code == 400
    dup = creates(site.commune, 1) * 2
    assert [o["status"] for o in http.post(bulk_url(site), json={"records": dup}, auth=site.officer)
            .json()["responses"]] == [201, 400]
    huge = {"records": [{"id": str(uuid.uuid4()), "op": "create", "data": person(site.commune, note="x" * 11_000_000)}]}
    assert http.post(bulk_url(site), json=huge, auth=site.officer).status_code == 413


def test_audit_entries_record_create_only(http, kinto_bucket_factory):
    """audit_entries: `record:create` only — an officer creates, changes only its own entries."""
    site = kinto_bucket_factory(officers=2)
    a, b = site.officers[site.commune]
    entry = {"id": str(uuid.uuid4()), "op": "create",
             "data": {"at": "2026-03-02T10:00:00", "action": "create", "record_kind": "person", "record_id": "x"}}
    out = http.post(bulk_url(site, "audit_entries"), json={"records": [entry]}, auth=a).json()["responses"]
    assert out[0]["status"] == 201, out
    ts = out[0]["last_modified"]
    upd = {"id": entry["id"], "op": "update", "if_match": ts, "data": {"action": "edit"}}
    out = http.post(bulk_url(site, "audit_entries"), json={"records": [upd]}, auth=b).json()["responses"]
    assert out[0]["status"] == 403
    out = http.post(bulk_url(site, "audit_entries"), json={"records": [upd]}, auth=a).json()["responses"]
    assert out[0]["status"] == 200


def test_sigkill_mid_bulk_is_all_or_none(http, kinto_server, kinto_bucket):
    """SIGKILL of Kinto while a large bulk request is being processed: PostgreSQL keeps all or none of it."""
    site = kinto_bucket
    recs = creates(site.commune, DEFAULT_MAX_RECORDS)
    ids = {x["id"] for x in recs}
    conn = psycopg2.connect(kinto_server.database_url)
    conn.autocommit = True

    def count():
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM objects WHERE resource_name='record' AND parent_id=%s",
                        (f"/buckets/{site.bucket}/collections/persons",))
            return cur.fetchone()[0]

    def send():
        with contextlib.suppress(requests.RequestException):
            requests.post(bulk_url(site), json={"records": recs}, auth=site.officer, timeout=60)

    t = threading.Thread(target=send)
    t.start()
    # kill as soon as the request has reached PostgreSQL (the advisory lock is taken), else after a short delay
    with conn.cursor() as cur:
        for _ in range(400):
            cur.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")
            if cur.fetchone()[0]:
                break
            threading.Event().wait(0.005)
    kinto_server.stop(kill=True)
    t.join()
    kinto_server.start()
    n = count()
    assert n in (0, len(ids))
    conn.close()


@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
@given(sizes=st.lists(st.integers(min_value=1, max_value=120), min_size=2, max_size=6))
def test_property_concurrent_bulk_pushes_and_since_pull(http, kinto_bucket_factory, sizes):
    """Two clients bulk-push to one collection while a third pulls `_since` in a loop: the pulled set equals the
    server's set, nothing missed or duplicated, timestamps unique and increasing."""
    site = kinto_bucket_factory(officers=2)
    a, b = site.officers[site.commune]
    done = threading.Event()
    errors = []

    def push(account, chunks):
        try:
            s = requests.Session()
            s.trust_env = False
            for n in chunks:
                r = s.post(bulk_url(site), json={"records": creates(site.commune, n)}, auth=account)
                r.raise_for_status()
                assert all(o["status"] == 201 for o in r.json()["responses"])
        except Exception as exc:   # noqa: BLE001 — reported by the main thread
            errors.append(exc)

    pulled, since = [], 0
    pushers = [threading.Thread(target=push, args=(acc, sizes[i::2])) for i, acc in enumerate((a, b))]
    for t in pushers:
        t.start()
    s = requests.Session()
    s.trust_env = False
    while True:
        finished = not any(t.is_alive() for t in pushers)
        page = s.get(site.records_url("persons"), auth=site.officer,
                     params={"_since": since, "_sort": "last_modified", "_limit": 50}).json()["data"]
        pulled += page
        if page:
            since = page[-1]["last_modified"]
        if finished and not page:
            break
    done.set()
    assert not errors, errors
    ids = [x["id"] for x in pulled]
    stamps = [x["last_modified"] for x in pulled]
    assert len(ids) == len(set(ids)) == sum(sizes)
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    assert set(ids) == {x["id"] for x in server_records(http, site)}
