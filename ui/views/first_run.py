"""First run: province, the communes this officer works in, name and role, and the passphrase that encrypts
the data (required: it cannot be skipped unless encryption was turned off explicitly with
PLCS_NO_ENCRYPTION=1) — then the recovery key once, then straight into work."""
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
        ft.Row([ft.TextButton(app.t("setup.select_all"), icon=ft.Icons.DONE_ALL, on_click=p.select_all),
                ft.TextButton(app.t("setup.clear_all"), icon=ft.Icons.REMOVE_DONE, on_click=p.clear_all,
                              disabled=not chosen)], spacing=4),
        ft.Text(app.t("setup.chosen", n=len(chosen)) + ": " + ", ".join(p.commune_names()),
                size=12, color=MUTED, max_lines=2, overflow=ft.TextOverflow.ELLIPSIS) if chosen else
        ft.Text(p.errors.get("communes") or app.t("setup.no_commune"), size=12,
                color=MUTED if not p.errors.get("communes") else "#B3261E"),
    ], spacing=8)


def protection_section(app, protect, on_submit):
    from ui.views.unlock import secret_field
    return ft.Container(ft.Column([
        ft.Row([ft.Icon(ft.Icons.SHIELD_OUTLINED, color=PRIMARY, size=20),
                ft.Text(app.t("setup.protect_title"), weight=ft.FontWeight.W_600, color=PRIMARY),
                ft.Container(ft.Text(app.t("setup.protect_badge_required" if protect.required
                                           else "setup.protect_badge"), size=11, color="#1E5E22",
                                     weight=ft.FontWeight.W_600),
                             bgcolor="#E8F5E9", border_radius=10,
                             padding=ft.Padding.symmetric(horizontal=8, vertical=2))],
               spacing=8),
        ft.Text(app.t("setup.protect_why"), size=13, color=MUTED),
        ft.Row([ft.Container(secret_field(app.t_raw("security.prompt_new_passphrase"), protect, "passphrase",
                                          error=protect.errors.get("passphrase"),
                                          hint=app.t("security.passphrase_hint")), expand=True),
                ft.Container(secret_field(app.t_raw("security.prompt_repeat_passphrase"), protect, "repeat",
                                          error=protect.errors.get("repeat"), on_submit=on_submit), expand=True)],
               spacing=12),
        ft.Text(app.t("setup.protect_required" if protect.required else "setup.protect_skip"), size=12,
                color=MUTED, italic=True),
    ], spacing=8), bgcolor="#F3F8FC", border=ft.Border.all(1, "#CFE0EE"), border_radius=10, padding=14)


@ft.component
def FirstRunView(app, p, protect=None):
    def save():
        from ui.state.security import first_run_save
        first_run_save(app, p, protect)

    form = ft.Column([
        ft.Row([ft.Image(src="icon.png", width=48, height=48),
                ft.Column([ft.Text(app.t("setup.title"), size=24, weight=ft.FontWeight.W_600),
                           ft.Text(app.t("setup.subtitle"), color=MUTED)], spacing=2, tight=True)], spacing=12),
        ft.Divider(height=8, color="transparent"),
        ft.TextField(label=app.t("setup.full_name"), value=p.value("full_name"), autofocus=True, width=560,
                     on_change=lambda e: p.set("full_name", e.control.value), on_submit=lambda: save(),
                     error=p.errors.get("full_name")),
        # full width: the role names are long ("Công chức Tư pháp xã / hòa giải viên …")
        dropdown(app.t("setup.role"), p.role_options(), p.role, p.set_role, searchable=False, width=560),
        dropdown(app.t("setup.province"), p.province_options(), p.province, p.set_province, searchable=True,
                 error=p.errors.get("province"), width=560),
        ft.Text(app.t("setup.communes"), weight=ft.FontWeight.W_500),
        CommunePicker(app, p),
        *([protection_section(app, protect, save)] if protect is not None and not app.encrypted else []),
        ft.Row([ft.FilledButton(app.t("setup.start"), icon=ft.Icons.ARROW_FORWARD, on_click=save)],
               alignment=ft.MainAxisAlignment.END),
    ], spacing=12, width=600)
    return ft.Container(ft.Column([card(form, padding=28)], scroll=ft.ScrollMode.AUTO,
                                  horizontal_alignment=ft.CrossAxisAlignment.CENTER),
                        alignment=ft.Alignment.TOP_CENTER, expand=True, bgcolor=SURFACE,
                        padding=ft.Padding.only(top=32, bottom=16))
