"""Unlock screen (encrypted data folder at start and after auto-lock): passphrase, wrong passphrase with the
growing delay counted down, "Quên mật khẩu?" → recovery key + new passphrase twice."""
from __future__ import annotations

import asyncio
import contextlib

import flet as ft

from ui.views.common import ACCENT, MUTED, PRIMARY, SURFACE, card


def secret_field(label: str, state, key: str, on_submit=None, autofocus: bool = False, error: str | None = None,
                 hint: str | None = None) -> ft.TextField:
    return ft.TextField(label=label, password=True, can_reveal_password=True, value=state.value(key),
                        autofocus=autofocus, error=error or None, hint_text=hint,
                        on_change=lambda e: state.set(key, e.control.value),
                        on_submit=(lambda: on_submit()) if on_submit else None)


@ft.component
def UnlockView(app, u):
    async def countdown():
        while u.wait > 0:
            await asyncio.sleep(1)
            u.tick()

    ft.use_effect(countdown, [u.wait > 0])

    def submit():
        u.unlock()

    waiting = u.wait > 0
    status = []
    if u.error:
        status.append(ft.Container(ft.Row([ft.Icon(ft.Icons.ERROR_OUTLINE, color=ACCENT, size=20),
                                           ft.Text(u.error, color="#8C1D18", expand=True)], spacing=8),
                                   bgcolor="#FDECEA", border_radius=8, padding=10))
    if waiting:
        status.append(ft.Row([ft.Icon(ft.Icons.HOURGLASS_TOP, color="#B26A00", size=18),
                              ft.Text(u.countdown_text(), color="#7A4A00", weight=ft.FontWeight.W_500)], spacing=8))

    def actions(switch_label, switch_icon, to_recovery: bool, submit_label, submit_icon):
        """The mode switch on the left, the submit button on the right."""
        return ft.Row([ft.TextButton(switch_label, icon=switch_icon, on_click=lambda: u.show_recovery(to_recovery)),
                       ft.FilledButton(submit_label, icon=submit_icon, on_click=submit, disabled=waiting or u.busy)],
                      alignment=ft.MainAxisAlignment.SPACE_BETWEEN)

    if u.mode == "recovery":
        fields = [
            ft.Text(app.t("unlock.recovery_help"), color=MUTED, size=13),
            ft.TextField(label=app.t_raw("security.prompt_recovery_key"), value=u.value("recovery_key"),
                         hint_text="ABCD-EFGH-…", autofocus=True, error=u.errors.get("recovery_key") or None,
                         on_change=lambda e: u.set("recovery_key", e.control.value),
                         capitalization=ft.TextCapitalization.CHARACTERS),
            secret_field(app.t_raw("security.prompt_new_passphrase"), u, "new_passphrase",
                         error=u.errors.get("new_passphrase"), hint=app.t("security.passphrase_hint")),
            secret_field(app.t_raw("security.prompt_repeat_passphrase"), u, "repeat", on_submit=submit,
                         error=u.errors.get("repeat")),
            *status,
            actions(app.t("unlock.back_to_passphrase"), ft.Icons.ARROW_BACK, False,
                    app.t("unlock.recover_button"), ft.Icons.LOCK_RESET),
        ]
    else:
        fields = [
            secret_field(app.t_raw("security.prompt_passphrase"), u, "passphrase", on_submit=submit, autofocus=True,
                         error=u.errors.get("passphrase")),
            *status,
            actions(app.t("unlock.forgot"), ft.Icons.HELP_OUTLINE, True,
                    app.t_raw("security.unlock.button"), ft.Icons.LOCK_OPEN),
        ]
    lang = ft.Row([ft.TextButton("Tiếng Việt", on_click=lambda: app.set_display_language("vi"),
                                 disabled=app.lang == "vi"),
                   ft.Text("·", color=MUTED),
                   ft.TextButton("English", on_click=lambda: app.set_display_language("en"),
                                 disabled=app.lang == "en")], spacing=0, alignment=ft.MainAxisAlignment.CENTER)
    body = ft.Column([
        ft.Row([ft.Container(ft.Icon(ft.Icons.LOCK, color=ft.Colors.WHITE, size=28), bgcolor=PRIMARY,
                             border_radius=28, width=56, height=56, alignment=ft.Alignment.CENTER),
                ft.Column([ft.Text(app.t_raw("security.unlock.title"), size=24, weight=ft.FontWeight.W_600),
                           ft.Text(app.t("unlock.subtitle"), color=MUTED, size=13)], spacing=2, tight=True,
                          expand=True)], spacing=14),
        ft.Divider(height=6, color="transparent"),
        *fields,
    ], spacing=14, width=460, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
    footer = ft.Column([
        ft.Row([ft.Image(src="icon.png", width=22, height=22),
                ft.Text(app.t("app.title"), color=MUTED, size=13)], spacing=8,
               alignment=ft.MainAxisAlignment.CENTER),
        ft.Text(app.t("unlock.footer"), color=MUTED, size=12, text_align=ft.TextAlign.CENTER, width=520),
        lang,
    ], spacing=4, horizontal_alignment=ft.CrossAxisAlignment.CENTER)
    return ft.Container(ft.Column([card(body, padding=32), footer], spacing=18, scroll=ft.ScrollMode.AUTO,
                                  horizontal_alignment=ft.CrossAxisAlignment.CENTER,
                                  alignment=ft.MainAxisAlignment.CENTER),
                        alignment=ft.Alignment.CENTER, expand=True, bgcolor=SURFACE, padding=24)


@ft.component
def RecoveryKeyView(app):
    """The recovery key, shown ONCE (first run / turning encryption on / a new key from settings)."""
    key = app.recovery_key or ""

    async def copy():
        with contextlib.suppress(Exception):  # no clipboard in some browsers: the key stays selectable
            await ft.Clipboard().set(key)
        app.say(app.t("recovery.copied"))

    steps = [app.t("recovery.step1"), app.t("recovery.step2"), app.t("recovery.step3")]
    body = ft.Column([
        ft.Row([ft.Container(ft.Icon(ft.Icons.KEY, color=ft.Colors.WHITE, size=28), bgcolor="#B26A00",
                             border_radius=28, width=56, height=56, alignment=ft.Alignment.CENTER),
                ft.Column([ft.Text(app.t("recovery.title"), size=24, weight=ft.FontWeight.W_600),
                           ft.Text(app.t("recovery.subtitle"), color=MUTED, size=13)], spacing=2, tight=True,
                          expand=True)], spacing=14),
        ft.Container(ft.Column([
            ft.Text(app.t("recovery.label"), size=12, color=MUTED),
            ft.Text(key, size=26, weight=ft.FontWeight.W_600, font_family="monospace", selectable=True,
                    color="#1F2A37", semantics_label=app.t("recovery.label")),
        ], spacing=6, horizontal_alignment=ft.CrossAxisAlignment.CENTER),
            bgcolor="#FFF8E1", border=ft.Border.all(2, "#F2C46D"), border_radius=10, padding=18,
            alignment=ft.Alignment.CENTER),
        ft.Column([ft.Row([ft.Text(f"{i}.", weight=ft.FontWeight.W_600, color=PRIMARY, width=18),
                           ft.Text(s, expand=True, size=14)], vertical_alignment=ft.CrossAxisAlignment.START)
                   for i, s in enumerate(steps, 1)], spacing=6),
        ft.Container(ft.Row([ft.Icon(ft.Icons.WARNING_AMBER, color="#B26A00", size=20),
                             ft.Text(app.t("recovery.warning"), color="#7A4A00", size=13, expand=True)], spacing=8),
                     bgcolor="#FFF4E0", border_radius=8, padding=10),
        ft.Row([ft.OutlinedButton(app.t("recovery.copy"), icon=ft.Icons.CONTENT_COPY, on_click=copy),
                ft.Text(app.t("recovery.print_hint"), size=12, color=MUTED, expand=True)], spacing=10),
        ft.Row([ft.FilledButton(app.t("recovery.done"), icon=ft.Icons.CHECK,
                                on_click=lambda: app.recovery_key_saved())], alignment=ft.MainAxisAlignment.END),
    ], spacing=14, width=620)
    return ft.Container(ft.Column([card(body, padding=32)], scroll=ft.ScrollMode.AUTO,
                                  horizontal_alignment=ft.CrossAxisAlignment.CENTER,
                                  alignment=ft.MainAxisAlignment.CENTER),
                        alignment=ft.Alignment.CENTER, expand=True, bgcolor=SURFACE, padding=24)
