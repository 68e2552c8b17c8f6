"""Background sync for the UI: syncs every `interval` seconds while the server answers, and on "Sync now".

    syncer = BackgroundSyncer(password_provider=lambda: state.sync_password, interval=300,
                              on_result=lambda summary, error: state.refresh_sync(summary, error))
    syncer.start()        # in the root component's on_mounted
    syncer.trigger()      # the "Sync now" button
    syncer.stop()         # on_unmounted / app exit

The thread checks reachability first (GET <server>/__heartbeat__, short timeout) so an offline laptop does not
retry for minutes. SQLite connections are per thread in peewee, so the thread uses its own connection to the
same data folder. sync_now holds a lock: a manual sync and the background one never overlap.

This class leaves `sync` and `configured` to services.sync's BackgroundSyncer, which runs the package's
sync_now(): this module cannot import the package that imports it (tests/test_layers.py forbids the cycle).
"""
from __future__ import annotations

import contextlib
import logging
import threading

import requests

from services.errors import AppError

log = logging.getLogger(__name__)


class BackgroundSyncer:
    def __init__(self, password_provider, interval: float = 300, on_result=None, server_url: str | None = None,
                 user: str | None = None, options=None):
        self.password_provider = password_provider
        self.interval = interval
        self.on_result = on_result or (lambda summary, error: None)
        self.server_url, self.user, self.options = server_url, user, options
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_summary = None
        self.last_error = None
        self.runs = 0

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="plcs-sync", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._thread = None

    def trigger(self) -> None:
        """Sync as soon as possible (the "Sync now" button)."""
        self._wake.set()

    def sync(self, server_url, user, password, options=None):
        """One sync run (services.sync.sync_now in services.sync.BackgroundSyncer)."""
        raise NotImplementedError

    def configured(self) -> tuple[str | None, str | None]:
        """(server URL, user) remembered in the settings (services.sync.configured)."""
        raise NotImplementedError

    def reachable(self) -> bool:
        url = self.server_url or self.configured()[0]
        if not url:
            return False
        url = url.rstrip("/")
        if not url.endswith("/v1"):
            url += "/v1"
        try:
            with requests.Session() as s:
                if "127.0.0.1" in url or "localhost" in url:
                    s.trust_env = False
                return s.get(url + "/__heartbeat__", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    def run_once(self):
        summary = error = None
        if self.reachable():
            try:
                summary = self.sync(self.server_url, self.user, self.password_provider(), options=self.options)
            except AppError as exc:
                error = exc
            except Exception as exc:   # never let the thread die silently
                log.exception("background sync failed")
                error = exc
            self.runs += 1
            self.last_summary, self.last_error = summary, error
            self.on_result(summary, error)
        return summary, error

    def _loop(self) -> None:
        from models.db import database
        try:
            while not self._stop.is_set():
                self.run_once()
                self._wake.wait(self.interval)
                self._wake.clear()
        finally:
            if database.obj is not None and not database.is_closed():
                with contextlib.suppress(Exception):
                    database.close()      # this thread's connection only
