"""Settings → Bảo mật (encryption on, change passphrase, new recovery key, auto-lock, lock now) and
Settings → Sao lưu (back up now, the list of backups with date and size, restore with a confirmation)."""
from __future__ import annotations

import flet as ft

from ui.views.common import ACCENT, MUTED, OK, PRIMARY, card, section_title
from ui.views.unlock import secret_field


def _note(icon, text: str, color: str, bg: str) -> ft.Container:
    return ft.Container(ft.Row([ft.Icon(icon, color=color, size=18), ft.Text(text, color=color, size=13, expand=True)],
                               spacing=8), bgcolor=bg, border_radius=8, padding=10)


def _panel(controls: list) -> ft.Container:
    return ft.Container(ft.Column(controls, spacing=10, horizontal_alignment=ft.CrossAxisAlignment.STRETCH),
                        bgcolor="#F8FAFC", border_radius=8, padding=12, border=ft.Border.all(1, "#E3E8EF"))


@ft.component
def SecurityCard(app, s, protect):
    items = [section_title(app.t("security.section"))]
    if app.encrypted:
        items.append(_note(ft.Icons.VERIFIED_USER, app.t("security.on"), "#1E5E22", "#E8F5E9"))
        items.append(ft.Row([
            ft.OutlinedButton(app.t_raw("security.change.title"), icon=ft.Icons.PASSWORD,
                              on_click=lambda: s.open_panel("change")),
            ft.OutlinedButton(app.t("security.new_recovery"), icon=ft.Icons.KEY,
                              on_click=lambda: s.open_panel("recovery")),
            ft.TextButton(app.t("security.lock_now"), icon=ft.Icons.LOCK, on_click=lambda: app.lock()),
        ], spacing=8, wrap=True))
        if s.panel == "change":
            items.append(_panel([
                secret_field(app.t_raw("security.prompt_old_passphrase"), s, "old", error=s.errors.get("old"),
                             autofocus=True),
                secret_field(app.t_raw("security.prompt_new_passphrase"), s, "new", error=s.errors.get("new"),
                             hint=app.t("security.passphrase_hint")),
                secret_field(app.t_raw("security.prompt_repeat_passphrase"), s, "repeat",
                             error=s.errors.get("repeat"), on_submit=s.change_passphrase),
                ft.Row([ft.TextButton(app.t("common.cancel"), on_click=lambda: s.open_panel("")),
                        ft.FilledButton(app.t_raw("security.change.title"), icon=ft.Icons.SAVE,
                                        on_click=lambda: s.change_passphrase())], alignment=ft.MainAxisAlignment.END),
            ]))
        elif s.panel == "recovery":
            items.append(_panel([
                ft.Text(app.t("security.new_recovery_help"), size=13, color=MUTED),
                secret_field(app.t_raw("security.prompt_passphrase"), s, "passphrase",
                             error=s.errors.get("passphrase"), autofocus=True, on_submit=s.new_recovery_key),
                ft.Row([ft.TextButton(app.t("common.cancel"), on_click=lambda: s.open_panel("")),
                        ft.FilledButton(app.t("security.new_recovery"), icon=ft.Icons.KEY,
                                        on_click=lambda: s.new_recovery_key())], alignment=ft.MainAxisAlignment.END),
            ]))
    else:
        items.append(_note(ft.Icons.WARNING_AMBER, app.t("security.off"), "#7A4A00", "#FFF4E0"))
        if s.panel != "enable":
            items.append(ft.Row([ft.FilledButton(app.t("security.enable"), icon=ft.Icons.LOCK,
                                                 on_click=lambda: s.open_panel("enable"))]))
        else:
            def enable():
                if not protect.enable() and protect.error:
                    app.say(protect.error)

            items.append(_panel([
                ft.Text(app.t("security.enable_help"), size=13, color=MUTED),
                secret_field(app.t_raw("security.prompt_new_passphrase"), protect, "passphrase",
                             error=protect.errors.get("passphrase"), autofocus=True,
                             hint=app.t("security.passphrase_hint")),
                secret_field(app.t_raw("security.prompt_repeat_passphrase"), protect, "repeat",
                             error=protect.errors.get("repeat"), on_submit=enable),
                ft.Row([ft.TextButton(app.t("common.cancel"), on_click=lambda: s.open_panel("")),
                        ft.FilledButton(app.t("security.enable"), icon=ft.Icons.LOCK, on_click=enable,
                                        disabled=protect.busy)], alignment=ft.MainAxisAlignment.END),
            ]))
    items.append(ft.Row([
        ft.TextField(label=app.t_raw("security.auto_lock.label"), value=s.auto_lock, width=260, dense=True,
                     keyboard_type=ft.KeyboardType.NUMBER, error=s.errors.get("auto_lock") or None,
                     on_change=lambda e: s.set_auto_lock(e.control.value), on_submit=lambda: s.save_auto_lock()),
        ft.OutlinedButton(app.t("security.auto_lock_save"), on_click=lambda: s.save_auto_lock()),
    ], spacing=8, vertical_alignment=ft.CrossAxisAlignment.START))
    if not app.encrypted:
        items.append(ft.Text(app.t("security.auto_lock_needs_encryption"), size=12, color=MUTED))
    return card(ft.Column(items, spacing=10, horizontal_alignment=ft.CrossAxisAlignment.STRETCH))


