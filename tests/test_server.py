"""The sync server's layout and permissions, against a real Kinto + PostgreSQL (tests/kinto_server.py).

    .venv/bin/python -m pytest -q tests/test_server.py -p tests.kinto_server
"""
from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests

from server.bootstrap import ServerAdmin, collection_schema, commune_bucket, synced_models

REPO = Path(__file__).resolve().parent.parent
COLLECTIONS = ["officers", "persons", "mediation_teams", "legal_aid_cases", "mediation_cases",
               "mediation_sessions", "dissemination_events", "assessments", "audit_entries"]


def person(name="Đặng Văn Đức", **extra):
    return {"full_name": name, "gender": "nam", "birth_year": 1980, "commune_code": "90001", **extra}


def legal_aid_case(commune: str, requester: str, **extra):
    return {"number": f"{commune}-2026-A1-{uuid.uuid4().hex[:4]}", "received_date": "2026-03-02",
            "commune_code": commune, "requester_id": requester, "beneficiary_category": "1",
            "legal_field": "dat_dai", "aid_form": "tu_van", "status": "received", "status_history": [], **extra}


def put(http, url, auth, data, headers=None):
    return http.put(url, auth=auth, json={"data": data}, headers=headers or {})


def test_collections_follow_synced_models():
    assert [m.COLLECTION for m in synced_models()] == COLLECTIONS
    schema = collection_schema(next(m for m in synced_models() if m.COLLECTION == "legal_aid_cases"))
    assert {"number", "received_date", "commune_code", "legal_field"} <= set(schema["required"])
    assert schema["additionalProperties"] is True
    assert schema["properties"]["status_history"]["type"] == "array"


def test_bootstrap_is_idempotent(kinto_server, kinto_bucket_factory, http):
    site = kinto_bucket_factory(communes=2)
    admin = kinto_server.admin_client()
    layout = [(c, http.get(f"{site.url}/buckets/{commune_bucket(c)}", auth=site.admin).json()["data"]["name"])
              for c in site.communes]
    assert admin.ensure_communes(layout, province=site.province) == 0     # already up to date: nothing written
    assert admin.ensure_communes(layout, province=site.province, force=True) == 2   # rewritten, nothing lost
    # The CLI, twice (the second run changes nothing); group members survive every run.
    cmd = [sys.executable, "-m", "server.bootstrap", kinto_server.url, "--admin-password",
           kinto_server.admin.password, "--province", site.province, "--communes", ",".join(site.communes)]
    for _ in range(2):
        res = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stderr
    assert "0" in res.stdout
    for code in site.communes:
        bucket = commune_bucket(code)
        group = http.get(f"{site.url}/buckets/{bucket}/groups/officers", auth=site.admin).json()["data"]
        assert group["members"] == [o.principal for o in site.officers[code]]
        colls = http.get(f"{site.url}/buckets/{bucket}/collections", auth=site.admin).json()["data"]
        assert sorted(c["id"] for c in colls) == sorted(COLLECTIONS)
        assert all(c["schema"]["type"] == "object" for c in colls)
    directory = http.get(f"{site.url}/buckets/{site.province_bucket}/collections/communes/records",
                         auth=site.officer).json()["data"]
    assert sorted(r["id"] for r in directory) == sorted(site.communes)
    wrong = subprocess.run(cmd[:5] + ["wrong-password"] + cmd[6:], cwd=REPO, capture_output=True, text=True,
                           timeout=120)
    assert wrong.returncode == 4


def test_officer_writes_own_commune_only(kinto_bucket_factory, http):
    site = kinto_bucket_factory(communes=2, officers=2)
    mine, other = site.communes
    a, a2 = site.officers[mine]
    b = site.officers[other][0]
    pid = str(uuid.uuid4())
    assert put(http, f"{site.records_url('persons', mine)}/{pid}", a, person()).status_code == 201
    # A colleague of the same commune edits it; a record created by one officer is not "owned" by them.
    r = http.patch(f"{site.records_url('persons', mine)}/{pid}", auth=a2, json={"data": {"phone": "0912345678"}})
    assert r.status_code == 200
    # Officer A on the other commune: 403 for reads and writes, and the bucket is not even listed.
    assert http.get(site.records_url("persons", other), auth=a).status_code == 403
    assert put(http, f"{site.records_url('persons', other)}/{uuid.uuid4()}", a, person()).status_code == 403
    assert http.get(f"{site.url}/buckets/{commune_bucket(other)}", auth=a).status_code == 403
    assert http.get(f"{site.records_url('persons', mine)}/{pid}", auth=b).status_code == 403
    listed = {x["id"] for x in http.get(f"{site.url}/buckets", auth=a).json()["data"]}
    assert commune_bucket(mine) in listed and commune_bucket(other) not in listed
    # A batch mixing both communes: own write 201, other 403.
    batch = http.post(f"{site.url}/batch", auth=a, json={"requests": [
        {"method": "PUT", "path": f"/buckets/{commune_bucket(mine)}/collections/persons/records/{uuid.uuid4()}",
         "body": {"data": person()}},
        {"method": "PUT", "path": f"/buckets/{commune_bucket(other)}/collections/persons/records/{uuid.uuid4()}",
         "body": {"data": person()}}]}).json()
    assert [r["status"] for r in batch["responses"]] == [201, 403]


