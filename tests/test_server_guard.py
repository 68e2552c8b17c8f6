"""Issue 14, server side, against a real Kinto + PostgreSQL (tests/kinto_server.py): record permissions on every
route and content type, the maintenance step that strips old ones, record validation generated from the
client's kind rules, the account password policy and the request body cap.

    .venv/bin/python -m pytest -q tests/test_server_guard.py

Chosen statuses: a record write carrying permissions gets **403** (errno 121: the account may write the record
but not its permissions); an invalid record gets **400** (errno 107) with a message naming field, value and rule;
a weak password 400; an oversized body 413.
"""
from __future__ import annotations

import base64
import json
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2
import pytest
import requests

from server.body_limit import BodyLimitMiddleware
from server.bootstrap import collection_schema, strip_record_permissions, synced_models
from server.password_policy import password_problems
from server.schema_rules import kind_field_rules

REPO = Path(__file__).resolve().parent.parent
EVERYONE = {"read": ["system.Everyone"], "write": ["system.Everyone"]}


def person(commune: str, name="Đặng Văn Đức", **extra):
    return {"full_name": name, "gender": "nam", "birth_year": 1980, "commune_code": commune,
            "id_number": "001080012345", "phone": "0912345678", **extra}


def legal_aid_case(commune: str, requester: str, **extra):
    return {"number": f"{commune}-2026-A1-{uuid.uuid4().hex[:4]}", "received_date": "2026-03-02",
            "commune_code": commune, "requester_id": requester, "beneficiary_category": "1",
            "legal_field": "dat_dai", "aid_form": "tu_van", "status": "received", "status_history": [], **extra}


def stored(http, site, url):
    """What the admin sees of a record: (status, data without Kinto's bookkeeping)."""
    r = http.get(url, auth=site.admin)
    if r.status_code != 200:
        return r.status_code, None
    return 200, {k: v for k, v in r.json()["data"].items() if k not in ("last_modified", "schema")}


def record_path(site, rid, collection="persons"):
    return f"/buckets/{site.bucket}/collections/{collection}/records/{rid}"


# --- 1. record permissions --------------------------------------------------------------------------------------
def _attempts(site, rid, existing: bool):
    """(label, callable(http) -> (status of the attempt)) for every route and content type."""
    url = f"{site.url}{record_path(site, rid)}"
    a = site.officer
    data = person(site.commune, "Kẻ chia sẻ")

    def batch(http, sub):
        r = http.post(f"{site.url}/batch", auth=a, json={"requests": [sub]})
        if r.status_code == 400 and isinstance(sub["body"], list):
            return 403      # Kinto's /batch accepts only object bodies: a JSON-Patch sub-request never runs
        assert r.status_code == 200, r.text
        return r.json()["responses"][0]["status"]

    if not existing:
        return [
            ("POST list", lambda h: h.post(site.records_url("persons"), auth=a,
                                           json={"data": {**data, "id": rid}, "permissions": EVERYONE}).status_code),
            ("PUT new", lambda h: h.put(url, auth=a, json={"data": data, "permissions": EVERYONE}).status_code),
            ("PUT new read only", lambda h: h.put(url, auth=a, json={
                "data": data, "permissions": {"read": ["system.Everyone"]}}).status_code),
            ("PUT new __permissions__ in data", lambda h: h.put(url, auth=a, json={
                "data": {**data, "__permissions__": EVERYONE}}).status_code),
            ("batch PUT new", lambda h: batch(h, {"method": "PUT", "path": record_path(site, rid),
                                                  "body": {"data": data, "permissions": EVERYONE}})),
            ("batch POST list", lambda h: batch(h, {
                "method": "POST", "path": f"/buckets/{site.bucket}/collections/persons/records",
                "body": {"data": {**data, "id": rid}, "permissions": EVERYONE}})),
        ]
    patch_ops = [{"op": "add", "path": "/permissions/read/system.Everyone"},
                 {"op": "add", "path": "/permissions/write/system.Everyone"}]
    return [
        ("PUT existing", lambda h: h.put(url, auth=a, json={"data": data, "permissions": EVERYONE}).status_code),
        ("PATCH application/json", lambda h: h.patch(url, auth=a, json={
            "data": {"notes": "x"}, "permissions": EVERYONE}).status_code),
        ("PATCH application/json permissions only", lambda h: h.patch(url, auth=a, json={
            "permissions": {"read": ["system.Everyone"]}}).status_code),
        ("PATCH merge-patch", lambda h: h.patch(url, auth=a, data=json.dumps({"permissions": EVERYONE}),
                                                headers={"Content-Type": "application/merge-patch+json"}
                                                ).status_code),
        ("PATCH merge-patch __permissions__", lambda h: h.patch(
            url, auth=a, data=json.dumps({"data": {"__permissions__": EVERYONE}}),
            headers={"Content-Type": "application/merge-patch+json"}).status_code),
        ("PATCH json-patch", lambda h: h.patch(url, auth=a, data=json.dumps(patch_ops),
                                               headers={"Content-Type": "application/json-patch+json"}
                                               ).status_code),
        ("PATCH json-patch replace /permissions", lambda h: h.patch(
            url, auth=a, data=json.dumps([{"op": "replace", "path": "/permissions",
                                           "value": {"read": {"system.Everyone": "system.Everyone"}}}]),
            headers={"Content-Type": "application/json-patch+json"}).status_code),
        ("PATCH json-patch move into /permissions", lambda h: h.patch(
            url, auth=a, data=json.dumps([{"op": "add", "path": "/data/x", "value": {"system.Everyone": "s"}},
                                          {"op": "move", "from": "/data/x", "path": "/permissions/read"}]),
            headers={"Content-Type": "application/json-patch+json"}).status_code),
        ("batch PATCH", lambda h: batch(h, {"method": "PATCH", "path": record_path(site, rid),
                                            "body": {"permissions": EVERYONE}})),
        ("batch PATCH json-patch", lambda h: batch(h, {
            "method": "PATCH", "path": record_path(site, rid), "body": patch_ops,
            "headers": {"Content-Type": "application/json-patch+json"}})),
        ("batch PUT existing", lambda h: batch(h, {"method": "PUT", "path": record_path(site, rid),
                                                   "body": {"data": data, "permissions": EVERYONE}})),
    ]


