"""Sync screen state: the local outbox per kind, last success, the last failure in plain words, a progress bar
while syncing, the summary of the last run, conflicts to review, the server settings and the background syncer.

    s = SyncState(app); s.load()
    await s.sync_clicked()         # asks for the password (dialog) unless this session already has one
    s.set_password("…"); await s.submit_password()   # runs services.sync.sync_now in a worker thread
    s.summary                      # "Gửi 3 · Nhận 1 · Gộp 0 · Xung đột 0"
    s.conflicts                    # [{"conflict_id", "kind", "id", "field", "local", "remote", "base", …}]
    s.resolve(3, "local");  s.start_edit(c); s.set_edit_value("…"); s.save_edit()
    s.apply_background(locked=False)   # the app root: BackgroundSyncer while a session password is known
    s.stop_background()

The password is kept in memory for the session only (never written to disk); a lock of the app forgets it.
"""
from __future__ import annotations

import asyncio
import logging

import flet as ft

from services import sync as sync_service
from services.data_dir import settings
from services.dates import utc_now
from services.errors import AppError
from services.records import outbox
from ui.state.dashboard import _when
from ui.state.runtime import in_worker

SHOWN_KINDS = ("legal-aid", "mediation", "mediation-session", "dissemination", "person", "mediation-team",
               "assessment", "officer")
REASONS = ("offline", "auth", "permission", "server", "config", "rejected")
log = logging.getLogger(__name__)
BACKGROUND_INTERVAL = 300       # seconds between background syncs
BUSY_WAIT = 60                  # a manual sync waits this long for a background run to finish


def sync_module():
    """The sync service (imported at start: a missing module fails there, not in front of an officer)."""
    return sync_service


