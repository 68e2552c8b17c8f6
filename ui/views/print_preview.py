"""The print preview dialog: the PDF's pages as images with previous / next and "Trang x/y", and what to do with
the file — desktop: In (system print dialog or viewer), Mở thư mục, Lưu thành… (file picker); web: Tải về (the
browser downloads it once through a one-time link bound to this session).

    PrintPreviewDialog(app, app.preview)   # mounted once in the shell; the state is a prop so that its changes
                                           # (page turns) re-render the dialog
"""
from __future__ import annotations

import flet as ft

from ui.views.common import MUTED

PAGE_HEIGHT = 540      # the page image's box; the image keeps its A4 proportions inside it


@ft.component
def PrintPreviewDialog(app, pv):
    if pv is None:
        ft.use_dialog(None)
        return ft.Container(visible=False)

    async def download():
        page = ft.context.page
        session_id = page.session.id
        url = pv.download_url(session_id, base_url=_origin(page.url))
        await ft.UrlLauncher().launch_url(url, web_only_window_name="_self")
        app.say(app.t("preview.downloading", name=pv.file_name))

    async def save_as():
        try:
            dest = await ft.FilePicker().save_file(dialog_title=app.t("preview.save_as"), file_name=pv.file_name,
                                                   file_type=ft.FilePickerFileType.CUSTOM, allowed_extensions=["pdf"])
        except Exception:  # noqa: BLE001 — no file dialog helper on this desktop (zenity): the folder still works
            app.say(app.t("preview.picker_failed", path=str(pv.path)))
            return
        pv.save_copy(dest)

    nav = ft.Row([
        ft.IconButton(ft.Icons.CHEVRON_LEFT, tooltip=app.t("preview.prev"), on_click=lambda: pv.prev(),
                      disabled=pv.index <= 0),
        ft.Text(pv.page_label, size=13, weight=ft.FontWeight.W_500),
        ft.IconButton(ft.Icons.CHEVRON_RIGHT, tooltip=app.t("preview.next"), on_click=lambda: pv.next(),
                      disabled=pv.index >= pv.page_count - 1),
        ft.Container(expand=True),
        ft.Text(pv.file_name, size=12, color=MUTED),
    ], spacing=4)
    if pv.image is not None:
        body = ft.Image(src=pv.image, fit=ft.BoxFit.CONTAIN, height=PAGE_HEIGHT,
                        semantics_label=app.t("preview.page_image", page=pv.index + 1, pages=pv.page_count))
    else:
        body = ft.Text(pv.error or app.t("preview.empty"), color=MUTED)
    sheet = ft.Container(body, height=PAGE_HEIGHT, alignment=ft.Alignment.CENTER, bgcolor="#E9EDF2",
                         border_radius=6, padding=8)

    if app.web:
        actions = [ft.FilledButton(app.t("preview.download"), icon=ft.Icons.DOWNLOAD, on_click=download,
                                   tooltip=app.t("preview.download_tooltip"))]
    else:
        actions = [ft.FilledButton(app.t("preview.print"), icon=ft.Icons.PRINT, on_click=lambda: pv.print_now(),
                                   tooltip=app.t("preview.print_tooltip")),
                   ft.OutlinedButton(app.t("preview.open_folder"), icon=ft.Icons.FOLDER_OPEN,
                                     on_click=lambda: pv.open_folder()),
                   ft.OutlinedButton(app.t("preview.save_as"), icon=ft.Icons.SAVE_ALT, on_click=save_as)]
    actions.append(ft.TextButton(app.t("common.close"), on_click=lambda: app.close_preview()))
    ft.use_dialog(ft.AlertDialog(
        modal=True, title=ft.Text(pv.title, size=18),
        content=ft.Container(ft.Column([nav, sheet], spacing=8, tight=True), width=760),
        actions=actions, actions_alignment=ft.MainAxisAlignment.END,
        on_dismiss=lambda: app.close_preview()))
    return ft.Container(visible=False)


def _origin(url: str | None) -> str:
    """http(s)://host:port of the server the browser talks to (the download route lives on the same server).
    Flet reports the session's websocket URL (ws:// or wss://)."""
    from urllib.parse import urlsplit
    if not url:
        return ""
    parts = urlsplit(url)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
    return f"{scheme}://{parts.netloc}" if scheme in ("http", "https") and parts.netloc else ""
