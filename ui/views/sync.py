"""Sync screen: unsent records per kind, last success, the last failure in plain words, a progress bar while
syncing, the summary of the last run, and conflicts with the base, this computer's and the server's values side
by side ("Giữ bản này", "Giữ bản máy chủ", "Sửa"). The password is asked in a dialog (kept for the session only).

    SyncView(app, app.screen_state("sync", SyncState))
"""
from __future__ import annotations

import json

import flet as ft

from services.formatting import fmt_int
from ui.views.common import ACCENT, MUTED, OK, PRIMARY, card, header, section_title

BORDER = "#E3E8EF"


def _show(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)[:400]
    return str(value)


def _value_box(title: str, value, color=None, bg=None) -> ft.Container:
    return ft.Container(ft.Column([ft.Text(title, size=12, color=MUTED),
                                   ft.Text(_show(value), size=14, weight=ft.FontWeight.W_600, color=color)],
                                  spacing=2, tight=True),
                        padding=10, border_radius=8, border=ft.Border.all(1, BORDER), bgcolor=bg, expand=True)


def _conflict(app, s, c) -> ft.Control:
    cid = c["conflict_id"]
    values = ft.Row([
        _value_box(app.t("sync.base"), c.get("base"), color=MUTED),
        _value_box(app.t("sync.local"), c.get("local"), color=ACCENT, bg="#FFF5F5"),
        _value_box(app.t("sync.remote"), c.get("remote"), color=PRIMARY, bg="#F2F7FC"),
    ], spacing=10, vertical_alignment=ft.CrossAxisAlignment.START)
    if s.editing == cid:
        actions = ft.Row([
            ft.TextField(label=app.t("sync.new_value"), value=s.edit_value, dense=True, expand=True, autofocus=True,
                         on_change=lambda e: s.set_edit_value(e.control.value), on_submit=lambda: s.save_edit()),
            ft.TextButton(app.t("common.cancel"), on_click=lambda: s.cancel_edit()),
            ft.FilledButton(app.t("sync.save_value"), icon=ft.Icons.CHECK, on_click=lambda: s.save_edit()),
        ], spacing=8)
    else:
        actions = ft.Row([
            ft.OutlinedButton(app.t("sync.keep_local"), icon=ft.Icons.COMPUTER,
                              on_click=lambda: s.resolve(cid, "local")),
            ft.OutlinedButton(app.t("sync.keep_remote"), icon=ft.Icons.CLOUD_OUTLINED,
                              on_click=lambda: s.resolve(cid, "remote")),
            ft.TextButton(app.t("sync.edit"), icon=ft.Icons.EDIT_OUTLINED, on_click=lambda: s.start_edit(c),
                          disabled=c.get("field") == "deleted"),
        ], alignment=ft.MainAxisAlignment.END, spacing=8)
    return card(ft.Column([
        ft.Row([ft.Icon(ft.Icons.CALL_SPLIT, color=ACCENT, size=18),
                ft.Text(f"{app.t('kind.' + c['kind'])} · {c.get('title', '')}", weight=ft.FontWeight.W_600,
                        expand=True),
                ft.Text(app.t("sync.conflict_field", field=c.get("field_label") or c.get("field", "")), size=13,
                        color=MUTED)], spacing=8),
        values,
        actions,
    ], spacing=10), padding=14)


def _notice(app, s, n) -> ft.Control:
    nid = n["notice_id"]
    actions = [ft.TextButton(app.t("sync.dismiss"), on_click=lambda: s.dismiss_notice(nid))]
    if n.get("notice") == "deleted_edit":
        actions.insert(0, ft.OutlinedButton(app.t("sync.restore"), icon=ft.Icons.RESTORE,
                                            on_click=lambda: s.restore_notice(nid)))
    return card(ft.Row([ft.Icon(ft.Icons.INFO_OUTLINE, color=ACCENT, size=18),
                        ft.Text(n["text"].get(app.lang) or n["text"]["vi"], size=13, expand=True), *actions],
                       spacing=8), padding=12)


def _password_dialog(app, s):
    if not s.asking_password:
        return None

    async def submit():
        await s.submit_password()

    return ft.AlertDialog(
        modal=True, title=ft.Text(app.t("sync.password_title")),
        content=ft.Column([
            ft.Text(app.t("sync.password_text", user=s.user, url=s.server_url), size=13),
            ft.TextField(label=app.t("sync.password"), password=True, can_reveal_password=True, autofocus=True,
                         value=s.password_input, on_change=lambda e: s.set_password(e.control.value),
                         on_submit=submit),
            ft.Text(app.t("sync.password_note"), size=12, color=MUTED),
        ], tight=True, spacing=10, width=440),
        actions=[ft.TextButton(app.t("common.cancel"), on_click=lambda: s.cancel_password()),
                 ft.FilledButton(app.t("sync.start"), icon=ft.Icons.SYNC, on_click=submit)],
        on_dismiss=lambda: s.cancel_password())


