"""Coverage screen (issue 10): where legal dissemination has not reached, which forms worked, next month's plan,
and the commune's village list. Self-contained: the state class lives here too; it calls only services.

Mount it in the shell (ui/views/shell.py `_screen`), e.g.:

    if s == "coverage":
        from ui.views.coverage_view import CoverageView, CoverageState
        return CoverageView(app, app.screen_state("coverage", CoverageState))

    st = CoverageState(app); st.set("start", "01/01/2026"); st.set_scope("07090"); st.compute()
    st.report.villages_not_reached;  st.plan.villages;  await st.export("coverage", "pdf")
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import flet as ft
import flet_charts as fch

from services import admin_units, i18n
from services.dates import today_local
from services.errors import AppError
from services.formatting import fmt_date, fmt_decimal, fmt_int
from services.records import villages
from services.reports import coverage
from ui.state.runtime import in_worker
from ui.views.charts import value_axis
from ui.views.common import ACCENT, MUTED, OK, PRIMARY, card, dropdown, empty, header, pill, section_title

AMBER = "#F9A825"
ROW_LIMIT = 60           # village rows drawn at once (a province has hundreds of villages; each row costs)
TILE_LIMIT = 60          # village tiles in the grid
PROVINCE = "__province__"
TABS = [("villages", "coverage.view.tab_villages"), ("groups", "coverage.view.tab_groups"),
        ("effect", "coverage.view.tab_effect"), ("plan", "coverage.view.tab_plan"),
        ("list", "coverage.view.tab_list")]


def _t(app, key: str, **kw) -> str:
    """This feature's messages live in assets/messages/coverage.json under "coverage.*" / "plan.*"."""
    return i18n.t(key, app.lang, **kw)


# ---- state -----------------------------------------------------------------------------------------------

