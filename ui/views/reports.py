"""Reports: the period tally on screen, saved as PDF/XLSX, and batch printing of a period's documents."""
from __future__ import annotations

import flet as ft

from ui.views.common import MUTED, PRIMARY, card, dropdown, header, section_title


@ft.component
def ReportsView(app, r):
    batch_doc, set_batch_doc = ft.use_state("case-slip")
    if not r.rows and not r.errors:
        r.compute()

    async def export_pdf():
        await r.export("pdf")

    async def export_xlsx():
        await r.export("xlsx")

    async def batch_print():
        await r.batch(batch_doc)

    period = ft.Row([
        ft.TextField(label=app.t("reports.from"), value=r.value("start"), hint_text="dd/mm/yyyy", width=160,
                     error=r.errors.get("from"), on_change=lambda e: r.set("start", e.control.value),
                     on_submit=lambda: r.compute()),
        ft.TextField(label=app.t("reports.to"), value=r.value("end"), hint_text="dd/mm/yyyy", width=160,
                     error=r.errors.get("to"), on_change=lambda e: r.set("end", e.control.value),
                     on_submit=lambda: r.compute()),
        ft.FilledButton(app.t("reports.compute"), icon=ft.Icons.CALCULATE, on_click=lambda: r.compute()),
        ft.TextButton(app.t("reports.this_month"), on_click=lambda: r.quick_period("month")),
        ft.TextButton(app.t("reports.this_quarter"), on_click=lambda: r.quick_period("quarter")),
        ft.TextButton(app.t("reports.this_year"), on_click=lambda: r.quick_period("year")),
    ], spacing=8, wrap=True)
    head = ft.Row([ft.Text("", width=40), ft.Text(app.t("reports.indicator"), expand=True, color=MUTED, size=12),
                   ft.Text(app.t("reports.current"), width=90, color=MUTED, size=12, text_align=ft.TextAlign.RIGHT),
                   ft.Text(app.t("reports.previous"), width=90, color=MUTED, size=12, text_align=ft.TextAlign.RIGHT),
                   ft.Text(app.t("reports.change"), width=80, color=MUTED, size=12, text_align=ft.TextAlign.RIGHT)])
    rows = [ft.Row([ft.Text(x["number"], width=40, size=13, color=MUTED),
                    ft.Text(x["label"], expand=True, size=13,
                            weight=ft.FontWeight.W_600 if "." not in x["number"] else None),
                    ft.Text(x["current"], width=90, size=13, text_align=ft.TextAlign.RIGHT),
                    ft.Text(x["previous"], width=90, size=13, text_align=ft.TextAlign.RIGHT, color=MUTED),
                    ft.Text(x["change"], width=80, size=13, text_align=ft.TextAlign.RIGHT)]) for x in r.rows]
    tally = card(ft.Column([
        ft.Row([section_title(app.t("reports.tally")),
                ft.Row([ft.OutlinedButton(app.t("reports.save_pdf"), icon=ft.Icons.PICTURE_AS_PDF,
                                          on_click=export_pdf, disabled=r.running),
                        ft.OutlinedButton(app.t("reports.save_xlsx"), icon=ft.Icons.TABLE_VIEW,
                                          on_click=export_xlsx, disabled=r.running)], spacing=8)],
               alignment=ft.MainAxisAlignment.SPACE_BETWEEN),
        head, ft.Divider(height=1, color="#E3E8EF"),
        ft.ListView(rows, spacing=6, expand=True),
    ], spacing=8, expand=True), expand=3)

    docs = r.batch_documents()
    batch = card(ft.Column([
        section_title(app.t("reports.batch")),
        ft.Text(app.t("reports.batch_help"), size=12, color=MUTED),
        dropdown(app.t("reports.document"), docs, batch_doc, set_batch_doc, expand=False, width=340),
        ft.FilledButton(app.t("reports.batch_print"), icon=ft.Icons.PRINT, disabled=r.running or not docs,
                        on_click=batch_print),
        ft.ProgressBar(value=r.progress, color=PRIMARY, bgcolor="#E8EEF5") if r.running else ft.Container(),
        ft.Text(r.status, size=12, color=MUTED) if r.running else ft.Container(),
        ft.Divider(height=1, color="#E3E8EF"),
        ft.Text(app.t("reports.last_file"), size=12, color=MUTED),
        ft.Text(r.last_file or "—", size=12, selectable=True),
    ], spacing=10), expand=2)
    return ft.Column([
        header(app.t("nav.reports"), app.t("reports.subtitle")),
        period,
        ft.Row([tally, batch], spacing=14, expand=True, vertical_alignment=ft.CrossAxisAlignment.START),
    ], spacing=14, expand=True)
