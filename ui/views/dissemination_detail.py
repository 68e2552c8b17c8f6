"""Dissemination event: details, audit history; edit, print (event record, attendance sheet), delete with undo."""
from __future__ import annotations

import flet as ft

from ui.views.attachments_panel import attachments_card
from ui.views.detail_parts import detail_header, fields_card, history_card, use_delete_dialog


@ft.component
def DisseminationDetailView(app, d):
    confirm = use_delete_dialog(app, d)
    if d.instance is None:
        return ft.Text(d.error or app.t("detail.not_found"))
    return ft.Column([
        detail_header(app, d, d.title, d.number, confirm),
        ft.Row([
            ft.Column([fields_card(app, d)], expand=3, scroll=ft.ScrollMode.AUTO,
                      horizontal_alignment=ft.CrossAxisAlignment.STRETCH),
            ft.Column([attachments_card(app, d), history_card(app, d)], expand=2, scroll=ft.ScrollMode.AUTO,
                      horizontal_alignment=ft.CrossAxisAlignment.STRETCH),
        ], expand=True, vertical_alignment=ft.CrossAxisAlignment.START, spacing=14),
    ], spacing=12, expand=True)
