"""First run: province, the communes this officer works in, name and role; then straight into work."""
from __future__ import annotations

import flet as ft

from ui.views.common import MUTED, PRIMARY, SURFACE, card, dropdown


@ft.component
def CommunePicker(app, p):
    """Searchable checklist of the province's communes (54 in Quảng Ninh, up to ~170 elsewhere)."""
    options = p.commune_options()
    chosen = set(p.communes)
    items = [ft.Checkbox(label=name, value=code in chosen,
                         on_change=lambda e, c=code: p.toggle_commune(c, e.control.value))
             for code, name in options]
    return ft.Column([
        ft.TextField(label=app.t("setup.commune_search"), prefix_icon=ft.Icons.SEARCH, dense=True,
                     value=p.commune_filter, on_change=lambda e: p.set_commune_filter(e.control.value)),
        ft.Container(ft.ListView(items, spacing=0, height=230), border=ft.Border.all(1, "#E3E8EF"),
                     border_radius=8, padding=4),
        ft.Text(app.t("setup.chosen", n=len(chosen)) + (": " + ", ".join(p.commune_names()) if chosen else ""),
                size=12, color=MUTED if not p.errors.get("communes") else "#B3261E", max_lines=2,
                overflow=ft.TextOverflow.ELLIPSIS),
    ], spacing=8)


@ft.component
def FirstRunView(app, p):
    def save():
        if p.save():
            app.finish_setup()

    form = ft.Column([
        ft.Row([ft.Image(src="icon.png", width=48, height=48),
                ft.Column([ft.Text(app.t("setup.title"), size=24, weight=ft.FontWeight.W_600),
                           ft.Text(app.t("setup.subtitle"), color=MUTED)], spacing=2, tight=True)], spacing=12),
        ft.Divider(height=8, color="transparent"),
        ft.Row([
            ft.TextField(label=app.t("setup.full_name"), value=p.value("full_name"), expand=True, autofocus=True,
                         on_change=lambda e: p.set("full_name", e.control.value), on_submit=lambda: save(),
                         error=p.errors.get("full_name")),
            dropdown(app.t("setup.role"), p.role_options(), p.role, p.set_role, expand=True),
        ], spacing=12),
        dropdown(app.t("setup.province"), p.province_options(), p.province, p.set_province, searchable=True,
                 error=p.errors.get("province"), width=560),
        ft.Text(app.t("setup.communes"), weight=ft.FontWeight.W_500),
        CommunePicker(app, p),
        ft.Row([ft.FilledButton(app.t("setup.start"), icon=ft.Icons.ARROW_FORWARD, on_click=save)],
               alignment=ft.MainAxisAlignment.END),
    ], spacing=12, width=600)
    return ft.Container(ft.Column([card(form, padding=28)], scroll=ft.ScrollMode.AUTO,
                                  horizontal_alignment=ft.CrossAxisAlignment.CENTER),
                        alignment=ft.Alignment.TOP_CENTER, expand=True, bgcolor=SURFACE,
                        padding=ft.Padding.only(top=32, bottom=16))
