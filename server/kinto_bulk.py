"""Kinto plugin: bulk record writes per collection, in one transaction with multi-row statements (issue 19).

    POST /v1/buckets/{bucket_id}/collections/{collection_id}/bulk
    {"mode": "partial",                      # or "atomic": nothing is written unless every record is accepted
     "records": [
        {"id": "…", "op": "create", "data": {…}},                    # PUT If-None-Match: *
        {"id": "…", "op": "update", "if_match": 1733…, "data": {…}}, # PATCH If-Match (changed fields, shallow)
        {"id": "…", "op": "delete", "if_match": 1733…},              # DELETE If-Match (tombstone); no if_match:
     ]}                                                               #   unconditional, 404 when absent
    -> 200 {"responses": [{"id": "…", "status": 201, "last_modified": 1733…},
                          {"id": "…", "status": 412, "errno": 114, "message": "…", "details": {"existing": {…}}},
                          {"id": "…", "status": 400, "errno": 107, "message": "…", "details": [{"name": …}]},
                          {"id": "…", "status": 403, "errno": 121, "message": "…"}, …]}

The same rules as Kinto's per-record path (kinto.views.records + server/kinto_guard.py), once per request
instead of once per record:

- authentication: anonymous → 401 (Kinto's forbidden view); permission (`write` on the bucket or collection,
  or `record:create` for creates — Kinto's inheritance tree, kinto.authorization) checked ONCE; a record whose
  write is not allowed gets 403 and is not written (another commune's officer: 403 for every record, nothing
  written). Without collection write, updates and deletes need `write` on the record itself (authors of their
  own `audit_entries`, as in Kinto), read in one query;
- records carrying permissions → 403 (server.kinto_guard.body_sets_permissions; admins excepted, as in the
  guard); each new version (after the update is applied) is checked with server.kinto_guard.check_record
  (the collection's JSON schema + the x-plcs-* rules) → 400 with the guard's message; the `schema` field gets
  the collection schema's timestamp as Kinto does;
- preconditions as Kinto: create on a live record → 412 with the current record; update/delete whose
  `if_match` differs → 412 with the current record; update or delete of an absent record → 404;
- the author gets `write` on the records it creates (Kinto's explicit permissions); a deleted record loses
  its permission entries (Kinto's delete_object);
- ResourceChanged / AfterResourceChanged events through kinto.core.events.notify_resource_event (one event
  per action with every impacted record, as a /batch gives), so history and other plugins keep working.

Partial success (`mode: partial`, the default and what the sync engine uses): every accepted record is
written, each refused one is answered on its own; `mode: atomic` writes nothing when any record is refused
(the accepted ones get 424).

Limits (bounded memory): at most `kinto.plcs_bulk_max_records` records per request (default 1000) → 413
(errno 113) naming the limit; the body itself is capped by server/body_limit.py (10 MiB) → 413 before it is
read. Both are advertised in `GET /v1/` capabilities (`plcs_bulk`: path, max_records, max_body).

Enable it (repository root importable):  kinto.includes = kinto.plugins.accounts server.kinto_guard server.kinto_bulk
"""
from __future__ import annotations

import json

import transaction
from kinto.authorization import _inherited_permissions
from kinto.core import Service
from kinto.core.errors import ERRORS, http_error, json_error_handler
from kinto.core.events import ACTIONS, notify_resource_event
from kinto.core.storage import exceptions as storage_exceptions
from kinto.core.utils import instance_uri
from pyramid.httpexceptions import HTTPBadRequest, HTTPForbidden, HTTPNotFound, HTTPRequestEntityTooLarge
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.settings import asbool, aslist
from sqlalchemy import text

from server.kinto_guard import body_sets_permissions, check_record, describe_problems

CAPABILITY = "plcs_bulk"
PATH = "/buckets/{bucket_id}/collections/{collection_id}/bulk"
DEFAULT_MAX_RECORDS = 1000
DEFAULT_MAX_BODY = 10 * 1024 * 1024        # = server/body_limit.py's max_body in both ini files
OPS = {"create", "update", "delete"}
INTERNAL = {"id", "last_modified", "schema", "__permissions__"}
DELETED_DATA = json.dumps({"deleted": True})
RECORD = "record"

bulk = Service(name="plcs_bulk", path=PATH, description="Bulk record writes (server/kinto_bulk.py)")