def _assert_still_private(http, site, rid, before):
    url = f"{site.url}{record_path(site, rid)}"
    assert http.get(url).status_code in (401, 403)
    assert http.put(url, json={"data": person(site.commune, "Vô danh")}).status_code in (401, 403)
    assert http.delete(url).status_code in (401, 403)
    assert http.get(url, auth=("nobody", "wrong-password-1")).status_code == 401
    assert stored(http, site, url) == before
    acl = _record_acl(site, rid)
    assert not [e for e in acl if e[0] != "write" or not e[1].startswith("account:")], acl


def _record_acl(site, rid):
    with psycopg2.connect(site.server.database_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT permission, principal FROM access_control_entries WHERE object_id = %s",
                    (record_path(site, rid),))
        return sorted(cur.fetchall())


def test_new_record_with_permissions_is_refused_on_every_route(kinto_bucket, http):
    site = kinto_bucket
    for label in [label for label, _ in _attempts(site, "x", existing=False)]:
        rid = str(uuid.uuid4())
        attempt = dict(_attempts(site, rid, existing=False))[label]
        assert attempt(http) == 403, label
        _assert_still_private(http, site, rid, (404, None))
    # the same writes without permissions are fine (the refusal is about permissions only)
    rid = str(uuid.uuid4())
    assert http.put(f"{site.url}{record_path(site, rid)}", auth=site.officer,
                    json={"data": person(site.commune)}).status_code == 201


def test_existing_record_permissions_are_refused_on_every_route(kinto_bucket, http):
    site = kinto_bucket
    rid = str(uuid.uuid4())
    url = f"{site.url}{record_path(site, rid)}"
    assert http.put(url, auth=site.officer, json={"data": person(site.commune)}).status_code == 201
    before = stored(http, site, url)
    for label, attempt in _attempts(site, rid, existing=True):
        assert attempt(http) == 403, label
        _assert_still_private(http, site, rid, before)
    # ordinary edits in every content type still work
    a = site.officer
    assert http.patch(url, auth=a, json={"data": {"notes": "a"}}).status_code == 200
    assert http.patch(url, auth=a, data=json.dumps({"data": {"notes": "b"}}),
                      headers={"Content-Type": "application/merge-patch+json"}).status_code == 200
    assert http.patch(url, auth=a, data=json.dumps([{"op": "replace", "path": "/data/notes", "value": "c"}]),
                      headers={"Content-Type": "application/json-patch+json"}).status_code == 200
    assert http.get(url, auth=a).json()["data"]["notes"] == "c"