def test_officer_cannot_change_layout(kinto_bucket, http):
    site, a = kinto_bucket, kinto_bucket.officer
    coll = f"{site.url}/buckets/{site.bucket}/collections/persons"
    assert http.patch(coll, auth=a, json={"data": {"schema": {}}}).status_code == 403
    assert http.delete(coll, auth=a).status_code == 403
    assert http.delete(f"{coll}/records", auth=a).status_code == 403
    assert http.put(f"{site.url}/buckets/{site.bucket}/groups/officers", auth=a,
                    json={"data": {"members": ["account:intruder"]}}).status_code == 403
    assert http.put(f"{coll}/records/{uuid.uuid4()}", auth=a,
                    json={"data": person(), "permissions": {"read": ["system.Everyone"]}}).status_code == 403
    # Accounts: only the admin creates them.
    assert http.put(f"{site.url}/accounts/newcomer", auth=a, json={"data": {"password": "x12345678"}}
                    ).status_code in (401, 403)
    assert http.post(f"{site.url}/accounts", json={"data": {"id": "selfmade", "password": "x12345678"}}
                     ).status_code in (401, 403)


def test_supervisor_reads_all_and_writes_nothing(kinto_bucket_factory, http):
    site = kinto_bucket_factory(communes=2)
    for code in site.communes:
        officer = site.officers[code][0]
        assert put(http, f"{site.records_url('dissemination_events', code)}/{uuid.uuid4()}", officer,
                   {"date": "2026-04-01", "commune_code": code, "form": "hoi_nghi", "topic": "Luật Đất đai",
                    "participants": 40}).status_code == 201
    sup = site.supervisor
    for code in site.communes:
        rows = http.get(site.records_url("dissemination_events", code), auth=sup).json()["data"]
        assert len(rows) == 1 and rows[0]["commune_code"] == code
        assert http.get(site.records_url("audit_entries", code), auth=sup).status_code == 200
        r = put(http, f"{site.records_url('dissemination_events', code)}/{uuid.uuid4()}", sup,
                {"date": "2026-04-01", "commune_code": code, "form": "hoi_nghi", "topic": "x"})
        assert r.status_code == 403
        assert http.patch(f"{site.records_url('dissemination_events', code)}/{rows[0]['id']}", auth=sup,
                          json={"data": {"participants": 1}}).status_code == 403
    listed = {x["id"] for x in http.get(f"{site.url}/buckets", auth=sup).json()["data"]}
    assert set(site.buckets) <= listed


def test_centre_staff_read_and_take_over_legal_aid(kinto_bucket_factory, http):
    site = kinto_bucket_factory(communes=2)
    staff = site.centre_staff
    case_ids = {}
    for code in site.communes:
        officer, pid, cid = site.officers[code][0], str(uuid.uuid4()), str(uuid.uuid4())
        assert put(http, f"{site.records_url('persons', code)}/{pid}", officer, person()).status_code == 201
        assert put(http, f"{site.records_url('legal_aid_cases', code)}/{cid}", officer,
                   legal_aid_case(code, pid, referred_to="Trung tâm TGPL tỉnh")).status_code == 201
        assert put(http, f"{site.records_url('mediation_cases', code)}/{uuid.uuid4()}", officer,
                   {"number": "HG-1", "received_date": "2026-03-03", "commune_code": code,
                    "dispute_field": "dat_dai", "parties": [pid]}).status_code == 201
        case_ids[code] = cid
    for code, cid in case_ids.items():
        assert len(http.get(site.records_url("legal_aid_cases", code), auth=staff).json()["data"]) == 1
        assert len(http.get(site.records_url("persons", code), auth=staff).json()["data"]) == 1
        # Other kinds stay private to the commune and the supervisor.
        assert http.get(site.records_url("mediation_cases", code), auth=staff).status_code == 403
        # Taking over a referred case: the centre writes it.
        r = http.patch(f"{site.records_url('legal_aid_cases', code)}/{cid}", auth=staff,
                       json={"data": {"status": "accepted", "provider": "Trợ giúp viên Lò Thị Mai"}})
        assert r.status_code == 200 and r.json()["data"]["status"] == "accepted"
        # Centre staff may add a person but not rewrite the commune's people.
        pid = http.get(site.records_url("persons", code), auth=staff).json()["data"][0]["id"]
        assert http.patch(f"{site.records_url('persons', code)}/{pid}", auth=staff,
                          json={"data": {"phone": "1"}}).status_code == 403
        assert put(http, f"{site.records_url('persons', code)}/{uuid.uuid4()}", staff, person()).status_code == 201


