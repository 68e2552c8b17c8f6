"""The Flet application: window setup, keyboard shortcuts, first run or the main shell.

    python main.py                  # desktop window, or the browser when the Flet desktop client is missing
    python main.py --web --port P   # always serve to a browser (how the E2E tests run it)

    from ui.app import run_gui; run_gui(data_dir="/tmp/plcs", web=True, port=8550)
"""
from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from pathlib import Path

import flet as ft

from ui.state import KINDS, AppState
from ui.views.common import PRIMARY

ASSETS_DIR = Path(__file__).resolve().parent.parent / "assets"


IDLE_CHECK_SECONDS = 15
# Flet events that are not the officer's doing (they must not keep an idle app unlocked)
PASSIVE_EVENTS = {"connect", "disconnect", "close", "resize", "app_lifecycle_state_change", "media_change",
                  "platform_brightness_change", "route_change", "window_event"}


# The AppState fields that decide which top-level view shows (or that Root's effects follow). Root re-renders
# only when one of them changes; every other change (screen, mode, message, revision) re-renders Shell alone.
ROOT_FIELDS = frozenset({"locked", "recovery_key", "needs_setup", "lang"})


class RootProps:
    """Root's handle on the AppState. A plain object on purpose: Flet subscribes a component to every observable
    argument, and a Root subscribed to the AppState re-rendered the whole Shell a second time on each click
    (Shell, also subscribed, had just rendered it). Root follows ROOT_FIELDS itself (see `use_root_fields`)."""

    def __init__(self, app: AppState):
        self.app = app


def use_root_fields(app: AppState) -> None:
    """Re-render the current component when one of ROOT_FIELDS of `app` changes."""
    _, bump = ft.use_state(0)
    listener = ft.use_ref(None)

    def subscribe():
        def on_change(_sender, field):
            if field in ROOT_FIELDS:
                bump(lambda n: n + 1)
        listener.current = on_change      # Observable keeps its listeners in a WeakSet: hold this one
        return app.subscribe(on_change)   # the returned disposer is the effect's cleanup

    ft.use_effect(subscribe, [])


@ft.component
def Root(props: RootProps):
    from ui.views.first_run import FirstRunView
    from ui.views.shell import Shell
    from ui.views.unlock import RecoveryKeyView, UnlockView

    app = props.app
    use_root_fields(app)

    async def idle_watch():
        while True:
            await asyncio.sleep(IDLE_CHECK_SECONDS)
            app.check_idle()

    ft.use_effect(idle_watch, [])
    # Flutter's own widgets (date picker, menus, "Tab 1 of 9" screen-reader labels) follow the app language
    page = ft.context.page
    ft.use_effect(lambda: apply_locale(page, app.lang), [app.lang])
    # background sync while the session knows the sync password; stopped (password forgotten) on lock/unmount
    from ui.state.sync import SyncState
    sync_state = app.screen_state("sync", SyncState)
    ft.use_effect(lambda: sync_state.apply_background(app.locked), [app.locked], cleanup=sync_state.stop_background)
    if app.locked:
        from ui.state.security import UnlockState
        return UnlockView(app, app.screen_state("unlock", UnlockState))
    if app.recovery_key:
        return RecoveryKeyView(app)
    if app.needs_setup:
        from ui.state.profile import ProfileState
        from ui.state.security import ProtectState
        return FirstRunView(app, app.screen_state("first_run", ProfileState), app.screen_state("protect", ProtectState))
    return Shell(app)


LOCALES = {"vi": ft.Locale("vi", "VN"), "en": ft.Locale("en", "GB")}


def locale_configuration(lang: str) -> ft.LocaleConfiguration:
    """vi-VN (Monday-first weeks, "Hủy"/"OK", "Chọn ngày", Vietnamese semantics labels) or, when the officer
    picks English, en-GB (also Monday-first, dd/mm/yyyy like the rest of the app)."""
    return ft.LocaleConfiguration(supported_locales=list(LOCALES.values()),
                                  current_locale=LOCALES.get(lang, LOCALES["vi"]))


def apply_locale(page, lang: str) -> None:
    wanted = locale_configuration(lang)
    if page is not None and page.locale_configuration != wanted:
        page.locale_configuration = wanted
        page.update()


def watch_activity(page: ft.Page, app: AppState) -> None:
    """Every event the browser/desktop client sends for a control (clicks, typing, selections) counts as
    activity for the auto-lock; keyboard shortcuts are touched in on_key."""
    session = getattr(page, "session", None)
    dispatch = getattr(session, "dispatch_event", None)
    if dispatch is None:
        return

    async def dispatch_and_touch(control_id, event_name, event_data, *args, **kwargs):
        if event_name not in PASSIVE_EVENTS:
            app.touch()
        return await dispatch(control_id, event_name, event_data, *args, **kwargs)

    session.dispatch_event = dispatch_and_touch


def make_main(data_dir=None, web: bool = False):
    def main(page: ft.Page):
        wait_for_screens()
        app = AppState.open(data_dir)
        app.web = web or page.web
        page.title = app.t("app.title")
        page.locale_configuration = locale_configuration(app.lang)
        page.theme = ft.Theme(color_scheme_seed=PRIMARY, font_family="Roboto")
        page.theme_mode = ft.ThemeMode.LIGHT
        page.padding = 0
        page.spacing = 0
        try:
            page.window.icon = str(ASSETS_DIR / "icon.png")
            page.window.min_width, page.window.min_height = 1100, 680
        except AttributeError:
            pass

        async def on_key(e: ft.KeyboardEvent):
            app.touch()
            await handle_key(app, e.key, ctrl=e.ctrl or e.meta, shift=e.shift)

        page.on_keyboard_event = on_key

        def on_close(e):          # the session ended: its one-time download links die with it
            from services.printing.downloads import STORE
            STORE.forget_session(page.session.id)
            app.close_preview()
            app.session_closed()  # it counts as locked (per-session lock state, services.data_dir.sessions)

        page.on_close = on_close
        watch_activity(page, app)
        page.render(Root, RootProps(app))

    return main


