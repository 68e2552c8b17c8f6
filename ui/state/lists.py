"""One paged record list (legal aid, mediation, dissemination): search text, filters, sort, page.

    lst = ListState(app, "legal-aid"); lst.set_text("dang van duc"); lst.load()
    lst.rows, lst.total, lst.range_label()   -> "1–50 / 1.234"
    lst.total_capped                         -> a search with more than 1.000 matches: "1–50 / hơn 1.000"
    lst.count_exactly()                      -> the exact number on demand ("1–50 / 1.078")

Only one page of rows is ever in memory; counting and paging happen in SQL (services.records.listing).
Rows can be selected (across pages and filters) and printed as one PDF:

    lst.toggle(row_id); lst.select_page(True); lst.selected_count
    await lst.print_selected("case-slip")       # -> path; opens in the print preview
"""
from __future__ import annotations

import flet as ft

from services import admin_units, catalogs, security
from services.dates import today_local
from services.formatting import fmt_date, fmt_int
from services.records import listing
from services.text import fold

# kind -> (status catalog, field catalog, form catalog)
FILTER_CATALOGS = {
    "legal-aid": ("legal_aid_statuses", "legal_fields", "aid_forms"),
    "mediation": ("mediation_outcomes", "dispute_fields", None),
    "dissemination": (None, None, "dissemination_forms"),
}
SORTS = ("date_desc", "date_asc", "number", "title")


