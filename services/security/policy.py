"""Auto-lock policy for the UI: lock the app after N idle minutes (setting "security.auto_lock_minutes").

    auto_lock_minutes() -> 10            set_auto_lock_minutes(15)
    idle = IdleLock(minutes=auto_lock_minutes(), on_lock=lock_screen)
    idle.touch()            # on every user event
    idle.check()            # from a periodic timer (e.g. every 30 s); calls on_lock once when idle too long

Locking means: close the database (services.data_dir.app.close()) and show the unlock screen; the data key then only
lives again after the next unlock.
"""
from __future__ import annotations

import time

from services.data_dir import settings
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
    services.records.exporting calls this; see services.security.roles for the rules."""
    from services.security import roles
    return roles.may_see_identifiers(role if role is not None else roles.current_role())


# ---- new passphrases and encryption by default ----------------------------------------------------------------
# The one place that says what a new passphrase must be and whether a new folder may stay plain: the CLI
# (opening.open_for_cli, cli/security.py) and the GUI (first run, settings, forgotten passphrase) call these.

ENV_NO_ENCRYPTION = "PLCS_NO_ENCRYPTION"
MIN_PASSPHRASE = 8
MAX_PASSPHRASE = 1024
MIN_DISTINCT = 4          # "aaaaaaaa", "abababab" are refused


def _rule(key: str, **fmt) -> FieldError:
    return FieldError("passphrase", t(key, "vi", **fmt), t(key, "en", **fmt))


def _is_run(text: str) -> bool:
    """A straight run of characters such as "12345678", "abcdefgh" or "87654321". Hand-written: a password
    strength library (zxcvbn) would be more thorough but is not in the package index we use."""
    steps = {ord(b) - ord(a) for a, b in zip(text, text[1:], strict=False)}
    return len(steps) == 1 and steps <= {1, -1}


def passphrase_problems(passphrase: str | None) -> list[FieldError]:
    """Every rule a new passphrase breaks (empty list: acceptable). Rules: not blank, at least 8 characters,
    at most 1024, at least 4 different characters, not a straight run like "12345678"."""
    if passphrase is None or not passphrase.strip():
        return [_rule("security.passphrase_empty")]
    problems = []
    if len(passphrase) < MIN_PASSPHRASE:
        problems.append(_rule("security.passphrase_short", n=MIN_PASSPHRASE))
    if len(passphrase) > MAX_PASSPHRASE:
        problems.append(_rule("security.passphrase_long"))
    if len(set(passphrase.casefold())) < MIN_DISTINCT:
        problems.append(_rule("security.passphrase_repetitive", n=MIN_DISTINCT))
    elif _is_run(passphrase.casefold()):
        problems.append(_rule("security.passphrase_sequence"))
    return problems


def check_new_passphrase(passphrase: str | None) -> str:
    """The passphrase, or ValidationError (exit 2) naming every rule it breaks."""
    problems = passphrase_problems(passphrase)
    if problems:
        raise ValidationError(problems)
    return passphrase


def plain_allowed() -> bool:
    """Whether a NEW data folder may be created without encryption: only on explicit request
    (PLCS_NO_ENCRYPTION=1, which the CLI's --no-encryption sets for its command). Existing plain folders keep
    working regardless."""
    import os
    return os.environ.get(ENV_NO_ENCRYPTION, "").strip().lower() in ("1", "true", "yes", "on")
