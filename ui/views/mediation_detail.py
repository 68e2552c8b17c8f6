"""Mediation case: details, team warnings, sessions (add a session in place), audit history."""
from __future__ import annotations

import flet as ft

from ui.views.attachments_panel import attachments_card
from ui.views.common import ACCENT, MUTED, card, section_title
from ui.views.detail_parts import detail_header, fields_card, history_card, use_delete_dialog

SESSION_FIELDS = [("date", 5, False), ("place", 7, False), ("attendees", 12, False), ("content", 12, True),
                  ("result", 12, True)]


def _session_form(app, d):
    def save():
        if d.add_session():
            app.say(app.t("session.added"))

    controls = []
    for key, col, multi in SESSION_FIELDS:
        label = app.t(f"session.{key}") + (" *" if key == "date" else "")
        tf = ft.TextField(label=label, value=d.session_value(key), error=d.session_errors.get(key),
                          error_max_lines=4, hint_text="dd/mm/yyyy" if key == "date" else None, multiline=multi,
                          min_lines=2 if multi else None, on_change=lambda e, k=key: d.set_session(k, e.control.value),
                          on_submit=None if multi else (lambda: save()))
        controls.append(ft.Container(tf, col={"xs": 12, "md": col}))
    general = d.session_errors.get("case")
    return ft.Container(ft.Column([
        ft.Text(app.t("session.new"), weight=ft.FontWeight.W_600),
        ft.ResponsiveRow(controls, spacing=10, run_spacing=10),
        ft.Text(general, color=ACCENT) if general else ft.Container(),
        ft.Row([ft.TextButton(app.t("common.cancel"), on_click=lambda: d.close_session_form()),
                ft.FilledButton(app.t("session.save"), icon=ft.Icons.SAVE, on_click=save)],
               alignment=ft.MainAxisAlignment.END),
    ], spacing=10), bgcolor="#F8FAFC", border_radius=8, padding=12, border=ft.Border.all(1, "#E3E8EF"))


def _sessions_card(app, d):
    items = []
    for i, s in enumerate(d.sessions()):
        items.append(ft.Container(ft.Column([
            ft.Row([ft.Text(app.t("session.title", n=i + 1), weight=ft.FontWeight.W_600),
                    ft.Text(" · ".join(x for x in [s["date"], s["place"]] if x), color=MUTED, size=13)], spacing=8),
            ft.Text(s["attendees"], size=13) if s["attendees"] else ft.Container(),
            ft.Text(s["content"], size=13) if s["content"] else ft.Container(),
            ft.Text(s["result"], size=13, italic=True) if s["result"] else ft.Container(),
        ], spacing=2), padding=ft.Padding.only(bottom=8), border=ft.Border.only(bottom=ft.BorderSide(1, "#EEF1F5"))))
    add = [] if d.session_open or d.deleted else [
        ft.OutlinedButton(app.t("session.add"), icon=ft.Icons.ADD, on_click=lambda: d.open_session_form())]
    return card(ft.Column([
        ft.Row([section_title(app.t("session.list")), *add], alignment=ft.MainAxisAlignment.SPACE_BETWEEN),
        *(items or [ft.Text(app.t("session.none"), color=MUTED)]),
        _session_form(app, d) if d.session_open else ft.Container(),
    ], spacing=8))


@ft.component
def MediationDetailView(app, d):
    confirm = use_delete_dialog(app, d)
    if d.instance is None:
        return ft.Text(d.error or app.t("detail.not_found"))
    warnings = d.warnings()
    warn = [ft.Container(ft.Column([ft.Row([ft.Icon(ft.Icons.WARNING_AMBER, color="#B26A00", size=18),
                                            ft.Text(w, color="#7A4A00", size=13, expand=True)]) for w in warnings],
                                   spacing=4), bgcolor="#FFF4E0", padding=10, border_radius=8)] if warnings else []
    return ft.Column([
        detail_header(app, d, d.number, d.title, confirm),
        *warn,
        ft.Row([
            ft.Column([fields_card(app, d), _sessions_card(app, d)], expand=3, scroll=ft.ScrollMode.AUTO,
                      horizontal_alignment=ft.CrossAxisAlignment.STRETCH),
            ft.Column([attachments_card(app, d), history_card(app, d)], expand=2, scroll=ft.ScrollMode.AUTO,
                      horizontal_alignment=ft.CrossAxisAlignment.STRETCH),
        ], expand=True, vertical_alignment=ft.CrossAxisAlignment.START, spacing=14),
    ], spacing=12, expand=True)
