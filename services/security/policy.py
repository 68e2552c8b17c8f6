"""Auto-lock policy for the UI: lock the app after N idle minutes (setting "security.auto_lock_minutes").

    auto_lock_minutes() -> 10            set_auto_lock_minutes(15)
    idle = IdleLock(minutes=auto_lock_minutes(), on_lock=lock_screen)
    idle.touch()            # on every user event
    idle.check()            # from a periodic timer (e.g. every 30 s); calls on_lock once when idle too long

Locking means: close the database (services.app.close()) and show the unlock screen; the data key then only
lives again after the next unlock.
"""
from __future__ import annotations

import time

from services import settings
from services.errors import FieldError, ValidationError
from services.i18n import t

SETTING = "security.auto_lock_minutes"
DEFAULT_MINUTES = 10
MIN_MINUTES, MAX_MINUTES = 1, 240


def auto_lock_minutes() -> int:
    try:
        value = int(settings.get(SETTING, DEFAULT_MINUTES))
    except (TypeError, ValueError):
        return DEFAULT_MINUTES
    return min(MAX_MINUTES, max(MIN_MINUTES, value))


def set_auto_lock_minutes(minutes) -> int:
    try:
        value = int(minutes)
    except (TypeError, ValueError):
        value = -1
    if not MIN_MINUTES <= value <= MAX_MINUTES:
        raise ValidationError([FieldError(
            "auto_lock_minutes", t("security.auto_lock_range", "vi", lo=MIN_MINUTES, hi=MAX_MINUTES),
            t("security.auto_lock_range", "en", lo=MIN_MINUTES, hi=MAX_MINUTES))])
    settings.put(SETTING, value)
    return value


class IdleLock:
    """Tracks user activity; `check()` calls `on_lock()` once after `minutes` without `touch()`."""

    def __init__(self, minutes: int, on_lock, clock=time.monotonic):
        self.minutes = minutes
        self.on_lock = on_lock
        self.clock = clock
        self.last = clock()
        self.locked = False

    def touch(self) -> None:
        self.last = self.clock()
        self.locked = False

    def seconds_left(self) -> float:
        return max(0.0, self.minutes * 60 - (self.clock() - self.last))

    def check(self) -> bool:
        if not self.locked and self.seconds_left() <= 0:
            self.locked = True
            self.on_lock()
            return True
        return False


def may_see_identifiers(role: str | None = None) -> bool:
    """Whether `role` (default: the signed-in officer's role) may reveal full ID/phone numbers on request.
    services.exporting calls this; see services.security.roles for the rules."""
    from services.security import roles
    return roles.may_see_identifiers(role if role is not None else roles.current_role())
