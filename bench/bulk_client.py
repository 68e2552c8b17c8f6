"""First push of a JSONL file of documents to one Kinto collection, through the bulk endpoint (server/kinto_bulk.py)
or through /batch, in its own process so that its peak RSS is the client's own (bench/bench_sync.py sync.bulk*).

    python -m bench.bulk_client URL USER PASSWORD BUCKET COLLECTION DOCS.jsonl bulk|batch [CHUNK]

Streams the file: at most one chunk of documents is in memory (as the engine reads its outbox per chunk).
Prints one JSON line: {"seconds", "requests", "records", "client_peak_rss_mb"}.
"""
from __future__ import annotations

import json
import resource
import sys
import time
from itertools import islice

import requests


def main(argv: list[str]) -> int:
    url, user, pw, bucket, coll, path, mode = argv[:7]
    chunk = int(argv[7]) if len(argv) > 7 else (1000 if mode == "bulk" else 100)
    s = requests.Session()
    s.trust_env = False
    s.auth = (user, pw)
    s.headers["Content-Type"] = "application/json"
    records_path = f"/buckets/{bucket}/collections/{coll}/records"
    n = reqs = 0
    t0 = time.perf_counter()
    with open(path, encoding="utf-8") as f:
        while True:
            docs = [json.loads(line) for line in islice(f, chunk)]
            if not docs:
                break
            if mode == "bulk":
                body = {"mode": "partial", "records": [
                    {"id": d["id"], "op": "create",
                     "data": {k: v for k, v in d.items() if k not in ("id", "last_modified")}} for d in docs]}
                target = f"{url}/buckets/{bucket}/collections/{coll}/bulk"
            else:
                body = {"defaults": {"method": "PUT"}, "requests": [
                    {"path": f"{records_path}/{d['id']}", "headers": {"If-None-Match": "*"},
                     "body": {"data": {k: v for k, v in d.items() if k not in ("id", "last_modified")}}}
                    for d in docs]}
                target = f"{url}/batch"
            data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
            for attempt in range(8):
                r = s.post(target, data=data)
                reqs += 1
                r.raise_for_status()
                results = r.json()["responses"]
                if any(x["status"] == 409 for x in results):
                    time.sleep(0.05 * (attempt + 1))
                    continue
                break
            bad = [x for x in results if x["status"] not in (200, 201)]
            if bad:
                raise SystemExit(f"refused: {bad[0]}")
            n += len(docs)
    sec = time.perf_counter() - t0
    print(json.dumps({"seconds": sec, "requests": reqs, "records": n,
                      "client_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
