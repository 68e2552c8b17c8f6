"""Legal-aid case: details, status timeline, audit history; edit, print (case slip), delete with undo."""
from __future__ import annotations

import flet as ft

from ui.views.attachments_panel import attachments_card
from ui.views.common import MUTED, OK, PRIMARY, card, section_title
from ui.views.detail_parts import detail_header, fields_card, history_card, use_delete_dialog


def _timeline(app, d):
    steps = d.timeline()
    items = []
    for i, s in enumerate(steps):
        last = i == len(steps) - 1
        items.append(ft.Row([
            ft.Column([ft.Icon(ft.Icons.CHECK_CIRCLE if not last else ft.Icons.RADIO_BUTTON_CHECKED,
                               color=OK if not last else PRIMARY, size=20),
                       ft.Container(width=2, height=26, bgcolor="#CBD5E1") if not last else ft.Container()],
                      spacing=0, horizontal_alignment=ft.CrossAxisAlignment.CENTER),
            ft.Column([ft.Text(s["status"], weight=ft.FontWeight.W_600, size=14),
                       ft.Text(" · ".join(x for x in [s["date"], s["by"]] if x), size=12, color=MUTED),
                       ft.Text(s["reason"], size=12) if s["reason"] else ft.Container()], spacing=1, expand=True),
        ], vertical_alignment=ft.CrossAxisAlignment.START))
    return card(ft.Column([section_title(app.t("detail.timeline")), *items], spacing=6))


@ft.component
def LegalAidDetailView(app, d):
    confirm = use_delete_dialog(app, d)
    if d.instance is None:
        return ft.Text(d.error or app.t("detail.not_found"))
    return ft.Column([
        detail_header(app, d, d.number, d.title, confirm),
        ft.Row([
            ft.Column([fields_card(app, d)], expand=3, scroll=ft.ScrollMode.AUTO,
                      horizontal_alignment=ft.CrossAxisAlignment.STRETCH),
            ft.Column([_timeline(app, d), attachments_card(app, d), history_card(app, d)], expand=2,
                      scroll=ft.ScrollMode.AUTO,
                      horizontal_alignment=ft.CrossAxisAlignment.STRETCH),
        ], expand=True, vertical_alignment=ft.CrossAxisAlignment.START, spacing=14),
    ], spacing=12, expand=True)
