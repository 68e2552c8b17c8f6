"""Overview dashboard: this year vs the same period last year per kind, charts by month and by field,
records not yet synced and the last successful sync."""
from __future__ import annotations

import flet as ft
import flet_charts as fch

from services.formatting import fmt_date, fmt_int
from ui.views.charts import value_axis
from ui.views.common import ACCENT, MUTED, OK, PRIMARY, card, header, section_title

ICONS = {"legal-aid": ft.Icons.BALANCE, "mediation": ft.Icons.HANDSHAKE, "dissemination": ft.Icons.CAMPAIGN}
NAMES = {"legal-aid": "nav.legal_aid", "mediation": "nav.mediation", "dissemination": "nav.dissemination"}
UNITS = {"legal-aid": "overview.unit.cases", "mediation": "overview.unit.cases",
         "dissemination": "overview.unit.sessions"}
LAST_YEAR = "#B0BEC5"


def _kpi(app, c):
    color = OK if c["up"] else ACCENT
    return card(ft.Column([
        ft.Row([ft.Icon(ICONS[c["kind"]], color=PRIMARY), ft.Text(app.t(NAMES[c["kind"]]), weight=ft.FontWeight.W_600)],
               spacing=8),
        ft.Row([ft.Text(c["count"], size=30, weight=ft.FontWeight.W_700),
                ft.Text(app.t(UNITS[c["kind"]]), color=MUTED)], spacing=6,
               vertical_alignment=ft.CrossAxisAlignment.END),
        ft.Row([ft.Text(app.t("overview.prev", n=c["prev"]), size=12, color=MUTED),
                ft.Text(c["change"], size=12, color=color, weight=ft.FontWeight.W_600)], spacing=8),
        ft.Text(c["extra"], size=12, color=MUTED) if c["extra"] else ft.Container(height=0),
    ], spacing=4), expand=True, height=150)


def _status_card(app, d):
    return card(ft.Column([
        ft.Row([ft.Icon(ft.Icons.CLOUD_UPLOAD_OUTLINED, color=PRIMARY),
                ft.Text(app.t("overview.sync"), weight=ft.FontWeight.W_600)], spacing=8),
        ft.Row([ft.Text(fmt_int(d.unsynced, app.lang), size=30, weight=ft.FontWeight.W_700),
                ft.Text(app.t("overview.unsynced"), color=MUTED)], spacing=6,
               vertical_alignment=ft.CrossAxisAlignment.END),
        ft.Text(app.t("overview.last_sync", when=d.last_sync) if d.last_sync else app.t("overview.never_synced"),
                size=12, color=MUTED),
        ft.TextButton(app.t("overview.open_sync"), on_click=lambda: app.go("sync")),
    ], spacing=4), expand=True, height=150)


def _month_chart(app, d):
    months = d.by_month.get(d.chart_kind, [])
    top = max([max(a, b) for a, b in months] + [1])
    groups = [fch.BarChartGroup(x=i, rods=[
        fch.BarChartRod(to_y=b, width=9, color=LAST_YEAR, border_radius=2,
                        tooltip=fch.BarChartRodTooltip(f"{d.today.year - 1}: {fmt_int(b, app.lang)}")),
        fch.BarChartRod(to_y=a, width=9, color=PRIMARY, border_radius=2,
                        tooltip=fch.BarChartRodTooltip(f"{d.today.year}: {fmt_int(a, app.lang)}"))], spacing=2)
              for i, (a, b) in enumerate(months)]
    left_axis, max_y = value_axis(app, max(top * 1.1, 5))
    chart = fch.BarChart(
        groups=groups, max_y=max_y, interactive=True, expand=True,
        bottom_axis=fch.ChartAxis(labels=[fch.ChartAxisLabel(
                                              value=i, label=ft.Text(app.t("overview.month_short", m=i + 1), size=11))
                                          for i in range(12)], label_size=24),
        left_axis=left_axis,
        horizontal_grid_lines=fch.ChartGridLines(color="#E3E8EF", width=1, dash_pattern=[3, 3]),
    )
    legend = ft.Row([ft.Container(width=10, height=10, bgcolor=PRIMARY, border_radius=2),
                     ft.Text(str(d.today.year), size=12),
                     ft.Container(width=10, height=10, bgcolor=LAST_YEAR, border_radius=2),
                     ft.Text(str(d.today.year - 1), size=12)], spacing=6)
    kinds = ft.SegmentedButton(
        selected=[d.chart_kind], allow_multiple_selection=False, show_selected_icon=False,
        segments=[ft.Segment(value=k, label=ft.Text(app.t(NAMES[k]), size=12)) for k in NAMES],
        on_change=lambda e: d.set_chart_kind(list(e.control.selected)[0]))
    return card(ft.Column([ft.Row([section_title(app.t("overview.by_month")), kinds],
                                  alignment=ft.MainAxisAlignment.SPACE_BETWEEN),
                           legend, ft.Container(chart, expand=True)], spacing=8), expand=3)


def _field_chart(app, d):
    items = d.by_field.get(d.chart_kind, [])
    top = max([n for _, n in items] + [1])
    rows = [ft.Column([
        ft.Row([ft.Text(label, size=12, expand=True, max_lines=1, overflow=ft.TextOverflow.ELLIPSIS),
                ft.Text(fmt_int(n, app.lang), size=12, weight=ft.FontWeight.W_600)]),
        ft.ProgressBar(value=n / top, color=PRIMARY, bgcolor="#E8EEF5", bar_height=8, border_radius=4),
    ], spacing=3) for label, n in items]
    title = "overview.by_form" if d.chart_kind == "dissemination" else "overview.by_field"
    return card(ft.Column([section_title(app.t(title)),
                           *(rows or [ft.Text(app.t("overview.no_data"), color=MUTED)])],
                          spacing=10, scroll=ft.ScrollMode.AUTO), expand=2)


@ft.component
def OverviewView(app, d):
    d.ensure_loaded()
    return ft.Column([
        header(app.t("nav.overview"), app.t("overview.subtitle", date=fmt_date(d.today, app.lang)),
               actions=[ft.IconButton(ft.Icons.REFRESH, tooltip=app.t("common.refresh"), on_click=lambda: d.load())]),
        ft.Row([*[_kpi(app, c) for c in d.cards], _status_card(app, d)], spacing=14),
        ft.Row([_month_chart(app, d), _field_chart(app, d)], spacing=14, expand=True,
               vertical_alignment=ft.CrossAxisAlignment.STRETCH),
    ], spacing=14, expand=True)