def test_centre_staff_and_admin(kinto_bucket, http):
    """Centre staff (record:create on persons) are refused like officers; the admin may still set permissions."""
    site = kinto_bucket
    rid = str(uuid.uuid4())
    url = f"{site.url}{record_path(site, rid)}"
    assert http.put(url, auth=site.centre_staff, json={"data": person(site.commune),
                                                        "permissions": EVERYONE}).status_code == 403
    assert http.put(url, auth=site.admin, json={"data": person(site.commune),
                                                 "permissions": {"read": ["system.Authenticated"]}}
                    ).status_code == 201


def test_maintenance_strips_old_record_permissions(kinto_server, kinto_bucket, http):
    """Records shared before the guard (entries written straight into Kinto's permission table, as the
    old server accepted them) are found, counted and stripped by `python -m server.bootstrap
    --strip-record-permissions`; a second run finds none."""
    site = kinto_bucket
    strip_record_permissions(kinto_server.database_url)          # start from a clean table
    ids = [str(uuid.uuid4()) for _ in range(3)]
    for rid in ids:
        assert http.put(f"{site.url}{record_path(site, rid)}", auth=site.officer,
                        json={"data": person(site.commune)}).status_code == 201
    with psycopg2.connect(kinto_server.database_url) as conn, conn.cursor() as cur:
        for rid, perm, principal in [(ids[0], "read", "system.Everyone"), (ids[0], "write", "system.Everyone"),
                                     (ids[1], "read", "system.Authenticated")]:
            cur.execute("INSERT INTO access_control_entries (object_id, permission, principal) "
                        "VALUES (%s, %s, %s)", (record_path(site, rid), perm, principal))
    url0 = f"{site.url}{record_path(site, ids[0])}"
    assert http.get(url0).status_code == 200                       # the hole, as it was
    before = stored(http, site, url0)

    cmd = [sys.executable, "-m", "server.bootstrap", "--strip-record-permissions", "--database-url",
           kinto_server.database_url]
    dry = subprocess.run(cmd + ["--dry-run"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert dry.returncode == 0, dry.stderr
    assert "2" in dry.stdout and "3" in dry.stdout and "system.Everyone" in dry.stdout
    assert http.get(url0).status_code == 200                       # a dry run changes nothing
    res = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert "stripped" in res.stdout or "đã gỡ" in res.stdout
    for rid in ids:
        _assert_still_private(http, site, rid, stored(http, site, f"{site.url}{record_path(site, rid)}"))
    assert stored(http, site, url0) == before                      # data untouched, timestamp too
    assert http.get(url0, auth=site.officer).status_code == 200    # the commune still reads it
    assert strip_record_permissions(kinto_server.database_url) == {"records": 0, "entries": 0, "examples": []}
    bad = subprocess.run(cmd[:-1] + ["postgresql://nobody:x@127.0.0.1:1/none"], cwd=REPO, capture_output=True,
                         text=True, timeout=60)
    assert bad.returncode == 5


# --- 2. record validation ---------------------------------------------------------------------------------------
def test_schemas_follow_the_kind_rules(monkeypatch):
    """Every field a kind rule checks has that rule in the server schema: what the client's rules add (new
    fields, new catalog codes) reaches the server at the next bootstrap, with no change in server/."""
    from services import catalogs
    models = {m.KIND: m for m in synced_models()}
    checked = 0
    for kind, model in models.items():
        props = collection_schema(model)["properties"]
        assert collection_schema(model)["additionalProperties"] is True
        for name, rule in kind_field_rules(kind).items():
            if name not in props:
                continue                                     # input-only names (nested persons, team)
            checked += 1
            prop = props[name]
            if rule["helper"] == "text":
                assert prop["maxLength"] == rule["max_len"], (kind, name)
            elif rule["helper"] == "date":
                assert prop["x-plcs-date"]["not_future"] == rule["not_future"], (kind, name)
            elif rule["helper"] == "category":
                codes = {e["code"] for e in catalogs._load(rule["catalog"])["entries"]}
                assert codes <= set(prop["enum"]), (kind, name)
    assert checked >= 40
    from server.schema_rules import PROBE_ERRORS
    assert PROBE_ERRORS == {}, PROBE_ERRORS      # every kind's rules were read to the end
    # a code that is no longer valid (valid_to in the past) stays accepted: old records keep it
    real = catalogs._load("legal_fields")
    historic = {**real, "entries": real["entries"] + [{"code": "cu_2010", "vi": "Cũ", "valid_to": "2015-12-31"}]}
    original = catalogs._load
    monkeypatch.setattr(catalogs, "_load", lambda name: historic if name == "legal_fields" else original(name))
    schema = collection_schema(models["legal-aid"])
    assert "cu_2010" in schema["properties"]["legal_field"]["enum"]


def test_invalid_records_get_400_with_a_readable_message(kinto_bucket_factory, http):
    site = kinto_bucket_factory(communes=2)
    mine, other = site.communes
    a = site.officers[mine][0]
    pid = str(uuid.uuid4())
    assert http.put(f"{site.records_url('persons', mine)}/{pid}", auth=a,
                    json={"data": person(mine)}).status_code == 201
    cases = [
        ("legal_aid_cases", legal_aid_case(mine, pid, received_date="2026-99-99"), "received_date"),
        ("legal_aid_cases", legal_aid_case(mine, pid, received_date="2026-02-30"), "received_date"),
        ("legal_aid_cases", legal_aid_case(mine, pid, received_date="1899-12-31"), "received_date"),
        ("legal_aid_cases", legal_aid_case(mine, pid, received_date="2099-01-01"), "received_date"),
        ("legal_aid_cases", legal_aid_case(mine, pid, closed_date="2026-13-01"), "closed_date"),
        ("legal_aid_cases", legal_aid_case(other, pid), "commune_code"),
        ("legal_aid_cases", legal_aid_case(mine, pid, beneficiary_category="ngheo"), "beneficiary_category"),
        ("legal_aid_cases", legal_aid_case(mine, pid, legal_field="khong_co"), "legal_field"),
        ("legal_aid_cases", legal_aid_case(mine, pid, summary="x" * 10_001), "summary"),
        ("persons", person(mine, "A" * (1024 * 1024)), "full_name"),
        ("persons", person(mine, id_number="00108001234x"), "id_number"),
        ("persons", person(mine, id_number="12345"), "id_number"),
        ("persons", person(mine, phone="hello"), "phone"),
        ("persons", person(mine, ethnicity="99"), "ethnicity"),
        ("persons", person(mine, birth_year=2999), "birth_year"),
        ("persons", person(mine, commune_code="9000"), "commune_code"),
        ("mediation_cases", {"number": "HG-1", "received_date": "2026-03-03", "commune_code": other,
                             "dispute_field": "dat_dai", "parties": [pid]}, "commune_code"),
        ("dissemination_events", {"date": "2026-04-01", "commune_code": mine, "form": "hoi_nghi",
                                  "topic": "t", "target_groups": ["phu_nu", "sao_hoa"]}, "target_groups"),
    ]
    for collection, data, field in cases:
        url = f"{site.records_url(collection, mine)}/{uuid.uuid4()}"
        r = http.put(url, auth=a, json={"data": data})
        assert r.status_code == 400, (field, r.status_code, r.text[:300])
        body = r.json()
        assert body["errno"] == 107 and field in body["message"], (field, body["message"])
        assert len(body["message"]) < 600, body["message"]               # no megabyte echoed back
        assert http.get(url, auth=site.admin).status_code == 404          # nothing stored
    # the same checks on PATCH (merged record), on POST and inside /batch
    cid = str(uuid.uuid4())
    curl = f"{site.records_url('legal_aid_cases', mine)}/{cid}"
    assert http.put(curl, auth=a, json={"data": legal_aid_case(mine, pid)}).status_code == 201
    before = stored(http, site, curl)
    r = http.patch(curl, auth=a, json={"data": {"received_date": "2026-99-99"}})
    assert r.status_code == 400 and "received_date" in r.json()["message"]
    r = http.patch(curl, auth=a, data=json.dumps([{"op": "replace", "path": "/data/commune_code", "value": other}]),
                   headers={"Content-Type": "application/json-patch+json"})
    assert r.status_code == 400 and "commune_code" in r.json()["message"]
    assert stored(http, site, curl) == before
    r = http.post(site.records_url("persons", mine), auth=a, json={"data": person(mine, id_number="abc")})
    assert r.status_code == 400
    r = http.post(f"{site.url}/batch", auth=a, json={"requests": [
        {"method": "PUT", "path": f"/buckets/c-{mine}/collections/persons/records/{uuid.uuid4()}",
         "body": {"data": person(mine, phone="12")}},
        {"method": "PUT", "path": f"/buckets/c-{mine}/collections/persons/records/{uuid.uuid4()}",
         "body": {"data": person(mine)}}]})
    assert [s["status"] for s in r.json()["responses"]] == [400, 201]
    # valid records: empty optional values, a 2024 leap day, unknown extra fields (newer clients) all pass
    ok = [("persons", person(mine, id_number="", phone="", commune_code="", ethnicity="", gender="",
                             future_field={"x": 1})),
          ("legal_aid_cases", legal_aid_case(mine, pid, received_date="2024-02-29", closed_date=None,
                                             rights_obligations="new field of a newer client")),
          ("dissemination_events", {"date": "2026-04-01", "commune_code": mine, "form": "hoi_nghi",
                                    "topic": "Luật Đất đai", "target_groups": ["phu_nu"]})]
    for collection, data in ok:
        r = http.put(f"{site.records_url(collection, mine)}/{uuid.uuid4()}", auth=a, json={"data": data})
        assert r.status_code == 201, (collection, r.text[:300])


# --- 3. account passwords ---------------------------------------------------------------------------------------
def test_password_policy_rules():
    assert password_problems("Mật khẩu của tôi") == []
    assert password_problems("đặng văn đức 2026") == []
    assert password_problems("x")
    assert password_problems("abcdefghijk")                          # one class
    assert password_problems("1111111111111")
    assert password_problems("officer-a-2026", user_id="officer-a")
    assert password_problems("é" * 37)                                # 74 bytes > bcrypt's 72


def test_account_passwords_follow_the_policy(kinto_bucket, http):
    site = kinto_bucket
    user = site.new_account("pw")
    url = f"{site.url}/accounts/{user.user}"
    for weak in ["x", "abcdefghijkl", "123456789012", f"{user.user}-Z9", "aaaaaaaaaaaa"]:
        r = http.patch(url, auth=user, json={"data": {"password": weak}})
        assert r.status_code == 400 and "password" in r.json()["message"], (weak, r.text)
        r = http.put(url, auth=user, json={"data": {"password": weak}})
        assert r.status_code == 400, weak
    assert http.get(url, auth=user).status_code == 200                              # old password still valid
    for ops in ([{"op": "replace", "path": "/data/password", "value": "Long enough 2026"}],
                [{"op": "replace", "path": "/data", "value": {"id": user.user, "password": "Long enough 2026"}}]):
        r = http.patch(url, auth=user, data=json.dumps(ops), headers={"Content-Type": "application/json-patch+json"})
        assert r.status_code == 400, ops                                          # would be stored unhashed
    r = http.post(f"{site.url}/batch", auth=user, json={"requests": [
        {"method": "PATCH", "path": f"/accounts/{user.user}", "body": {"data": {"password": "short"}}}]})
    assert r.json()["responses"][0]["status"] == 400
    # Vietnamese letters (UTF-8) are fine
    new = "Mật khẩu mới của tôi"
    assert http.patch(url, auth=user, json={"data": {"password": new}}).status_code == 200
    utf8_basic = "Basic " + base64.b64encode(f"{user.user}:{new}".encode()).decode()   # as the sync client
    assert http.get(url, headers={"Authorization": utf8_basic}).status_code == 200
    # the admin too: creating or resetting an account with a weak password is refused
    r = http.put(f"{site.url}/accounts/t-weak-{uuid.uuid4().hex[:6]}", auth=site.admin,
                 json={"data": {"password": "123"}})
    assert r.status_code == 400
    r = http.post(f"{site.url}/accounts", auth=site.admin,
                  json={"data": {"id": f"t-weak-{uuid.uuid4().hex[:6]}", "password": "password"}})
    assert r.status_code == 400
    with pytest.raises(ValueError):
        site.server.admin_client().ensure_account(user.user, "short")
    # strangers still get 401/403, not a password lecture
    assert http.put(f"{site.url}/accounts/{user.user}", json={"data": {"password": "x"}}).status_code in (401, 403)


# --- 4. request body cap ----------------------------------------------------------------------------------------
def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _raw_request(port: int, head: str, body_chunks, timeout=60.0) -> bytes:
    """Send a request head, then body chunks until the server answers or hangs up; return its answer."""
    import select
    answer = b""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(head.encode())
        for chunk in body_chunks:
            if select.select([s], [], [], 0)[0]:
                break                                          # the server has answered already
            try:
                s.sendall(chunk)
            except OSError:                                    # it hung up: read what it said
                break
        try:
            while True:
                got = s.recv(65536)
                if not got:
                    break
                answer += got
        except OSError:
            pass
    return answer


def test_oversized_bodies_get_413_before_parsing(kinto_server, kinto_bucket, http):
    site = kinto_bucket
    pid = kinto_server._local.kinto_pid
    rss_before = _rss_kb(pid)
    rid = str(uuid.uuid4())
    path = f"/v1{record_path(site, rid)}"
    auth = requests.auth._basic_auth_str(*site.officer)
    mib = b'{"data": {"full_name": "' + b"A" * (1024 * 1024 - 30)

    # 200 MiB declared: refused from the head, long before 200 MiB could arrive
    head = (f"PUT {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {auth}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {200 * 1024 * 1024}\r\n\r\n")
    answer = _raw_request(kinto_server.port, head, (mib for _ in range(200)))
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]

    # chunked, no Content-Length, 200 MiB streamed
    head = (f"PUT {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {auth}\r\n"
            f"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = f"{len(mib):x}\r\n".encode() + mib + b"\r\n"
    answer = _raw_request(kinto_server.port, head, (chunk for _ in range(200)))
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]

    # an 11 MiB plain body through requests, and an 11 MiB gzip bomb (decompressed size counts)
    r = http.put(f"{site.url}{record_path(site, rid)}", auth=site.officer,
                 data=b'{"data": {"full_name": "' + b"A" * (11 * 1024 * 1024) + b'"}}',
                 headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    import gzip
    r = http.put(f"{site.url}{record_path(site, rid)}", auth=site.officer,
                 data=gzip.compress(b'{"data": {"full_name": "' + b"A" * (11 * 1024 * 1024) + b'"}}'),
                 headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})
    assert r.status_code == 413 and r.json()["errno"] == 113

    assert http.get(f"{site.url}{record_path(site, rid)}", auth=site.admin).status_code == 404   # nothing stored
    assert http.get(f"{site.url}/__heartbeat__").status_code == 200
    assert _rss_kb(pid) - rss_before < 100 * 1024        # parsing 200 MiB of JSON would take gigabytes
    # a body under the cap still goes through
    assert http.put(f"{site.url}{record_path(site, rid)}", auth=site.officer,
                    json={"data": person(site.commune, notes="ghi chú " * 200)}).status_code == 201


def test_body_limit_middleware_for_streaming_servers():
    """Behind a server that streams (gunicorn), chunked bodies without Content-Length reach the middleware
    itself: it reads at most the limit, then 413; a small chunked body goes on with a Content-Length."""
    import io
    seen = {}

    def app(environ, start_response):
        seen["body"] = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    class Endless(io.RawIOBase):
        read_total = 0

        def read(self, n=-1):
            n = 65536 if n is None or n < 0 else n
            Endless.read_total += n
            return b"x" * n

    mw = BodyLimitMiddleware(app, max_body=1024 * 1024)
    statuses = []
    out = mw({"REQUEST_METHOD": "PUT", "HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": Endless()},
             lambda status, headers: statuses.append(status))
    assert statuses == ["413 Request Entity Too Large"] and json.loads(b"".join(out))["errno"] == 113
    assert Endless.read_total <= 1024 * 1024 + 65536                 # stopped right after the limit
    out = mw({"REQUEST_METHOD": "PUT", "CONTENT_LENGTH": str(200 * 1024 * 1024), "wsgi.input": Endless()},
             lambda status, headers: statuses.append(status))
    assert statuses[-1].startswith("413")
    statuses.clear()
    out = mw({"REQUEST_METHOD": "PUT", "HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": io.BytesIO(b"{}")},
             lambda status, headers: statuses.append(status))
    assert statuses == ["200 OK"] and seen["body"] == b"{}"
