"""Failed-unlock counter with growing delays, kept OUTSIDE the encrypted database (plcs.unlock.json).

    wait_seconds(data_dir)      -> seconds before the next attempt is allowed (0 = now)
    record_failure(data_dir)    -> new failure count;   reset(data_dir) after a successful unlock

Three free attempts, then 2, 4, 8, … seconds (at most 5 minutes) between attempts. The file holds only a
count and a time. This slows guessing at the keyboard; offline guessing against a copied key file is slowed
by scrypt instead (see docs/threat-model.md).
"""
from __future__ import annotations

import json
import time
from pathlib import Path

from services.security.fileio import atomic_write_json

ATTEMPTS_FILE = "plcs.unlock.json"
FREE_ATTEMPTS = 3
MAX_DELAY = 300


def _path(data_dir) -> Path:
    return Path(data_dir) / ATTEMPTS_FILE


def _read(data_dir) -> dict:
    try:
        value = json.loads(_path(data_dir).read_text(encoding="utf-8"))
        return {"failures": int(value.get("failures", 0)), "last_failure": float(value.get("last_failure", 0))}
    except (FileNotFoundError, ValueError, TypeError, AttributeError):
        return {"failures": 0, "last_failure": 0.0}


def failures(data_dir) -> int:
    return _read(data_dir)["failures"]


def delay_for(failure_count: int) -> int:
    """Delay required after `failure_count` consecutive failures."""
    if failure_count < FREE_ATTEMPTS:
        return 0
    return min(MAX_DELAY, 2 ** (failure_count - FREE_ATTEMPTS + 1))


def wait_seconds(data_dir, now: float | None = None) -> float:
    state = _read(data_dir)
    delay = delay_for(state["failures"])
    if not delay:
        return 0.0
    now = time.time() if now is None else now
    left = state["last_failure"] + delay - now
    return max(0.0, min(float(delay), left))       # a clock set backwards cannot lock forever


def record_failure(data_dir, now: float | None = None) -> int:
    state = _read(data_dir)
    state["failures"] += 1
    state["last_failure"] = time.time() if now is None else now
    atomic_write_json(_path(data_dir), state)
    return state["failures"]


def reset(data_dir) -> None:
    if _path(data_dir).exists() and _read(data_dir)["failures"]:
        atomic_write_json(_path(data_dir), {"failures": 0, "last_failure": 0})