@ft.component
def SyncView(app, s):
    s.ensure_loaded()
    ft.use_dialog(_password_dialog(app, s))

    async def sync_now():
        await s.sync_clicked()

    counts = [ft.Row([ft.Text(app.t("kind." + k), expand=True),
                      ft.Text(fmt_int(n, app.lang), weight=ft.FontWeight.W_600)])
              for k, n in s.counts]
    state_text = app.t("sync.state_running") if s.running else (
        app.t("sync.state_pending", n=fmt_int(s.total, app.lang)) if s.total else app.t("sync.state_clean"))
    icon = ft.Icons.SYNC if s.running else (ft.Icons.CLOUD_UPLOAD if s.total else ft.Icons.CLOUD_DONE)
    lines = [
        section_title(app.t("sync.status")),
        ft.Row([ft.Icon(icon, color=PRIMARY if s.total or s.running else OK),
                ft.Text(state_text, size=16, weight=ft.FontWeight.W_600)]),
        ft.Row([ft.Icon(ft.Icons.WARNING_AMBER, color=ACCENT, size=18),
                ft.Text(app.t("sync.state_conflicts", n=len(s.conflicts)), color=ACCENT, size=13,
                        weight=ft.FontWeight.W_600)]) if s.conflicts and not s.running else ft.Container(),
        ft.Text(app.t("sync.server_user", url=s.server_url, user=s.user) if s.configured else app.t("sync.no_server"),
                color=MUTED, size=13),
        ft.Text(app.t("sync.last_ok", when=s.last_ok) if s.last_ok else app.t("sync.never"), size=13),
    ]
    if s.summary and not s.partial:
        lines.append(ft.Row([ft.Icon(ft.Icons.CHECK_CIRCLE_OUTLINE, color=OK, size=18),
                             ft.Text(app.t("sync.result", summary=s.summary), size=13, color=OK, expand=True)]))
    if s.last_error and not s.running:
        lines.append(ft.Container(ft.Row([
            ft.Icon(ft.Icons.ERROR_OUTLINE, color=ACCENT, size=20),
            ft.Column([ft.Text(s.last_error, color=ACCENT, size=14, weight=ft.FontWeight.W_600),
                       ft.Text(s.last_error_detail, size=12, color=MUTED) if s.last_error_detail else ft.Container()],
                      spacing=2, tight=True, expand=True)], vertical_alignment=ft.CrossAxisAlignment.START),
            bgcolor="#FDECEC", border_radius=8, padding=10))
    if s.running:
        lines += [ft.ProgressBar(value=s.progress, color=PRIMARY, bgcolor="#E8EEF5"),
                  ft.Text(s.progress_text, size=12, color=MUTED)]
    lines.append(ft.Row([
        ft.FilledButton(app.t("sync.now"), icon=ft.Icons.SYNC, on_click=sync_now,
                        disabled=s.running or not s.available or not s.configured),
        ft.TextButton(app.t("sync.settings"), on_click=lambda: app.go("settings")),
    ]))
    if not s.available:
        lines.append(ft.Text(app.t("sync.not_installed"), size=12, color=MUTED))
    elif s.background_on:
        lines.append(ft.Row([ft.Icon(ft.Icons.AUTORENEW, size=16, color=MUTED),
                             ft.Text(app.t("sync.background_on"), size=12, color=MUTED)], spacing=6))
    status = card(ft.Column(lines, spacing=10), expand=3)
    outbox = card(ft.Column([section_title(app.t("sync.outbox")),
                             *(counts or [ft.Text(app.t("sync.outbox_empty"), color=MUTED)]),
                             ft.Divider(height=1, color=BORDER),
                             ft.Row([ft.Text(app.t("sync.total"), expand=True, weight=ft.FontWeight.W_600),
                                     ft.Text(fmt_int(s.total, app.lang), weight=ft.FontWeight.W_700)]),
                             ft.Text(app.t("sync.change_log", n=fmt_int(s.change_log, app.lang)), size=12,
                                     color=MUTED) if s.change_log else ft.Container()],
                            spacing=8), expand=2)
    conflicts = [_conflict(app, s, c) for c in s.conflicts]
    extra = []
    if s.partial and s.summary:
        extra.append(ft.Text(app.t("sync.result", summary=s.summary), size=12, color=MUTED))
    if s.notices:
        extra += [section_title(app.t("sync.notices", n=len(s.notices))),
                  *[_notice(app, s, n) for n in s.notices]]
    if s.quarantined:
        extra += [section_title(app.t("sync.quarantined", n=len(s.quarantined))),
                  ft.Text(app.t("sync.quarantined_note"), size=12, color=MUTED),
                  *[ft.Text(f"{app.t('kind.' + q['kind'])} {str(q['id'])[:8]}: {q['reason']}", size=13)
                    for q in s.quarantined]]
    return ft.Column([
        header(app.t("nav.sync"), app.t("sync.subtitle"),
               actions=[ft.IconButton(ft.Icons.REFRESH, tooltip=app.t("common.refresh"), on_click=lambda: s.load())]),
        ft.Row([status, outbox], spacing=14, vertical_alignment=ft.CrossAxisAlignment.START),
        *extra,
        section_title(app.t("sync.conflicts", n=len(conflicts))),
        *(conflicts or [ft.Text(app.t("sync.no_conflicts"), color=MUTED)]),
    ], spacing=14, expand=True, scroll=ft.ScrollMode.AUTO)