@ft.observable
class CoverageState:
    """What the coverage screen shows; every figure comes from services.reports.coverage."""

    def __init__(self, app):
        self._app = app
        today = today_local()
        self._values = {"start": fmt_date(dt.date(today.year, 1, 1)), "end": fmt_date(today), "new_village": ""}
        communes = list(app.communes)
        self.scope = communes[0] if len(communes) == 1 else ""
        self.tab = "villages"
        self.report = None
        self.plan = None
        self.errors = {}
        self.running = False
        self.last_file = ""
        self.village_rows = []        # [(name, active)] of the chosen commune
        self.renaming = None          # name being renamed
        self.loading = False          # computing in a worker thread (the screen shows a progress indicator)
        self.show_all = False         # the village table shows ROW_LIMIT rows until "Xem tất cả"
        self._cache = {}              # _key() -> (report, plan)
        self._shown_key = None
        self._lists_version = 0       # bumped by village-list edits (they change the report)

    # ---- inputs ------------------------------------------------------------------------------------------
    def value(self, key: str) -> str:
        return self._values.get(key, "")

    def set(self, key: str, value: str) -> None:
        self._values[key] = value

    def scope_options(self) -> list[tuple[str, str]]:
        out = [(c, admin_units.commune_name(c)) for c in self._app.communes]
        province = self.province_code()
        if province:
            prov = admin_units.province(province)
            out.append((PROVINCE, f"{_t(self._app, 'coverage.view.province')} — {prov.name if prov else province}"))
        return out

    def province_code(self) -> str:
        code = self._app.profile.get("province_code") or ""
        if not code and self._app.communes:
            c = admin_units.commune(self._app.communes[0])
            code = c.province_code if c else ""
        return code

    def scope_args(self) -> dict:
        if self.scope == PROVINCE:
            return {"province": self.province_code()}
        if self.scope:
            return {"communes": [self.scope]}
        return {"communes": list(self._app.communes) or None}

    def set_scope(self, value: str) -> None:
        """The screen's effect (keyed on the scope) then runs `await load()`; tests call compute()."""
        self.scope = value
        self.show_all = False

    def set_tab(self, tab: str) -> None:
        self.tab = tab
        if tab == "list":
            self.load_villages()

    # ---- computing ---------------------------------------------------------------------------------------
    # The report takes one to two seconds on a province of 20,000 records (a dozen GROUP BY queries, twice:
    # report and plan), so the screen computes it in a worker thread with a progress indicator (load) and keeps
    # the result per inputs and data revision: coming back to the screen, or to a scope seen before, is instant.
    CACHE_SIZE = 6

    def _key(self) -> tuple:
        args = self.scope_args()
        return (self.value("start"), self.value("end"), args.get("province"), tuple(args.get("communes") or ()),
                self._app.lang, self._app.revision, self._lists_version)

    def ensure_loaded(self) -> None:
        """Synchronous first load (tests, CLI-like use); the screen uses `await load()`."""
        if self.report is None and not self.errors:
            self.compute()

    @staticmethod
    def _work(start, end, lang, args) -> tuple:
        with coverage.shared_queries():       # the plan reuses the report's queries (same scope, same end day)
            return (coverage.coverage(start, end, lang=lang, **args),
                    coverage.suggest(None, lang=lang, **args))

    def _apply(self, key, result) -> bool:
        if isinstance(result, AppError):
            lang = self._app.lang
            self.errors = result.by_field(lang) if hasattr(result, "by_field") else {"start": result.message(lang)}
            self.report = self.plan = None
            return False
        self._cache[key] = result
        while len(self._cache) > self.CACHE_SIZE:
            self._cache.pop(next(iter(self._cache)))
        self.report, self.plan = result
        self._shown_key = key
        self.errors = {}
        if self.tab == "list":
            self.load_villages()
        return True

    def compute(self) -> bool:
        key = self._key()
        try:
            result = self._work(self.value("start"), self.value("end"), self._app.lang, self.scope_args())
        except AppError as exc:
            result = exc
        return self._apply(key, result)

    async def load(self, force: bool = False) -> bool:
        """Compute off the UI thread (cached by inputs and data revision); `loading` shows the indicator."""
        key = self._key()
        if not force and key == self._shown_key and self.report is not None:
            return True
        if not force and key in self._cache:
            return self._apply(key, self._cache[key])
        self.loading = True
        try:
            result = await in_worker(self._work, self.value("start"), self.value("end"), self._app.lang,
                                     self.scope_args())
        except AppError as exc:
            result = exc
        finally:
            self.loading = False
        if key != self._key():          # inputs changed while computing: the newer load wins
            return False
        return self._apply(key, result)

    # ---- files -------------------------------------------------------------------------------------------
    def _exports_dir(self) -> Path:
        from services.security.permissions import private_dir
        return private_dir(Path(self._app.ctx.data_dir) / "exports")

    async def export(self, what: str, fmt: str) -> str:
        """Write the coverage report (what="coverage") or the plan list ("plan") as pdf/xlsx under exports/."""
        if self.running or (self.report is None and not self.compute()):
            return ""
        data = self.report if what == "coverage" else self.plan
        from services.printing.output import output_path
        if what == "coverage":
            out = output_path(self._exports_dir(), "bao-phu",
                              f"{data.period.start.isoformat()}_{data.period.end.isoformat()}", ext=fmt)
        else:
            out = output_path(self._exports_dir(), "ke-hoach", data.month, ext=fmt)
        lang = self._app.lang
        self.running = True
        try:
            await in_worker(coverage.render if what == "coverage" else coverage.render_plan, data, fmt, str(out),
                            lang=lang)
        except AppError as exc:
            out.unlink(missing_ok=True)
            self._app.say(exc.message(lang))
            return ""
        finally:
            self.running = False
        self.last_file = str(out)
        if fmt == "pdf" and hasattr(self._app, "show_print"):
            self._app.show_print(out, _t(self._app, "coverage.view.export_pdf" if what == "coverage"
                                         else "coverage.view.plan_pdf"))
            return str(out)
        opened = False
        if not getattr(self._app, "web", False):
            try:
                from ui.state.exports import open_file
                opened = open_file(out)
            except ImportError:
                opened = False
        self._app.say(_t(self._app, "coverage.view.saved", path=str(out)) if not opened else str(out))
        return str(out)

    # ---- village list (per commune) ----------------------------------------------------------------------
    def list_commune(self) -> str:
        return self.scope if self.scope and self.scope != PROVINCE else ""

    def load_villages(self) -> None:
        commune = self.list_commune()
        if not commune:
            self.village_rows = []
            return
        active = set(villages.names(commune))
        self.village_rows = [(n, n in active) for n in villages.names(commune, include_inactive=True)]

    def add_village(self) -> None:
        name = self.value("new_village").strip()
        commune = self.list_commune()
        if not name or not commune:
            return
        villages.remember(commune, name)
        self._values["new_village"] = ""
        self._after_list_change()

    def set_active(self, name: str, active: bool) -> None:
        villages.set_active(self.list_commune(), name, active)
        self._after_list_change()

    def start_rename(self, name: str) -> None:
        self.renaming = name
        self._values["rename_to"] = name

    def finish_rename(self) -> None:
        new = self.value("rename_to").strip()
        if self.renaming and new and new != self.renaming:
            villages.rename(self.list_commune(), self.renaming, new)
        self.renaming = None
        self._after_list_change()

    def _after_list_change(self) -> None:
        self._lists_version += 1
        self.load_villages()
        self.compute()


