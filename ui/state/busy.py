"""Saving while another program writes the same data folder (e.g. a CLI import): the one retry policy of the UI.

    inst = await retry_while_busy(lambda: records.save(...), on_busy=lambda attempt, attempts: …)

The work runs in a worker thread (a busy database makes SQLite wait up to its busy timeout: never on the UI's
event loop). services.errors.DatabaseBusy means nothing was stored; the work is tried again after
BUSY_RETRY_DELAYS (backoff), calling on_busy(attempt, attempts) before each wait so the screen can say so while
the form keeps what was typed. After the last try DatabaseBusy propagates: the caller offers a click to retry.
"""
from __future__ import annotations

import asyncio
from contextlib import contextmanager

from services.errors import DatabaseBusy
from ui.state.runtime import in_worker

BUSY_RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0)   # seconds; with SQLite's own waits, about half a minute in all


async def retry_while_busy(work, on_busy=None, delays=BUSY_RETRY_DELAYS):
    attempts = len(delays) + 1
    for attempt, delay in enumerate((*delays, None), start=1):
        try:
            return await in_worker(work)
        except DatabaseBusy:
            if delay is None:
                raise
            if on_busy is not None:
                on_busy(attempt + 1, attempts)
            await asyncio.sleep(delay)


@contextmanager
def said_when_busy(app):
    """Short actions run on the UI thread (delete, undo, a session): a DatabaseBusy becomes the same message
    instead of a crashed page; what the user typed stays where it was and a second click tries again."""
    try:
        yield
    except DatabaseBusy:
        app.say(app.t("busy.gave_up"))
