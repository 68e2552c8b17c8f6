"""Sync screen: unsent records per kind, last success, last failure, progress, conflicts side by side."""
from __future__ import annotations

import flet as ft

from services.formatting import fmt_int
from ui.views.common import ACCENT, MUTED, OK, PRIMARY, card, header, section_title


def _conflict(app, s, c):
    rows = [ft.Row([ft.Text(app.t("sync.field"), width=160, color=MUTED, size=12),
                    ft.Text(app.t("sync.local"), expand=True, weight=ft.FontWeight.W_600, size=12),
                    ft.Text(app.t("sync.remote"), expand=True, weight=ft.FontWeight.W_600, size=12)])]
    for f in c["fields"][:12]:
        a, b = c["local"].get(f), c["remote"].get(f)
        differs = a != b
        rows.append(ft.Row([ft.Text(app.t("field." + f), width=160, color=MUTED, size=12),
                            ft.Text("" if a is None else str(a), expand=True, size=12, color=ACCENT if differs else None),
                            ft.Text("" if b is None else str(b), expand=True, size=12, color=ACCENT if differs else None)]))
    return card(ft.Column([
        ft.Text(f"{app.t('kind.' + c['kind'])} · {c['record_id']}", weight=ft.FontWeight.W_600),
        *rows,
        ft.Row([ft.OutlinedButton(app.t("sync.keep_local"), on_click=lambda: s.resolve(c["id"], "local")),
                ft.OutlinedButton(app.t("sync.keep_remote"), on_click=lambda: s.resolve(c["id"], "remote")),
                ft.TextButton(app.t("sync.edit"), on_click=lambda: app.open_form(c["kind"], c["record_id"])
                              if c["kind"] in ("legal-aid", "mediation", "dissemination") else None)],
               alignment=ft.MainAxisAlignment.END),
    ], spacing=6))


@ft.component
def SyncView(app, s):
    s.ensure_loaded()
    counts = [ft.Row([ft.Text(app.t("kind." + k), expand=True), ft.Text(fmt_int(n, app.lang), weight=ft.FontWeight.W_600)])
              for k, n in s.counts]
    state_text = app.t("sync.state_running") if s.running else (
        app.t("sync.state_pending", n=fmt_int(s.total, app.lang)) if s.total else app.t("sync.state_clean"))
    status = card(ft.Column([
        section_title(app.t("sync.status")),
        ft.Row([ft.Icon(ft.Icons.SYNC if s.running else (ft.Icons.CLOUD_DONE if not s.total else ft.Icons.CLOUD_UPLOAD),
                        color=PRIMARY), ft.Text(state_text, size=16, weight=ft.FontWeight.W_600)]),
        ft.Text(app.t("sync.server", url=s.server_url) if s.server_url else app.t("sync.no_server"), color=MUTED, size=13),
        ft.Text(app.t("sync.last_ok", when=s.last_ok) if s.last_ok else app.t("sync.never"), size=13),
        ft.Row([ft.Icon(ft.Icons.ERROR_OUTLINE, color=ACCENT, size=18),
                ft.Text(app.t("sync.last_error", reason=s.last_error), color=ACCENT, size=13, expand=True)])
        if s.last_error else ft.Container(),
        ft.ProgressBar(value=s.progress, color=PRIMARY, bgcolor="#E8EEF5") if s.running else ft.Container(),
        ft.Text(s.progress_text, size=12, color=MUTED) if s.running and s.progress_text else ft.Container(),
        ft.Row([ft.FilledButton(app.t("sync.now"), icon=ft.Icons.SYNC, on_click=s.sync,
                                disabled=s.running or not s.available),
                ft.TextButton(app.t("sync.settings"), on_click=lambda: app.go("settings"))]),
        ft.Text(app.t("sync.not_installed"), size=12, color=MUTED) if not s.available else ft.Container(),
    ], spacing=10), expand=True)
    outbox = card(ft.Column([section_title(app.t("sync.outbox")),
                             *(counts or [ft.Text(app.t("sync.outbox_empty"), color=MUTED)]),
                             ft.Divider(height=1, color="#E3E8EF"),
                             ft.Row([ft.Text(app.t("sync.total"), expand=True, weight=ft.FontWeight.W_600),
                                     ft.Text(fmt_int(s.total, app.lang), weight=ft.FontWeight.W_700)])],
                            spacing=8), expand=True)
    conflicts = [_conflict(app, s, c) for c in s.conflicts]
    return ft.Column([
        header(app.t("nav.sync"), app.t("sync.subtitle"),
               actions=[ft.IconButton(ft.Icons.REFRESH, tooltip=app.t("common.refresh"), on_click=lambda: s.load())]),
        ft.Row([status, outbox], spacing=14, vertical_alignment=ft.CrossAxisAlignment.START),
        section_title(app.t("sync.conflicts", n=len(conflicts))),
        ft.Column(conflicts or [ft.Text(app.t("sync.no_conflicts"), color=MUTED)], spacing=10,
                  scroll=ft.ScrollMode.AUTO, expand=True),
    ], spacing=14, expand=True)