SCREEN_MODULES = ("ui.views.shell", "ui.views.overview", "ui.views.record_list", "ui.views.legal_aid_detail",
                  "ui.views.mediation_detail", "ui.views.dissemination_detail", "ui.views.record_form",
                  "ui.views.reports", "ui.views.assessment", "ui.views.coverage_view", "ui.views.sync",
                  "ui.views.settings", "ui.views.teams", "ui.views.print_preview", "ui.views.import_dialog",
                  "ui.state.dashboard", "ui.state.reports", "ui.state.assessment", "ui.state.sync",
                  "ui.state.forms", "ui.state.details", "ui.state.importing", "ui.state.teams",
                  "ui.state.profile", "ui.state.status")
_preload = None


def preload_screens() -> None:
    """Import every screen's modules (and what they import: charts, assessment, coverage) in a background thread
    once per process, started just before the server (or window) starts, so that the officer's first visit of a
    screen does not pay for them (3.7–9 s measured on the first list of a run; ~3 s of imports under load).
    A session waits for it to finish before it imports anything itself (`wait_for_screens`): two threads importing
    modules that import each other can see a half-initialised module, and an exception while rendering stops
    Flet's update loop for that session."""
    global _preload
    if _preload is not None:
        return

    def load():
        import contextlib
        import importlib
        for name in SCREEN_MODULES:
            with contextlib.suppress(Exception):   # the screen itself reports the error when it is opened
                importlib.import_module(name)

    import threading
    _preload = threading.Thread(target=load, name="preload-screens", daemon=True)
    _preload.start()


def wait_for_screens() -> None:
    """Block until the start-up preload is done (at once when it is, or when there was none)."""
    if _preload is not None:
        _preload.join()


async def handle_key(app: AppState, key: str, ctrl: bool = False, shift: bool = False) -> None:
    """Ctrl+N new record, Ctrl+F search box, Ctrl+P print (case slip) — on the record screens."""
    if not ctrl or app.needs_setup or app.locked or app.recovery_key:
        return
    k = (key or "").upper()
    kind = app.screen if app.screen in KINDS else None
    if k == "N" and app.screen == "mediation-team":
        from ui.state.teams import TeamsState
        app.screen_state("mediation-team", TeamsState).open_new()
    elif k == "N" and app.may_write(kind or "legal-aid"):
        app.open_form(kind or "legal-aid")
    elif k == "F":
        if app.mode != "list" or kind is None:
            app.go(kind or "legal-aid")
        lst = app.list_state(app.screen)
        field = getattr(lst, "_search_field", None)
        if field is not None:
            with contextlib.suppress(Exception):     # the field may not be mounted yet
                await field.focus()
    elif k == "P" and app.mode == "detail" and app.detail is not None:
        docs = app.detail.print_documents()
        if docs:
            from services.errors import AppError
            try:
                doc = docs[0][0] if app.screen != "legal-aid" else _slip(docs)
                path = app.detail.print(doc)
                app.show_print(path, f"{dict(docs).get(doc, doc)} — {app.detail.number}")
            except AppError as exc:
                app.say(exc.message(app.lang))


def _slip(docs):
    tokens = [d[0] for d in docs]
    return "case-slip" if "case-slip" in tokens else tokens[0]


def desktop_client_available() -> bool:
    """True when a Flet desktop window can open without downloading anything."""
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return False
    if os.environ.get("FLET_VIEW_PATH"):
        return True
    try:
        import flet_desktop
    except ImportError:
        return False
    bundled = Path(flet_desktop.get_package_bin_dir())
    if bundled.is_dir() and any(bundled.iterdir()):
        return True
    version = getattr(getattr(flet_desktop, "version", None), "version", "")
    cache = Path.home() / ".flet" / "client"
    return cache.is_dir() and any(p.name.endswith(version) or f"-{version}-" in p.name for p in cache.iterdir())


def run_gui(data_dir=None, web: bool = False, port: int = 8550) -> int:
    os.environ.setdefault("FLET_WEB_NO_CDN", "1")
    if not web and not desktop_client_available():
        sys.stderr.write(
            "Không tìm thấy ứng dụng Flet cho máy tính (cần tải từ Internet lần đầu); mở ứng dụng trong trình "
            f"duyệt tại http://127.0.0.1:{port}/\n"
            "The Flet desktop client is missing (it is downloaded on first start); serving the app in the "
            f"browser at http://127.0.0.1:{port}/ instead. See README, 'Offline desktop package'.\n")
        web = True
    main = make_main(data_dir, web)
    if web:
        from ui.web_server import serve  # Flet's server plus the one-time PDF download route
        preload_screens()
        serve(main, host="127.0.0.1", port=port, assets_dir=str(ASSETS_DIR))
    else:
        preload_screens()
        ft.run(main, view=ft.AppView.FLET_APP, assets_dir=str(ASSETS_DIR), no_cdn=True)
    return 0