# --- SQL -------------------------------------------------------------------------------------------------------
# Why these multi-row statements are safe against the storage schema of the pinned Kinto (26.5.0, storage schema
# version 19, kinto/core/storage/postgresql/schema.sql; pinned in server/requirements.txt):
# - Records live in `objects` (id, parent_id, resource_name, data JSONB, last_modified TIMESTAMP, deleted), primary
#   key (id, parent_id, resource_name), unique index (parent_id, resource_name, last_modified). We write exactly
#   the columns Kinto's own create()/update()/delete() write, with the same values (data without id and
#   last_modified; tombstones `{"deleted": true}` with deleted = TRUE; last_modified NULL = "assign one").
# - last_modified is assigned by Kinto's trigger `bump_timestamp` (BEFORE INSERT OR UPDATE OF data, FOR EACH
#   ROW): MAX(last_modified) of the collection (objects + timestamps) + 1 ms, or the clock when later. It is a
#   VOLATILE plpgsql function, so each row's trigger sees the rows the same statement processed before it
#   (PostgreSQL "Visibility of Data Changes"): a multi-row statement therefore gives every row its own, strictly
#   greater timestamp, exactly like N single-row statements; the unique index would refuse a duplicate anyway.
#   With ON CONFLICT DO UPDATE, EXCLUDED carries the BEFORE INSERT trigger's value, and the BEFORE UPDATE firing
#   keeps it (it is above the collection's maximum, so not equal to it).
# - Creates use Kinto's own statement shape: ON CONFLICT … DO UPDATE … WHERE objects.deleted (a tombstone is
#   replaced, a live record is not: a record created meanwhile by the per-record path is not returned and gets 412).
#   Updates and deletes are one UPDATE … FROM unnest(…) on rows locked FOR UPDATE when their preconditions
#   were read, so nobody changes them in between.
# - `_since` pulls see every record exactly once: Kinto's per-record path has no lock, so two transactions can
#   commit their timestamps out of order. Bulk writes take a transaction-scoped advisory lock per collection
#   before reading the collection's maximum, so bulk transactions of one collection commit one after another and
#   each one's timestamps are above everything committed before it.
LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtext(:parent_id))"
CURRENT_SQL = """
SELECT id, as_epoch(last_modified) AS last_modified, data, deleted
  FROM objects
 WHERE parent_id = :parent_id AND resource_name = 'record' AND id = ANY(CAST(:ids AS TEXT[]))
   FOR UPDATE
"""
CREATE_SQL = """
INSERT INTO objects (id, parent_id, resource_name, data, last_modified, deleted)
SELECT v.id, :parent_id, 'record', CAST(v.data AS JSONB), NULL, FALSE
  FROM unnest(CAST(:ids AS TEXT[]), CAST(:datas AS TEXT[])) WITH ORDINALITY AS v(id, data, n)
 ORDER BY v.n
ON CONFLICT (id, parent_id, resource_name) DO UPDATE
   SET last_modified = EXCLUDED.last_modified, data = EXCLUDED.data, deleted = FALSE
 WHERE objects.deleted = TRUE
RETURNING id, as_epoch(last_modified) AS last_modified
"""
CHANGE_SQL = """
UPDATE objects AS o
   SET data = CAST(v.data AS JSONB), deleted = v.deleted, last_modified = NULL
  FROM unnest(CAST(:ids AS TEXT[]), CAST(:datas AS TEXT[]), CAST(:deleted AS BOOLEAN[])) AS v(id, data, deleted)
 WHERE o.id = v.id AND o.parent_id = :parent_id AND o.resource_name = 'record'
RETURNING o.id, as_epoch(o.last_modified) AS last_modified
"""
ACL_SQL = """
INSERT INTO access_control_entries (object_id, permission, principal)
SELECT u, 'write', :principal FROM unnest(CAST(:uris AS TEXT[])) AS u
ON CONFLICT DO NOTHING
"""
ACL_DELETE_SQL = "DELETE FROM access_control_entries WHERE object_id = ANY(CAST(:uris AS TEXT[]))"


# --- results ---------------------------------------------------------------------------------------------------
def _error(rid, status: int, errno: ERRORS, message: str, details=None) -> dict:
    out = {"id": rid, "status": status, "errno": errno.value, "message": message}
    if details is not None:
        out["details"] = details
    return out


