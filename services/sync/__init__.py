"""Offline-first sync with the Kinto server (issue 5): the public API for the UI and the CLI.

    from services import sync
    summary = sync.sync_now("https://sync.example.vn/v1", "officer-a", password, progress=cb)
    summary.sent, summary.received, summary.merged, summary.conflicts, summary.bytes_per_record
    sync.list_conflicts();  sync.resolve_conflict(3, "local")
    sync.status()  -> {"pending": {"legal-aid": 2, …}, "pending_total": 2,     # records, change log apart
                       "pending_change_log": 19,                            # audit entries waiting
                       "open_conflicts": 1, "quarantined": 0, "notices": 0,
                       "last_success": "2026-11-25T10:00:00",               # only runs without errors
                       "last_error": None | {"category", "vi", "en", "at"}, "server_url": …, "user": …}
    sync.headline(summary, "vi")   # "Đồng bộ chưa xong: 1 lỗi. …" first when anything failed, else "Đồng bộ xong: …"
    sync.list_notices(); sync.restore_notice(3); sync.dismiss_notice(3); sync.list_quarantine()
    syncer = sync.BackgroundSyncer(password_provider=lambda: pw, interval=300); syncer.start(); syncer.trigger()

Package layout: http (requests session, retries, byte counts), documents (canonical/compact records),
merge (three-way), routing (record -> commune bucket), store (checkpoints, bases, conflicts), engine (one run),
conflicts (list/resolve), background (the UI's syncer), errors (offline, auth, permission, server, conflict).

The server URL and user are remembered in services.data_dir.settings ("sync.server_url", "sync.user"); the password
never is. Which buckets: an officer syncs the communes of the profile (services.data_dir.app.current().profile
["communes"]); centre staff, supervisors and admins pull every commune bucket they can read.
"""
from __future__ import annotations

import threading

from services.data_dir import app, settings
from services.dates import utc_now
from services.errors import AppError
from services.records import outbox
from services.sync import background, store
from services.sync.conflicts import list_conflicts, resolve_conflict
from services.sync.engine import SyncEngine, SyncOptions, SyncSummary
from services.sync.errors import (
    ConflictNotice,
    OfflineError,
    RejectedError,
    ServerError,
    SyncBusyError,
    SyncConfigError,
    SyncError,
    SyncPermissionError,
    WrongPasswordError,
    describe,
)
from services.sync.http import KintoHTTP
from services.sync.notices import dismiss_notice, list_notices, list_quarantine, restore_notice

SERVER_KEY, USER_KEY = "sync.server_url", "sync.user"
LAST_SUCCESS_KEY, LAST_ERROR_KEY = "sync.last_success", "sync.last_error"
SERVER_INFO_KEY = "sync.server_info"    # {"url", "settings": {"batch_max_requests"}, "gzip_requests"}: skips GET /v1/
MAX_PASSWORD_BYTES = 72          # bcrypt limit on the server (longer gives a 500, not an error)

_lock = threading.Lock()

__all__ = ["sync_now", "list_conflicts", "resolve_conflict", "status", "BackgroundSyncer", "SyncSummary",
           "SyncOptions", "SyncError", "OfflineError", "ServerError", "WrongPasswordError", "SyncPermissionError",
           "RejectedError", "ConflictNotice", "SyncConfigError", "configured", "remember", "headline",
           "list_notices", "restore_notice", "dismiss_notice", "list_quarantine", "CHANGE_LOG_KINDS",
           "SyncBusyError", "check_reachable", "sync_when_free"]

CHANGE_LOG_KINDS = outbox.CHANGE_LOG_KINDS    # not records: counted apart as pending_change_log


class BackgroundSyncer(background.BackgroundSyncer):
    """The background syncer (services/sync/background.py) running this package's sync_now()."""

    def sync(self, server_url, user, password, options=None):
        return sync_now(server_url, user, password, options=options)

    def configured(self) -> tuple[str | None, str | None]:
        return configured()


def configured() -> tuple[str | None, str | None]:
    """(server URL, user) remembered in settings."""
    return settings.get(SERVER_KEY), settings.get(USER_KEY)


def remember(server_url: str | None = None, user: str | None = None) -> None:
    if server_url:
        settings.put(SERVER_KEY, server_url)
    if user:
        settings.put(USER_KEY, user)


