"""Unlock time of an encrypted data folder (issue 14 §3: Argon2id key wrapping, target ≤ 1 s on this machine).

    .venv/bin/python -m bench.run --quick --only security.unlock

Figures (one encrypted folder made once per child process with services.security, then unlocked `n` times):
  * unlock_s           vault.unlock_key: read plcs.key + Argon2id + AES-GCM unwrap (what every unlock costs);
  * unlock_and_open_s  services.security.open_for_ui on the same folder (unlock + SQLCipher open + migrations
                       check), what the officer waits for after typing the passphrase;
  * guesses_per_s      1 / unlock_s: an attacker's passphrase guesses per second per core (the wrapping KDF
                       is the work per guess), informative — compare with scrypt n=2**15: 2.3–2.6 per core.
"""
from __future__ import annotations

import statistics
import threading
import time

from bench.common import benchmark, require

PASSPHRASE = "bench-Mật-khẩu-2026!"


def _folder(ctx):
    if "folder" not in ctx.state:
        from services.data_dir import app
        from services.security import opening
        folder = ctx.workdir / "encrypted"
        opening.enable_encryption(folder, PASSPHRASE)
        app.close()
        ctx.state["folder"] = folder
    return ctx.state["folder"]


@benchmark("security.unlock", area="security", runs=(3, 5), timeout=(120, 300))
def unlock(ctx):
    """Unlock time with the Argon2id key file (target ≤ 1 s)."""
    require("services.security.vault:unlock_key", "services.security.keyfile:ARGON2_PARAMS")
    from services.data_dir import app
    from services.security import keyfile, opening, vault
    folder = _folder(ctx)
    n = 5 if ctx.quick else 10
    unlocks, opens = [], []
    for _ in range(n):
        t0 = time.perf_counter()
        vault.unlock_key(folder, passphrase=PASSPHRASE)
        unlocks.append(time.perf_counter() - t0)
    for _ in range(max(2, n // 2)):
        t0 = time.perf_counter()
        opening.open_for_ui(folder, passphrase=PASSPHRASE)
        opens.append(time.perf_counter() - t0)
        app.close()
    for thread in threading.enumerate():          # the day's backup runs in the background after an open
        if thread.name == "daily-backup":
            thread.join()
    median = statistics.median(unlocks)
    params = keyfile.ARGON2_PARAMS
    ctx.note(f"Argon2id t={params['t']}, m={params['m'] // 1024} MiB, p={params['p']}")
    return {"unlock_s": {"value": round(median, 4), "unit": "s", "lower_is_better": True},
            "unlock_max_s": {"value": round(max(unlocks), 4), "unit": "s", "lower_is_better": True},
            "unlock_and_open_s": {"value": round(statistics.median(opens), 4), "unit": "s", "lower_is_better": True},
            "guesses_per_s": {"value": round(1 / median, 2), "unit": "/s", "lower_is_better": True}}
