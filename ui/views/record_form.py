"""Create/edit form for a legal-aid case, a mediation case or a dissemination event.

Inline errors come from the services' ValidationError (shown in full, wrapped); a failed save scrolls to and
focuses the first invalid field; Enter in a one-line field saves; leaving with unsaved changes asks first
(AppState._guard). Dropdowns filter without diacritics; village fields suggest the commune's villages."""
from __future__ import annotations

import datetime as dt

import flet as ft

from services.dates import parse_date, today_local
from ui.views.common import ACCENT, MUTED, card, dropdown, header, section_title

TITLES = {"legal-aid": ("form.new.legal_aid", "form.edit.legal_aid"),
          "mediation": ("form.new.mediation", "form.edit.mediation"),
          "dissemination": ("form.new.dissemination", "form.edit.dissemination")}
ERROR_LINES = 6          # an error text wraps up to this many lines instead of "Phải trong khoảng 190…"


def _error_text(error):
    return ft.Text(error, color=ACCENT, size=12, max_lines=ERROR_LINES) if error else None


def _field(app, form, f, save, page, register):
    label = app.t(f"field.{f.key}") + (" *" if f.required else "")
    error = form.errors.get(f.key)
    value = form.value(f.key)
    if f.type in ("choice", "commune", "historic", "language", "status", "team"):
        blank = None if f.required or f.type == "status" else app.t("form.none")
        box = dropdown(label, form.options(f), value, lambda v, k=f.key: form.choose(k, v),
                       error=" " if error else None, blank=blank, expand=True, dense=False,
                       register=lambda c, k=f.key: register(k, c))
        # the dropdown's own error line cannot wrap: the full text goes below it
        return ft.Column([box, _error_text(error)], spacing=2) if error else box
    if f.type == "multi":
        chosen = set(value or [])

        def toggle(code, on, k=f.key):
            now = [c for c in (form.value(k) or []) if c != code] + ([code] if on else [])
            form.set(k, now)

        return ft.Column([
            ft.Text(label, size=12, color=MUTED),
            ft.Row([ft.Checkbox(label=text, value=code in chosen,
                                on_change=lambda e, c=code: toggle(c, e.control.value))
                    for code, text in form.options(f)], wrap=True, spacing=4, run_spacing=0),
            _error_text(error) or ft.Container(),
        ], spacing=4)
    if f.type == "village":
        return VillageField(app, form, f.key, label, error, save, register)
    kw = dict(label=label, value=value or "", error=error, error_max_lines=ERROR_LINES,
              on_change=lambda e, k=f.key: form.set(k, e.control.value), dense=False)
    if f.type == "multiline":
        return _registered(register, f.key, ft.TextField(multiline=True, min_lines=2, max_lines=5, **kw))
    if f.type == "names":           # one name a line (mediators): filled from the team, editable
        return _registered(register, f.key, ft.TextField(multiline=True, min_lines=2, max_lines=6,
                                                         hint_text=app.t("form.one_per_line"), **kw))
    if f.type == "date":
        async def pick(e, k=f.key):
            try:
                current = parse_date(form.value(k))
            except ValueError:
                current = today_local()
            # From 1900: a date of birth is picked here too (the services refuse dates before 1900).
            picker = ft.DatePicker(value=current, first_date=dt.date(1900, 1, 1), last_date=dt.date(2100, 12, 31),
                                   current_date=today_local(),
                                   help_text=app.t("form.date_help"), cancel_text=app.t("form.date_cancel"),
                                   confirm_text=app.t("form.date_confirm"),
                                   field_label_text=app.t("form.date_field"), field_hint_text="dd/mm/yyyy",
                                   error_format_text=app.t("form.date_bad_format"),
                                   error_invalid_text=app.t("form.date_out_of_range"),
                                   on_change=lambda ev: form.choose(k, ev.control.value.strftime("%d/%m/%Y"))
                                   if ev.control.value else None)
            page.show_dialog(picker)
        return _registered(register, f.key, ft.TextField(
            hint_text="dd/mm/yyyy", on_submit=save, max_length=None,
            suffix_icon=ft.IconButton(ft.Icons.CALENDAR_MONTH, tooltip=app.t("form.pick_date"), on_click=pick,
                                      icon_size=18), **kw))
    if f.type == "int":
        return _registered(register, f.key, ft.TextField(keyboard_type=ft.KeyboardType.NUMBER,
                                                         on_submit=save, **kw))
    return _registered(register, f.key, ft.TextField(on_submit=save, **kw))


def _registered(register, key, control):
    register(key, control)
    return control


@ft.component
def VillageField(app, form, key, label, error, save, register):
    """Free text with suggestions from the commune's village list (typed without diacritics is fine)."""
    typed, set_typed = ft.use_state(None)          # None: not typing, no suggestions shown

    def change(e):
        form.set(key, e.control.value)
        set_typed(e.control.value or "")

    def pick(name):
        set_typed(None)
        form.choose(key, name)

    field = _registered(register, key, ft.TextField(
        label=label, value=form.value(key) or "", error=error, error_max_lines=ERROR_LINES, dense=False,
        on_change=change, on_submit=save, on_focus=lambda e: set_typed(e.control.value or ""),
        helper=app.t("form.village_help")))
    hints = form.village_suggestions(key, typed) if typed is not None else []
    # always the same shape (field + row), so that showing suggestions never rebuilds the focused field
    row = ft.Row([ft.Text(app.t("form.village_suggest"), size=12, color=MUTED),
                  *[ft.TextButton(n, on_click=lambda e, n=n: pick(n), tooltip=app.t("form.village_pick", name=n))
                    for n in hints]], wrap=True, spacing=2, run_spacing=0, visible=bool(hints))
    return ft.Column([field, row], spacing=2, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)


@ft.component
def RecordFormView(app, form):
    page = ft.context.page
    controls: dict = {}                 # this render's input controls by form key (to focus the first error)
    body = ft.use_ref(None)

    async def save():
        inst = await form.save_async()
        if inst is not None:
            app.say(app.t("form.saved", number=getattr(inst, "number", "") or ""))
            app.open_detail(form.kind, inst.id)

    async def focus_first_error():
        key = form.focus_key
        if not key:
            return
        try:
            if body.current is not None:
                await body.current.scroll_to(scroll_key=key, duration=250)
            if key in controls:
                await controls[key].focus()
        except Exception:   # noqa: BLE001 — the field may be gone (a fast second edit); nothing to focus
            pass

    ft.use_effect(focus_first_error, [form.focus_seq])

    def register(key, control):
        controls[key] = control

    new_key, edit_key = TITLES[form.kind]
    sections = []
    for title, fields in form.fields():
        grid = ft.ResponsiveRow([ft.Container(_field(app, form, f, save, page, register), key=ft.ScrollKey(f.key),
                                              col={"xs": 12, "md": f.width * 2})
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
    column = ft.Column(sections, spacing=14, scroll=ft.ScrollMode.AUTO, expand=True)
    body.current = column
    return ft.Column([
        header(app.t(edit_key if form.editing else new_key), form.number or app.t("form.required_note"),
               back=cancel, back_label=app.t("common.back"),
               actions=[ft.OutlinedButton(app.t("common.cancel"), on_click=cancel),
                        ft.FilledButton(app.t("common.save"), icon=ft.Icons.SAVE, on_click=save)]),
        *banner,
        column,
    ], spacing=12, expand=True)
