"""Running service calls off the UI thread.

    result = await in_worker(records.save, kind, data)   # the worker's database connection is released after
"""
from __future__ import annotations

import contextlib


def release_connection() -> None:
    """Close THIS thread's database connection (peewee keeps one per thread). Worker threads call it when their
    job ends so that no idle connection outlives a restore or an encryption swap of plcs.db: an orphaned
    connection to a replaced file could later delete the new file's WAL when it is garbage-collected."""
    from services.data_dir import app
    with contextlib.suppress(Exception):  # best effort: a closed or uninitialised database is fine
        app.release_thread_connection()


async def in_worker(fn, *args, **kwargs):
    """asyncio.to_thread(fn, …) that releases the worker thread's database connection afterwards."""
    import asyncio

    def job():
        try:
            return fn(*args, **kwargs)
        finally:
            release_connection()

    return await asyncio.to_thread(job)
