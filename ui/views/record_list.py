"""Paged list of one record kind: search box, filters, sort, "1–50 / 1.234", click a row to open it."""
from __future__ import annotations

import flet as ft

from services.formatting import fmt_int
from ui.views.common import MUTED, PRIMARY, card, dropdown, empty, header, pill

SELECT_W = 28            # the selection checkbox column

COLUMNS = {
    # kind: [(row key, header message key, width or None for expand)]
    "legal-aid": [("number", "list.col.number", 230), ("date", "list.col.date", 100),
                  ("title", "list.col.requester", None), ("commune", "list.col.commune", 170),
                  ("field", "list.col.field", 150), ("status", "list.col.status", 200),
                  ("attachments", "list.col.attachments", 56)],
    "mediation": [("number", "list.col.number", 230), ("date", "list.col.date", 100),
                  ("title", "list.col.parties", None), ("commune", "list.col.commune", 170),
                  ("field", "list.col.field", 150), ("status", "list.col.outcome", 160),
                  ("attachments", "list.col.attachments", 56)],
    "dissemination": [("date", "list.col.date", 100), ("title", "list.col.topic", None),
                      ("commune", "list.col.commune", 170), ("form", "list.col.form", 170),
                      ("language", "list.col.language", 120), ("participants", "list.col.participants", 90),
                      ("attachments", "list.col.attachments", 56)],
}
TITLES = {"legal-aid": "nav.legal_aid", "mediation": "nav.mediation", "dissemination": "nav.dissemination"}
NEW = {"legal-aid": "list.new.legal_aid", "mediation": "list.new.mediation", "dissemination": "list.new.dissemination"}


def _cell(key, value, width):
    """One cell: a plain Text sized like its column (no wrapping container: a list page is 50 rows, and Flet's
    diff costs ~1 ms of Python per control); the status pill keeps its sized box."""
    if key == "status" and value:
        return ft.Container(pill(value), width=width, expand=width is None)
    return ft.Text(value, size=13, max_lines=1, overflow=ft.TextOverflow.ELLIPSIS, width=width,
                   expand=width is None, weight=ft.FontWeight.W_500 if key in ("number", "title") else None,
                   color=PRIMARY if key == "number" else None)


def _selection_bar(app, lst, doc: str, set_doc) -> list:
    """ "Đã chọn N · [document] · In các mục đã chọn · Bỏ chọn" when rows are selected."""
    if not lst.selected_count:
        return []
    docs = lst.print_documents()
    current = doc if doc in dict(docs) else ("case-slip" if "case-slip" in dict(docs) else docs[0][0])

    async def print_selected():
        await lst.print_selected(current)

    bar = [ft.Text(app.t("list.selected", n=fmt_int(lst.selected_count, app.lang)), size=13,
                   weight=ft.FontWeight.W_600, color=PRIMARY)]
    if len(docs) > 1:
        bar.append(dropdown(app.t("list.print_which"), docs, current, set_doc, width=300, searchable=False))
    bar += [ft.FilledTonalButton(app.t("list.print_selected"), icon=ft.Icons.PRINT, on_click=print_selected,
                                 disabled=lst.printing, tooltip=app.t("list.print_selected_tooltip")),
            ft.TextButton(app.t("list.clear_selection"), on_click=lambda: lst.clear_selection())]
    if lst.printing:
        bar.append(ft.ProgressRing(width=18, height=18, stroke_width=2))
    return bar


