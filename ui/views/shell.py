"""The main window after setup: navigation rail on the left, the current screen on the right, a message bar
(with Undo where it applies) and the unsaved-changes dialog."""
from __future__ import annotations

import asyncio

import flet as ft

from ui.state import KINDS, SCREENS, SUB_SCREENS
from ui.views.common import ACCENT, MUTED, OK, PRIMARY, SURFACE
from ui.views.memo import memo, quiet

NAV = [("overview", ft.Icons.DASHBOARD_OUTLINED, ft.Icons.DASHBOARD, "nav.overview"),
       ("legal-aid", ft.Icons.BALANCE_OUTLINED, ft.Icons.BALANCE, "nav.legal_aid"),
       ("mediation", ft.Icons.HANDSHAKE_OUTLINED, ft.Icons.HANDSHAKE, "nav.mediation"),
       ("dissemination", ft.Icons.CAMPAIGN_OUTLINED, ft.Icons.CAMPAIGN, "nav.dissemination"),
       ("coverage", ft.Icons.TRAVEL_EXPLORE_OUTLINED, ft.Icons.TRAVEL_EXPLORE, "nav.coverage"),
       ("assessment", ft.Icons.FACT_CHECK_OUTLINED, ft.Icons.FACT_CHECK, "nav.assessment"),
       ("reports", ft.Icons.DESCRIPTION_OUTLINED, ft.Icons.DESCRIPTION, "nav.reports"),
       ("sync", ft.Icons.SYNC_OUTLINED, ft.Icons.SYNC, "nav.sync"),
       ("settings", ft.Icons.SETTINGS_OUTLINED, ft.Icons.SETTINGS, "nav.settings")]


@ft.component
def MessageBar(app):
    msg = app.message

    async def auto_hide():
        current = app.message
        await asyncio.sleep(8)
        if app.message is current:
            app.clear_message()

    ft.use_effect(auto_hide, [msg])
    if not msg:
        return ft.Container(visible=False)
    text, undo = msg

    def do_undo():
        app.clear_message()
        undo()

    actions = []
    if undo is not None:
        actions.append(ft.TextButton(app.t("common.undo"), on_click=do_undo,
                                     style=ft.ButtonStyle(color="#90CAF9")))
    actions.append(ft.IconButton(ft.Icons.CLOSE, icon_color=ft.Colors.WHITE, tooltip=app.t("common.close"),
                                 on_click=lambda: app.clear_message()))
    return ft.Container(
        ft.Row([ft.Text(text, color=ft.Colors.WHITE, expand=True), *actions],
               vertical_alignment=ft.CrossAxisAlignment.CENTER),
        bgcolor="#263238", border_radius=8, padding=ft.Padding.only(left=16, right=4, top=4, bottom=4),
        width=720, shadow=ft.BoxShadow(blur_radius=12, color=ft.Colors.with_opacity(0.25, "#000000")))


TICK_SECONDS = 2       # the badge's timer: cheap when nothing is due (ui/state/status.py decides)


@ft.component
def HeaderBadge(app, st):
    """Online/offline and "N hồ sơ chưa gửi" in the header of every screen; never queries while rendering.
    `st` is the HeaderStatus (a prop, so that its changes re-render the badge)."""

    async def timer():
        await st.tick(force=True)
        while True:
            await asyncio.sleep(TICK_SECONDS)
            await st.tick()

    async def after_write():
        await st.tick()

    ft.use_effect(timer, [])
    ft.use_effect(after_write, [app.revision])
    colour = {"online": OK, "offline": ACCENT}.get(st.connection, MUTED)
    icon = {"online": ft.Icons.CLOUD_DONE_OUTLINED, "offline": ft.Icons.CLOUD_OFF_OUTLINED}.get(
        st.connection, ft.Icons.CLOUD_QUEUE_OUTLINED)
    unsent = st.records > 0
    return ft.Container(
        ft.Row([ft.Icon(icon, color=colour, size=18),
                ft.Text(st.connection_label(), size=12, color=colour),
                ft.Text("·", color="#9AA5B1"),
                ft.Text(st.label(), size=12, weight=ft.FontWeight.W_600 if unsent else None,
                        color=ACCENT if unsent else MUTED)], spacing=6, tight=True),
        tooltip=st.tooltip(), on_click=lambda: app.go("sync"), ink=True, border_radius=12,
        padding=ft.Padding.symmetric(horizontal=10, vertical=4), bgcolor="#FFFFFF",
        border=ft.Border.all(1, "#E3E8EF"))


@ft.component
def Deferred(app, state, render):
    """Show a progress indicator at once when a screen's data is not loaded yet, then load it (after the
    indicator has reached the client) and show the screen: the previous screen never stays on while the next
    one loads. Screens whose loading can take long (coverage) also compute in a worker thread."""
    async def load():
        if state.needs_load():
            await asyncio.sleep(0.05)          # let the indicator frame go out first
            state.ensure_loaded()

    ft.use_effect(load, [app.screen, app.mode, app.revision, app.lang, state.needs_load()])
    if state.needs_load():
        return loading(app)
    return render()


def loading(app) -> ft.Control:
    return ft.Container(ft.Column([ft.ProgressRing(semantics_label=app.t("common.loading")),
                                   ft.Text(app.t("common.loading"), color=MUTED)],
                                  horizontal_alignment=ft.CrossAxisAlignment.CENTER, tight=True, spacing=12),
                        alignment=ft.Alignment.CENTER, expand=True)