def test_audit_entries_are_append_only_for_others(kinto_bucket_factory, http):
    site = kinto_bucket_factory(officers=2)
    a, b = site.officers[site.commune]
    eid = str(uuid.uuid4())
    entry = {"record_kind": "person", "record_id": str(uuid.uuid4()), "action": "create", "officer": a.user,
             "at": "2026-05-01T08:00:00+00:00", "changes": {"full_name": [None, "A"]}}
    url = f"{site.records_url('audit_entries')}/{eid}"
    assert put(http, url, a, entry, {"If-None-Match": "*"}).status_code == 201
    assert http.get(url, auth=b).status_code == 200                              # colleagues read it
    assert http.patch(url, auth=b, json={"data": {"action": "delete"}}).status_code == 403
    assert http.delete(url, auth=b).status_code == 403
    assert put(http, url, b, entry, {"If-None-Match": "*"}).status_code in (403, 412)


def test_anonymous_gets_401(kinto_bucket, http):
    site = kinto_bucket
    assert http.get(site.records_url("persons")).status_code == 401
    assert http.put(f"{site.records_url('persons')}/{uuid.uuid4()}", json={"data": person()}).status_code == 401
    assert http.get(site.records_url("persons"), auth=(site.officer.user, "wrong")).status_code == 401


def test_schema_rejects_invalid_record(kinto_bucket, http):
    site, a = kinto_bucket, kinto_bucket.officer
    url = f"{site.records_url('legal_aid_cases')}/{uuid.uuid4()}"
    r = put(http, url, a, {"number": "X-1", "commune_code": site.commune})           # required fields missing
    assert r.status_code == 400 and r.json()["errno"] == 107
    r = put(http, f"{site.records_url('persons')}/{uuid.uuid4()}", a, person(birth_year="nineteen-eighty"))
    assert r.status_code == 400 and "birth_year" in r.json()["message"]
    r = put(http, f"{site.records_url('mediation_sessions')}/{uuid.uuid4()}", a, {"date": "2026-01-02"})
    assert r.status_code == 400                                                     # no case / case_id
    # Fields the schema does not know (a newer client) are accepted.
    assert put(http, f"{site.records_url('persons')}/{uuid.uuid4()}", a,
               person(future_field={"x": 1})).status_code == 201


def test_safe_create_and_stale_update(kinto_bucket, http):
    site, a = kinto_bucket, kinto_bucket.officer
    url = f"{site.records_url('persons')}/{uuid.uuid4()}"
    r = put(http, url, a, person(), {"If-None-Match": "*"})
    assert r.status_code == 201
    etag = r.headers["ETag"]
    assert put(http, url, a, person("Bản sao"), {"If-None-Match": "*"}).status_code == 412   # re-sent create
    r = http.patch(url, auth=a, json={"data": {"phone": "0987654321"}}, headers={"If-Match": etag})
    assert r.status_code == 200
    r2 = http.patch(url, auth=a, json={"data": {"phone": "0000000000"}}, headers={"If-Match": etag})
    assert r2.status_code == 412                                                 # stale timestamp
    assert http.get(url, auth=a).json()["data"]["phone"] == "0987654321"


def test_restart_keeps_data(kinto_server, kinto_bucket, http):
    site, a = kinto_bucket, kinto_bucket.officer
    url = f"{site.records_url('persons')}/{uuid.uuid4()}"
    assert put(http, url, a, person()).status_code == 201
    kinto_server.stop()
    assert not kinto_server.running
    with pytest.raises(requests.ConnectionError):
        http.get(url, auth=a, timeout=5)
    kinto_server.start()
    assert http.get(url, auth=a).json()["data"]["full_name"] == "Đặng Văn Đức"
    info = http.get(f"{site.url}/", auth=a).json()
    assert info["settings"]["batch_max_requests"] == kinto_server.batch_max_requests
    assert f"/buckets/{site.bucket}/groups/officers" in info["user"]["principals"]


