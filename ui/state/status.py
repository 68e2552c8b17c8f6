"""The header badge on every screen: online / offline and how many records wait to be sent.

    st = HeaderStatus(app); st.refresh()          # one outbox GROUP BY (services.sync.pending.summary)
    st.records, st.change_log, st.connection      # 6, 29, "online" | "offline" | "no_server" | "unknown"
    st.label()                                    -> "6 hồ sơ chưa gửi"
    await st.tick()                               # from the header's timer: refresh off the UI thread

Cost: the view never queries while rendering. Counts are refreshed after writes and syncs (app.revision
changes) and at most every COUNT_SECONDS on the timer (changes made by another window or the CLI); the server is
probed (GET /__heartbeat__, a few seconds at most, in a worker thread) every PROBE_SECONDS when one is set up.
"""
from __future__ import annotations

import time

import flet as ft

from services.formatting import fmt_int
from ui.state.runtime import in_worker

COUNT_SECONDS = 15
PROBE_SECONDS = 60
PROBE_TIMEOUT = 3


def _summary(lang: str) -> dict:
    from services.sync import pending
    return pending.summary(lang)


def _server() -> str:
    try:
        from services import sync
        url, _user = sync.configured()
        return url or ""
    except Exception:  # noqa: BLE001 — sync not available in this build: no server to reach
        return ""


def probe(url: str, timeout: float = PROBE_TIMEOUT) -> bool:
    """True when the sync server answers its heartbeat (any HTTP answer means it is reachable)."""
    import requests
    try:
        with requests.Session() as session:
            if "127.0.0.1" in url or "localhost" in url:
                session.trust_env = False
            session.get(url.rstrip("/") + "/__heartbeat__", timeout=(timeout, timeout))
        return True
    except requests.RequestException:
        return False


@ft.observable
class HeaderStatus:
    def __init__(self, app):
        self._app = app
        self.records = 0               # records waiting to be sent (the outbox, change log excluded)
        self.change_log = 0            # audit entries waiting (shown in the tooltip only)
        self.connection = "unknown"    # online | offline | no_server | unknown
        self._revision = None
        self._counted_at = 0.0
        self._probed_at = 0.0

    # ---- reading -----------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Counts from the outbox now (also the last sync's outcome when the server was not probed yet)."""
        s = _summary(self._app.lang)
        self._apply(s)

    def _apply(self, s: dict, reachable: bool | None = None, server: str | None = None) -> None:
        self.records = sum((s.get("pending") or {}).values())
        self.change_log = int(s.get("pending_change_log") or 0)
        if server is not None and not server:
            self.connection = "no_server"
        elif reachable is not None:
            self.connection = "online" if reachable else "offline"
        elif self.connection == "unknown":
            err = s.get("last_error") or {}
            if err.get("category") == "offline":
                self.connection = "offline"
            elif s.get("last_success"):
                self.connection = "online"
        self._revision = self._app.revision
        self._counted_at = time.monotonic()

    def due(self, now: float | None = None) -> tuple[bool, bool]:
        """(count now?, probe now?) — counts after a write/sync or every COUNT_SECONDS; probe every PROBE_SECONDS."""
        now = time.monotonic() if now is None else now
        count = self._revision != self._app.revision or now - self._counted_at >= COUNT_SECONDS
        return count, now - self._probed_at >= PROBE_SECONDS or self._probed_at == 0.0

    async def tick(self, force: bool = False) -> None:
        """One step of the header's timer: whatever is due, computed in a worker thread."""
        count, probe_due = self.due()
        if not (count or probe_due or force):
            return
        lang = self._app.lang

        def work():
            s = _summary(lang)
            if not (probe_due or force):
                return s, None, None
            url = _server()
            return s, (probe(url) if url else None), url

        s, reachable, server = await in_worker(work)
        if probe_due or force:
            self._probed_at = time.monotonic()
        self._apply(s, reachable, server)

    # ---- labels ------------------------------------------------------------------------------------------
    def label(self) -> str:
        if not self.records:
            return self._app.t("status.all_sent")
        return self._app.t("status.unsent", n=fmt_int(self.records, self._app.lang))

    def tooltip(self) -> str:
        parts = [self._app.t(f"status.connection.{self.connection}")]
        parts.append(self._app.t("status.unsent_tooltip", n=fmt_int(self.records, self._app.lang),
                                 log=fmt_int(self.change_log, self._app.lang)))
        return " · ".join(parts)

    def connection_label(self) -> str:
        return self._app.t(f"status.connection_short.{self.connection}")