def _screen(app):
    from ui.views.assessment import AssessmentView
    from ui.views.dissemination_detail import DisseminationDetailView
    from ui.views.legal_aid_detail import LegalAidDetailView
    from ui.views.mediation_detail import MediationDetailView
    from ui.views.overview import OverviewView
    from ui.views.record_form import RecordFormView
    from ui.views.record_list import RecordListView
    from ui.views.reports import ReportsView
    from ui.views.settings import SettingsView
    from ui.views.sync import SyncView

    s = app.screen
    if s in KINDS:
        if app.mode == "form" and app.form is not None:
            return memo(RecordFormView)(app, app.form)
        if app.mode == "detail" and app.detail is not None:
            view = {"legal-aid": LegalAidDetailView, "mediation": MediationDetailView,
                    "dissemination": DisseminationDetailView}[s]
            return memo(view)(app, app.detail)
        lst = app.list_state(s)
        # the list does not follow every AppState change (a click elsewhere, a message): only its own state and
        # the language; Deferred renders it again when the screen or the revision changes
        return Deferred(app, lst, lambda: memo(RecordListView)(quiet(app), lst, lang=app.lang))
    if s == "coverage":
        from ui.views.coverage_view import CoverageState, CoverageView
        return memo(CoverageView)(app, app.screen_state("coverage", CoverageState))
    if s == "mediation-team":
        from ui.state.teams import TeamsState
        from ui.views.teams import TeamsView
        return memo(TeamsView)(app, app.screen_state("mediation-team", TeamsState))
    if s == "overview":
        from ui.state.dashboard import DashboardState
        d = app.screen_state("overview", DashboardState)
        return Deferred(app, d, lambda: memo(OverviewView)(app, d))
    if s == "sync":
        from ui.state.sync import SyncState
        return memo(SyncView)(app, app.screen_state("sync", SyncState))
    if s == "reports":
        from ui.state.reports import ReportsState
        return memo(ReportsView)(app, app.screen_state("reports", ReportsState))
    if s == "assessment":
        from ui.state.assessment import AssessmentState
        a = app.screen_state("assessment", AssessmentState)
        return Deferred(app, a, lambda: memo(AssessmentView)(app, a))
    from ui.state.profile import ProfileState
    return memo(SettingsView)(app, app.screen_state("settings", ProfileState))


@ft.component
def Shell(app):
    confirm = app.confirm
    ft.use_dialog(ft.AlertDialog(
        modal=True, title=ft.Text(confirm[0]), content=ft.Text(confirm[1]),
        actions=[ft.TextButton(app.t("form.discard"), on_click=lambda: app.answer_confirm(True)),
                 ft.FilledButton(app.t("form.keep_editing"), on_click=lambda: app.answer_confirm(False))],
    ) if confirm else None)

    from ui.state.status import HeaderStatus
    current = SUB_SCREENS.get(app.screen, app.screen)
    index = SCREENS.index(current) if current in SCREENS else 0
    profile = app.profile
    rail = ft.NavigationRail(
        selected_index=index, label_type=ft.NavigationRailLabelType.ALL, min_width=104, group_alignment=-0.9,
        bgcolor=ft.Colors.WHITE, indicator_color=ft.Colors.with_opacity(0.14, PRIMARY),
        leading=ft.Container(ft.Column([
            ft.Image(src="icon.png", width=40, height=40),
            ft.Text(app.t("app.short"), size=11, weight=ft.FontWeight.W_600, color=PRIMARY,
                    text_align=ft.TextAlign.CENTER)], horizontal_alignment=ft.CrossAxisAlignment.CENTER, spacing=4),
            padding=ft.Padding.only(top=12, bottom=8)),
        destinations=[ft.NavigationRailDestination(icon=icon, selected_icon=sel, label=app.t(key))
                      for _, icon, sel, key in NAV],
        on_change=lambda e: app.go(NAV[e.control.selected_index][0]),
    )
    user = ft.Container(ft.Row([
        ft.Icon(ft.Icons.ACCOUNT_CIRCLE, color=PRIMARY, size=20),
        ft.Text(profile.get("full_name", ""), size=13, weight=ft.FontWeight.W_500),
        ft.Text("·", color="#9AA5B1"),
        ft.Text(app.t("app.title"), size=13, color="#5F6B7A"),
        ft.Container(expand=True),
        memo(HeaderBadge)(app, app.screen_state("header-status", HeaderStatus))], spacing=6),
        padding=ft.Padding.only(left=24, right=24, top=10, bottom=0))
    body = ft.Container(_screen(app), expand=True, padding=ft.Padding.only(left=24, right=24, top=8, bottom=16))
    from ui.views.print_preview import PrintPreviewDialog
    main = ft.Stack([
        ft.Column([user, body, memo(PrintPreviewDialog)(app, app.preview)], expand=True, spacing=0),
        ft.Container(memo(MessageBar)(app), bottom=16, left=0, right=0, alignment=ft.Alignment.BOTTOM_CENTER),
    ], expand=True)
    return ft.Row([rail, ft.VerticalDivider(width=1, color="#E3E8EF"),
                   ft.Container(main, expand=True, bgcolor=SURFACE)], expand=True, spacing=0)