# ---- helpers ---------------------------------------------------------------------------------------------

def _export(st, what: str, fmt: str):
    """An async click handler (Flet awaits coroutine functions, not lambdas returning coroutines)."""
    async def handler():
        await st.export(what, fmt)
    return handler


def _date(app, value) -> str:
    return fmt_date(value, app.lang) if value else _t(app, "coverage.never")


def _days(app, value) -> str:
    return "—" if value is None else fmt_int(value, app.lang)


def _colour(v) -> str:
    if v["reached_in_period"]:
        return OK
    return AMBER if v["last_reached"] else ACCENT


def _table(app, headers: list[tuple[str, int | None]], rows: list[list], *, height=None) -> ft.Control:
    """Header + rows as containers (same look as the record lists); width None expands."""
    def cells(values, bold=False, colour=None):
        # a Text cell carries its own width (no wrapping container): a province table has thousands of cells
        return ft.Row([ft.Container(v, width=w, expand=w is None) if isinstance(v, ft.Control) else
                       ft.Text(str(v), size=13, max_lines=2, overflow=ft.TextOverflow.ELLIPSIS, width=w,
                               expand=w is None, weight=ft.FontWeight.W_600 if bold else None, color=colour)
                       for v, (_, w) in zip(values, headers, strict=False)], spacing=12)
    head = ft.Container(ft.Row([ft.Container(ft.Text(h, size=12, color=MUTED, weight=ft.FontWeight.W_600),
                                             width=w, expand=w is None) for h, w in headers], spacing=12),
                        padding=ft.Padding.symmetric(horizontal=14, vertical=8), bgcolor="#F8FAFC",
                        border=ft.Border.only(bottom=ft.BorderSide(1, "#E3E8EF")))
    body = [ft.Container(cells(r), padding=ft.Padding.symmetric(horizontal=14, vertical=7),
                         border=ft.Border.only(bottom=ft.BorderSide(1, "#EEF1F5"))) for r in rows]
    if not body:
        return ft.Column([head, empty(_t(app, "coverage.none"))], spacing=0)
    return ft.Column([head, ft.ListView(body, spacing=0, height=height, expand=height is None)], spacing=0,
                     expand=height is None)