@ft.component
def RecordListView(app, lst, lang: str = ""):
    """`app` may be `ui.views.memo.quiet(app)`: the list then renders on its own state's changes, and on a new
    `lang` (a prop for that purpose only: the texts come from `app.t`)."""
    batch_doc, set_batch_doc = ft.use_state("")
    lst.ensure_loaded()
    kind = lst.kind
    cols = COLUMNS[kind]
    opts = lst.filter_options()

    search = ft.TextField(label=app.t("list.search"), hint_text=app.t("list.search_hint"), value=lst._text,
                          prefix_icon=ft.Icons.SEARCH, dense=True, expand=True,
                          on_change=lambda e: lst.type_text(e.control.value),
                          on_submit=lambda e: lst.set_text(e.control.value))
    object.__setattr__(lst, "_search_field", search)

    filters = [dropdown(app.t("list.filter.commune"), opts["commune"], lst.commune,
                        lambda v: lst.set_filter("commune", v), width=200, searchable=True, blank=app.t("list.all")),
               dropdown(app.t("list.filter.year"), opts["year"], str(lst.year or ""),
                        lambda v: lst.set_filter("year", v), width=130, blank=app.t("list.all"))]
    if "status" in opts:
        filters.append(dropdown(app.t("list.filter.status" if kind == "legal-aid" else "list.filter.outcome"),
                                opts["status"], lst.status, lambda v: lst.set_filter("status", v), width=190,
                                blank=app.t("list.all")))
    if "field" in opts:
        filters.append(dropdown(app.t("list.filter.field"), opts["field"], lst.field,
                                lambda v: lst.set_filter("field", v), width=170, blank=app.t("list.all")))
    if "form" in opts:
        filters.append(dropdown(app.t("list.filter.form"), opts["form"], lst.form,
                                lambda v: lst.set_filter("form", v), width=200, blank=app.t("list.all")))
    if "language" in opts:
        filters.append(dropdown(app.t("list.filter.language"), opts["language"], lst.language,
                                lambda v: lst.set_filter("language", v), width=190, searchable=True,
                                blank=app.t("list.all")))
    sorts = [("date_desc", app.t("list.sort.date_desc")), ("date_asc", app.t("list.sort.date_asc"))]
    sorts.append(("number", app.t("list.sort.number")) if kind != "dissemination"
                 else ("title", app.t("list.sort.title")))
    filters.append(dropdown(app.t("list.sort"), sorts, lst.sort, lst.set_sort, width=210))

    can_print = bool(lst.print_documents())
    page_box = [ft.Checkbox(value=lst.page_selected, tristate=True, semantics_label=app.t("list.select_page"),
                            tooltip=app.t("list.select_page"), width=SELECT_W, disabled=not lst.rows,
                            on_change=lambda e: lst.select_page(lst.page_selected is not True))] if can_print else []
    titles = [ft.Text(app.t(h), size=12, color=MUTED, weight=ft.FontWeight.W_600, width=w, expand=w is None)
              for _, h, w in cols]
    head = ft.Container(ft.Row(page_box + titles, spacing=12),
                        padding=ft.Padding.symmetric(horizontal=14, vertical=10), bgcolor="#F8FAFC",
                        border=ft.Border.only(bottom=ft.BorderSide(1, "#E3E8EF")))
    def row_box(r):
        if not can_print:
            return []
        name = r.get("number") or r.get("title") or r["id"]
        return [ft.Checkbox(value=lst.is_selected(r["id"]), width=SELECT_W,
                            semantics_label=app.t("list.select_row", number=name),
                            on_change=lambda e, rid=r["id"]: lst.toggle(rid, bool(e.control.value)))]

    def row(r):
        # The checkbox stays outside the tappable part: a tappable container holding only text is one node that
        # screen readers (and the browser tests) read as the row's text; with the checkbox inside, Flutter makes
        # it a group whose text is only an aria-label.
        cells = ft.Container(ft.Row([_cell(k, r.get(k, ""), w) for k, _, w in cols], spacing=12),
                             padding=ft.Padding.symmetric(vertical=9), ink=True, expand=True,
                             on_click=lambda e, rid=r["id"]: app.open_detail(kind, rid))
        return ft.Container(ft.Row(row_box(r) + [cells], spacing=12),
                            padding=ft.Padding.symmetric(horizontal=14),
                            border=ft.Border.only(bottom=ft.BorderSide(1, "#EEF1F5")))

    # Rows carry no `key` on purpose: Flet diffs unkeyed rows by position, so the next page (or a re-render) only
    # sends the texts that changed; keyed by record id, every row of a new page would be removed and added again
    # (measured: ~3.5x the Python diff time for 50 rows, and the browser rebuilds them).
    rows = [row(r) for r in lst.rows]
    filtered = lst.text or lst.commune or lst.year or lst.language
    table = ft.Column([head, ft.ListView(rows, expand=True, spacing=0) if rows else
                       empty(app.t("list.empty_search") if filtered else app.t("list.empty"))],
                      spacing=0, expand=True)
    pager = ft.Row([
        *_selection_bar(app, lst, batch_doc, set_batch_doc),
        ft.Container(expand=True),
        ft.Text(lst.range_label(), size=13, color=MUTED),
        *([ft.TextButton(app.t("list.count_exactly"), on_click=lambda: lst.count_exactly(),
                         tooltip=app.t("list.count_exactly_tooltip"))] if lst.total_capped else []),
        ft.IconButton(ft.Icons.CHEVRON_LEFT, tooltip=app.t("list.prev"), on_click=lambda: lst.prev_page(),
                      disabled=lst.page <= 1),
        ft.Text(app.t("list.page", page=lst.page, pages=lst.pages), size=13),
        ft.IconButton(ft.Icons.CHEVRON_RIGHT, tooltip=app.t("list.next"), on_click=lambda: lst.next_page(),
                      disabled=lst.page >= lst.pages),
    ], alignment=ft.MainAxisAlignment.END, spacing=4)

    from ui.state.importing import ImportState
    from ui.views.import_dialog import ImportDialog
    imp = app.screen_state("import", ImportState)

    async def export_csv():
        await lst.export("csv")

    async def export_xlsx():
        await lst.export("xlsx")

    tabs = []
    if kind == "mediation":
        from ui.views.teams import mediation_tabs
        tabs.append(mediation_tabs(app, "mediation"))
    return ft.Column([
        ImportDialog(app, imp),
        header(app.t(TITLES[kind]), app.t("list.subtitle"), actions=[
            ft.OutlinedButton(app.t("import.open"), icon=ft.Icons.UPLOAD_FILE, on_click=lambda: imp.show(kind),
                              tooltip=app.t("import.open_tooltip")),
            ft.OutlinedButton(app.t("export.csv"), icon=ft.Icons.DOWNLOAD, on_click=export_csv,
                              disabled=lst.exporting, tooltip=app.t("export.tooltip")),
            ft.OutlinedButton(app.t("export.xlsx"), icon=ft.Icons.TABLE_VIEW, on_click=export_xlsx,
                              disabled=lst.exporting, tooltip=app.t("export.tooltip")),
            ft.FilledButton(app.t(NEW[kind]), icon=ft.Icons.ADD, on_click=lambda: app.open_form(kind),
                            tooltip=app.t("list.new_tooltip"), visible=app.may_write(kind))]),
        *tabs,
        ft.Row([search, ft.OutlinedButton(app.t("list.search_button"), icon=ft.Icons.SEARCH,
                                          on_click=lambda: lst.set_text()),
                ft.TextButton(app.t("list.clear"), on_click=lambda: lst.clear_filters())], spacing=8),
        ft.Row(filters, spacing=8, wrap=True),
        card(table, padding=0, expand=True),
        pager,
    ], spacing=12, expand=True)
