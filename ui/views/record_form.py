"""Create/edit form for a legal-aid case, a mediation case or a dissemination event.

Inline errors come from the services' ValidationError; Enter in a one-line field saves; leaving with unsaved
changes asks first (AppState._guard)."""
from __future__ import annotations

import datetime as dt

import flet as ft

from services.dates import parse_date
from ui.views.common import ACCENT, MUTED, card, dropdown, header, section_title

TITLES = {"legal-aid": ("form.new.legal_aid", "form.edit.legal_aid"),
          "mediation": ("form.new.mediation", "form.edit.mediation"),
          "dissemination": ("form.new.dissemination", "form.edit.dissemination")}


def _field(app, form, f, save, page):
    label = app.t(f"field.{f.key}") + (" *" if f.required else "")
    error = form.errors.get(f.key)
    value = form.value(f.key)
    if f.type in ("choice", "commune", "historic", "language", "status", "team"):
        blank = None if f.required or f.type == "status" else app.t("form.none")
        return dropdown(label, form.options(f), value, lambda v, k=f.key: form.choose(k, v), error=error,
                        blank=blank, expand=True, dense=False)
    if f.type == "multi":
        chosen = set(value or [])

        def toggle(code, on, k=f.key):
            now = [c for c in (form.value(k) or []) if c != code] + ([code] if on else [])
            form.set(k, now)

        return ft.Column([
            ft.Text(label, size=12, color=MUTED),
            ft.Row([ft.Checkbox(label=text, value=code in chosen, on_change=lambda e, c=code: toggle(c, e.control.value))
                    for code, text in form.options(f)], wrap=True, spacing=4, run_spacing=0),
            ft.Text(error, color=ACCENT, size=12) if error else ft.Container(),
        ], spacing=4)
    kw = dict(label=label, value=value or "", error=error, on_change=lambda e, k=f.key: form.set(k, e.control.value),
              dense=False)
    if f.type == "multiline":
        return ft.TextField(multiline=True, min_lines=2, max_lines=5, **kw)
    if f.type == "date":
        async def pick(e, k=f.key):
            try:
                current = parse_date(form.value(k))
            except ValueError:
                current = dt.date.today()
            # From 1900: a date of birth is picked here too (the services refuse dates before 1900).
            picker = ft.DatePicker(value=current, first_date=dt.date(1900, 1, 1), last_date=dt.date(2100, 12, 31),
                                   on_change=lambda ev: form.choose(k, ev.control.value.strftime("%d/%m/%Y"))
                                   if ev.control.value else None)
            page.show_dialog(picker)
        return ft.TextField(hint_text="dd/mm/yyyy", on_submit=save, max_length=None,
                            suffix_icon=ft.IconButton(ft.Icons.CALENDAR_MONTH, tooltip=app.t("form.pick_date"),
                                                 on_click=pick, icon_size=18), **kw)
    if f.type == "int":
        return ft.TextField(keyboard_type=ft.KeyboardType.NUMBER, on_submit=save, **kw)
    return ft.TextField(on_submit=save, **kw)


@ft.component
def RecordFormView(app, form):
    page = ft.context.page

    async def save():
        inst = await form.save_async()
        if inst is not None:
            app.say(app.t("form.saved", number=getattr(inst, "number", "") or ""))
            app.open_detail(form.kind, inst.id)

    new_key, edit_key = TITLES[form.kind]
    sections = []
    for title, fields in form.fields():
        grid = ft.ResponsiveRow([ft.Container(_field(app, form, f, save, page), col={"xs": 12, "md": f.width * 2})
                                 for f in fields], spacing=12, run_spacing=14)
        sections.append(card(ft.Column([section_title(app.t(title)), grid], spacing=14)))
    banner = []
    if form.general_error:
        banner.append(ft.Container(ft.Row([ft.Icon(ft.Icons.ERROR_OUTLINE, color=ACCENT),
                                           ft.Text(form.general_error, color=ACCENT, expand=True),
                                           *([ft.OutlinedButton(app.t("busy.retry"), icon=ft.Icons.REFRESH,
                                                                on_click=save)]
                                             if form.busy and not form.saving else [])]),
                                   bgcolor="#FDECEA", padding=12, border_radius=8))
    cancel = app.back_to_list if not form.editing else (lambda: app.open_detail(form.kind, form.record_id))
    return ft.Column([
        header(app.t(edit_key if form.editing else new_key), form.number or app.t("form.required_note"),
               back=cancel, back_label=app.t("common.back"),
               actions=[ft.OutlinedButton(app.t("common.cancel"), on_click=cancel),
                        ft.FilledButton(app.t("common.save"), icon=ft.Icons.SAVE, on_click=save)]),
        *banner,
        ft.Column(sections, spacing=14, scroll=ft.ScrollMode.AUTO, expand=True),
    ], spacing=12, expand=True)