def _summary(app, rep) -> ft.Control:
    s = rep.summary
    def kpi(value, label, colour=PRIMARY):
        return card(ft.Column([ft.Text(value, size=26, weight=ft.FontWeight.W_700, color=colour),
                               ft.Text(label, size=12, color=MUTED)], spacing=2), expand=True, padding=12)
    lang = app.lang
    rate = "—" if s["village_reach_rate"] is None else fmt_decimal(s["village_reach_rate"], lang) + "%"
    return ft.Row([
        kpi(f"{fmt_int(s['villages_reached'], lang)}/{fmt_int(s['villages_total'], lang)}",
            f"{_t(app, 'coverage.view.tab_villages')} ({rate})"),
        kpi(fmt_int(s["villages_not_reached"], lang), _t(app, "coverage.not_in_period"), ACCENT),
        kpi(fmt_int(s["sessions"], lang), _t(app, "coverage.col.sessions")),
        kpi(fmt_int(s["participants"], lang), _t(app, "coverage.col.participants")),
        kpi(f"{s['groups_not_served']}/{s['groups_expected']}", _t(app, "coverage.col.groups_missing"), ACCENT),
        kpi(f"{s['languages_not_served']}/{s['languages_expected']}", _t(app, "coverage.col.languages_missing"),
            ACCENT),
    ], spacing=10)


def _village_grid(app, rep) -> ft.Control:
    """One tile per village, grouped by commune; colour = in period / before / never (no map tiles offline)."""
    by_commune: dict[str, list] = {}
    for v in rep.villages[:TILE_LIMIT]:
        by_commune.setdefault(v["commune_name"], []).append(v)
    blocks = []
    for name, items in by_commune.items():
        tiles = [ft.Container(
            ft.Text(v["village"], size=11, color=ft.Colors.WHITE, max_lines=2, overflow=ft.TextOverflow.ELLIPSIS,
                    text_align=ft.TextAlign.CENTER),
            width=104, height=44, bgcolor=_colour(v), border_radius=6, padding=4, alignment=ft.Alignment.CENTER,
            tooltip=f"{v['village']}: {_date(app, v['last_reached'])}"
                    + (f" ({_t(app, 'coverage.days', n=_days(app, v['days_since']))})"
                       if v["days_since"] is not None else ""))
            for v in items]
        if len(by_commune) > 1:
            blocks.append(ft.Text(name, size=12, weight=ft.FontWeight.W_600))
        blocks.append(ft.Row(tiles, wrap=True, spacing=6, run_spacing=6))
    if len(rep.villages) > TILE_LIMIT:
        blocks.append(ft.Text(_t(app, "coverage.view.grid_more",
                                 n=fmt_int(len(rep.villages) - TILE_LIMIT, app.lang)),
                              size=12, color=MUTED))
    legend = ft.Row([ft.Container(width=10, height=10, bgcolor=c, border_radius=2) if i % 2 == 0 else c
                     for i, c in enumerate([OK, ft.Text(_t(app, "coverage.in_period"), size=12),
                                            AMBER, ft.Text(_t(app, "coverage.col.last_reached"), size=12),
                                            ACCENT, ft.Text(_t(app, "coverage.never"), size=12)])], spacing=6)
    return card(ft.Column([section_title(_t(app, "coverage.view.grid")), legend,
                           *(blocks or [empty(_t(app, "coverage.view.no_data"))])],
                          spacing=8, scroll=ft.ScrollMode.AUTO), expand=True)


def _days_chart(app, rep) -> ft.Control:
    """Days since last reached for the 12 longest-waiting villages, as labelled horizontal bars (full village
    names, vi-VN numbers; never-reached villages first, drawn full length). Bars instead of a column chart:
    15 village names under narrow columns overlapped."""
    items = sorted(rep.villages, key=lambda v: (v["days_since"] is not None, -(v["days_since"] or 0)))[:12]
    top = max([v["days_since"] or 0 for v in items] + [30])
    rows = [ft.Row([
        ft.Text(v["village"], size=12, width=150, max_lines=1, overflow=ft.TextOverflow.ELLIPSIS,
                tooltip=f"{v['village']} — {v['commune_name']}"),
        ft.Container(ft.ProgressBar(value=1.0 if v["days_since"] is None else v["days_since"] / top,
                                    color=_colour(v), bgcolor="#EEF1F5", bar_height=10, border_radius=4),
                     expand=True),
        ft.Text(_t(app, "coverage.never") if v["days_since"] is None else _days(app, v["days_since"]),
                size=12, width=90, text_align=ft.TextAlign.RIGHT)], spacing=8)
        for v in items]
    return card(ft.Column([section_title(_t(app, "coverage.view.chart")),
                           *(rows or [empty(_t(app, "coverage.view.no_data"))])],
                          spacing=6, scroll=ft.ScrollMode.AUTO), expand=True)


