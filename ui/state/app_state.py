"""The application state: language, current screen, profile, messages; owns one state object per screen.
It also owns the lock: an encrypted folder starts locked (unlock screen), auto-locks after idle minutes, and
shows a new recovery key once.

    app = AppState.open(data_dir)       # security.status(): encrypted -> app.locked (unlock screen first)
    app.unlocked(ctx)                   # after security.open_for_ui(...) succeeded
    app.touch(); app.check_idle()       # user activity / periodic timer -> app.lock() after idle minutes
    app.t("nav.overview")               -> "Tổng quan"
    app.go("mediation")                 # list of mediation cases
    app.open_form("legal-aid")          # new legal-aid case
    app.open_detail("legal-aid", case_id)
"""
from __future__ import annotations

import uuid

import flet as ft

from services import i18n, security
from services.data_dir import app as app_service
from services.data_dir import sessions, settings

KINDS = ("legal-aid", "mediation", "dissemination")
SCREENS = ("overview", "legal-aid", "mediation", "dissemination", "coverage", "assessment", "reports", "sync",
           "settings")
# Screens reached from inside another one (not on the navigation rail): screen -> the rail item to highlight.
SUB_SCREENS = {"mediation-team": "mediation"}


@ft.observable
class AppState:
    def __init__(self, ctx=None):
        self._ctx = ctx
        self.lang = "vi"
        self.screen = "overview"
        self.mode = "list"            # for record screens: list | form | detail
        self.record_id = None
        self.needs_setup = True
        self.message = None           # (text, undo callable or None)
        self.confirm = None           # (title, text, on_yes) for the unsaved-changes warning
        self.preview = None           # PrintPreviewState of the PDF just printed (the preview dialog shows it)
        self.revision = 0             # bumped after writes so that lists and dashboards reload
        self.web = False
        self._lists = {}
        self._form = None
        self._detail = None
        self._screens = {}
        self._data_dir = ctx.data_dir if ctx is not None else None
        self.locked = False           # encrypted folder not (or no longer) unlocked: the unlock screen shows
        self.encrypted = False
        self.recovery_key = None      # shown ONCE on its own screen until "Tôi đã lưu"
        self.kept_form = False        # an unsaved form survived an auto-lock
        self._idle = None
        self.session_key = uuid.uuid4().hex   # this session's lock state (services.data_dir.sessions)

    # ---- setup -------------------------------------------------------------------------------------------
    @classmethod
    def open(cls, data_dir=None) -> AppState:
        """Open the data folder through the security layer: encrypted -> locked until the passphrase."""
        path = app_service.resolve_data_dir(str(data_dir) if data_dir else None)
        st = security.status(path)
        if st.needs_unlock:
            state = cls(None)
            state._data_dir = path
            state.encrypted = True
            state.needs_setup = False
            state.locked = True
            return state
        state = cls(None)
        state._data_dir = path
        state.adopt(security.open_for_ui(path))
        return state

    def adopt(self, ctx) -> None:
        """Take an opened context (after start, unlock, encryption or restore)."""
        self._ctx = ctx
        self._data_dir = ctx.data_dir
        sessions.opened(self.session_key)
        self.lang = settings.get("language", "vi") or "vi"
        self.needs_setup = not (ctx.profile or {}).get("full_name")
        self.encrypted = security.status(ctx.data_dir).encrypted
        self.set_idle_minutes(security.auto_lock_minutes())

    @property
    def ctx(self):
        return self._ctx

    @property
    def data_dir(self):
        return self._data_dir if self._data_dir is not None else (self._ctx.data_dir if self._ctx else None)

    def t_raw(self, key: str, **kw) -> str:
        """A message of another feature's catalog (e.g. "security.passphrase_mismatch")."""
        return i18n.t(key, self.lang, **kw)

    # ---- roles -------------------------------------------------------------------------------------------
    @property
    def role(self) -> str:
        return security.roles.normalize_role(self.profile.get("role"))

    def may_write(self, kind: str | None = None) -> bool:
        return security.may_write(self.role, kind)

    # ---- lock, unlock, encryption ------------------------------------------------------------------------
    def unlocked(self, ctx) -> None:
        """The unlock screen opened the folder: back to where the officer was (forms kept in memory)."""
        first = self._ctx is None
        self.adopt(ctx)
        for lst in self._lists.values():
            lst.stale = True
        self.locked = False
        if self.kept_form and not first:
            self.say(self.t("lock.form_kept"))
        self.kept_form = False
        if first:
            self.screen = "overview"
        self.notify()

    def session_closed(self) -> None:
        """The browser tab of this session is gone: it counts as locked (services.data_dir.sessions)."""
        sessions.end(self.session_key, encrypted=self.encrypted)

    def lock(self) -> None:
        """Close the database and show the unlock screen. An unsaved form stays in memory and comes back after
        the unlock (it is never written while locked)."""
        if self.locked or not self.encrypted:
            return
        self.kept_form = self.mode == "form" and self._form is not None and self._form.dirty
        self.confirm = None
        self.message = None
        sessions.lock(self.session_key)   # the database closes only when no other session is unlocked
        unlock = self._screens.get("unlock")
        if unlock is not None:
            unlock.reset()
        self.locked = True

    def ensure_open(self) -> None:
        """After a failure that may have closed the database (restore): reopen, or lock if a key is needed."""
        try:
            app_service.current()
            return
        except RuntimeError:
            pass
        st = security.status(self.data_dir)
        if st.needs_unlock:
            self.encrypted = True
            self.locked = True
            sessions.end(self.session_key, encrypted=False)   # no longer holds the (closed) database
        else:
            self.adopt(security.open_for_ui(self.data_dir))

    def encryption_enabled(self, ctx, recovery_key: str) -> None:
        self.adopt(ctx)
        self.show_recovery_key(recovery_key)

    def show_recovery_key(self, recovery_key: str) -> None:
        self.recovery_key = recovery_key

    def recovery_key_saved(self) -> None:
        """"Tôi đã lưu": the key is never shown again."""
        self.recovery_key = None
        self.say(self.t_raw("security.encryption_enabled") if self.encrypted else self.t("settings.saved"))

    def reopened(self) -> None:
        """The database was replaced (restore): rebuild every screen from the current context."""
        self.adopt(app_service.current())
        self._lists = {}
        self._form = None
        self._detail = None
        self._screens = {k: v for k, v in self._screens.items() if k in ("settings-backups", "unlock")}
        self.mode = "list"
        self.record_id = None
        self.changed()

    # ---- idle --------------------------------------------------------------------------------------------
    def set_idle_minutes(self, minutes: int) -> None:
        if self._idle is None:
            self._idle = security.IdleLock(minutes, on_lock=self.lock)
        else:
            self._idle.minutes = minutes
            self._idle.touch()

    def touch(self) -> None:
        """User activity (a key, a click, typing)."""
        if self._idle is not None and not self.locked:
            self._idle.touch()

    def check_idle(self) -> bool:
        """From a periodic timer: lock when idle too long (encrypted folders only). True when it locked."""
        if self._idle is None or self.locked or not self.encrypted or self._ctx is None:
            return False
        return self._idle.check()

    @property
    def profile(self) -> dict:
        return (self._ctx.profile if self._ctx else None) or {}

    @property
    def communes(self) -> list[str]:
        return list(self.profile.get("communes") or [])

    def t(self, key: str, **kw) -> str:
        return i18n.t("ui." + key, self.lang, **kw)

    def set_language(self, lang: str) -> None:
        settings.put("language", lang)
        self.lang = lang
        for lst in self._lists.values():
            lst.relabel()

    def set_display_language(self, lang: str) -> None:
        """Language of the unlock screen (the setting itself lives in the locked database)."""
        self.lang = lang if lang in i18n.LANGS else "vi"

    def finish_setup(self) -> None:
        self.needs_setup = False
        self.screen = "overview"

    # ---- navigation --------------------------------------------------------------------------------------
    def list_state(self, kind: str):
        from ui.state.lists import ListState
        if kind not in self._lists:
            self._lists[kind] = ListState(self, kind)
        return self._lists[kind]

    def screen_state(self, name: str, factory):
        if name not in self._screens:
            self._screens[name] = factory(self)
        return self._screens[name]

    @property
    def form(self):
        return self._form

    @property
    def detail(self):
        return self._detail

    def _guard(self, action) -> None:
        """Run `action`, or first ask when the open form has unsaved changes."""
        if self.mode == "form" and self._form is not None and self._form.dirty:
            self.confirm = (self.t("form.unsaved_title"), self.t("form.unsaved_text"), action)
            return
        action()

    def answer_confirm(self, yes: bool) -> None:
        pending, self.confirm = self.confirm, None
        if yes and pending:
            self._form = None
            pending[2]()

    def go(self, screen: str) -> None:
        def action():
            self.screen = screen
            self.mode = "list"
            self.record_id = None
            self._form = None
        self._guard(action)

    def open_form(self, kind: str, record_id: str | None = None) -> None:
        from ui.state.forms import FormState

        def action():
            self._form = FormState(self, kind, record_id)
            self.screen = kind
            self.record_id = record_id
            self.mode = "form"
            self.notify()
        self._guard(action)

    def open_detail(self, kind: str, record_id: str) -> None:
        from ui.state.details import DetailState

        def action():
            self._form = None
            self._detail = DetailState(self, kind, record_id)
            self.screen = kind
            self.record_id = record_id
            self.mode = "detail"
            self.notify()
        self._guard(action)

    def back_to_list(self) -> None:
        def action():
            self._form = None
            self.mode = "list"
            self.record_id = None
            self.list_state(self.screen).load() if self.screen in KINDS else None
        self._guard(action)

    # ---- print preview -----------------------------------------------------------------------------------
    def show_print(self, path, title: str = "") -> None:
        """Every print action ends here: the PDF opens in the in-app preview (In / Mở thư mục / Lưu thành…,
        or the browser download in web mode)."""
        from ui.state.print_preview import PrintPreviewState
        self.close_preview()
        try:
            self.preview = PrintPreviewState(self, path, title)
        except Exception as exc:   # noqa: BLE001 — unreadable or empty PDF: say where the file is
            self.say(self.t("preview.open_failed", path=str(path), error=str(exc)))

    def close_preview(self) -> None:
        if self.preview is not None:
            self.preview.close()
        self.preview = None

    # ---- messages ----------------------------------------------------------------------------------------
    def say(self, text: str, undo=None) -> None:
        self.message = (text, undo)

    def clear_message(self) -> None:
        self.message = None

    def changed(self) -> None:
        """A record was written: lists and dashboards reload on their next render."""
        self.revision += 1
        for lst in self._lists.values():
            lst.stale = True
