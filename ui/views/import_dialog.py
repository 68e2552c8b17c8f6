"""Import dialog (kind, file, template, progress) and the scrollable list of row errors; also a small
"choose a file" button that works on the desktop (path) and in the browser (uploaded bytes).

    ImportDialog(app, imp)                       # mounted once on each record list; shown while imp.open
    file_button(app, label, on_path, on_bytes)   # FilePicker; web mode hands over bytes
    error_list(app, rows)                        # rows of {row, field, message}
"""
from __future__ import annotations

import flet as ft

from ui.views.common import ACCENT, MUTED, PRIMARY, dropdown


def file_button(app, label: str, on_path, on_bytes) -> ft.Control:
    """Opens the system / browser file chooser for .csv/.xlsx; on_path(path) on the desktop, on_bytes(name, data)
    in the browser (where the file's path is not visible to the app)."""
    async def pick():
        try:
            picker = ft.FilePicker()
            files = await picker.pick_files(dialog_title=label, file_type=ft.FilePickerFileType.CUSTOM,
                                            allowed_extensions=["csv", "xlsx"], with_data=bool(app.web))
        except Exception:   # noqa: BLE001 — e.g. no file dialog helper (zenity) on this desktop: use the path field
            app.say(app.t("import.picker_failed"))
            return
        if not files:
            return
        f = files[0]
        if app.web or not f.path:
            if f.bytes is not None:
                on_bytes(f.name, f.bytes)
        else:
            on_path(f.path)

    return ft.OutlinedButton(label, icon=ft.Icons.FOLDER_OPEN, on_click=pick)


def error_list(app, rows: list[dict], height: int = 340) -> ft.Control:
    head = ft.Row([ft.Text(app.t("import.col.row"), width=70, size=12, color=MUTED, weight=ft.FontWeight.W_600),
                   ft.Text(app.t("import.col.field"), width=190, size=12, color=MUTED, weight=ft.FontWeight.W_600),
                   ft.Text(app.t("import.col.reason"), expand=True, size=12, color=MUTED, weight=ft.FontWeight.W_600)])
    items = [ft.Container(ft.Row([
        ft.Text(app.t("import.row_n", row=r["row"]) if r["row"] is not None else "—", width=70, size=13,
                weight=ft.FontWeight.W_600, color=ACCENT),
        ft.Text(r["field"], width=190, size=13),
        ft.Text(r["message"], expand=True, size=13)], vertical_alignment=ft.CrossAxisAlignment.START),
        padding=ft.Padding.symmetric(vertical=5), border=ft.Border.only(bottom=ft.BorderSide(1, "#EEF1F5")))
        for r in rows]
    return ft.Column([head, ft.Divider(height=1, color="#E3E8EF"),
                      ft.Container(ft.ListView(items, spacing=0), height=height)], spacing=4, tight=True)


@ft.component
def ImportDialog(app, imp):
    async def run():
        await imp.run()

    if not imp.open:
        ft.use_dialog(None)
        return ft.Container(visible=False)
    if imp.errors:
        dialog = ft.AlertDialog(
            modal=True,
            title=ft.Row([ft.Icon(ft.Icons.ERROR_OUTLINE, color=ACCENT), ft.Text(imp.error_title, expand=True)]),
            content=ft.Container(ft.Column([ft.Text(app.t("import.nothing_stored"), color=ACCENT, size=13),
                                            error_list(app, imp.errors)], spacing=10, tight=True), width=820),
            actions=[ft.TextButton(app.t("import.choose_other"), on_click=lambda: imp.back_to_file()),
                     ft.FilledButton(app.t("common.close"), on_click=lambda: imp.close())])
        ft.use_dialog(dialog)
        return ft.Container(visible=False)
    body = [
        ft.Text(app.t("import.help"), size=13, color=MUTED),
        dropdown(app.t("import.kind"), imp.kind_options(), imp.kind, imp.set_kind, width=320, searchable=False,
                 dense=False),
        ft.TextField(label=app.t("import.path"), value=imp.path, hint_text=app.t("import.path_hint"),
                     on_change=lambda e: imp.set_path(e.control.value), on_submit=run, disabled=imp.running),
        ft.Row([file_button(app, app.t("import.choose"), imp.choose_path, imp.accept_upload),
                ft.TextButton(app.t("import.template"), icon=ft.Icons.DOWNLOAD, on_click=lambda: imp.template())],
               spacing=8),
    ]
    if imp.error_text:
        body.append(ft.Container(ft.Row([ft.Icon(ft.Icons.ERROR_OUTLINE, color=ACCENT),
                                         ft.Text(imp.error_text, color=ACCENT, expand=True)]),
                                 bgcolor="#FDECEA", padding=10, border_radius=8))
    if imp.running:
        body += [ft.ProgressBar(value=imp.progress, color=PRIMARY, bgcolor="#E8EEF5"),
                 ft.Text(imp.status, size=12, color=MUTED)]
    ft.use_dialog(ft.AlertDialog(
        modal=True, title=ft.Text(app.t("import.title")),
        content=ft.Container(ft.Column(body, spacing=12, tight=True), width=560),
        actions=[ft.TextButton(app.t("common.close"), on_click=lambda: imp.close(), disabled=imp.running),
                 ft.FilledButton(app.t("import.run"), icon=ft.Icons.UPLOAD_FILE, on_click=run,
                                 disabled=imp.running)]))
    return ft.Container(visible=False)