def _villages_tab(app, st, rep) -> ft.Control:
    multi = len(rep.scope["communes"]) != 1
    headers = [(_t(app, "coverage.col.village"), None), (_t(app, "coverage.col.last_reached"), 96),
               (_t(app, "coverage.col.days_since"), 64), (_t(app, "coverage.col.sessions"), 56),
               (_t(app, "coverage.col.status"), 124)]
    if multi:
        headers.insert(0, (_t(app, "coverage.col.commune"), 150))
    rows = []
    ordered = sorted(rep.villages, key=lambda v: (v["reached_in_period"], v["last_reached"] is not None,
                                                    v["last_reached"] or dt.date.min))
    shown = ordered if st.show_all else ordered[:ROW_LIMIT]
    for v in shown:
        row = [v["village"], _date(app, v["last_reached"]), _days(app, v["days_since"]),
               fmt_int(v["sessions"], app.lang),
               pill(_t(app, "coverage.in_period" if v["reached_in_period"] else "coverage.not_in_period"), _colour(v))]
        if multi:
            row.insert(0, v["commune_name"])
        rows.append(row)
    table = _table(app, headers, rows)
    if len(ordered) > len(shown):
        # thousands of rows cost seconds to send and draw: the neediest first, the rest on request
        table = ft.Column([table, ft.TextButton(
            _t(app, "coverage.view.show_all", shown=fmt_int(len(shown), app.lang), n=fmt_int(len(ordered), app.lang)),
            on_click=lambda: setattr(st, "show_all", True))], spacing=0, expand=True)
    return ft.Row([card(table, padding=0, expand=True),
                   ft.Column([_village_grid(app, rep), _days_chart(app, rep)], width=380, spacing=10)],
                  expand=True, spacing=10, vertical_alignment=ft.CrossAxisAlignment.STRETCH)


def _groups_tab(app, rep) -> ft.Control:
    g_rows = [[g["label"], fmt_int(g["sessions"], app.lang), _date(app, g["last_served"]),
               pill(_t(app, "coverage.in_period" if g["served"] else "coverage.not_in_period"),
                    OK if g["served"] else ACCENT)]
              for g in sorted(rep.groups, key=lambda g: g["served"])]
    l_rows = [[x["label"], fmt_int(x["people"], app.lang), fmt_int(x["sessions"], app.lang),
               _date(app, x["last_served"]),
               ", ".join(admin_units.commune_name(c) for c in x["communes_not_served"]) or "—"]
              for x in rep.languages]
    groups = card(ft.Column([section_title(_t(app, "coverage.section.groups")),
                             _table(app, [(_t(app, "coverage.col.group"), None), (_t(app, "coverage.col.sessions"), 70),
                                          (_t(app, "coverage.col.last_reached"), 110),
                                          (_t(app, "coverage.col.status"), 130)],
                                    g_rows)], spacing=8, expand=True), expand=True)
    langs = card(ft.Column([section_title(_t(app, "coverage.section.languages")),
                            _table(app, [(_t(app, "coverage.col.language"), 130), (_t(app, "coverage.col.people"), 64),
                                         (_t(app, "coverage.col.sessions"), 56),
                                         (_t(app, "coverage.col.last_reached"), 96),
                                         (_t(app, "coverage.col.communes_not_served"), None)], l_rows),
                            ft.Text(rep.rules["expected_languages"], size=11, color=MUTED)],
                           spacing=8, expand=True), expand=True)
    return ft.Row([groups, langs], expand=True, spacing=10, vertical_alignment=ft.CrossAxisAlignment.STRETCH)


