"""Parts shared by the detail views: header with edit / print / delete (confirm + undo), audit history."""
from __future__ import annotations

import flet as ft

from services.errors import AppError
from ui.views.common import ACCENT, MUTED, PRIMARY, card, header, section_title


def detail_header(app, d, title: str, subtitle: str, confirm_delete, extra_actions=None):
    def do_print(doc):
        try:
            path = d.print(doc)
        except AppError as exc:
            app.say(exc.message(app.lang))
            return
        app.show_print(path, f"{dict(d.print_documents()).get(doc, doc)} — {d.number}")

    actions = list(extra_actions or [])
    docs = d.print_documents()
    if docs and not d.deleted:
        tokens = [t for t, _ in docs]
        main_doc = "case-slip" if "case-slip" in tokens else tokens[0]
        main_label = dict(docs)[main_doc]
        actions.append(ft.FilledTonalButton(app.t("detail.print_main"), icon=ft.Icons.PRINT,
                                            tooltip=f"{main_label} (Ctrl+P)", on_click=lambda: do_print(main_doc)))
        others = [(t, label) for t, label in docs if t != main_doc]
        if others:
            actions.append(ft.PopupMenuButton(
                icon=ft.Icons.MORE_VERT, tooltip=app.t("detail.print_more"),
                items=[ft.PopupMenuItem(content=ft.Text(label), on_click=lambda e, t=tok: do_print(t))
                       for tok, label in others]))
    writable = app.may_write(d.kind) if hasattr(app, "may_write") else True
    if not d.deleted and writable:
        actions.append(ft.OutlinedButton(app.t("common.edit"), icon=ft.Icons.EDIT,
                                         on_click=lambda: app.open_form(d.kind, d.record_id)))
        actions.append(ft.OutlinedButton(app.t("common.delete"), icon=ft.Icons.DELETE_OUTLINE,
                                         on_click=confirm_delete, style=ft.ButtonStyle(color=ACCENT)))
    elif d.deleted and writable:
        actions.append(ft.FilledButton(app.t("detail.restore"), icon=ft.Icons.RESTORE,
                                       on_click=lambda: d.undo_delete()))
    head = header(title, subtitle, actions=actions, back=app.back_to_list, back_label=app.t("common.back"))
    if d.deleted:
        return ft.Column([head, ft.Container(ft.Text(app.t("detail.deleted_note"), color=ACCENT),
                                             bgcolor="#FDECEA", padding=10, border_radius=8)], spacing=8)
    return head


def use_delete_dialog(app, d):
    """(open function) for a confirmation dialog; delete shows a message with Undo."""
    show, set_show = ft.use_state(False)

    def yes():
        set_show(False)
        d.delete()
        app.say(app.t("detail.deleted", number=d.number), undo=d.undo_delete)

    ft.use_dialog(ft.AlertDialog(
        modal=True, title=ft.Text(app.t("detail.delete_title")),
        content=ft.Text(app.t("detail.delete_text", number=d.number)),
        actions=[ft.TextButton(app.t("common.cancel"), on_click=lambda: set_show(False)),
                 ft.FilledButton(app.t("common.delete"), on_click=yes,
                                 style=ft.ButtonStyle(bgcolor=ACCENT, color=ft.Colors.WHITE))],
        on_dismiss=lambda: set_show(False)) if show else None)
    return lambda: set_show(True)


def history_card(app, d):
    items = []
    for h in d.history():
        changes = [ft.Text(f"• {label}: {b} › {a}", size=12,
                           color=MUTED, selectable=True) for label, b, a in h["changes"][:12]]
        items.append(ft.Column([
            ft.Row([ft.Icon(ft.Icons.HISTORY, size=16, color=PRIMARY),
                    ft.Text(h["action"], weight=ft.FontWeight.W_600, size=13),
                    ft.Text(f"{h['at']} · {h['by']}", size=12, color=MUTED)], spacing=6),
            *changes], spacing=2))
    return card(ft.Column([section_title(app.t("detail.history")),
                           *(items or [ft.Text(app.t("detail.no_history"), color=MUTED)])], spacing=10))


def fields_card(app, d, title_key="detail.info"):
    rows = []
    for key, value in d.fields():
        if value in (None, ""):
            continue
        identifier = key.endswith(("id_number", "phone"))    # not selectable: readable by screen readers/tests,
        rows.append(ft.Row([ft.Text(app.t(key), width=190, color=MUTED, size=13),   # and not copied by accident
                            ft.Text(value, expand=True, size=14, selectable=not identifier)],
                           vertical_alignment=ft.CrossAxisAlignment.START))
    title = section_title(app.t(title_key))
    if getattr(d, "has_identifiers", False):
        if d.can_reveal:
            toggle = ft.Switch(label=app.t("detail.show_ids"), value=d.showing_identifiers,
                               on_change=lambda e: d.toggle_reveal(bool(e.control.value)))
        else:
            toggle = ft.Row([ft.Icon(ft.Icons.VISIBILITY_OFF_OUTLINED, size=16, color=MUTED),
                             ft.Text(app.t("detail.ids_masked"), size=12, color=MUTED)], spacing=4)
        title = ft.Row([title, toggle], alignment=ft.MainAxisAlignment.SPACE_BETWEEN)
    return card(ft.Column([title, *rows], spacing=8))
