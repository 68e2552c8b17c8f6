"""The application state: language, current screen, profile, messages; owns one state object per screen.

    app = AppState.open(data_dir)
    app.t("nav.overview")               -> "Tổng quan"
    app.go("mediation")                 # list of mediation cases
    app.open_form("legal-aid")          # new legal-aid case
    app.open_detail("legal-aid", case_id)
"""
from __future__ import annotations

import flet as ft

from services import app as app_service
from services import i18n, settings

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
        self.revision = 0             # bumped after writes so that lists and dashboards reload
        self.web = False
        self._lists = {}
        self._form = None
        self._detail = None
        self._screens = {}

    # ---- setup -------------------------------------------------------------------------------------------
    @classmethod
    def open(cls, data_dir=None) -> "AppState":
        ctx = app_service.open_data_dir(data_dir)
        state = cls(ctx)
        state.lang = settings.get("language", "vi") or "vi"
        state.needs_setup = not (ctx.profile or {}).get("full_name")
        return state

    @property
    def ctx(self):
        return self._ctx

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