_METRICS = [("sessions", "coverage.col.sessions", "int"),
            ("participants_per_session", "coverage.col.per_session", "dec"),
            ("followups_per_100", "coverage.col.followups_100", "dec"),
            ("useful_share", "coverage.col.useful_share", "pct"),
            ("questions_per_session", "coverage.col.questions", "dec")]


def _metric(app, m, key, kind) -> str:
    v = m.get(key)
    if kind == "int":
        return fmt_int(v or 0, app.lang)
    if v is None:
        return "—"
    return fmt_decimal(v, app.lang) + ("%" if kind == "pct" else "")


def _effect_tab(app, rep) -> ft.Control:
    eff = rep.effectiveness
    headers = [(_t(app, "coverage.col.form"), None)] + [(_t(app, label), 150) for _, label, _ in _METRICS]
    rows = []
    for f in [*eff["by_form"], {"label": _t(app, "coverage.total"), **eff["total"]}]:
        rows.append([f["label"]] + [ft.Text(f"{_metric(app, f['current'], k, kind)}  ·  "
                                            f"{_metric(app, f['previous'], k, kind)}",
                                            size=13) for k, _, kind in _METRICS])
    per = [(f["label"], f["current"]["participants_per_session"] or 0, f["previous"]["participants_per_session"] or 0)
           for f in eff["by_form"]]
    top = max([max(a, b) for _, a, b in per] + [1])
    left_axis, max_y = value_axis(app, top * 1.1)
    chart = fch.BarChart(
        groups=[fch.BarChartGroup(x=i, rods=[
            fch.BarChartRod(to_y=b, width=10, color="#B0BEC5", border_radius=2,
                            tooltip=fch.BarChartRodTooltip(fmt_decimal(b, app.lang))),
            fch.BarChartRod(to_y=a, width=10, color=PRIMARY, border_radius=2,
                            tooltip=fch.BarChartRodTooltip(fmt_decimal(a, app.lang)))], spacing=2)
            for i, (_, a, b) in enumerate(per)],
        max_y=max_y, interactive=True, expand=True,
        bottom_axis=fch.ChartAxis(labels=[fch.ChartAxisLabel(value=i, label=ft.Container(
            ft.Text(lbl, size=10, max_lines=2, overflow=ft.TextOverflow.ELLIPSIS, text_align=ft.TextAlign.CENTER),
            width=96, tooltip=lbl)) for i, (lbl, _, _) in enumerate(per)], label_size=34),
        left_axis=left_axis,
        horizontal_grid_lines=fch.ChartGridLines(color="#E3E8EF", width=1, dash_pattern=[3, 3]))
    period = (f"{_t(app, 'coverage.col.current')}: {fmt_date(eff['current']['from'], app.lang)} – "
              f"{fmt_date(eff['current']['to'], app.lang)}  ·  {_t(app, 'coverage.col.previous')}: "
              f"{fmt_date(eff['previous']['from'], app.lang)} – {fmt_date(eff['previous']['to'], app.lang)}")
    legend = ft.Row([ft.Container(width=10, height=10, bgcolor=PRIMARY, border_radius=2),
                     ft.Text(_t(app, "coverage.col.current"), size=12),
                     ft.Container(width=10, height=10, bgcolor="#B0BEC5", border_radius=2),
                     ft.Text(_t(app, "coverage.col.previous"), size=12)], spacing=6)
    # the tab scrolls: on a 768-pixel screen a chart squeezed under the table had no room for its labels
    return ft.Column([
        ft.Text(period, size=12, color=MUTED),
        card(_table(app, headers, rows, height=260), padding=0),
        card(ft.Column([ft.Row([section_title(_t(app, "coverage.col.per_session")), legend],
                               alignment=ft.MainAxisAlignment.SPACE_BETWEEN),
                        ft.Container(chart, height=260)], spacing=8)),
        ft.Text(rep.rules["effectiveness"], size=11, color=MUTED),
    ], spacing=10, expand=True, scroll=ft.ScrollMode.AUTO)


