"""Attachments stored locally (issue 20): a 50 MB PDF attached to a case in an encrypted folder and read back.

    .venv/bin/python -m bench.run --quick --only attachments.local_50mb

Figures (one encrypted folder per child process; the file is made once, random bytes inside a PDF shell):
  * attach_s / attach_mb_per_s   services.attachments.attach: type check, active-content scan, SHA-256 and
                                 AES-256-GCM chunked encryption in one streamed pass, the row and audit entry;
  * read_s                       the file decrypted and authenticated chunk by chunk (open_chunks), hashed;
  * rss_growth_mb                peak RSS of the process after both, minus before: bounded (the file is never
                                 read whole), target < 64 MB. The sync upload of issue 20 is not measured: sync
                                 of attachments is not implemented (see README, Attachments).
"""
from __future__ import annotations

import os

from bench.common import benchmark, require

SIZE = 50 * 1024 * 1024
PASSPHRASE = "bench-Mật-khẩu-2026!"


def _pdf(path, size: int) -> None:
    with open(path, "wb") as f:
        f.write(b"%PDF-1.4\n% bench\n")
        left = size - 40
        while left > 0:
            block = os.urandom(min(left, 1 << 20))
            f.write(block)
            left -= len(block)
        f.write(b"\n%%EOF\n")


_CHILD = """
import hashlib, json, resource, sys, time
from models.crypto_db import RawKey
from services import attachments
from services.data_dir import app
from services.security import opening
def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
opening.open_unlocked(sys.argv[1], RawKey(sys.argv[2]), daily=False)
attachments.set_options(max_size=64 * 1024 * 1024)
import PIL.Image, pypdfium2                           # loaded before the baseline, as the app has them
before = peak()
t0 = time.perf_counter()
a = attachments.attach("legal-aid", sys.argv[3], sys.argv[4], type="other")
attach_s = time.perf_counter() - t0
t0 = time.perf_counter()
digest = hashlib.sha256()
for chunk in attachments.open_chunks(a["id"]):
    digest.update(chunk)
read_s = time.perf_counter() - t0
assert digest.hexdigest() == a["sha256"]
print(json.dumps({"attach_s": attach_s, "read_s": read_s, "growth": peak() - before, "peak": peak()}))
app.close()
"""


@benchmark("attachments.local_50mb", area="attachments", runs=(1, 3), timeout=(300, 600))
def local_50mb(ctx):
    """Attach and read back a 50 MB PDF in an encrypted folder; peak RSS growth stays bounded."""
    require("services.attachments:attach")
    import json
    import subprocess
    import sys
    from pathlib import Path

    from services.data_dir import app, backup
    from services.records import store
    from services.security import opening
    from tests import factories
    folder = ctx.workdir / f"enc-{ctx.run_index}"
    opening.enable_encryption(folder, PASSPHRASE)
    case = store.save("legal-aid", factories.legal_aid())
    key = backup.current_key()
    app.close()
    src = ctx.workdir / f"big-{ctx.run_index}.pdf"
    _pdf(src, SIZE)
    # a fresh process (no Argon2id unlock: the data key is handed over), so its peak RSS is the attach's own
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", _CHILD, str(folder), str(key), case.id, str(src)], cwd=root,
                         capture_output=True, text=True, check=True, timeout=600)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    mb = SIZE / (1024 * 1024)
    ctx.note(f"child peak RSS {r['peak']:.0f} MB")
    return {"attach_s": {"value": round(r["attach_s"], 3), "unit": "s", "lower_is_better": True},
            "attach_mb_per_s": {"value": round(mb / r["attach_s"], 1), "unit": "MB/s", "lower_is_better": False},
            "read_s": {"value": round(r["read_s"], 3), "unit": "s", "lower_is_better": True},
            "rss_growth_mb": {"value": round(r["growth"], 1), "unit": "MB", "lower_is_better": True}}