def sync_now(server_url: str | None = None, user: str | None = None, password: str | None = None,
             progress=None, *, options: SyncOptions | None = None) -> SyncSummary:
    """Run one sync of the current data folder. Raises SyncError subclasses (offline, auth, permission, server)
    for failures that stop the whole run; per-record problems are listed in summary.errors.
    progress(phase, done, total) is called with phase "pull" (total None) or "push"."""
    saved_url, saved_user = configured()
    server_url, user = server_url or saved_url, user or saved_user
    if not server_url:
        raise SyncConfigError.make("sync.error.no_server")
    if not user:
        raise SyncConfigError.make("sync.error.no_user")
    if not password:
        raise WrongPasswordError.make("sync.error.no_password")
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise WrongPasswordError.make("sync.error.password_too_long")
    if not _lock.acquire(blocking=False):
        raise SyncBusyError.make()
    options = options or SyncOptions()
    known = settings.get(SERVER_INFO_KEY) or {}
    http = KintoHTTP(server_url, (user, password), timeout=options.timeout, attempts=options.attempts,
                     backoff=options.backoff, max_backoff=options.max_backoff,
                     server_info=known if known.get("url") == server_url else None)
    try:
        engine = SyncEngine(http, app.current().profile, progress=progress, options=options)
        try:
            summary = engine.run()
        except AppError as err:
            settings.put(LAST_ERROR_KEY, {**describe(err), "at": utc_now().isoformat()})
            raise
        remember(server_url, user)
        settings.put(SERVER_INFO_KEY, {"url": server_url, **http.remembered_info()})
        if summary.complete:             # "last success" means a run without any error (issue 16 §2)
            settings.put(LAST_SUCCESS_KEY, summary.finished_at)
        settings.put(LAST_ERROR_KEY, {**summary.errors[0], "at": summary.finished_at} if summary.errors else None)
        return summary
    finally:
        http.close()
        _lock.release()


def status() -> dict:
    """What the sync screen, the overview and `sync status --json` show. "pending" counts records per kind;
    audit (change-log) entries waiting are `pending_change_log`, never mixed into the records."""
    server_url, user = configured()
    counts = outbox.pending_counts()
    pending = {k: n for k, n in counts.items() if k not in CHANGE_LOG_KINDS}
    return {"pending": pending, "pending_total": sum(pending.values()),
            "pending_change_log": sum(n for k, n in counts.items() if k in CHANGE_LOG_KINDS),
            "open_conflicts": store.open_conflicts().count(), "quarantined": store.open_quarantine().count(),
            "notices": store.open_notices().count(), "last_success": settings.get(LAST_SUCCESS_KEY),
            "last_error": settings.get(LAST_ERROR_KEY), "server_url": server_url, "user": user}


def headline(summary: SyncSummary, lang: str = "vi") -> str:
    """The first words about a run: "Đồng bộ chưa xong: N lỗi. <first reason>" when anything failed (never
    "xong" then), else "Đồng bộ xong: gửi …". The CLI prints it first; the sync screen shows it."""
    from services.i18n import t
    if not summary.complete:
        first = summary.errors[0].get(lang) or summary.errors[0].get("vi") or ""
        return t("sync.summary.partial", lang, n=len(summary.errors), first=first)
    return t("sync.summary", lang, sent=summary.sent, received=summary.received, merged=summary.merged,
             conflicts=summary.conflicts, bytes_sent=summary.bytes_sent, bytes_received=summary.bytes_received,
             per_record=summary.bytes_per_record)


def check_reachable(server_url: str, timeout=(5, 15)) -> None:
    """Fail fast with OfflineError when the server cannot be reached at all (the app's "Đồng bộ ngay" asks this
    before a run, instead of waiting through the engine's retries). Anything other than no connection is left
    for sync_now to classify."""
    import requests

    from services.sync.http import TRANSIENT_ERRORS, _is_loopback
    base = server_url.rstrip("/")
    try:
        with requests.Session() as session:
            if _is_loopback(base):
                session.trust_env = False
            session.get(base + "/__heartbeat__", timeout=timeout)
    except TRANSIENT_ERRORS as exc:
        raise OfflineError.make(type(exc).__name__, original=exc) from None
    except requests.RequestException:
        pass


def sync_when_free(server_url, user, password, progress=None, *, wait: float = 60.0, options=None) -> SyncSummary:
    """check_reachable, then sync_now, waiting up to `wait` seconds while another run (the background syncer)
    holds the sync lock."""
    import time
    check_reachable(server_url)
    deadline = time.monotonic() + wait
    while True:
        try:
            return sync_now(server_url, user, password, progress=progress, options=options)
        except SyncBusyError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