def test_accounts_and_assignment_api(kinto_bucket_factory, http):
    site = kinto_bucket_factory(communes=2)
    admin: ServerAdmin = site.server.admin_client()
    with pytest.raises(ValueError):
        admin.ensure_account("bad name", "pw")
    with pytest.raises(ValueError):
        admin.ensure_account("longpw", "é" * 40)                                   # 80 bytes > bcrypt's 72
    user = site.new_account("moved")
    admin.assign_officer(user.user, site.communes)
    admin.assign_officer(user.user, site.communes)                                # idempotent
    for code in site.communes:
        assert http.get(site.records_url("persons", code), auth=user).status_code == 200
    admin.unassign_officer(user.user, site.communes[1:])
    assert http.get(site.records_url("persons", site.communes[1]), auth=user).status_code == 403
    admin.ensure_account(user.user, "a-new-password")                              # reset by the admin
    assert http.get(site.records_url("persons"), auth=(user.user, "a-new-password")).status_code == 200


# --- gzip (server/gzip_middleware.py, wired in server/kinto.ini) -------------------------------------------------
def _raw_get(url, auth, accept_encoding):
    """GET without requests' transparent decompression: (response, bytes as they came over the wire)."""
    with requests.Session() as s:
        s.trust_env = False
        r = s.get(url, auth=auth, headers={"Accept-Encoding": accept_encoding}, stream=True, timeout=30)
        return r, r.raw.read(decode_content=False)


def test_gzip_responses_and_request_bodies_round_trip(kinto_bucket, http):
    import gzip
    import json
    url = kinto_bucket.records_url("persons")
    batch = {"requests": [{"method": "PUT", "path": f"/buckets/{kinto_bucket.bucket}/collections/persons/records/"
                                                   f"{uuid.uuid4()}", "body": {"data": person(f"Hà Thị Lan {i}",
                                                                                             notes="Ghi chú " * 20)}}
                          for i in range(20)]}
    plain = json.dumps(batch, ensure_ascii=False).encode()
    r = http.post(f"{kinto_bucket.url}/batch", data=gzip.compress(plain), auth=kinto_bucket.officer,
                  headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})
    assert r.status_code == 200, r.text
    assert [s["status"] for s in r.json()["responses"]] == [201] * 20
    assert r.headers["Accept-Encoding"] == "gzip"                          # RFC 7694: gzip bodies welcome
    # the list comes back gzipped on request, plain otherwise; same JSON, same ETag, Vary set on both
    zipped, wire = _raw_get(url, kinto_bucket.officer, "gzip")
    assert zipped.status_code == 200 and zipped.headers["Content-Encoding"] == "gzip"
    assert int(zipped.headers["Content-Length"]) == len(wire) and "Accept-Encoding" in zipped.headers["Vary"]
    ident, body = _raw_get(url, kinto_bucket.officer, "identity")
    assert "Content-Encoding" not in ident.headers and "Accept-Encoding" in ident.headers["Vary"]
    assert json.loads(gzip.decompress(wire)) == json.loads(body) and len(json.loads(body)["data"]) == 20
    assert len(wire) < len(body) / 3
    assert zipped.headers["ETag"] == ident.headers["ETag"]                 # Kinto's timestamp, kept as is
    assert _raw_get(url, kinto_bucket.officer, "gzip;q=0")[0].headers.get("Content-Encoding") is None
    # conditional requests still work with the (unchanged) ETag
    r = http.get(url, auth=kinto_bucket.officer, headers={"If-None-Match": zipped.headers["ETag"]})
    assert r.status_code == 304
    # small responses are not worth compressing
    small = http.get(f"{kinto_bucket.url}/__heartbeat__", headers={"Accept-Encoding": "gzip"}, stream=True)
    assert small.headers.get("Content-Encoding") is None


def test_gzip_request_body_limits(kinto_bucket, http):
    import gzip
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    bomb = gzip.compress(b'{"requests": [], "pad": "' + b"0" * (11 * 1024 * 1024) + b'"}')
    assert len(bomb) < 20_000                                              # 11 MB in 11 kB
    r = http.post(f"{kinto_bucket.url}/batch", data=bomb, auth=kinto_bucket.officer, headers=headers)
    assert r.status_code == 413 and r.json()["errno"] == 113
    r = http.post(f"{kinto_bucket.url}/batch", data=b"\x1f\x8b not gzip", auth=kinto_bucket.officer, headers=headers)
    assert r.status_code == 400
    r = http.post(f"{kinto_bucket.url}/batch", data=b"{}", auth=kinto_bucket.officer,
                  headers={"Content-Type": "application/json", "Content-Encoding": "br"})
    assert r.status_code == 415 and r.headers["Accept-Encoding"] == "gzip"
    assert http.get(f"{kinto_bucket.url}/__heartbeat__").status_code == 200   # the server is fine afterwards