@ft.observable
class SyncState:
    def __init__(self, app):
        self._app = app
        self.counts = []
        self.total = 0
        self.last_ok = ""
        self.last_error = ""          # plain words: "Sai mật khẩu …"
        self.last_error_detail = ""   # the service's own message (with technical detail)
        self.running = False
        self.progress = None          # 0..1 or None (indeterminate)
        self.progress_text = ""
        self.summary = ""             # result of the last run in this session
        self.conflicts = []
        self.change_log = 0           # audit entries waiting (counted apart from records)
        self.notices = []             # [{"notice_id", "notice", "kind", "id", "text": {vi, en}}]
        self.quarantined = []         # pulled versions kept aside: [{"kind", "id", "reason", …}]
        self.partial = False          # the last run of this session had errors ("Đồng bộ chưa xong")
        self.server_url = ""
        self.user = ""
        self.asking_password = False
        self.password_input = ""
        self.editing = None           # conflict id whose value is being typed
        self.edit_value = ""
        self.background_on = False
        self.loaded_revision = -1
        self._password = None         # this session only, memory only
        self._syncer = None
        self._loop = None

    # ---- reading -----------------------------------------------------------------------------------------
    @property
    def available(self) -> bool:
        return getattr(sync_module(), "sync_now", None) is not None

    @property
    def configured(self) -> bool:
        return bool(self.server_url and self.user)

    @property
    def has_password(self) -> bool:
        return bool(self._password)

    def ensure_loaded(self) -> None:
        if self.loaded_revision != self._app.revision:
            self.load()

    def load(self, keep_error: bool = False) -> None:
        mod = sync_module()
        st = mod.status() if mod is not None else {"pending": outbox.pending_counts()}
        counts = st.get("pending") or {}
        self.counts = [(k, counts.get(k, 0)) for k in SHOWN_KINDS if counts.get(k)] + \
                      [(k, n) for k, n in counts.items() if k not in SHOWN_KINDS and n]
        self.total = sum(counts.values())
        self.change_log = st.get("pending_change_log") or 0
        self.notices = list(getattr(mod, "list_notices", lambda: [])())
        self.quarantined = list(getattr(mod, "list_quarantine", lambda: [])())
        ok = st.get("last_success")
        self.last_ok = _when(ok) if ok else ""
        err = st.get("last_error")
        if not (self.running or keep_error):
            self.last_error, self.last_error_detail = self._plain(err) if err else ("", "")
        # (older builds of the settings screen kept them under "server_url"/"server_username")
        self.server_url = st.get("server_url") or settings.get("server_url") or ""
        self.user = st.get("user") or settings.get("server_username") or ""
        self.conflicts = self._conflicts(mod)
        self.loaded_revision = self._app.revision

    def _plain(self, err) -> tuple[str, str]:
        """(reason in plain words, the service's message) from an exception or the stored {"category", vi, en}."""
        lang = self._app.lang
        if isinstance(err, AppError):
            category, detail = getattr(err, "category", "error"), err.message(lang)
        elif isinstance(err, dict):
            category, detail = err.get("category", "error"), err.get(lang) or err.get("vi") or ""
        else:
            category, detail = "error", str(err)
        if category == "auth":
            return (detail if "72" in detail else self._app.t("sync.reason.auth")), ""
        head = self._app.t("sync.reason." + (category if category in REASONS else "error"))
        return head, ("" if detail == head else detail)

    def _conflicts(self, mod) -> list[dict]:
        fn = getattr(mod, "list_conflicts", None)
        if fn is None:
            return []
        try:
            items = list(fn() or [])
        except AppError:
            return []
        for c in items:
            c["title"] = _record_title(c.get("kind", ""), c.get("id", ""))
            c["field_label"] = self._field_label(c.get("field", ""))
        return items

    def _field_label(self, key: str) -> str:
        if key == "deleted":
            return self._app.t("sync.field_deleted")
        label = self._app.t("field." + key)
        return key if label == "ui.field." + key else label

    # ---- server settings ---------------------------------------------------------------------------------
    def save_server(self, url: str, user: str) -> bool:
        url, user = (url or "").strip(), (user or "").strip()
        if not url.startswith(("http://", "https://")) or not user:
            self._app.say(self._app.t("sync.server_invalid"))
            return False
        if (url, user) != (self.server_url, self.user):
            self.forget_password()          # another server or account: ask again
        settings.put("sync.server_url", url)
        settings.put("sync.user", user)
        self.server_url, self.user = url, user
        self._app.say(self._app.t("settings.saved"))
        return True

    # ---- running a sync ----------------------------------------------------------------------------------
    async def sync_clicked(self) -> None:
        """"Đồng bộ ngay": ask for the password the first time in a session, then sync."""
        if self.running:
            return
        if not self.configured:
            self._app.say(self._app.t("sync.no_server"))
            return
        if self._password:
            await self.run(self._password)
        else:
            self.password_input = ""
            self.asking_password = True

    def set_password(self, value: str) -> None:
        self.password_input = value or ""

    def cancel_password(self) -> None:
        self.asking_password, self.password_input = False, ""

    async def submit_password(self) -> None:
        pw, self.password_input, self.asking_password = self.password_input, "", False
        if not pw:
            return
        await self.run(pw)

    async def run(self, password: str) -> None:
        """One sync in a worker thread; progress arrives through the event loop; never raises."""
        mod = sync_module()
        if mod is None or self.running:
            return
        loop = asyncio.get_running_loop()
        self._loop = loop

        def progress(phase=None, done=0, total=None):
            loop.call_soon_threadsafe(self._set_progress, phase, done, total)

        self.running, self.progress, self.summary = True, None, ""
        self.progress_text = self._app.t("sync.running")
        self.last_error = self.last_error_detail = ""
        try:
            summary = await in_worker(mod.sync_when_free, self.server_url, self.user, password, progress,
                                      wait=BUSY_WAIT)
        except AppError as exc:
            if getattr(exc, "category", "") == "auth":
                self.forget_password()
            self.last_error, self.last_error_detail = self._plain(exc)
            settings.put("sync.last_error", {"category": getattr(exc, "category", "error"), "vi": exc.message("vi"),
                                             "en": exc.message("en"), "at": utc_now().isoformat()})
            self._app.say(self.last_error)
        except Exception:   # noqa: BLE001 — never a crash of the window, never a raw message to the officer
            log.exception("sync failed")
            self._app.ensure_open()        # the database may be closed (this session locked): ask the passphrase
            self.last_error, self.last_error_detail = self._app.t("sync.reason.error"), ""
            self._app.say(self.last_error)
        else:
            self._password = password
            self._took(summary)
            self._app.say(self.last_error if self.partial else self._app.t("sync.done_summary", summary=self.summary))
            self.apply_background(self._app.locked)
        finally:
            self.running, self.progress, self.progress_text = False, None, ""
            self._app.changed()
            if not self._app.locked:
                self.load(keep_error=True)  # this run's reason, also when it failed before reaching the server

    def _took(self, summary) -> None:
        """A finished run: a run with errors is "partly failed", said first, and is no success (issue 16 §2)."""
        self.summary = self.describe(summary)
        self.partial = not summary.complete
        if self.partial:
            self.last_error = sync_module().headline(summary, self._app.lang)
            self.last_error_detail = "\n".join(e.get(self._app.lang) or e.get("vi") or "" for e in summary.errors)
        else:
            self.last_error = self.last_error_detail = ""

    def restore_notice(self, notice_id) -> None:
        self._notice_action("restore_notice", notice_id, "sync.restored")

    def dismiss_notice(self, notice_id) -> None:
        self._notice_action("dismiss_notice", notice_id, None)

    def _notice_action(self, name, notice_id, said) -> None:
        try:
            getattr(sync_module(), name)(notice_id)
        except AppError as exc:
            self._app.say(exc.message(self._app.lang))
            return
        if said:
            self._app.say(self._app.t(said))
        self._app.changed()
        self.load()

    def describe(self, summary) -> str:
        return self._app.t("sync.summary", sent=summary.sent, received=summary.received, merged=summary.merged,
                           conflicts=summary.open_conflicts or summary.conflicts)

    def _set_progress(self, phase, done, total) -> None:
        name = self._app.t("sync.phase." + (phase or "pull"))
        if total:
            self.progress = min(1.0, (done or 0) / total)
            self.progress_text = f"{name}: {done}/{total}"
        else:
            self.progress = None
            self.progress_text = f"{name}: {done or 0}"

    # ---- conflicts ---------------------------------------------------------------------------------------
    def resolve(self, conflict_id, choice: str, value=None) -> bool:
        fn = getattr(sync_module(), "resolve_conflict", None)
        if fn is None:
            return False
        try:
            fn(conflict_id, choice, value=value)
        except AppError as exc:
            self._app.say(exc.message(self._app.lang))
            return False
        self.editing, self.edit_value = None, ""
        self._app.say(self._app.t("sync.resolved"))
        self._app.changed()
        self.load()
        return True

    def start_edit(self, conflict: dict) -> None:
        self.editing = conflict["conflict_id"]
        local = conflict.get("local")
        self.edit_value = "" if local is None else str(local)

    def set_edit_value(self, value: str) -> None:
        self.edit_value = value or ""

    def cancel_edit(self) -> None:
        self.editing, self.edit_value = None, ""

    def save_edit(self) -> bool:
        if self.editing is None:
            return False
        conflict = next((c for c in self.conflicts if c["conflict_id"] == self.editing), None)
        value = _typed(self.edit_value, conflict)
        return self.resolve(self.editing, "value", value=value)

    # ---- password and background sync --------------------------------------------------------------------
    def forget_password(self) -> None:
        self._password = None
        self.stop_background()

    def apply_background(self, locked: bool) -> None:
        """Run the BackgroundSyncer while a server is configured and this session knows the password."""
        mod = sync_module()
        if locked:
            self.forget_password()
            return
        if mod is None or not self._password or not self.configured:
            self.stop_background()
            return
        if self._syncer is not None and self._syncer.running:
            return
        self._syncer = _after_first_wait(mod.BackgroundSyncer)(
            password_provider=lambda: self._password, interval=BACKGROUND_INTERVAL,
            on_result=self._background_result, server_url=self.server_url, user=self.user)
        self._syncer.start()
        self.background_on = True

    def stop_background(self) -> None:
        syncer, self._syncer = self._syncer, None
        if syncer is not None:
            syncer.stop(timeout=5)
        self.background_on = False

    def _background_result(self, summary, error) -> None:
        """From the syncer's thread: refresh the screen on the event loop."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return

        def apply():
            if summary is not None:
                self._took(summary)
            if error is not None and getattr(error, "category", "") == "auth":
                self.forget_password()
            self._app.changed()
            self.load(keep_error=summary is not None and not summary.complete)
        loop.call_soon_threadsafe(apply)


def _after_first_wait(base):
    """A BackgroundSyncer whose first run waits one interval: it starts right after a manual sync."""
    class UISyncer(base):
        _skipped = False

        def run_once(self):
            if not self._skipped:
                self._skipped = True
                return None, None
            return super().run_once()
    return UISyncer


def _typed(text: str, conflict: dict | None):
    """The edited value in the type of the conflicting values (numbers stay numbers)."""
    text = (text or "").strip()
    sample = None
    if conflict is not None:
        sample = conflict.get("local") if conflict.get("local") is not None else conflict.get("remote")
    if isinstance(sample, bool):
        return text.lower() in ("1", "true", "có", "yes")
    if isinstance(sample, int):
        try:
            return int(text)
        except ValueError:
            return text
    if isinstance(sample, float):
        try:
            return float(text.replace(",", "."))
        except ValueError:
            return text
    return text


def _record_title(kind: str, record_id: str) -> str:
    """Case number or name of the record a conflict is about (its id when it cannot be read)."""
    from services.records.store import short_title
    return short_title(kind, record_id)
