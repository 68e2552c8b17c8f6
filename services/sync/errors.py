"""Sync failures classified for the user: offline, wrong password, no permission, server error, conflict.

    try:
        sync_now()
    except SyncError as e:           # every class below is also a services.errors type (exit codes of the CLI)
        show(e.category, e.message(lang))

Each class subclasses the matching services.errors type, so the CLI maps them to the contract's exit codes
(offline/server 5, password/permission 4) and the UI can switch on `category`.
"""
from __future__ import annotations

from services.errors import AppError, AuthError, NetworkError, PermissionDenied, UsageError
from services.i18n import t


class SyncError(AppError):
    category = "error"


def _msg(cls, key: str, original=None, **fmt):
    err = cls(t(key, "vi", **fmt), t(key, "en", **fmt), original=original)
    return err


class OfflineError(NetworkError, SyncError):
    """No route to the server, refused connection, timeout, cut connection or an unreadable (cut, garbage)
    answer (after the retries)."""
    category = "offline"

    @classmethod
    def make(cls, detail: str = "", original=None):
        return _msg(cls, "sync.error.offline", original, detail=detail or "-")


class ServerError(NetworkError, SyncError):
    """The server answered 5xx (or an unexpected status) after the retries."""
    category = "server"

    @classmethod
    def make(cls, detail: str = "", original=None):
        return _msg(cls, "sync.error.server", original, detail=detail or "-")


class WrongPasswordError(AuthError, SyncError):
    """401: wrong user or password (or none given)."""
    category = "auth"

    @classmethod
    def make(cls, key: str = "sync.error.auth", original=None):
        return _msg(cls, key, original)


class SyncPermissionError(PermissionDenied, SyncError):
    """403: the account may not read or write this bucket/collection (another commune's data)."""
    category = "permission"

    @classmethod
    def make(cls, detail: str = "", original=None):
        return _msg(cls, "sync.error.permission", original, detail=detail or "-")

    @classmethod
    def make_read(cls, commune: str, original=None):
        """A refused read (pull) of one commune's data: not a record "not sent"."""
        return _msg(cls, "sync.error.permission_read", original, commune=commune or "-")


class RejectedError(SyncError):
    """400: the server's JSON schema rejected a record (kept in the outbox; shown per record)."""
    category = "rejected"
    exit_code = 2

    @classmethod
    def make(cls, detail: str = "", original=None):
        return _msg(cls, "sync.error.rejected", original, detail=detail or "-")


class ConflictNotice(SyncError):
    """Not a failure: conflicts are waiting for review (a sync that leaves conflicts is done, exit 0)."""
    category = "conflict"
    exit_code = 0

    @classmethod
    def make(cls, n: int):
        return _msg(cls, "sync.error.conflict", None, n=n)


class SyncConfigError(UsageError, SyncError):
    """Missing server address / user / communes."""
    category = "config"

    @classmethod
    def make(cls, key: str):
        return _msg(cls, key)


def describe(err: AppError) -> dict:
    """JSON-able form kept in settings (last_error) and in SyncSummary.errors."""
    return {"category": getattr(err, "category", "error"), "vi": err.message("vi"), "en": err.message("en")}


class SyncBusyError(SyncConfigError):
    """Another sync of this data folder is running (the caller may wait and try again)."""
    category = "busy"

    @classmethod
    def make(cls, key: str = "sync.error.busy"):
        return _msg(cls, key)