def _invalid(rid, field, message) -> dict:
    return _error(rid, 400, ERRORS.INVALID_PARAMETERS, message,
                  [{"location": "body", "name": field, "description": message}])


def _precondition(rid, existing: dict | None) -> dict:
    details = {"existing": existing} if existing else None
    return _error(rid, 412, ERRORS.MODIFIED_MEANWHILE, "Resource was modified meanwhile", details)


def _too_large(message: str):
    return http_error(HTTPRequestEntityTooLarge(), errno=ERRORS.REQUEST_TOO_LARGE, message=message)


# --- the view --------------------------------------------------------------------------------------------------
class _Bulk:
    def __init__(self, request):
        self.request = request
        settings = request.registry.settings
        self.max_records = int(settings.get("plcs_bulk_max_records", DEFAULT_MAX_RECORDS))
        self.admins = set(aslist(settings.get("plcs_admin_principals", "account:admin")))
        self.validate = asbool(settings.get("experimental_collection_schema_validation"))
        self.explicit = asbool(settings.get("explicit_permissions", True))
        md = request.matchdict
        self.bucket_id, self.collection_id = md["bucket_id"], md["collection_id"]
        self.bucket_uri = instance_uri(request, "bucket", id=self.bucket_id)
        self.parent_id = instance_uri(request, "collection", bucket_id=self.bucket_id, id=self.collection_id)
        self.principals = set(request.prefixed_principals or [])

    def record_uri(self, rid: str) -> str:
        return f"{self.parent_id}/records/{rid}"

    # input -------------------------------------------------------------------------------------------------
    def parse(self) -> tuple[list, str]:
        try:
            body = self.request.json_body
        except ValueError:
            raise http_error(HTTPBadRequest(), errno=ERRORS.INVALID_PARAMETERS,
                             message="The body must be JSON: {\"records\": [...]}.") from None
        records = body.get("records") if isinstance(body, dict) else None
        mode = body.get("mode", "partial") if isinstance(body, dict) else None
        if not isinstance(records, list) or mode not in ("partial", "atomic"):
            raise http_error(HTTPBadRequest(), errno=ERRORS.INVALID_PARAMETERS,
                             message="Body: {\"mode\": \"partial\"|\"atomic\", \"records\": [{\"id\", \"op\": "
                                     "create|update|delete, \"data\", \"if_match\"}, …]}.")
        if len(records) > self.max_records:
            raise _too_large(f"{len(records)} records in one bulk request; at most {self.max_records} are "
                             f"accepted (split the request).")
        return records, mode

    def _check_shape(self, item, seen: set) -> dict | None:
        """The answer for an item that cannot be processed at all, else None."""
        rid = item.get("id") if isinstance(item, dict) else None
        if not isinstance(rid, str) or not rid:
            return _invalid(rid, "id", "Each record needs an \"id\" (string).")
        gen = self.request.registry.id_generators
        if not gen.get(RECORD, gen[""]).match(rid):
            return _invalid(rid, "id", f"id: «{rid[:60]}» is not a valid record id.")
        if rid in seen:
            return _invalid(rid, "id", f"id: {rid} appears twice in this request.")
        seen.add(rid)
        op = item.get("op")
        if op not in OPS:
            return _invalid(rid, "op", "op: one of create, update, delete.")
        data = item.get("data")
        if op != "delete" and not isinstance(data, dict):
            return _invalid(rid, "data", "data: an object with the record's fields.")
        if op == "update" and not isinstance(item.get("if_match"), int):
            return _invalid(rid, "if_match", "if_match: the last_modified this update is based on.")
        if op == "delete" and item.get("if_match") is not None and not isinstance(item["if_match"], int):
            return _invalid(rid, "if_match", "if_match: an integer timestamp.")
        if not (self.principals & self.admins) and body_sets_permissions(item, data):
            return _error(rid, 403, ERRORS.FORBIDDEN, "Record permissions are managed by the server layout "
                                                      "(bucket and collection), not per record.")
        return None

    # permissions -------------------------------------------------------------------------------------------
    def _allowed(self, perm: str, uri: str) -> bool:
        return self.request.registry.permission.check_permission(self.principals,
                                                                  _inherited_permissions(uri, perm))

    def _record_writers(self, rids: list[str]) -> set[str]:
        """Ids among `rids` on which the caller holds `write` itself (the author's entry)."""
        if not rids:
            return set()
        uris = [self.record_uri(r) for r in rids]
        perms = self.request.registry.permission.get_objects_permissions(uris, ["write"])
        return {rid for rid, p in zip(rids, perms, strict=True) if self.principals & set(p.get("write", ()))}

    # the run -----------------------------------------------------------------------------------------------
    def run(self) -> dict:
        request = self.request
        if request.authenticated_userid is None:
            raise HTTPForbidden()                       # Kinto's forbidden view turns this into 401
        records, mode = self.parse()
        try:
            collection = request.registry.storage.get(resource_name="collection", parent_id=self.bucket_uri,
                                                      object_id=self.collection_id)
        except storage_exceptions.ObjectNotFoundError:
            collection = None
        can_write = self._allowed("write", self.parent_id)
        can_create = can_write or self._allowed("record:create", self.parent_id)
        if collection is None:
            if can_create:
                raise http_error(HTTPNotFound(), errno=ERRORS.INVALID_RESOURCE_ID,
                                 message=f"No collection {self.collection_id} in bucket {self.bucket_id}.")
            can_write = can_create = False              # as Kinto: who may not write learns nothing more

        results: list[dict | None] = [None] * len(records)
        todo: list[int] = []
        seen: set[str] = set()
        for i, item in enumerate(records):
            results[i] = self._check_shape(item, seen)
            if results[i] is None:
                todo.append(i)
        if not can_create:                              # nobody here may write: 403 each, nothing read or written
            for i in todo:
                results[i] = _error(records[i]["id"], 403, ERRORS.FORBIDDEN,
                                    f"No permission to write {self.bucket_id}/{self.collection_id}.")
            return {"responses": results}
        if not todo:
            return {"responses": results}

        storage = request.registry.storage
        with storage.client.connect() as conn:          # the request's transaction (pyramid_tm): one commit
            conn.execute(text(LOCK_SQL), {"parent_id": self.parent_id})
            ids = [records[i]["id"] for i in todo]
            current = {row.id: row for row in conn.execute(text(CURRENT_SQL),
                                                            {"parent_id": self.parent_id, "ids": ids})}
            own = set() if can_write else self._record_writers(
                [records[i]["id"] for i in todo if records[i]["op"] != "create"])
            creates, changes, events = [], [], []
            schema = collection.get("schema") if (self.validate and collection) else None
            for i in todo:
                item = records[i]
                rid, op = item["id"], item["op"]
                row = current.get(rid)
                live = row is not None and not row.deleted
                old = {**row.data, "id": rid, "last_modified": row.last_modified} if live else None
                if op != "create" and not can_write and rid not in own:
                    results[i] = _error(rid, 403, ERRORS.FORBIDDEN,
                                        f"No permission to change this record of {self.collection_id}.")
                    continue
                if op == "create" and live:
                    results[i] = _precondition(rid, old)
                    continue
                if op != "create" and not live:
                    results[i] = _error(rid, 404, ERRORS.INVALID_RESOURCE_ID, "Record not found.")
                    continue
                if_match = item.get("if_match")
                if op != "create" and if_match is not None and if_match != row.last_modified:
                    results[i] = _precondition(rid, old)
                    continue
                if op == "delete":
                    changes.append((i, rid, DELETED_DATA, True))
                    events.append((i, ACTIONS.DELETE, old))
                    continue
                fields = {k: v for k, v in item["data"].items() if k not in INTERNAL}
                new = {**(row.data if op == "update" else {}), **fields}
                new.pop("schema", None)
                if schema:
                    problems = check_record(schema, self.bucket_id, new)
                    if problems:
                        results[i] = _invalid(rid, *describe_problems(problems))
                        continue
                    new["schema"] = collection["last_modified"]     # as kinto.views.records.Record does
                payload = json.dumps(new, ensure_ascii=False)
                if op == "create":
                    creates.append((i, rid, payload))
                    events.append((i, ACTIONS.CREATE, new))
                else:
                    changes.append((i, rid, payload, False))
                    events.append((i, ACTIONS.UPDATE, (old, new)))

            refused = any(r is not None and r["status"] >= 400 for r in results)
            if mode == "atomic" and refused:
                for i in todo:
                    if results[i] is None:
                        results[i] = _error(records[i]["id"], 424, ERRORS.MODIFIED_MEANWHILE,
                                            "Not written: another record of this atomic request was refused.")
                return {"responses": results}

            stamps: dict[str, int] = {}
            if creates:
                got = conn.execute(text(CREATE_SQL), {"parent_id": self.parent_id,
                                                      "ids": [c[1] for c in creates],
                                                      "datas": [c[2] for c in creates]})
                stamps.update({r.id: r.last_modified for r in got})
            if changes:
                got = conn.execute(text(CHANGE_SQL), {"parent_id": self.parent_id,
                                                      "ids": [c[1] for c in changes],
                                                      "datas": [c[2] for c in changes],
                                                      "deleted": [c[3] for c in changes]})
                stamps.update({r.id: r.last_modified for r in got})
            lost = [c for c in creates if c[1] not in stamps]      # created meanwhile by the per-record path
            if lost:
                now = {row.id: row for row in conn.execute(text(CURRENT_SQL), {
                    "parent_id": self.parent_id, "ids": [c[1] for c in lost]})}
                for i, rid, _ in lost:
                    row = now.get(rid)
                    results[i] = _precondition(rid, {**row.data, "id": rid, "last_modified": row.last_modified}
                                               if row is not None and not row.deleted else None)
                if mode == "atomic":
                    transaction.doom()                              # the request's transaction rolls back
                    for i in todo:
                        if results[i] is None:
                            results[i] = _error(records[i]["id"], 424, ERRORS.MODIFIED_MEANWHILE,
                                                "Not written: another record of this atomic request was refused.")
                    return {"responses": results}

        self._permissions(creates, changes, stamps)
        self._events(records, events, stamps)
        for i, rid, *_ in creates + changes:
            if rid in stamps:
                status = 201 if any(c[0] == i for c in creates) else 200
                results[i] = {"id": rid, "status": status, "last_modified": stamps[rid]}
        return {"responses": results}

    def _permissions(self, creates, changes, stamps) -> None:
        """Kinto's explicit permissions: the author gets `write` on what it created; a deleted record's
        entries go (model.delete_object). Two multi-row statements on the permission backend's connection,
        which joins the same request transaction."""
        perm = self.request.registry.permission
        created = [self.record_uri(c[1]) for c in creates if c[1] in stamps]
        deleted = [self.record_uri(c[1]) for c in changes if c[3] and c[1] in stamps]
        if not (created and self.explicit) and not deleted:
            return
        with perm.client.connect() as conn:
            if deleted:
                conn.execute(text(ACL_DELETE_SQL), {"uris": deleted})
            if created and self.explicit:
                conn.execute(text(ACL_SQL), {"uris": created, "principal": self.request.prefixed_userid})

    def _events(self, records, events, stamps) -> None:
        if not stamps:
            return
        timestamp = max(stamps.values())
        for i, action, data in events:
            rid = records[i]["id"]
            if rid not in stamps:
                continue
            resource = {"bucket_id": self.bucket_id, "collection_id": self.collection_id, "id": rid}
            ts = stamps[rid]
            if action == ACTIONS.CREATE:
                notify_resource_event(self.request, self.parent_id, timestamp, {**data, "id": rid,
                                      "last_modified": ts}, action, resource_name=RECORD, resource_data=resource)
            elif action == ACTIONS.UPDATE:
                old, new = data
                notify_resource_event(self.request, self.parent_id, timestamp, {**new, "id": rid,
                                      "last_modified": ts}, action, old=old, resource_name=RECORD,
                                      resource_data=resource)
            else:
                notify_resource_event(self.request, self.parent_id, timestamp,
                                      {"id": rid, "last_modified": ts, "deleted": True}, action, old=data,
                                      resource_name=RECORD, resource_data=resource)


@bulk.post(permission=NO_PERMISSION_REQUIRED, error_handler=json_error_handler)
def bulk_write(request):
    return _Bulk(request).run()


def includeme(config) -> None:
    settings = config.get_settings()
    max_records = int(settings.get("plcs_bulk_max_records", DEFAULT_MAX_RECORDS))
    config.add_api_capability(
        CAPABILITY,
        description="Bulk record writes per collection: one request and one transaction for many records, "
                    "with per-record preconditions and results.",
        url="https://docs.kinto-storage.org/en/stable/api/1.x/batch.html",
        path=PATH, max_records=max_records,
        max_body=int(settings.get("plcs_bulk_max_body", DEFAULT_MAX_BODY)))
    config.add_cornice_service(bulk)
