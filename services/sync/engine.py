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
  written in bulk (apply.apply_remote_many, store.set_bases); those with a queued local change go through the
  per-record three-way merge (_apply_one).
- Outbox rows are acknowledged per record with `queued_before` = the moment the sent version was read, so an
  edit made during the sync stays queued.
- Ordering uses only server timestamps (SyncBase.last_modified, checkpoints); the device clock is used only to
  compare local outbox rows with each other.
- Round trips (an officer's typical sync is 1 + ceil(writes / 24) requests): GET /v1/ only on the first run
  against a server (its settings are remembered; the login check then rides the first pull batch as `GET /`);
  the first page of every collection of every bucket in one batch per batch_limit; Next-Page chains fetched one
  page ahead; pushes in batches of batch_limit whose last one for a collection also lists it (`_fields=id`, after
  the writes) to move the checkpoint over this device's own writes, so they are not downloaded again; on a slow
  link several push batches are on the wire at once (SyncOptions.push_parallel).
- Pull order is by kind (persons before cases before sessions), all buckets per kind, so foreign keys resolve;
  a reference to a record this account cannot read gets a deleted placeholder row (replaced if it arrives).
- A pulled version this device cannot store (services/sync/checks.py, or a database constraint) never aborts the
  run: it is quarantined with the reason and the raw document (store.quarantine, summary.quarantined) and the
  page goes on; a later good version releases it. A pulled number that a local record already holds makes the
  local record take the next number of the numbering service (an ordinary edit that syncs) and leaves a notice.
- A local delete made from a copy older than the server's version is held back: the record takes the newer
  edit and a "deleted" conflict shows it (resolve "local" deletes it after all). A pulled delete of a record
  whose last edit was made on this device leaves a "deleted_edit" notice that can restore it.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from itertools import islice

from peewee import DateField, ForeignKeyField, IntegrityError

from models.db import database
from models.records import MODEL_BY_COLLECTION, MODEL_BY_KIND, SYNCED_MODELS, AuditEntry
from services.data_dir import app
from services.dates import utc_now
from services.errors import AppError
from services.kinds import NUMBER_PREFIX
from services.records import numbering, outbox
from services.records import store as records
from services.sync import apply, checks, documents, store
from services.sync.bulk import BulkPusher
from services.sync.errors import (
    OfflineError,
    RejectedError,
    ServerError,
    SyncConfigError,
    SyncPermissionError,
    describe,
)
from services.sync.http import StaleServerInfo
from services.sync.merge import merge3
from services.sync.routing import Router

log = logging.getLogger(__name__)


def _integrity_errors() -> tuple:
    """peewee's IntegrityError, and the driver's own (models/fastsql runs executemany on the raw cursor, so
    sqlite3's or SQLCipher's class comes through unwrapped)."""
    import sqlite3
    found = [IntegrityError, sqlite3.IntegrityError]
    for name in ("sqlcipher3", "sqlcipher3.dbapi2", "pysqlcipher3.dbapi2"):
        try:
            mod = __import__(name, fromlist=["IntegrityError"])
            found.append(mod.IntegrityError)
        except (ImportError, AttributeError):
            pass
    return tuple(found)


INTEGRITY_ERRORS = _integrity_errors()

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
    quarantined: list = field(default_factory=list)   # [{"kind", "id", "bucket", "reason"}] kept aside this run
    notices: list = field(default_factory=list)       # [{"notice", "kind", "id", …}] for the officer
    open_conflicts: int = 0
    requests: int = 0
    rounds: int = 0
    started_at: str = ""
    finished_at: str = ""

    @property
    def complete(self) -> bool:
        """False when anything failed (a refused read, a record the server refused, …): "partly failed"."""
        return not self.errors

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
    page_size: int = 1000         # records per pull page (one local transaction each)
    push_parallel: int = 3        # push batches on the wire at once on a slow link (1 = one at a time)
    pipeline_min_rtt: float = 0.25   # ...when the run's fastest pull batch took at least this long (seconds)
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
        self.latency: float | None = None      # fastest pull batch of this run (seconds): the link's round trip
        self._quarantine_open = store.open_quarantine().exists()
        self.bulk: BulkPusher | None = None    # set by push() when the server offers bulk writes

    # --- entry -------------------------------------------------------------------------------------------------
    def run(self) -> SyncSummary:
        self.summary.started_at = utc_now().isoformat()
        try:
            if not self.http.info_cached or self.role in READER_ROLES:
                self.http.check_login()      # officers with remembered settings: GET / rides the first batch
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
        try:
            self._pull()
        except StaleServerInfo:          # the remembered batch limit is too high now: ask GET /v1/, pull again
            self.http.check_login()
            self._pull()

    def _pull(self) -> None:
        pairs = [(b, m.COLLECTION) for m in SYNCED_MODELS for b in self.buckets
                 if (b, m.COLLECTION) not in self.forbidden]
        received = 0
        # First pages of every pair in as few round trips as the batch limit allows (an empty collection costs
        # nothing more); the login check rides along when GET /v1/ was skipped; then Next-Page chains.
        hello = self.http.info_cached
        i = 0
        while i < len(pairs) or hello:
            room = self.http.batch_limit - (1 if hello else 0)
            chunk = pairs[i:i + room]
            i += len(chunk)
            subs = [{"method": "GET", "path": self._records_path(b, c) + "?" + self._since_query(b, c)}
                    for b, c in chunk]
            if hello:
                subs.insert(0, {"method": "GET", "path": "/"})
            t0 = time.perf_counter()
            responses = self.http.batch(subs)
            self._note_latency(time.perf_counter() - t0)
            if hello:
                self._check_hello(responses.pop(0))
                hello = False
            for (bucket, coll), sub in zip(chunk, responses, strict=False):
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
                if next_page:
                    received = self._follow(bucket, coll, next_page, received)

    def _follow(self, bucket: str, coll: str, next_page: str, received: int) -> int:
        """Apply a Next-Page chain, fetching page n+1 while page n is written locally (one page ahead only, so
        an interruption still resumes from the last applied page)."""
        def fetch(url):          # in the helper thread: the request and the JSON decoding
            resp = self.http.request("GET", url)
            return resp, (resp.json().get("data", []) if resp.status_code == 200 else None)

        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-pull") as pool:
            pending = pool.submit(fetch, next_page)
            while pending is not None:
                resp, data = pending.result()
                if resp.status_code != 200:
                    raise ServerError.make(f"HTTP {resp.status_code} GET {bucket}/{coll}")
                nxt = resp.headers.get("Next-Page")
                pending = pool.submit(fetch, nxt) if nxt else None
                try:
                    received += self._apply_page(bucket, coll, data)
                except BaseException:
                    if pending is not None:
                        pending.cancel()
                    raise
                self.progress("pull", received, None)
        return received

    def _check_hello(self, sub: dict) -> None:
        body = sub.get("body") or {}
        if sub.get("status") != 200:
            raise ServerError.make(f"HTTP {sub.get('status')} GET /")
        if not (body.get("user") or {}).get("id"):
            from services.sync.errors import WrongPasswordError
            raise WrongPasswordError.make()
        self.http.learned_info(body)

    def _note_latency(self, seconds: float) -> None:
        self.latency = seconds if self.latency is None else min(self.latency, seconds)

    def _forbidden(self, bucket: str, coll: str, status: int) -> None:
        self.forbidden.add((bucket, coll))
        if self.role in READER_ROLES:
            return   # readers see only some collections of a commune (e.g. centre staff: legal aid, persons)
        if status == 401:
            from services.sync.errors import WrongPasswordError
            raise WrongPasswordError.make()
        self._error(SyncPermissionError.make_read(bucket[2:] if bucket.startswith("c-") else bucket),
                    bucket=bucket, scope="read")

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
        ids = [r.get("id") for r in page if isinstance(r, dict)]
        applied = 0
        kept_aside: set = set()
        with database.atomic("IMMEDIATE"):
            read_time = utc_now()
            pending = outbox.queued_among(kind, ids)
            base_rows = store.bases(kind, ids)
            plain = []                     # no local change waiting: the server version is written as it is
            for rec in page:
                reason = checks.problem(kind, rec, bucket)
                if reason:
                    self._quarantine(kind, bucket, rec, reason)
                    kept_aside.add(rec.get("id"))
                    continue
                base = base_rows.get(rec["id"])
                if base is not None and base.last_modified >= int(rec["last_modified"]):
                    continue               # this version (or a newer one) is already here
                if rec["id"] in pending:
                    applied += self._guarded(kind, bucket, rec, kept_aside, lambda rec=rec, base=base:
                                             self._apply_one(kind, bucket, rec, base, True, read_time))
                else:
                    plain.append(rec)
            applied += self._guarded_plain(kind, bucket, plain, kept_aside)
            if self._quarantine_open:
                store.release(kind, [i for i in ids if i not in kept_aside])
            store.set_checkpoint(bucket, coll, max(int(r["last_modified"]) for r in page))
        self.summary.received += applied
        return applied

    # --- records that cannot be stored ---------------------------------------------------------------------------
    def _guarded_plain(self, kind: str, bucket: str, plain: list[dict], kept_aside: set) -> int:
        """_apply_plain in a savepoint; when one record of the page breaks it, the page again one by one."""
        if not plain:
            return 0
        try:
            with database.atomic():
                return self._apply_plain(kind, bucket, plain)
        except INTEGRITY_ERRORS + (ValueError, TypeError, KeyError) as exc:
            log.info("pulled %s page: %r; storing its records one by one", kind, exc)
        return sum(self._guarded(kind, bucket, rec, kept_aside, lambda rec=rec: self._apply_plain(kind, bucket, [rec]))
                   for rec in plain)

    def _guarded(self, kind: str, bucket: str, rec: dict, kept_aside: set, write) -> int:
        """Run write() in a savepoint. A duplicate number: renumber the local record and try once more; any
        other failure: quarantine this version (the pull goes on)."""
        for attempt in range(2):
            try:
                with database.atomic():
                    return int(write())
            except INTEGRITY_ERRORS as exc:
                if attempt == 0 and self._renumber_local(kind, rec):
                    continue
                reason = f"{type(exc).__name__}: {exc}"
            except (ValueError, TypeError, KeyError) as exc:
                reason = f"{type(exc).__name__}: {exc}"
            self._quarantine(kind, bucket, rec, reason)
            kept_aside.add(rec.get("id"))
            return 0
        return 0

    def _quarantine(self, kind: str, bucket: str, rec, reason: str) -> None:
        rid = rec.get("id") if isinstance(rec, dict) else None
        ts = rec.get("last_modified") if isinstance(rec, dict) else None
        log.warning("pulled %s %s kept aside: %s", kind, rid, reason)
        store.quarantine(kind, str(rid or "?"), bucket, int(ts or 0), reason, rec)
        self._quarantine_open = True
        self.summary.quarantined.append({"kind": kind, "id": rid, "bucket": bucket, "reason": reason})

    def _renumber_local(self, kind: str, rec: dict) -> bool:
        """A pulled record holds a number that a local record also holds (two devices numbered alike): the local
        record takes the next free number of the numbering service; the officer is told (a notice)."""
        model = MODEL_BY_KIND[kind]
        number = rec.get("number")
        if kind not in NUMBER_PREFIX or not number:
            return False
        other = model.get_or_none((model.number == number) & (model.id != rec["id"]))
        if other is None:
            return False
        ctx = app.current()
        year = (other.received_date or utc_now().date()).year
        new = numbering.next_number(NUMBER_PREFIX[kind], other.commune_code, year, ctx.device_code,
                                    exists=lambda n: model.select().where(model.number == n).exists() or n == number)
        records.save(kind, {"number": new}, record_id=other.id, _validated=True)
        store.add_notice(kind, other.id, "renumbered", {"old": number, "new": new, "by": rec["id"]})
        self.summary.notices.append({"notice": "renumbered", "kind": kind, "id": other.id, "old": number,
                                     "new": new})
        return True

    def _notice_deleted_edits(self, kind: str, rids: list[str]) -> None:
        """Pulled deletes of live records whose last edit was made on this device: tell the officer (a colleague
        deleted their work) and keep the last version so that it can be restored."""
        if kind == "audit" or not rids:
            return
        model = MODEL_BY_KIND[kind]
        device = app.current().device_id
        for i in range(0, len(rids), 500):
            chunk = rids[i:i + 500]
            alive = {m.id: m for m in model.select().where(model.id.in_(chunk) & (model.deleted == False))}  # noqa: E712
            if not alive:
                continue
            last: dict[str, str] = {}
            for e in (AuditEntry.select(AuditEntry.record_id, AuditEntry.device_id)
                      .where((AuditEntry.record_kind == kind) & AuditEntry.record_id.in_(list(alive))
                             & AuditEntry.action.in_(["create", "update", "restore"]))
                      .order_by(AuditEntry.at)):
                last[e.record_id] = e.device_id
            for rid, inst in alive.items():
                if device and last.get(rid) == device:
                    doc = documents.local_document(inst)
                    store.add_notice(kind, rid, "deleted_edit", {"document": doc})
                    self.summary.notices.append({"notice": "deleted_edit", "kind": kind, "id": rid})

    def _apply_one(self, kind, bucket, rec, base, pending: bool, read_time) -> bool:
        rid, ts = rec["id"], int(rec["last_modified"])
        if base is not None and base.last_modified >= ts:
            return False          # this version (or a newer one) is already here: our own write coming back
        model = MODEL_BY_KIND[kind]
        remote_deleted = bool(rec.get("deleted"))
        remote = None if remote_deleted else documents.remote_document(kind, rec)
        base_doc = base.document if (base is not None and not base.deleted) else None
        if not pending:
            if remote_deleted:
                self._notice_deleted_edits(kind, [rid])
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
            reference = base_doc if base_doc is not None else local
            if remote != reference:
                # A delete made from a copy older than this server version (issue 16 §4): held back before it
                # reaches anyone. The record takes the newer edit; the conflict shows it; resolving it "local"
                # deletes the record after all (then the editor gets a notice), "remote" keeps the edit.
                store.add_conflict(kind, rid, "deleted", local=True, remote=False, base=False, remote_ts=ts,
                                   document=remote)
                self.summary.conflicts += 1
                self._write_remote(kind, rid, remote, ts)
                store.set_base(kind, rid, bucket, ts, remote)
                outbox.acknowledge(kind, [rid], queued_before=read_time)
                return True
            # the server still holds the version this delete was made from: it goes out with If-Match on it
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
        (apply.apply_remote_many: prepared upserts run with executemany, bulk search index) and their base in
        one go.
        Same result as _apply_one(…, pending=False) per record."""
        if not page:
            return 0
        model = MODEL_BY_KIND[kind]
        remote = {r["id"]: (None if r.get("deleted") else documents.remote_document(kind, r)) for r in page}
        dead = [rid for rid, doc in remote.items() if doc is None]
        stored = set()
        for i in range(0, len(dead), 500):
            stored |= {m.id for m in model.select(model.id).where(model.id.in_(dead[i:i + 500]))}
        self._notice_deleted_edits(kind, sorted(stored))
        self._ensure_references_many(kind, [doc for doc in remote.values() if doc is not None])
        items = []
        for rec in page:
            rid, ts, doc = rec["id"], int(rec["last_modified"]), remote[rec["id"]]
            if doc is not None:
                items.append(({**doc, "id": rid, "deleted": False}, ts))
            elif rid in stored:
                items.append(({"id": rid, "deleted": True}, ts))
        apply.apply_remote_many(kind, items)
        store.set_bases(kind, [(rec["id"], bucket, int(rec["last_modified"]), remote[rec["id"]]) for rec in page])
        return len(page)

    def _write_remote(self, kind: str, rid: str, doc: dict | None, ts: int) -> None:
        model = MODEL_BY_KIND[kind]
        if doc is None:
            if model.select().where(model.id == rid).exists():
                apply.apply_remote(kind, {"id": rid, "deleted": True}, last_modified=ts)
            return
        self._ensure_references(kind, doc)
        apply.apply_remote(kind, {**doc, "id": rid, "deleted": False}, last_modified=ts)

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
        """Send the outbox. Returns True when another pull/push round is needed (412: newer server version).

        Batches of batch_limit sub-requests, one server transaction each. The last batch that writes a
        (bucket, collection) also lists that collection `_since` its checkpoint (`_fields=id`, after the writes:
        the writes hold the collection's timestamp lock, so the listing shows every version older than ours);
        the checkpoint then moves over the run of versions this device holds, without a round trip of its own.
        On a slow link (the run's fastest pull batch took >= options.pipeline_min_rtt) up to
        options.push_parallel batches are on the wire at once; responses are still handled in order."""
        todo = [kr for kr in outbox.pending() if kr not in self.failed]
        todo.sort(key=lambda kr: KIND_ORDER.index(kr[0]) if kr[0] in KIND_ORDER else len(KIND_ORDER))
        total, done, again = len(todo), 0, False
        self.progress("push", 0, total)
        if not todo:
            return False
        depth = self._push_depth()
        # the server's bulk endpoint when it lists one (services/sync/bulk.py): chunks of its own adaptive size
        self.bulk = BulkPusher.for_server(self.http, slow_link=depth > 1)
        limit = self.bulk.chunk_size() if self.bulk else self.http.batch_limit
        remaining: dict[str, int] = {}
        queues: dict[str, deque] = {}
        for kind, rid in todo:
            remaining[kind] = remaining.get(kind, 0) + 1
            queues.setdefault(kind, deque()).append((kind, rid))
        slots = min(2, max(1, len(self.buckets)))      # listing sub-requests kept free per kind that ends
        buckets_of_kind: dict[str, set[str]] = {}
        written: set[tuple[str, str]] = set()
        listed: set[tuple[str, str]] = set()
        pool = ThreadPoolExecutor(max_workers=depth, thread_name_prefix="sync-push") if depth > 1 else None
        inflight: deque = deque()
        flat = deque(todo)

        def next_chunk() -> list | None:
            if pool is None:      # one batch at a time: fill it across kinds
                w = limit
                for _ in range(4):
                    head = list(islice(flat, w))
                    counts: dict[str, int] = {}
                    for k, _ in head:
                        counts[k] = counts.get(k, 0) + 1
                    ends = [k for k, c in counts.items() if c == remaining[k]]
                    w2 = max(1, limit - slots * len(ends))
                    if w2 == w:
                        break
                    w = w2
                return [flat.popleft() for _ in range(min(w, len(flat)))]
            # several batches on the wire: one kind per batch and never two batches of one collection at once
            # (concurrent writes to one collection make Kinto answer 409 and re-sends follow)
            busy = {k for item in inflight for k in item[6]}
            for kind, q in queues.items():
                if q and kind not in busy:
                    n = len(q)
                    w = n if n <= limit - slots else (limit - slots if n <= limit else limit)
                    return [q.popleft() for _ in range(w)]
            return None

        try:
            while flat if pool is None else (any(queues.values()) or inflight):
                while len(inflight) < depth:
                    if self.bulk:
                        limit = self.bulk.chunk_size()
                    chunk = next_chunk() if (flat if pool is None else any(queues.values())) else None
                    if not chunk:
                        break
                    read_time = utc_now()
                    subs, metas = self._build(chunk, read_time)
                    kinds = set()
                    for k, _ in chunk:
                        remaining[k] -= 1
                        kinds.add(k)
                    for meta in metas:
                        buckets_of_kind.setdefault(meta["kind"], set()).add(meta["bucket"])
                    listings = []
                    for kind in sorted(k for k in kinds if remaining[k] == 0):
                        coll = MODEL_BY_KIND[kind].COLLECTION if kind in MODEL_BY_KIND else None
                        for bucket in sorted(buckets_of_kind.get(kind, ())):
                            if coll and len(subs) + len(listings) < limit:
                                listings.append((bucket, coll, store.checkpoint(bucket, coll)))
                    lsubs = [{"method": "GET", "path": f"{self._records_path(b, c)}?_since={since}"
                              f"&_sort=last_modified&_fields=id&_limit=10000"} for b, c, since in listings]
                    payload = subs + lsubs
                    fut = pool.submit(self._send_push, payload) if (pool is not None and subs) else None
                    inflight.append((chunk, payload, metas, listings, read_time, fut, kinds))
                if not inflight:
                    break
                chunk, payload, metas, listings, read_time, fut, _ = inflight.popleft()
                if metas:
                    responses = fut.result() if fut is not None else self._send_push(payload)
                    with database.atomic():
                        for meta, sub in zip(metas, responses, strict=False):
                            again |= self._handle(meta, sub, read_time, written)
                    for (bucket, coll, since), sub in zip(listings, responses[len(metas):], strict=False):
                        if (bucket, coll) in written and self._skip_listed(bucket, coll, since, sub):
                            listed.add((bucket, coll))
                done += len(chunk)
                self.progress("push", done, total)
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
        rest = written - listed
        if rest:
            self._skip_own_writes(rest)
        return again

    def _send_push(self, subs: list[dict]) -> list[dict]:
        if self.bulk is not None:
            return self.bulk.send(subs)
        return self.http.batch(subs, defaults={"headers": {"Response-Behavior": "diff"}})

    def _push_depth(self) -> int:
        if self.options.push_parallel <= 1 or self.latency is None:
            return 1
        return self.options.push_parallel if self.latency >= self.options.pipeline_min_rtt else 1

    def _skip_listed(self, bucket: str, coll: str, since: int, sub: dict) -> bool:
        """Move the checkpoint over the listed versions this device holds. True when that settled it (else the
        caller lists the rest with _skip_own_writes)."""
        if sub.get("status") != 200:
            return False
        kind = MODEL_BY_COLLECTION[coll].KIND
        page = (sub.get("body") or {}).get("data") or []
        known = store.bases(kind, [r["id"] for r in page])
        at = since
        for r in page:
            b = known.get(r["id"])
            if b is None or b.last_modified != r["last_modified"]:
                break
            at = r["last_modified"]
        else:
            if (sub.get("headers") or {}).get("Next-Page"):
                if at > since:
                    store.set_checkpoint(bucket, coll, at)
                return False               # more than one page of own writes: the listing loop goes on
        if at > since and at > store.checkpoint(bucket, coll):
            store.set_checkpoint(bucket, coll, at)
        return True

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
                reason = checks.problem(kind, existing, meta["bucket"])
                if reason:
                    self._quarantine(kind, meta["bucket"], existing, reason)
                    return True
                base = store.bases(kind, [rid]).get(rid)
                self._guarded(kind, meta["bucket"], existing, set(), lambda: self._apply_one(
                    kind, meta["bucket"], existing, base, True, read_time))
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