@ft.component
def BackupsCard(app, b):
    pending = b.pending
    dialog = None
    if pending:
        name = pending.replace("\\", "/").rsplit("/", 1)[-1]
        content = [ft.Text(app.t("backup.confirm_text", name=name)),
                   ft.Text(app.t("backup.confirm_safety"), size=13, color=MUTED)]
        if app.encrypted:
            content.append(ft.TextField(label=app.t("backup.other_passphrase"), password=True,
                                        can_reveal_password=True, dense=True,
                                        on_change=lambda e: b.set_secret(e.control.value)))
        if b.restoring:
            content.append(ft.Row([ft.ProgressRing(width=18, height=18, stroke_width=2),
                                   ft.Text(app.t("backup.restoring"))], spacing=10))
        if b.error:
            content.append(ft.Text(b.error, color=ACCENT))

        async def restore():
            await b.restore()

        dialog = ft.AlertDialog(
            modal=True, title=ft.Text(app.t("backup.confirm_title")),
            content=ft.Column(content, tight=True, spacing=10, width=480),
            actions=[ft.TextButton(app.t("common.cancel"), on_click=lambda: b.cancel_restore(), disabled=b.restoring),
                     ft.FilledButton(app.t("settings.restore"), icon=ft.Icons.RESTORE, on_click=restore,
                                     disabled=b.restoring,
                                     style=ft.ButtonStyle(bgcolor=ACCENT, color=ft.Colors.WHITE))])
    ft.use_dialog(dialog)

    async def backup_now():
        await b.backup_now()

    rows = [ft.Container(ft.Row([
        ft.Icon(ft.Icons.INVENTORY_2_OUTLINED, size=18, color=PRIMARY),
        ft.Column([ft.Text(r["date"], size=13, weight=ft.FontWeight.W_500),
                   ft.Text(r["reason"], size=12, color=MUTED)], spacing=0, tight=True, expand=True),
        ft.Text(r["size"], size=13, width=70, text_align=ft.TextAlign.RIGHT),
        ft.TextButton(app.t("settings.restore"), tooltip=r["name"], on_click=lambda e, p=r["path"]: b.ask_restore(p)),
    ], spacing=8), padding=ft.Padding.symmetric(horizontal=6, vertical=2),
        border=ft.Border.only(bottom=ft.BorderSide(1, "#EEF1F5"))) for r in b.rows]
    listing = (ft.Container(ft.ListView(rows, spacing=0, height=min(220, 50 * len(rows) + 4)),
                            border=ft.Border.all(1, "#E3E8EF"), border_radius=8)
               if rows else ft.Text(app.t("backup.none"), size=13, color=MUTED))
    return card(ft.Column([
        section_title(app.t("backup.section")),
        ft.Text(app.t("settings.data_folder"), size=12, color=MUTED),
        ft.Text(str(app.data_dir), selectable=True, size=13),
        ft.Row([ft.FilledTonalButton(app.t("settings.backup"), icon=ft.Icons.BACKUP, on_click=backup_now,
                                     disabled=b.busy),
                ft.ProgressRing(width=18, height=18, stroke_width=2) if b.busy else ft.Container(),
                ft.Text(app.t("backup.encrypted_note") if app.encrypted else app.t("backup.plain_note"),
                        size=12, color=OK if app.encrypted else MUTED, expand=True)], spacing=10),
        ft.Text(app.t("backup.list", n=len(b.rows)), weight=ft.FontWeight.W_500, size=13),
        listing,
        ft.Row([ft.TextField(label=app.t("settings.restore_file"), value=b.external, expand=True, dense=True,
                             on_change=lambda e: b.set_external(e.control.value)),
                ft.OutlinedButton(app.t("backup.restore_file"), icon=ft.Icons.RESTORE,
                                  on_click=lambda: b.ask_restore(), disabled=not b.external)], spacing=8),
    ], spacing=10, horizontal_alignment=ft.CrossAxisAlignment.STRETCH))
