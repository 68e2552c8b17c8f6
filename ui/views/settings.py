"""Settings: language (re-renders everything), officer profile and communes, server URL and account,
security (encryption, passphrase, recovery key, auto-lock), data folder, backups and restore."""
from __future__ import annotations

import flet as ft

from ui.views.common import MUTED, card, dropdown, header, section_title
from ui.views.first_run import CommunePicker
from ui.views.security_settings import BackupsCard, SecurityCard


@ft.component
def SettingsView(app, p):
    from ui.state.backups import BackupState
    from ui.state.security import ProtectState, SecuritySettingsState

    def save_profile():
        if p.save():
            app.say(app.t("settings.saved"))

    language = card(ft.Column([
        section_title(app.t("settings.language")),
        ft.RadioGroup(value=app.lang, on_change=lambda e: app.set_language(e.control.value),
                      content=ft.Row([ft.Radio(value="vi", label="Tiếng Việt"),
                                      ft.Radio(value="en", label="English")])),
    ], spacing=8))
    profile = card(ft.Column([
        section_title(app.t("settings.profile")),
        ft.Row([ft.TextField(label=app.t("setup.full_name"), value=p.value("full_name"), expand=True,
                             error=p.errors.get("full_name"), on_change=lambda e: p.set("full_name", e.control.value),
                             on_submit=lambda: save_profile()),
                dropdown(app.t("setup.role"), p.role_options(), p.role, p.set_role, expand=True, dense=False)],
               spacing=10),
        ft.TextField(label=app.t("settings.title"), value=p.value("title"),
                     on_change=lambda e: p.set("title", e.control.value)),
        dropdown(app.t("setup.province"), p.province_options(), p.province, p.set_province, searchable=True,
                 dense=False),
        ft.Text(app.t("setup.communes"), weight=ft.FontWeight.W_500),
        CommunePicker(app, p),
        ft.Row([ft.FilledButton(app.t("settings.save_profile"), icon=ft.Icons.SAVE, on_click=save_profile)],
               alignment=ft.MainAxisAlignment.END),
    ], spacing=10, horizontal_alignment=ft.CrossAxisAlignment.STRETCH), expand=True)
    from ui.state.sync import SyncState
    server = ServerCard(app, app.screen_state("sync", SyncState))
    security = SecurityCard(app, app.screen_state("settings-security", SecuritySettingsState),
                            app.screen_state("settings-protect", ProtectState))
    data = BackupsCard(app, app.screen_state("settings-backups", BackupState))
    return ft.Column([
        header(app.t("nav.settings")),
        ft.Row([ft.Column([language, profile], expand=3, spacing=14),
                ft.Column([server, security, data], expand=2, spacing=14)],
               vertical_alignment=ft.CrossAxisAlignment.START, spacing=14),
    ], spacing=14, expand=True, scroll=ft.ScrollMode.AUTO)


@ft.component
def ServerCard(app, s):
    """Sync server URL and user name (kept in settings); the password is asked at sync time, never stored."""
    s.ensure_loaded()
    url, set_url = ft.use_state(s.server_url)
    user, set_user = ft.use_state(s.user)
    return card(ft.Column([
        section_title(app.t("settings.server")),
        ft.TextField(label=app.t("settings.server_url"), value=url, hint_text="https://…/v1",
                     on_change=lambda e: set_url(e.control.value)),
        ft.TextField(label=app.t("settings.username"), value=user, on_change=lambda e: set_user(e.control.value),
                     on_submit=lambda: s.save_server(url, user)),
        ft.Text(app.t("settings.password_note"), size=12, color=MUTED),
        ft.Row([ft.OutlinedButton(app.t("settings.save_server"), icon=ft.Icons.SAVE,
                                  on_click=lambda: s.save_server(url, user))],
               alignment=ft.MainAxisAlignment.END),
    ], spacing=10, horizontal_alignment=ft.CrossAxisAlignment.STRETCH))
