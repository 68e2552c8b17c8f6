"""A minimal Kinto replication client following the sync issue's protocol, used as the Kinto side of the sync
benchmarks until (and beside) the project's services.sync engine.

    c = KintoClient("http://127.0.0.1:8888/v1", ("admin", "pw"), "bench", "records", batch_size=25)
    c.push(docs)                 # PUT each record in /batch requests; If-None-Match: * (create) or If-Match (update)
    docs = c.pull()              # GET ..._since=<checkpoint>&_sort=last_modified&_limit=page, following Next-Page
    c.requests, c.since          # requests sent; last server timestamp seen

Bodies are compact UTF-8 JSON (no ASCII escaping); a 409 inside a batch retries the whole batch (PUTs with
preconditions are idempotent).
"""
from __future__ import annotations

import json
import time

import requests


class KintoClient:
    def __init__(self, url: str, auth, bucket: str, collection: str, batch_size: int = 25, page_size: int = 1000):
        self.url, self.bucket, self.collection = url.rstrip("/"), bucket, collection
        self.batch_size, self.page_size = batch_size, page_size
        self.session = requests.Session()
        self.session.auth = auth
        self.session.headers["Content-Type"] = "application/json"
        self.requests = 0
        self.since = None
        self.known: dict[str, int] = {}     # record id -> last_modified we hold

    @property
    def records_path(self) -> str:
        return f"/buckets/{self.bucket}/collections/{self.collection}/records"

    def _send(self, method, path, body=None, **kw):
        self.requests += 1
        data = None if body is None else json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        r = self.session.request(method, self.url + path if path.startswith("/") else path, data=data, **kw)
        return r

    def push(self, docs: list[dict]) -> int:
        sent = 0
        for i in range(0, len(docs), self.batch_size):
            chunk = docs[i:i + self.batch_size]
            reqs = []
            for d in chunk:
                ts = self.known.get(d["id"])
                headers = {"If-Match": f'"{ts}"'} if ts else {"If-None-Match": "*"}
                reqs.append({"path": f"{self.records_path}/{d['id']}", "headers": headers,
                             "body": {"data": {k: v for k, v in d.items() if k not in ("id", "last_modified")}}})
            for attempt in range(5):
                r = self._send("POST", "/batch", {"defaults": {"method": "PUT"}, "requests": reqs})
                r.raise_for_status()
                responses = r.json()["responses"]
                if any(x["status"] == 409 for x in responses):
                    time.sleep(0.05 * (attempt + 1))
                    continue
                break
            for d, x in zip(chunk, responses, strict=True):   # one response per sub-request
                if x["status"] not in (200, 201):
                    raise RuntimeError(f"Kinto refused {d['id']}: {x['status']} {x.get('body')}")
                self.known[d["id"]] = x["body"]["data"]["last_modified"]
            sent += len(chunk)
        return sent

    def pull(self) -> list[dict]:
        params = {"_sort": "last_modified", "_limit": self.page_size}
        if self.since is not None:
            params["_since"] = self.since
        out = []
        r = self._send("GET", self.records_path, params=params)
        while True:
            r.raise_for_status()
            page = r.json()["data"]
            for rec in page:
                self.known[rec["id"]] = rec["last_modified"]
                self.since = max(self.since or 0, rec["last_modified"])
            out.extend(page)
            nxt = r.headers.get("Next-Page")
            if not nxt:
                break
            r = self._send("GET", nxt)
        return out
