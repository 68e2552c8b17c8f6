"""Finding optional services at runtime (sync, tally, backup, assessment are written by other features).

    sync = optional("services.sync")          # module or None
    fn = optional_attr("services.sync", "sync_now")
"""
from __future__ import annotations

import importlib


def optional(module: str):
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def optional_attr(module: str, *names: str):
    """The first attribute of `module` among `names` (None when the module or all names are missing)."""
    mod = optional(module)
    if mod is None:
        return None
    for name in names:
        fn = getattr(mod, name, None)
        if fn is not None:
            return fn
    return None


def release_connection() -> None:
    """Close THIS thread's database connection (peewee keeps one per thread). Worker threads call it when their
    job ends so that no idle connection outlives a restore or an encryption swap of plcs.db: an orphaned
    connection to a replaced file could later delete the new file's WAL when it is garbage-collected."""
    from services import app
    try:
        app.release_thread_connection()
    except Exception:  # noqa: BLE001 — best effort: a closed or uninitialised database is fine
        pass


async def in_worker(fn, *args, **kwargs):
    """asyncio.to_thread(fn, …) that releases the worker thread's database connection afterwards."""
    import asyncio

    def job():
        try:
            return fn(*args, **kwargs)
        finally:
            release_connection()

    return await asyncio.to_thread(job)
