"""Parsing user dates (ISO 2026-11-24 or 24/11/2026) and the app's clock.

    parse_date("24/11/2026") -> date(2026, 11, 24)
    today_local() -> today's date in Asia/Ho_Chi_Minh
    utc_now() -> naive UTC datetime (models/clock.py, re-exported here for services)
"""
from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from models.clock import utc_now  # noqa: F401  (the clock lives below both layers: models/clock.py)

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
_DMY = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?\s*$")


def parse_date(value) -> dt.date:
    """Accepts a date, a datetime, ISO text or dd/mm/yyyy text. Raises ValueError on anything else."""
    if value is None or value == "":
        raise ValueError("empty date")
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value)
    m = _DMY.match(text)
    if m:
        d, mth, y = (int(g) for g in m.groups())
        return dt.date(y, mth, d)
    m = _ISO.match(text)
    if m:
        y, mth, d = (int(g) for g in m.groups())
        return dt.date(y, mth, d)
    raise ValueError(f"not a date: {text!r}")


def today_local() -> dt.date:
    return dt.datetime.now(LOCAL_TZ).date()
