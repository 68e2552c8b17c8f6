"""Small building blocks shared by the views: page header, cards, labelled dropdowns, key/value tables.

    header(app, "Trợ giúp pháp lý", actions=[...]);  card(content);  dropdown("Xã", options, value, on_select)
"""
from __future__ import annotations

import flet as ft

PRIMARY = "#1B5E8C"
ACCENT = "#C62828"
SURFACE = "#F4F6F9"
MUTED = "#5F6B7A"
OK = "#2E7D32"


def header(title: str, subtitle: str = "", actions: list | None = None, back=None, back_label: str = "") -> ft.Control:
    left = []
    if back is not None:
        left.append(ft.IconButton(ft.Icons.ARROW_BACK, tooltip=back_label or "Quay lại", on_click=back))
    texts = [ft.Text(title, size=22, weight=ft.FontWeight.W_600, color="#1F2A37")]
    if subtitle:
        texts.append(ft.Text(subtitle, size=13, color=MUTED))
    left.append(ft.Column(texts, spacing=2, tight=True))
    return ft.Row([ft.Row(left, spacing=8), ft.Row(actions or [], spacing=8)],
                  alignment=ft.MainAxisAlignment.SPACE_BETWEEN, vertical_alignment=ft.CrossAxisAlignment.CENTER)


def card(content: ft.Control, padding: int = 16, expand=None, width=None, height=None) -> ft.Container:
    return ft.Container(content=content, padding=padding, bgcolor=ft.Colors.WHITE, border_radius=10,
                        border=ft.Border.all(1, "#E3E8EF"), expand=expand, width=width, height=height)


def section_title(text: str) -> ft.Text:
    return ft.Text(text, size=15, weight=ft.FontWeight.W_600, color=PRIMARY)


def dropdown(label: str, options: list[tuple[str, str]], value, on_select, *, width=None, expand=None,
             error: str | None = None, searchable: bool = True, blank: str | None = None, dense=True,
             scroll_key=None, menu_width=None, register=None):
    """A labelled dropdown; searchable ones filter their options ignoring diacritics ("ngheo" finds
    "Người thuộc hộ nghèo"), see FoldDropdown."""
    if searchable:
        return FoldDropdown(label, options, value, on_select, width=width, expand=expand, error=error,
                            blank=blank, dense=dense, scroll_key=scroll_key, menu_width=menu_width, register=register)
    ctrl = _dropdown(label, options, value, on_select, width=width, expand=expand, error=error, blank=blank,
                     dense=dense, key=scroll_key, menu_width=menu_width)
    if register is not None:
        register(ctrl)
    return ctrl


def _dropdown(label, options, value, on_select, *, width=None, expand=None, error=None, blank=None, dense=True,
              key=None, menu_width=None, on_text_change=None) -> ft.Dropdown:
    opts = ([ft.DropdownOption(key="", text=blank)] if blank is not None else []) + [
        ft.DropdownOption(key=k, text=t) for k, t in options]
    editable = on_text_change is not None
    # Flutter's own filter ignores only case: the options arrive already filtered (FoldDropdown)
    return ft.Dropdown(label=label, options=opts, value=value if value not in (None,) else "",
                       on_select=lambda e: on_select(e.control.value or ""), width=width, expand=expand,
                       error_text=error or None, error_style=ft.TextStyle(size=12) if error else None,
                       enable_filter=False, editable=editable, enable_search=True, menu_height=320,
                       menu_width=menu_width, dense=dense, key=key, on_text_change=on_text_change)


@ft.component
def FoldDropdown(label, options, value, on_select, *, width=None, expand=None, error=None, blank=None, dense=True,
                 scroll_key=None, menu_width=None, register=None):
    """Editable dropdown whose menu shows the options matching the typed text without diacritics.
    `register(control)` hands the rendered control to the form (to focus the first invalid field)."""
    from ui.state.choices import filter_options
    query, set_query = ft.use_state("")

    labels = {t for _, t in options} | ({blank} if blank is not None else set())

    def typed(e):
        text = e.data if isinstance(e.data, str) else (e.control.text or "")
        # the field echoes a picked option's label: not a search (no re-render racing the next click)
        set_query("" if text in labels else text)

    def picked(v):
        set_query("")
        on_select(v)

    full = ([("", blank)] if blank is not None else []) + list(options)
    shown = filter_options(full, query, selected=value or "", keep=("",) if blank is not None else ())
    shown = [(k, t) for k, t in shown if not (blank is not None and k == "")]
    ctrl = _dropdown(label, shown, value, picked, width=width, expand=expand, error=error, blank=blank,
                     dense=dense, key=scroll_key, menu_width=menu_width, on_text_change=typed)
    if register is not None:
        register(ctrl)
    return ctrl


def pill(text: str, color: str = PRIMARY) -> ft.Container:
    return ft.Container(ft.Text(text, size=12, color=color, weight=ft.FontWeight.W_500, max_lines=1,
                                overflow=ft.TextOverflow.ELLIPSIS),
                        padding=ft.Padding.symmetric(horizontal=10, vertical=3), border_radius=12,
                        bgcolor=ft.Colors.with_opacity(0.10, color))


def empty(text: str) -> ft.Container:
    return ft.Container(ft.Text(text, color=MUTED), padding=24, alignment=ft.Alignment.CENTER)
