"""Sync screen: unsent records per kind (the local outbox), last success, last failure in plain words, a
progress bar while syncing, and conflicts to review. Uses services.sync when that feature is installed.

    s = SyncState(app); s.load()
    s.available            -> False until services.sync offers sync_now()
    await s.sync()         # runs off the UI thread, updates s.progress
    s.conflicts; s.resolve(conflict_id, "local" | "remote")
"""
from __future__ import annotations

import asyncio

import flet as ft

from services import outbox, settings
from services.errors import AppError
from ui.state.dashboard import _when
from ui.state.runtime import in_worker, optional, optional_attr

SHOWN_KINDS = ("legal-aid", "mediation", "mediation-session", "dissemination", "person", "mediation-team",
               "assessment", "audit", "officer")


@ft.observable
class SyncState:
    def __init__(self, app):
        self._app = app
        self.counts = []
        self.total = 0
        self.last_ok = ""
        self.last_error = ""
        self.running = False
        self.progress = None          # 0..1 or None
        self.progress_text = ""
        self.conflicts = []
        self.server_url = ""
        self.loaded_revision = -1

    @property
    def available(self) -> bool:
        return optional_attr("services.sync", "sync_now") is not None

    def ensure_loaded(self) -> None:
        if self.loaded_revision != self._app.revision:
            self.load()

    def load(self) -> None:
        counts = outbox.pending_counts()
        self.counts = [(k, counts.get(k, 0)) for k in SHOWN_KINDS if counts.get(k)] + \
                      [(k, n) for k, n in counts.items() if k not in SHOWN_KINDS and n]
        self.total = sum(counts.values())
        ok = settings.get("last_sync_ok")
        self.last_ok = _when(ok) if ok else ""
        err = settings.get("last_sync_error")
        self.last_error = _plain_error(err, self._app.lang) if err else ""
        self.server_url = settings.get("server_url", "") or ""
        self.conflicts = self._conflicts()
        self.loaded_revision = self._app.revision

    def _conflicts(self) -> list[dict]:
        fn = optional_attr("services.sync", "list_conflicts")
        if fn is None:
            return []
        try:
            items = fn() or []
        except AppError:
            return []
        out = []
        for c in items:
            c = c if isinstance(c, dict) else getattr(c, "__dict__", {})
            out.append({"id": c.get("id"), "kind": c.get("kind", ""), "record_id": c.get("record_id", ""),
                        "local": c.get("local") or {}, "remote": c.get("remote") or {},
                        "fields": c.get("fields") or sorted(set(c.get("local") or {}) | set(c.get("remote") or {}))})
        return out

    async def sync(self) -> None:
        """Run one sync in a worker thread; progress arrives through the event loop."""
        fn = optional_attr("services.sync", "sync_now")
        if fn is None or self.running:
            return
        loop = asyncio.get_running_loop()

        def progress(done=0, total=0, text=""):
            loop.call_soon_threadsafe(self._set_progress, done, total, text)

        self.running, self.progress, self.progress_text = True, None, self._app.t("sync.running")
        try:
            await in_worker(_call_with_progress, fn, progress)
            self._app.say(self._app.t("sync.done"))
        except AppError as exc:
            settings.put("last_sync_error", {"vi": exc.message("vi"), "en": exc.message("en")})
            self._app.say(exc.message(self._app.lang))
        except Exception as exc:   # noqa: BLE001 — shown to the user, never a crash of the window
            settings.put("last_sync_error", {"vi": str(exc), "en": str(exc)})
            self._app.say(self._app.t("sync.failed"))
        finally:
            self.running, self.progress, self.progress_text = False, None, ""
            self._app.changed()
            self.load()

    def _set_progress(self, done, total, text) -> None:
        self.progress = (done / total) if total else None
        self.progress_text = text or (f"{done}/{total}" if total else "")

    def resolve(self, conflict_id, keep: str, edited: dict | None = None) -> None:
        fn = optional_attr("services.sync", "resolve_conflict")
        if fn is None:
            return
        try:
            fn(conflict_id, keep, edited) if edited is not None else fn(conflict_id, keep)
        except AppError as exc:
            self._app.say(exc.message(self._app.lang))
        self._app.changed()
        self.load()


def _call_with_progress(fn, progress):
    try:
        return fn(progress=progress)
    except TypeError:
        return fn()


def _plain_error(err, lang: str) -> str:
    if isinstance(err, dict):
        return err.get(lang) or err.get("vi") or err.get("message") or str(err)
    return str(err)


def sync_module():
    return optional("services.sync")