def _plan_tab(app, st) -> ft.Control:
    plan = st.plan
    if plan is None:
        return empty(_t(app, "coverage.view.no_data"))
    multi = len(plan.scope["communes"]) != 1
    v_head = [("#", 36), (_t(app, "coverage.col.village"), None), (_t(app, "coverage.col.reason"), 300)]
    if multi:
        v_head.insert(1, (_t(app, "coverage.col.commune"), 170))
    v_rows = [[str(v["rank"])] + ([v["commune_name"]] if multi else []) + [v["village"], v["reason"]]
              for v in plan.villages]
    g_rows = [[str(g["rank"]), g["label"], g["reason"]] for g in plan.groups]
    l_rows = [[str(x["rank"]), x["label"], x["reason"]] for x in plan.languages]
    first = plan.period.start
    return ft.Column([
        ft.Row([ft.Text(_t(app, "plan.title", month=f"{first.month:02d}/{first.year}"), size=16,
                        weight=ft.FontWeight.W_600),
                ft.Row([ft.FilledButton(_t(app, "coverage.view.plan_pdf"), icon=ft.Icons.PRINT, disabled=st.running,
                                        on_click=_export(st, "plan", "pdf")),
                        ft.OutlinedButton(_t(app, "coverage.view.export_xlsx"), icon=ft.Icons.TABLE_VIEW,
                                          disabled=st.running, on_click=_export(st, "plan", "xlsx"))],
                       spacing=8)], alignment=ft.MainAxisAlignment.SPACE_BETWEEN),
        ft.Row([card(ft.Column([section_title(_t(app, "plan.section.villages")), _table(app, v_head, v_rows)],
                               spacing=8, expand=True), expand=3),
                ft.Column([card(ft.Column([section_title(_t(app, "plan.section.groups")),
                                           _table(app, [("#", 36), (_t(app, "coverage.col.group"), None),
                                                        (_t(app, "coverage.col.reason"), 220)], g_rows)],
                                          spacing=8, expand=True), expand=True),
                           card(ft.Column([section_title(_t(app, "plan.section.languages")),
                                           _table(app, [("#", 36), (_t(app, "coverage.col.language"), None),
                                                        (_t(app, "coverage.col.reason"), 220)], l_rows, height=140)],
                                          spacing=8))], expand=2, spacing=10)],
               expand=True, spacing=10, vertical_alignment=ft.CrossAxisAlignment.STRETCH),
    ], spacing=10, expand=True)


def _list_tab(app, st) -> ft.Control:
    commune = st.list_commune()
    if not commune:
        return empty(_t(app, "coverage.view.pick_commune"))
    rows = []
    for name, active in st.village_rows:
        if st.renaming == name:
            label = ft.TextField(value=st.value("rename_to"), dense=True, autofocus=True,
                                 on_change=lambda e: st.set("rename_to", e.control.value),
                                 on_submit=lambda: st.finish_rename())
            action = ft.IconButton(ft.Icons.CHECK, tooltip=_t(app, "coverage.view.rename"),
                                   on_click=lambda: st.finish_rename())
        else:
            label = ft.Text(name, size=13, color=None if active else MUTED)
            action = ft.IconButton(ft.Icons.EDIT_OUTLINED, tooltip=_t(app, "coverage.view.rename"),
                                   on_click=lambda e, n=name: st.start_rename(n))
        rows.append([label, ft.Switch(value=active, on_change=lambda e, n=name: st.set_active(n, e.control.value)),
                     action])
    add = ft.Row([ft.TextField(label=_t(app, "coverage.view.village_name"), value=st.value("new_village"), dense=True,
                               expand=True, on_change=lambda e: st.set("new_village", e.control.value),
                               on_submit=lambda: st.add_village()),
                  ft.FilledButton(_t(app, "coverage.view.add_village"), icon=ft.Icons.ADD,
                                  on_click=lambda: st.add_village())], spacing=8)
    return card(ft.Column([section_title(f"{_t(app, 'coverage.view.tab_list')} — {admin_units.commune_name(commune)}"),
                           add,
                           _table(app, [(_t(app, "coverage.col.village"), None), (_t(app, "coverage.view.active"), 90),
                                        ("", 60)], rows)], spacing=10, expand=True), expand=True)


