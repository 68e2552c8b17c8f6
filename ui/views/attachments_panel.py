"""The attachments panel of every detail view: thumbnails, add (type, caption, "bản ký của phiếu …"), open /
save a copy (desktop) or download (web, one-time link), remove with confirmation; and the "đã ký" marks of the
printed documents.

    attachments_card(app, d)        # d: the DetailState; the panel's state is kept on it (state_for)
"""
from __future__ import annotations

import flet as ft

from services.attachments import document_choices, document_title
from ui.state.attachments import AttachmentsState
from ui.views.common import ACCENT, MUTED, OK, card, dropdown, section_title
from ui.views.print_preview import _origin  # ws(s):// session URL -> http(s):// origin

THUMB = 96


def state_for(d) -> AttachmentsState:
    """The panel's state, kept on the detail state; its changes re-render the detail view (d.notify)."""
    s = getattr(d, "_attachments_state", None)
    if s is None or s.record_id != d.instance.id:
        s = AttachmentsState(d._app, d.kind, d.instance.id, changed=d.notify)
        object.__setattr__(d, "_attachments_state", s)     # a cache, not observed state of the detail
    return s


def _pick_button(app, s: AttachmentsState) -> ft.Control:
    async def pick():
        try:
            files = await ft.FilePicker().pick_files(
                dialog_title=app.t("attachments.add"), file_type=ft.FilePickerFileType.CUSTOM,
                allowed_extensions=["pdf", "jpg", "jpeg", "png", "heic", "heif"], with_data=bool(app.web))
        except Exception:   # noqa: BLE001 — no file dialog helper on this desktop (zenity)
            app.say(app.t("import.picker_failed"))
            return
        if not files:
            return
        f = files[0]
        if app.web or not f.path:
            if f.bytes is not None:
                s.add_bytes(f.name, f.bytes)
        else:
            s.add_path(f.path)

    return ft.FilledTonalButton(app.t("attachments.add"), icon=ft.Icons.ATTACH_FILE, on_click=pick)


def _item(app, s: AttachmentsState, a: dict, writable: bool) -> ft.Control:
    thumb = s.thumbnail(a["id"]) if a["has_thumbnail"] else None
    if thumb is not None:
        picture = ft.Image(src=thumb, width=THUMB, height=THUMB, fit=ft.BoxFit.COVER, border_radius=6,
                           semantics_label=a["file_name"])
    else:
        icon = ft.Icons.PICTURE_AS_PDF if a["mime"] == "application/pdf" else ft.Icons.IMAGE
        picture = ft.Container(ft.Icon(icon, size=40, color=MUTED), width=THUMB, height=THUMB,
                               alignment=ft.Alignment.CENTER, bgcolor="#EEF1F5", border_radius=6)

    async def download():
        page = ft.context.page
        url = s.download_url(a["id"], page.session.id, base_url=_origin(page.url))
        await ft.UrlLauncher().launch_url(url, web_only_window_name="_self")

    async def save_as():
        try:
            dest = await ft.FilePicker().save_file(dialog_title=app.t("attachments.save_copy"),
                                                   file_name=a["file_name"])
        except Exception:   # noqa: BLE001
            app.say(app.t("import.picker_failed"))
            return
        s.save_copy(a["id"], dest)

    type_label = dict(s.type_options()).get(a["type"], a["type"])
    lines = [ft.Text(a["file_name"], weight=ft.FontWeight.W_600, size=13, selectable=True),
             ft.Text(" · ".join(x for x in [type_label, f"{a['size'] / 1024:.0f} KB", a["added_by"],
                                            (a["added_at"] or "")[:10]] if x), size=12, color=MUTED)]
    if a["caption"]:
        lines.append(ft.Text(a["caption"], size=13))
    if a["document"]:
        lines.append(ft.Text(app.t("attachments.signed_copy_of", doc=document_title(a["document"], app.lang)),
                             size=12, color=OK))
    if a["active_content"]:
        lines.append(ft.Text(app.t("attachments.active_content", features=", ".join(a["active_content"])),
                             size=12, color=ACCENT))
    actions = [ft.IconButton(ft.Icons.DOWNLOAD, tooltip=app.t("attachments.download"), on_click=download)
               if app.web else
               ft.IconButton(ft.Icons.SAVE_ALT, tooltip=app.t("attachments.save_copy"), on_click=save_as)]
    if writable:
        actions.append(ft.IconButton(ft.Icons.DELETE_OUTLINE, icon_color=ACCENT, tooltip=app.t("attachments.remove"),
                                     on_click=lambda: s.ask_remove(a["id"])))
    return ft.Row([picture, ft.Column(lines, spacing=2, expand=True), *actions],
                  vertical_alignment=ft.CrossAxisAlignment.START)


