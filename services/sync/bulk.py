"""Push through the server's bulk endpoint (server/kinto_bulk.py) when it offers one, else through /batch.

    pusher = BulkPusher.for_server(http, slow_link=False)   # None: the server has no bulk endpoint (or ENABLED off)
    pusher.chunk_size()                                     # records per push chunk now (adapts to the link)
    responses = pusher.send(subs)                           # the engine's /batch sub-requests -> same sub-responses

The engine builds its push chunks as /batch sub-requests (PUT If-None-Match: * / PATCH If-Match / DELETE
[If-Match]) and handles /batch sub-responses; `send` turns the writes of each collection into one
`POST …/collections/{cid}/bulk` (partial-success mode: every accepted record is written, each refused one is
answered on its own and stays in the outbox — 412s are merged and re-sent next round, 400/403 are reported per
record — exactly what the engine does with a /batch), sends the other sub-requests (the checkpoint listings)
through /batch afterwards, and returns sub-responses in the order of `subs`.

Chunk size: on a fast link the server's maximum (max_records, 1000 by default); each request's duration then
sets the next size so that one request takes about TARGET_SECONDS (bounded by MIN_CHUNK and the server's limit):
progress moves every few seconds on the field link and a cut connection re-sends little. Bodies stay under the
server's advertised max_body (a 413 halves the request and sends the halves).
"""
from __future__ import annotations

import contextlib
import logging
import time

from services.sync.http import dumps

log = logging.getLogger(__name__)

ENABLED = True            # tests force the /batch path by setting this to False (tests/test_sync.py push_path)
CAPABILITY = "plcs_bulk"
TARGET_SECONDS = 2.0      # wanted duration of one bulk request
MIN_CHUNK = 25
SLOW_START = 100          # first chunk on a slow link (the engine measured a long round trip while pulling)
BODY_MARGIN = 0.8         # of the server's max_body, for the JSON around the records


def _op(sub: dict) -> dict | None:
    """A /batch write sub-request as a bulk item (None: not a record write)."""
    method, path = sub.get("method"), sub.get("path") or ""
    head, sep, rid = path.rpartition("/records/")
    if not sep or "?" in rid or method not in ("PUT", "PATCH", "DELETE"):
        return None
    headers = sub.get("headers") or {}
    item: dict = {"id": rid}
    if_match = headers.get("If-Match")
    if method == "PUT" and headers.get("If-None-Match") == "*":
        item["op"] = "create"
    elif method == "PATCH" and if_match:
        item["op"] = "update"
    elif method == "DELETE":
        item["op"] = "delete"
    else:
        return None
    if if_match:
        item["if_match"] = int(if_match.strip('"'))
    if method != "DELETE":
        item["data"] = (sub.get("body") or {}).get("data") or {}
    return item


def _sub_response(result: dict) -> dict:
    """One bulk result as a /batch sub-response (what SyncEngine._handle reads)."""
    status = result.get("status")
    if status in (200, 201):
        ts = result["last_modified"]
        return {"status": status, "headers": {"ETag": f'"{ts}"'},
                "body": {"data": {"id": result["id"], "last_modified": ts}}}
    body = {k: v for k, v in result.items() if k not in ("id", "status")}
    return {"status": status, "headers": {}, "body": body}


class BulkPusher:
    def __init__(self, http, capability: dict, slow_link: bool = False):
        self.http = http
        self.path = capability.get("path") or "/buckets/{bucket_id}/collections/{collection_id}/bulk"
        self.max_records = max(1, int(capability.get("max_records") or 1000))
        self.max_body = int(capability.get("max_body") or 10 * 1024 * 1024)
        self._size = min(SLOW_START, self.max_records) if slow_link else self.max_records

    @classmethod
    def for_server(cls, http, slow_link: bool = False) -> BulkPusher | None:
        if not ENABLED:
            return None
        caps = (http.server_info() or {}).get("capabilities") or {}
        cap = caps.get(CAPABILITY)
        return cls(http, cap, slow_link) if isinstance(cap, dict) else None

    def chunk_size(self) -> int:
        return self._size

    def _adapt(self, records: int, seconds: float) -> None:
        if records < self._size or seconds <= 0:
            return                        # a short tail chunk says little about the link
        wanted = int(records * TARGET_SECONDS / seconds)
        self._size = max(MIN_CHUNK, min(self.max_records, wanted, self._size * 2))

    def send(self, subs: list[dict]) -> list[dict]:
        out: list[dict | None] = [None] * len(subs)
        groups: dict[str, list[tuple[int, dict]]] = {}
        others: list[int] = []
        for i, sub in enumerate(subs):
            item = _op(sub)
            if item is None:
                others.append(i)
                continue
            coll = sub["path"].rpartition("/records/")[0]
            groups.setdefault(coll, []).append((i, item))
        for coll, items in groups.items():
            bucket = coll.split("/")[2]
            collection = coll.split("/")[4]
            url = self.path.format(bucket_id=bucket, collection_id=collection)
            for part in self._by_size(items):
                for (i, _), result in zip(part, self._post(url, [it for _, it in part]), strict=True):
                    out[i] = _sub_response(result)
        if others:
            limit = self.http.batch_limit
            for j in range(0, len(others), limit):
                idx = others[j:j + limit]
                for i, resp in zip(idx, self.http.batch([subs[i] for i in idx]), strict=True):
                    out[i] = resp
        return out

    def _by_size(self, items: list[tuple[int, dict]]) -> list[list[tuple[int, dict]]]:
        """Split into requests of at most max_records records and about BODY_MARGIN × max_body bytes."""
        parts, part, size, cap = [], [], 0, self.max_body * BODY_MARGIN
        for entry in items:
            n = len(dumps(entry[1]))
            if part and (len(part) >= self.max_records or size + n > cap):
                parts.append(part)
                part, size = [], 0
            part.append(entry)
            size += n
        if part:
            parts.append(part)
        return parts

    def _post(self, url: str, items: list[dict]) -> list[dict]:
        t0 = time.perf_counter()
        resp = self.http.request("POST", url, body={"mode": "partial", "records": items}, retry_bad_request=True)
        if resp.status_code == 413 and len(items) > 1:
            half = len(items) // 2
            log.info("bulk request of %d records refused as too large: sending halves", len(items))
            self._size = max(MIN_CHUNK, min(self._size, half))
            return self._post(url, items[:half]) + self._post(url, items[half:])
        if resp.status_code != 200:
            body = {}
            with contextlib.suppress(ValueError):
                body = resp.json()
            return [{"id": it["id"], "status": resp.status_code, "message": body.get("message") or resp.text[:200],
                     "errno": body.get("errno")} for it in items]
        self._adapt(len(items), time.perf_counter() - t0)
        return resp.json()["responses"]