# ---- the screen ------------------------------------------------------------------------------------------

@ft.component
def CoverageView(app, st: CoverageState | None = None):
    if st is None:
        st = app.screen_state("coverage", CoverageState)

    async def load():
        await st.load()

    async def refresh():
        await st.load()

    ft.use_effect(load, [st.scope, app.revision, app.lang])
    rep = st.report
    inputs = ft.Row([
        ft.TextField(label=_t(app, "coverage.view.from"), value=st.value("start"), hint_text="dd/mm/yyyy", width=150,
                     dense=True, error=st.errors.get("from"), on_change=lambda e: st.set("start", e.control.value),
                     on_submit=refresh),
        ft.TextField(label=_t(app, "coverage.view.to"), value=st.value("end"), hint_text="dd/mm/yyyy", width=150,
                     dense=True, error=st.errors.get("to"), on_change=lambda e: st.set("end", e.control.value),
                     on_submit=refresh),
        dropdown(_t(app, "coverage.view.commune"), st.scope_options(), st.scope, st.set_scope, width=320,
                 searchable=True, blank="—", error=st.errors.get("commune") or st.errors.get("province")),
        ft.FilledButton(_t(app, "coverage.view.refresh"), icon=ft.Icons.REFRESH, on_click=refresh,
                        disabled=st.loading),
        *([ft.ProgressRing(width=20, height=20, stroke_width=2, semantics_label=app.t("common.loading")),
           ft.Text(app.t("common.loading"), size=12, color=MUTED)] if st.loading else []),
    ], spacing=8, wrap=True, vertical_alignment=ft.CrossAxisAlignment.CENTER)
    tabs = ft.SegmentedButton(
        selected=[st.tab], allow_multiple_selection=False, show_selected_icon=False,
        segments=[ft.Segment(value=k, label=ft.Text(_t(app, label), size=12)) for k, label in TABS],
        on_change=lambda e: st.set_tab(list(e.control.selected)[0]))
    if rep is None and (st.loading or not st.errors):
        body = ft.Container(ft.Column([ft.ProgressRing(), ft.Text(app.t("common.loading"), color=MUTED)],
                                      horizontal_alignment=ft.CrossAxisAlignment.CENTER, tight=True),
                            alignment=ft.Alignment.CENTER, expand=True)
    elif rep is None:
        body = empty(_t(app, "coverage.view.no_data"))
    elif st.tab == "villages":
        body = _villages_tab(app, st, rep)
    elif st.tab == "groups":
        body = _groups_tab(app, rep)
    elif st.tab == "effect":
        body = _effect_tab(app, rep)
    elif st.tab == "plan":
        body = _plan_tab(app, st)
    else:
        body = _list_tab(app, st)
    actions = [ft.FilledButton(_t(app, "coverage.view.export_pdf"), icon=ft.Icons.PICTURE_AS_PDF, disabled=st.running,
                               on_click=_export(st, "coverage", "pdf")),
               ft.OutlinedButton(_t(app, "coverage.view.export_xlsx"), icon=ft.Icons.TABLE_VIEW, disabled=st.running,
                                 on_click=_export(st, "coverage", "xlsx"))]
    subtitle = rep.scope["label"] if rep else ""
    return ft.Column([
        header(_t(app, "coverage.title"), subtitle, actions=actions),
        inputs,
        _summary(app, rep) if rep else ft.Container(height=0),
        tabs,
        ft.Container(body, expand=True),
        ft.ProgressBar(color=PRIMARY) if st.running else ft.Container(height=0),
    ], spacing=10, expand=True)