def attachments_panel(app, s: AttachmentsState, writable: bool) -> ft.Control:
    rows = []
    for a in s.items:
        rows.append(_item(app, s, a, writable))
        if s.removing == a["id"]:                 # the confirmation, in place (no modal over the detail view)
            rows.append(ft.Container(ft.Row([
                ft.Text(app.t("attachments.remove_text"), size=13, expand=True),
                ft.TextButton(app.t("common.cancel"), on_click=lambda: s.cancel_remove()),
                ft.FilledButton(app.t("attachments.remove_confirm"), on_click=lambda: s.confirm_remove(),
                                style=ft.ButtonStyle(bgcolor=ACCENT, color=ft.Colors.WHITE))]),
                bgcolor="#FDECEA", padding=8, border_radius=8))
    form = []
    if writable:
        docs = s.document_options()
        form = [ft.Divider(height=1, color="#E3E8EF"),
                dropdown(app.t("attachments.type"), s.type_options(), s.type, s.set_type, searchable=False),
                dropdown(app.t("attachments.document"), docs, s.document, s.set_document,
                         searchable=False, blank="—") if docs else ft.Container(),
                ft.TextField(label=app.t("attachments.caption"), value=s.caption, dense=True,
                             on_change=lambda e: s.set_caption(e.control.value or "")),
                ft.Row([_pick_button(app, s)]),
                ft.Text(s.error, color=ACCENT, size=13, selectable=True) if s.error else ft.Container()]
    return card(ft.Column([
        section_title(app.t("attachments.title", n=len(s.items))),
        *(rows or [ft.Text(app.t("attachments.none"), color=MUTED)]),
        *form], spacing=8))


def signed_marks(app, s: AttachmentsState, documents: list[tuple[str, str]]) -> ft.Control:
    """One line per printed document: "đã ký" (with the scan) or an offer to attach its signed copy."""
    items = []
    for doc, label in documents:
        if doc in s.signed:
            items.append(ft.Row([ft.Icon(ft.Icons.VERIFIED, color=OK, size=18),
                                 ft.Text(f"{label}: {app.t('attachments.signed_mark')}", size=13)], spacing=6))
        elif doc in {d for d, _ in document_choices(s.kind)}:
            items.append(ft.Row([ft.Icon(ft.Icons.PENDING_OUTLINED, color=MUTED, size=18),
                                 ft.TextButton(app.t("attachments.signed_copy_of", doc=label),
                                               on_click=lambda e, doc=doc: s.offer_signed_copy(doc))], spacing=6))
    return ft.Column(items, spacing=2) if items else ft.Container()


def attachments_card(app, d) -> ft.Control:
    """The hook each detail view calls."""
    s = state_for(d)
    writable = not d.deleted and (app.may_write(d.kind) if hasattr(app, "may_write") else True)
    docs = d.print_documents() if hasattr(d, "print_documents") else []
    return ft.Column([attachments_panel(app, s, writable), signed_marks(app, s, docs)], spacing=6,
                     horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