@ft.observable
class ListState:
    def __init__(self, app, kind: str):
        self._app = app
        self.kind = kind
        self._text = ""             # search box text (typed, not yet applied)
        self.text = ""              # applied search
        self.commune = ""
        self.year = None
        self.status = ""
        self.field = ""
        self.form = ""
        self.language = ""          # dissemination: "vi" or an ethnic-group code
        self.sort = "date_desc"
        self.page = 1
        self.page_size = 50
        self.rows = []
        self.total = 0
        self.total_capped = False   # a search counted up to listing.SEARCH_COUNT_CAP matches only
        self._exact_key = None      # the search whose exact count the officer asked for
        self.loaded = False
        self.stale = True
        self.exporting = False
        self.selected: dict[str, str] = {}      # record id -> number/title, in the order they were chosen
        self.printing = False

    # ---- query -------------------------------------------------------------------------------------------
    def query(self) -> listing.ListQuery:
        communes = [self.commune] if self.commune else []
        return listing.ListQuery(kind=self.kind, text=self.text, communes=communes, year=self.year,
                                 status=self.status, field=self.field, form=self.form, language=self.language,
                                 sort=self.sort, page=self.page, page_size=self.page_size)

    def load(self) -> None:
        page = listing.list_page(self.query())
        if page.rows == [] and page.total and self.page > 1:      # page beyond the end after a filter change
            self.page = page.pages
            page = listing.list_page(self.query())
        self.rows = [self._row(r) for r in page.rows]
        from services.attachments import counts as attachment_counts
        n_files = attachment_counts(self.kind, [r["id"] for r in self.rows])
        for r in self.rows:
            r["attachments"] = f"📎 {n_files[r['id']]}" if n_files.get(r["id"]) else ""
        if page.total_capped and self._exact_key == self._count_key():
            # the officer asked for the exact count of this very search (count_exactly): keep it while paging
            self.total, self.total_capped = listing.count(self.query(), cap=None), False
        else:
            self.total, self.total_capped = page.total, page.total_capped
        self.loaded = True
        self.stale = False

    def _count_key(self) -> tuple:
        return (self.text, self.commune, self.year, self.status, self.field, self.form, self.language)

    def count_exactly(self) -> None:
        """ "hơn 1.000" → the exact number of matches (one uncapped count, cached until the data changes)."""
        if not self.total_capped:
            return
        self.total = listing.count(self.query(), cap=None)
        self.total_capped = False
        self._exact_key = self._count_key()

    def needs_load(self) -> bool:
        return self.stale or not self.loaded

    def ensure_loaded(self) -> None:
        if self.needs_load():
            self.load()

    def relabel(self) -> None:
        self.stale = True

    def _row(self, r: dict) -> dict:
        lang = self._app.lang
        r = security.mask_row(r, reveal=False)          # lists never show full ID / phone numbers
        out = {"id": r["id"], "number": r.get("number") or "", "date": fmt_date(r.get("date")),
               "commune": r.get("commune", ""), "title": r.get("title") or ""}
        if self.kind == "legal-aid":
            out["status"] = catalogs.label("legal_aid_statuses", r.get("status"), lang)
            out["field"] = catalogs.label("legal_fields", r.get("legal_field"), lang)
            out["form"] = catalogs.label("aid_forms", r.get("aid_form"), lang)
        elif self.kind == "mediation":
            out["status"] = catalogs.label("mediation_outcomes", r.get("outcome"), lang)
            out["field"] = catalogs.label("dispute_fields", r.get("dispute_field"), lang)
            out["village"] = r.get("village") or ""
        else:
            out["form"] = catalogs.label("dissemination_forms", r.get("form"), lang)
            out["village"] = r.get("village") or ""
            out["participants"] = fmt_int(r.get("participants") or 0, lang)
            out["language"] = catalogs.language_label(r.get("language") or "vi", lang)
        return out

    # ---- user actions (each reloads) ---------------------------------------------------------------------
    def type_text(self, text: str) -> None:
        self._text = text

    def set_text(self, text: str | None = None) -> None:
        self.text = (self._text if text is None else text).strip()
        self._text = self.text
        self._exact_key = None
        self.page = 1
        self.load()

    def set_filter(self, name: str, value) -> None:
        if name == "year":
            value = int(value) if value else None
        setattr(self, name, value or ("" if name != "year" else None))
        self._exact_key = None
        self.page = 1
        self.load()

    def clear_filters(self) -> None:
        self.text = self._text = ""
        self.commune = self.status = self.field = self.form = self.language = ""
        self._exact_key = None
        self.year = None
        self.page = 1
        self.load()

    def set_sort(self, sort: str) -> None:
        self.sort = sort if sort in SORTS else "date_desc"
        self.load()

    def next_page(self) -> None:
        if self.page < self.pages:
            self.page += 1
            self.load()

    def prev_page(self) -> None:
        if self.page > 1:
            self.page -= 1
            self.load()

    # ---- export ------------------------------------------------------------------------------------------
    async def export(self, fmt: str) -> str:
        """Export this kind (the commune and year filters apply) to CSV/XLSX under <data dir>/exports/, masked."""
        from services.errors import AppError
        from ui.state import exports
        from ui.state.importing import run_in_worker
        if self.exporting:
            return ""
        app, lang = self._app, self._app.lang
        communes = [self.commune] if self.commune else (app.communes or None)
        self.exporting = True
        try:
            path, n = await run_in_worker(lambda progress: exports.export_records(
                app, self.kind, fmt, communes=communes, year=self.year, progress=progress))
        except AppError as exc:
            app.say(exc.message(lang))
            return ""
        finally:
            self.exporting = False
        opened = False if app.web else exports.open_file(path)
        app.say(app.t("export.done_opened" if opened else "export.done", n=fmt_int(n, lang), path=str(path)))
        return str(path)

    # ---- selection and batch print -----------------------------------------------------------------------
    def is_selected(self, record_id: str) -> bool:
        return record_id in self.selected

    def toggle(self, record_id: str, on: bool | None = None) -> None:
        on = (record_id not in self.selected) if on is None else on
        selected = dict(self.selected)
        if on:
            row = next((r for r in self.rows if r["id"] == record_id), {})
            selected[record_id] = row.get("number") or row.get("title") or record_id
        else:
            selected.pop(record_id, None)
        self.selected = selected

    def select_page(self, on: bool) -> None:
        selected = dict(self.selected)
        for r in self.rows:
            if on:
                selected.setdefault(r["id"], r.get("number") or r.get("title") or r["id"])
            else:
                selected.pop(r["id"], None)
        self.selected = selected

    @property
    def page_selected(self) -> bool | None:
        """True when every row of the page is selected, False when none, None when some (tristate box)."""
        ids = [r["id"] for r in self.rows]
        n = sum(1 for i in ids if i in self.selected)
        return False if n == 0 else True if n == len(ids) else None

    @property
    def selected_count(self) -> int:
        return len(self.selected)

    def clear_selection(self) -> None:
        self.selected = {}

    def print_documents(self) -> list[tuple[str, str]]:
        from ui.state import exports
        return exports.documents_for(self.kind, self._app.lang)

    async def print_selected(self, doc: str | None = None) -> str:
        """The selected records as ONE PDF (one document each, "Trang x/y"), opened in the print preview."""
        from services.errors import AppError
        from ui.state import exports
        from ui.state.runtime import in_worker
        docs = self.print_documents()
        if self.printing or not self.selected or not docs:
            return ""
        doc = doc or ("case-slip" if any(t == "case-slip" for t, _ in docs) else docs[0][0])
        app, ids = self._app, list(self.selected)
        self.printing = True
        try:
            path = await in_worker(exports.print_records, app, doc, ids)
        except AppError as exc:
            app.say(exc.message(app.lang))
            return ""
        finally:
            self.printing = False
        label = dict(docs).get(doc, doc)
        app.show_print(path, f"{label} — {app.t('list.selected', n=fmt_int(len(ids), app.lang))}")
        return str(path)

    # ---- labels ------------------------------------------------------------------------------------------
    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    def range_label(self) -> str:
        lang = self._app.lang
        if not self.total:
            return "0 / 0"
        first = (self.page - 1) * self.page_size + 1
        last = min(self.total, self.page * self.page_size)
        total = (self._app.t("list.more_than", n=fmt_int(self.total, lang)) if self.total_capped
                 else fmt_int(self.total, lang))
        return f"{fmt_int(first, lang)}–{fmt_int(last, lang)} / {total}"

    def filter_options(self) -> dict[str, list[tuple[str, str]]]:
        lang = self._app.lang
        status_cat, field_cat, form_cat = FILTER_CATALOGS[self.kind]
        communes = self._app.communes or [c.code for c in admin_units.communes(
            self._app.profile.get("province_code") or "22")]
        this_year = today_local().year
        out = {"commune": [(c, admin_units.commune_name(c)) for c in communes],
               "year": [(str(y), str(y)) for y in range(this_year, this_year - 6, -1)]}
        if status_cat:
            out["status"] = catalogs.options(status_cat, lang)
        if field_cat:
            out["field"] = catalogs.options(field_cat, lang)
        if form_cat:
            out["form"] = catalogs.options(form_cat, lang)
        if self.kind == "dissemination":
            out["language"] = language_options(lang)
        return out


def language_options(lang: str = "vi") -> list[tuple[str, str]]:
    """ "Tiếng Việt" first, then the languages of the ethnic-minority groups ("Tiếng Dao", …), by label."""
    groups = [e["code"] for e in catalogs.entries("ethnic_groups") if e.get("minority")]
    others = sorted(((c, catalogs.language_label(c, lang)) for c in groups), key=lambda x: fold(x[1]))
    return [("vi", catalogs.language_label("vi", lang)), *others]
