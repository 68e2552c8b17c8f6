"""The app's clock, below both layers: models (column defaults) and services (every rule) read time here.

    utc_now() -> datetime(2026, 12, 3, 11, 5, 0)   # naive UTC, the form stored in the database

Why in models/: the models need a clock for their `created_at`/`updated_at` defaults and must not import
services (issue 18 §4, tests/test_layers.py); a separate bottom package for one function would be a new
top-level folder for two lines. services.dates re-exports it, so services keep one place for dates and time.
"""
from __future__ import annotations

import datetime as dt


def utc_now() -> dt.datetime:
    """Naive UTC timestamp, the form stored in the database."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
