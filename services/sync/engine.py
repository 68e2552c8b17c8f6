"""One sync run: pull (per bucket+collection, `_since` + Next-Page), merge, push (batches of conditional
writes), repeated while the server reports newer versions (412). See services/sync/__init__.py for the API.

    engine = SyncEngine(KintoHTTP(url, (user, pw)), profile, progress=print)
    summary = engine.run()

Guarantees (tested in tests/test_sync.py against a real Kinto + PostgreSQL):
- Ids are the client UUIDs. A create is `PUT If-None-Match: *` (full compact document), an update is
  `PATCH If-Match: "<base timestamp>"` with the changed fields only, a delete `DELETE If-Match`. A re-sent
  write after a lost response gets 412 carrying the server's copy (tombstones: the next pull brings it); it is
  merged at once, found equal to the local version and acknowledged — never a second record.
- Pull applies a page and saves the checkpoint in ONE local transaction (BEGIN IMMEDIATE, so that a UI edit
  cannot slip between reading a record and writing the merge); an interruption anywhere resumes from the last
  applied page. Records of the page with no local change waiting (the common case, e.g. a first sync) are
  written in bulk (records.apply_remote_many, store.set_bases); those with a queued local change go through the
  per-record three-way merge (_apply_one).
- Outbox rows are acknowledged per record with `queued_before` = the moment the sent version was read, so an
  edit made during the sync stays queued.
- Ordering uses only server timestamps (SyncBase.last_modified, checkpoints); the device clock is used only to
  compare local outbox rows with each other.
- After a push, a light listing (`_fields=id`) moves the checkpoint over this device's own writes, so they are
  not downloaded again (only changed records travel).
- Pull order is by kind (persons before cases before sessions), all buckets per kind, so foreign keys resolve;
  a reference to a record this account cannot read gets a deleted placeholder row (replaced if it arrives).
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass, field

from peewee import DateField, ForeignKeyField, IntegrityError

from models.db import database
from models.records import MODEL_BY_COLLECTION, MODEL_BY_KIND, SYNCED_MODELS, Outbox
from services import outbox, records
from services.dates import utc_now
from services.errors import AppError
from services.sync import documents, store
from services.sync.errors import (OfflineError, RejectedError, ServerError, SyncConfigError, SyncPermissionError,
                                  describe)
from services.sync.merge import merge3
from services.sync.routing import Router

log = logging.getLogger(__name__)

KIND_ORDER = [m.KIND for m in SYNCED_MODELS]
READER_ROLES = {"centre_staff", "supervisor", "admin"}


@dataclass
class SyncSummary:
    sent: int = 0
    received: int = 0
    merged: int = 0
    conflicts: int = 0            # conflicts recorded by this run
    bytes_sent: int = 0
    bytes_received: int = 0
    errors: list = field(default_factory=list)    # [{"category", "vi", "en", "kind"?, "id"?}]
    open_conflicts: int = 0
    requests: int = 0
    rounds: int = 0
    started_at: str = ""
    finished_at: str = ""

    @property
    def bytes_per_record(self) -> float:
        n = self.sent + self.received
        return round((self.bytes_sent + self.bytes_received) / n, 1) if n else 0.0

    def as_dict(self) -> dict:
        d = asdict(self)
        d["bytes_per_record"] = self.bytes_per_record
        return d


@dataclass
class SyncOptions:
    page_size: int = 250          # records per pull page (one local transaction each)
    max_rounds: int = 6           # pull/push rounds while the server reports newer versions
    attempts: int = 6             # HTTP attempts per request (retries with exponential backoff)
    backoff: float = 0.5
    max_backoff: float = 8.0
    timeout: tuple = (10, 120)


def _ts_from(sub: dict) -> int | None:
    etag = (sub.get("headers") or {}).get("ETag")
    if etag:
        try:
            return int(etag.strip('"'))
        except ValueError:
            pass
    data = (sub.get("body") or {}).get("data") or {}
    return data.get("last_modified")


class SyncEngine:
    def __init__(self, http, profile: dict | None, progress=None, options: SyncOptions | None = None):
        self.http = http
        self.profile = profile or {}
        self.role = self.profile.get("role") or "officer"
        self.progress = progress or (lambda phase, done, total: None)
        self.options = options or SyncOptions()
        self.router = Router(self.profile)
        self.summary = SyncSummary()
        self.failed: set[tuple[str, str]] = set()
        self.forbidden: set[tuple[str, str]] = set()
        self._errors_seen: set[tuple] = set()

    # --- entry -------------------------------------------------------------------------------------------------
    def run(self) -> SyncSummary:
        self.summary.started_at = utc_now().isoformat()
        try:
            self.http.check_login()
            self.buckets = self._buckets()
            for _ in range(self.options.max_rounds):
                self.summary.rounds += 1
                self.pull()
                again = self.push()
                if not again:
                    break
        finally:
            self.summary.bytes_sent = self.http.bytes_sent
            self.summary.bytes_received = self.http.bytes_received
            self.summary.requests = self.http.requests
            self.summary.open_conflicts = store.open_conflicts().count()
            self.summary.finished_at = utc_now().isoformat()
        return self.summary

    def _error(self, err: AppError, **where) -> None:
        key = (err.category, err.en, tuple(sorted(where.items())))
        if key in self._errors_seen:
            return
        self._errors_seen.add(key)
        self.summary.errors.append({**describe(err), **where})

    def _buckets(self) -> list[str]:
        """Officers: their profile's communes. Centre staff, supervisors, admins: every readable commune bucket
        (GET /v1/buckets, plus the commune directory of each readable province bucket)."""
        if self.role not in READER_ROLES:
            if not self.router.communes:
                raise SyncConfigError.make("sync.error.no_communes")
            return [f"c-{c}" for c in self.router.communes]
        found = set()
        for b in self._list_all("/buckets"):
            if b["id"].startswith("c-"):
                found.add(b["id"])
            elif b["id"].startswith("province-"):
                try:
                    for rec in self._list_all(f"/buckets/{b['id']}/collections/communes/records"):
                        if rec.get("bucket"):
                            found.add(rec["bucket"])
                except SyncPermissionError:
                    continue
        return sorted(found)

    def _list_all(self, path: str) -> list[dict]:
        out, url, params = [], path, {"_limit": 1000}
        while url:
            resp = self.http.request("GET", url, params=params)
            if resp.status_code >= 400:
                raise ServerError.make(f"HTTP {resp.status_code} GET {path}")
            out += resp.json().get("data", [])
            url, params = resp.headers.get("Next-Page"), None
        return out

    # --- pull --------------------------------------------------------------------------------------------------
    def pull(self) -> None:
        pairs = [(b, m.COLLECTION) for m in SYNCED_MODELS for b in self.buckets
                 if (b, m.COLLECTION) not in self.forbidden]
        received = 0
        # First pages of every pair in as few round trips as the batch limit allows; then Next-Page chains.
        for i in range(0, len(pairs), self.http.batch_limit):
            chunk = pairs[i:i + self.http.batch_limit]
            subs = [{"method": "GET", "path": self._records_path(b, c) + "?" + self._since_query(b, c)}
                    for b, c in chunk]
            responses = self.http.batch(subs)
            for (bucket, coll), sub in zip(chunk, responses):
                status = sub.get("status")
                if status == 403 or status == 401:
                    self._forbidden(bucket, coll, status)
                    continue
                if status != 200:
                    self._error(ServerError.make(f"HTTP {status} GET {bucket}/{coll}"), bucket=bucket)
                    continue
                body = sub.get("body") or {}
                next_page = (sub.get("headers") or {}).get("Next-Page")
                received += self._apply_page(bucket, coll, body.get("data", []))
                self.progress("pull", received, None)
                while next_page:
                    resp = self.http.request("GET", next_page)
                    if resp.status_code != 200:
                        raise ServerError.make(f"HTTP {resp.status_code} GET {bucket}/{coll}")
                    received += self._apply_page(bucket, coll, resp.json().get("data", []))
                    self.progress("pull", received, None)
                    next_page = resp.headers.get("Next-Page")

    def _forbidden(self, bucket: str, coll: str, status: int) -> None:
        self.forbidden.add((bucket, coll))
        if self.role in READER_ROLES:
            return   # readers see only some collections of a commune (e.g. centre staff: legal aid, persons)
        if status == 401:
            from services.sync.errors import WrongPasswordError
            raise WrongPasswordError.make()
        self._error(SyncPermissionError.make(f"{bucket}"), bucket=bucket)

    @staticmethod
    def _records_path(bucket: str, coll: str) -> str:
        return f"/buckets/{bucket}/collections/{coll}/records"

    def _since_query(self, bucket: str, coll: str) -> str:
        since = store.checkpoint(bucket, coll)
        return f"_since={since}&_sort=last_modified&_limit={self.options.page_size}"

    def _apply_page(self, bucket: str, coll: str, page: list[dict]) -> int:
        if not page:
            return 0
        kind = MODEL_BY_COLLECTION[coll].KIND
        ids = [r["id"] for r in page]
        applied = 0
        with database.atomic("IMMEDIATE"):
            read_time = utc_now()
            pending = set()
            for i in range(0, len(ids), 500):
                pending |= {r.record_id for r in Outbox.select(Outbox.record_id)
                            .where((Outbox.kind == kind) & (Outbox.record_id.in_(ids[i:i + 500])))}
            base_rows = store.bases(kind, ids)
            plain = []                     # no local change waiting: the server version is written as it is
            for rec in page:
                base = base_rows.get(rec["id"])
                if base is not None and base.last_modified >= int(rec["last_modified"]):
                    continue               # this version (or a newer one) is already here
                if rec["id"] in pending:
                    applied += self._apply_one(kind, bucket, rec, base, True, read_time)
                else:
                    plain.append(rec)
            applied += self._apply_plain(kind, bucket, plain)
            store.set_checkpoint(bucket, coll, max(r["last_modified"] for r in page))
        self.summary.received += applied
        return applied

    def _apply_one(self, kind, bucket, rec, base, pending: bool, read_time) -> bool:
        rid, ts = rec["id"], int(rec["last_modified"])
        if base is not None and base.last_modified >= ts:
            return False          # this version (or a newer one) is already here: our own write coming back
        model = MODEL_BY_KIND[kind]
        remote_deleted = bool(rec.get("deleted"))
        remote = None if remote_deleted else documents.remote_document(kind, rec)
        base_doc = base.document if (base is not None and not base.deleted) else None
        if not pending:
            self._write_remote(kind, rid, remote, ts)
            store.set_base(kind, rid, bucket, ts, remote)
            return True
        instance = model.get_or_none(model.id == rid)
        if instance is None:     # queued but gone locally: nothing to merge
            outbox.acknowledge(kind, [rid], queued_before=read_time)
            self._write_remote(kind, rid, remote, ts)
            store.set_base(kind, rid, bucket, ts, remote)
            return True
        local = documents.local_document(instance)
        if remote_deleted:
            if not instance.deleted and (base_doc is None or local != base_doc):
                # An edit against a remote delete: a conflict, never a resurrection. The delete wins in the
                # record; the edited version is kept in the conflict (resolve "local" restores it).
                store.add_conflict(kind, rid, "deleted", local=False, remote=True, base=False, remote_ts=ts,
                                   document=local)
                self.summary.conflicts += 1
            self._write_remote(kind, rid, None, ts)
            store.set_base(kind, rid, bucket, ts, None)
            outbox.acknowledge(kind, [rid], queued_before=read_time)
            return True
        if instance.deleted:
            # A local delete against a remote edit: the delete wins (pushed next with If-Match on this version);
            # the remote edit is kept in the conflict (resolve "remote" restores it).
            reference = base_doc if base_doc is not None else local
            if remote != reference:
                store.add_conflict(kind, rid, "deleted", local=True, remote=False, base=False, remote_ts=ts,
                                   document=remote)
                self.summary.conflicts += 1
            model.update(last_modified=ts).where(model.id == rid).execute()
            store.set_base(kind, rid, bucket, ts, remote)
            return True
        merged, conflicts = merge3(base_doc, local, remote)
        for key, lv, rv, bv in conflicts:
            store.add_conflict(kind, rid, key, local=lv, remote=rv, base=bv, remote_ts=ts)
            self.summary.conflicts += 1
        if local != remote:
            self.summary.merged += 1
        self._write_remote(kind, rid, merged, ts)
        store.set_base(kind, rid, bucket, ts, remote)
        if merged == remote:
            outbox.acknowledge(kind, [rid], queued_before=read_time)
        return True

    def _apply_plain(self, kind: str, bucket: str, page: list[dict]) -> int:
        """The common case of a pull, in bulk: records with no local change waiting get the server version
        (records.apply_remote_many: one upsert per 100 rows, bulk search index) and their base in one go.
        Same result as _apply_one(…, pending=False) per record."""
        if not page:
            return 0
        model = MODEL_BY_KIND[kind]
        remote = {r["id"]: (None if r.get("deleted") else documents.remote_document(kind, r)) for r in page}
        dead = [rid for rid, doc in remote.items() if doc is None]
        stored = set()
        for i in range(0, len(dead), 500):
            stored |= {m.id for m in model.select(model.id).where(model.id.in_(dead[i:i + 500]))}
        self._ensure_references_many(kind, [doc for doc in remote.values() if doc is not None])
        items = []
        for rec in page:
            rid, ts, doc = rec["id"], int(rec["last_modified"]), remote[rec["id"]]
            if doc is not None:
                items.append(({**doc, "id": rid, "deleted": False}, ts))
            elif rid in stored:
                items.append(({"id": rid, "deleted": True}, ts))
        records.apply_remote_many(kind, items)
        store.set_bases(kind, [(rec["id"], bucket, int(rec["last_modified"]), remote[rec["id"]]) for rec in page])
        return len(page)

    def _write_remote(self, kind: str, rid: str, doc: dict | None, ts: int) -> None:
        model = MODEL_BY_KIND[kind]
        if doc is None:
            if model.select().where(model.id == rid).exists():
                records.apply_remote(kind, {"id": rid, "deleted": True}, last_modified=ts)
            return
        self._ensure_references(kind, doc)
        records.apply_remote(kind, {**doc, "id": rid, "deleted": False}, last_modified=ts)

    def _ensure_references(self, kind: str, doc: dict) -> None:
        """Insert a deleted placeholder for a referenced record that this device does not have (it lives in a
        bucket this account cannot read); a later pull of the real record replaces it."""
        for key, fld in documents.user_fields(kind):
            if not isinstance(fld, ForeignKeyField) or not doc.get(key):
                continue
            target = fld.rel_model
            if target.select().where(target.id == doc[key]).exists():
                continue
            self._placeholder(target, doc[key])

    def _ensure_references_many(self, kind: str, docs: list[dict]) -> None:
        """_ensure_references for a page: one query per foreign key and 500 ids."""
        for key, fld in documents.user_fields(kind):
            if not isinstance(fld, ForeignKeyField):
                continue
            target = fld.rel_model
            wanted = sorted({d[key] for d in docs if d.get(key)})
            for i in range(0, len(wanted), 500):
                chunk = wanted[i:i + 500]
                have = {m.id for m in target.select(target.id).where(target.id.in_(chunk))}
                for rid in chunk:
                    if rid not in have:
                        self._placeholder(target, rid)

    @staticmethod
    def _placeholder(target, rid: str) -> None:
        row = {"id": rid, "deleted": True, "last_modified": None}
        for f in target._meta.sorted_fields:
            if f.name in row or f.null or f.default is not None or isinstance(f, ForeignKeyField):
                continue
            if isinstance(f, DateField):
                row[f.name] = dt.date(1970, 1, 1)
            else:
                row[f.name] = f"?{rid}" if f.unique else ""
        try:
            with database.atomic():
                target.insert(**row).execute()
        except IntegrityError:
            log.warning("no placeholder for %s %s", target.__name__, rid)

    # --- push --------------------------------------------------------------------------------------------------
    def push(self) -> bool:
        """Send the outbox. Returns True when another pull/push round is needed (412: newer server version)."""
        todo = [(r.kind, r.record_id) for r in Outbox.select(Outbox.kind, Outbox.record_id).order_by(Outbox.queued_at)
                if (r.kind, r.record_id) not in self.failed]
        todo.sort(key=lambda kr: KIND_ORDER.index(kr[0]) if kr[0] in KIND_ORDER else len(KIND_ORDER))
        total, done, again = len(todo), 0, False
        self.progress("push", 0, total)
        written: set[tuple[str, str]] = set()
        limit = self.http.batch_limit
        i = 0
        while i < len(todo):
            chunk = todo[i:i + limit]
            i += len(chunk)
            read_time = utc_now()
            subs, metas = self._build(chunk, read_time)
            if subs:
                responses = self.http.batch(subs, defaults={"headers": {"Response-Behavior": "diff"}})
                with database.atomic():
                    for meta, sub in zip(metas, responses):
                        again |= self._handle(meta, sub, read_time, written)
            done += len(chunk)
            self.progress("push", done, total)
        if written:
            self._skip_own_writes(written)
        return again

    def _build(self, chunk, read_time):
        by_kind: dict[str, list[str]] = {}
        for kind, rid in chunk:
            by_kind.setdefault(kind, []).append(rid)
        subs, metas = [], []
        for kind, ids in by_kind.items():
            model = MODEL_BY_KIND.get(kind)
            if model is None:
                outbox.acknowledge(kind, ids, queued_before=read_time)
                continue
            instances = {m.id: m for m in model.select().where(model.id.in_(ids))}
            base_rows = store.bases(kind, ids)
            for rid in ids:
                inst = instances.get(rid)
                if inst is None:
                    outbox.acknowledge(kind, [rid], queued_before=read_time)
                    continue
                base = base_rows.get(rid)
                bucket = base.bucket if base else self.router.bucket(kind, inst)
                if bucket is None:
                    self.failed.add((kind, rid))
                    self._error(SyncConfigError.make("sync.error.no_communes"), kind=kind)
                    continue
                path = f"{self._records_path(bucket, model.COLLECTION)}/{rid}"
                doc = documents.local_document(inst)
                meta = {"kind": kind, "id": rid, "bucket": bucket, "doc": doc, "path": path}
                if inst.deleted:
                    if base is not None and base.deleted:
                        outbox.acknowledge(kind, [rid], queued_before=read_time)
                        continue
                    # Never seen on the server (base None): the create may still have landed with a lost
                    # response, so delete unconditionally (404 = never arrived).
                    headers = {"If-Match": f'"{base.last_modified}"'} if base is not None else {}
                    subs.append({"method": "DELETE", "path": path, "headers": headers})
                    meta["op"] = "delete"
                elif base is None or base.deleted:
                    subs.append({"method": "PUT", "path": path, "headers": {"If-None-Match": "*"},
                                 "body": {"data": documents.wire_document(kind, doc)}})
                    meta["op"] = "create"
                else:
                    patch = documents.changed_fields(base.document, doc)
                    if not patch:
                        outbox.acknowledge(kind, [rid], queued_before=read_time)
                        continue
                    subs.append({"method": "PATCH", "path": path,
                                 "headers": {"If-Match": f'"{base.last_modified}"'}, "body": {"data": patch}})
                    meta["op"] = "update"
                metas.append(meta)
        return subs, metas

    def _handle(self, meta, sub, read_time, written) -> bool:
        kind, rid, status = meta["kind"], meta["id"], sub.get("status")
        model = MODEL_BY_KIND[kind]
        if status in (200, 201):
            ts = _ts_from(sub)
            document = None if meta["op"] == "delete" else meta["doc"]
            store.set_base(kind, rid, meta["bucket"], ts, document)
            model.update(last_modified=ts).where(model.id == rid).execute()
            outbox.acknowledge(kind, [rid], queued_before=read_time)
            self.summary.sent += 1
            written.add((meta["bucket"], model.COLLECTION))
            return False
        if meta["op"] == "delete" and status == 404:
            outbox.acknowledge(kind, [rid], queued_before=read_time)   # never reached the server
            return False
        if status == 412:
            # A newer server version (or our own earlier write whose response was lost). Kinto puts the current
            # record in the error; merge it now (it may equal ours: then it is simply acknowledged). Tombstones
            # come without it and arrive with the next pull. Either way another round follows.
            existing = ((sub.get("body") or {}).get("details") or {}).get("existing")
            if isinstance(existing, dict) and existing.get("id") == rid and existing.get("last_modified"):
                base = store.bases(kind, [rid]).get(rid)
                self._apply_one(kind, meta["bucket"], existing, base, True, read_time)
            return True
        if status == 404:
            return True           # gone on the server: the next pull brings its tombstone
        body = sub.get("body") or {}
        detail = f"{kind} {rid[:8]}: {body.get('message') or status}"
        self.failed.add((kind, rid))
        if status == 403:
            self._error(SyncPermissionError.make(meta["bucket"]), kind=kind, id=rid, bucket=meta["bucket"])
        elif status == 401:
            from services.sync.errors import WrongPasswordError
            raise WrongPasswordError.make()
        elif status == 400:
            self._error(RejectedError.make(detail), kind=kind, id=rid)
        else:
            self._error(ServerError.make(detail), kind=kind, id=rid)
        return False

    def _skip_own_writes(self, written: set[tuple[str, str]]) -> None:
        """Move each checkpoint over the run of versions this device wrote itself (they are already here),
        stopping at the first version written by someone else (the next pull fetches it)."""
        for bucket, coll in sorted(written):
            kind = MODEL_BY_COLLECTION[coll].KIND
            since = start = store.checkpoint(bucket, coll)
            url, params = self._records_path(bucket, coll), {"_since": since, "_sort": "last_modified",
                                                              "_fields": "id", "_limit": 1000}
            stop = False
            while url and not stop:
                resp = self.http.request("GET", url, params=params)
                if resp.status_code != 200:
                    break
                page = resp.json().get("data", [])
                known = store.bases(kind, [r["id"] for r in page])
                for r in page:
                    b = known.get(r["id"])
                    if b is None or b.last_modified != r["last_modified"]:
                        stop = True
                        break
                    since = r["last_modified"]
                url, params = resp.headers.get("Next-Page"), None
            if since > start:
                store.set_checkpoint(bucket, coll, since)


__all__ = ["SyncEngine", "SyncOptions", "SyncSummary", "OfflineError"]
