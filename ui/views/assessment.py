"""Assessment (đánh giá tiếp cận pháp luật): commune scorecard (previous year beside it, in-year warnings,
"cần xác nhận" on unverified items), manual value entry, import of values from a file, province overview, and
PDF/XLSX of the scorecard and the province list — all via services.assessment."""
from __future__ import annotations

import flet as ft

from services.dates import today_local
from ui.views.common import ACCENT, MUTED, OK, PRIMARY, card, dropdown, header, pill, section_title
from ui.views.import_dialog import error_list, file_button

AMBER = "#B26A00"


def _result_pill(app, met, missing=False):
    if missing:
        return pill(app.t("assessment.no_data"), MUTED)
    if met is None:
        return pill(app.t("assessment.missing_value"), MUTED)
    return pill(app.t("assessment.met") if met else app.t("assessment.not_met"), OK if met else ACCENT)


def _prev_pill(app, result):
    if result in (None, ""):
        return ft.Text("—", size=12, color=MUTED)
    met = result in ("met", "pass", True)
    return ft.Text(app.t("assessment.met") if met else app.t("assessment.not_met"), size=12,
                   color=OK if met else ACCENT)


def _unverified(app, item) -> ft.Control:
    if item.get("unverified"):
        what = ", ".join(app.t(f"assessment.flag.{f}") for f in item.get("to_confirm") or [])
        label = app.t("assessment.unverified") + (f": {what}" if what else "")
        return ft.Container(pill(label, AMBER), tooltip=app.t("assessment.unverified_help_points"))
    return ft.Container()


def _points_text(i) -> ft.Control:
    """Points style: the score against the maximum (4/5), not a met / not met pill."""
    pts = i.get("points")
    show = lambda x: (f"{x:g}".replace(".", ",") if isinstance(x, float) else str(x))  # noqa: E731
    return ft.Text(f"{show(pts)}/{show(i['max_points'])}", size=12, color=OK if pts >= i["max_points"] else PRIMARY)


def _data_source(app, c) -> ft.Control:
    """The points / indicator table's source and load date (or the placeholder flag), on every scorecard."""
    ps = (c.get("data_source") or {}).get("points") or {}
    if not ps:
        return ft.Container()
    text = app.t("assessment.points_source", source=ps.get("source", ""))
    if ps.get("loaded_at"):
        text += " · " + app.t("assessment.points_loaded_at", at=str(ps["loaded_at"]).replace("T", " ")[:16])
    lines = [ft.Row([ft.Icon(ft.Icons.VERIFIED if ps.get("verified") else ft.Icons.WARNING_AMBER, size=16,
                             color=OK if ps.get("verified") else AMBER),
                     ft.Text(text, size=12, color=MUTED if ps.get("verified") else "#7A4A00", expand=True)],
                    spacing=6)]
    if c.get("year_note"):
        lines.append(ft.Row([ft.Icon(ft.Icons.INFO_OUTLINE, size=16, color=AMBER),
                             ft.Text(c["year_note"], size=12, color="#7A4A00", expand=True)], spacing=6))
    return ft.Container(ft.Column(lines, spacing=4), bgcolor="#FFF8EC" if not ps.get("verified") else None,
                        padding=8, border_radius=8)


def _unit_title(c: dict) -> str:
    """The unit assessed and the year; a year before the 2025 reorganisation names the old unit's district."""
    unit = c.get("unit") or {}
    name = c["commune_name"] + (f", {unit['district']}" if unit.get("district") else "")
    return f"{name} — {c['year']}"


def _scorecard(app, a):
    c = a.card
    if not c:
        return ft.Text(app.t("assessment.choose_commune"), color=MUTED)
    res = c["result"]
    prev = c.get("previous") or {}
    prev_ind = prev.get("indicators") or {}
    prev_crit = {x["id"]: x for x in prev.get("criteria") or []}
    prev_text = ""
    if prev:
        prev_text = app.t("assessment.previous_year", year=prev["year"],
                          result=_result_text(app, prev, short=True))
        if prev.get("total_points") is not None:
            prev_text += f" · {prev['total_points']}"
    ok = c.get("assessed", True) and res["recognised"]
    colour = OK if ok else ACCENT if c.get("assessed", True) else MUTED
    top = card(ft.Row([
        ft.Icon(ft.Icons.VERIFIED if ok else ft.Icons.PENDING, size=36, color=colour),
        ft.Column([ft.Text(_unit_title(c), size=18, weight=ft.FontWeight.W_600),
                   ft.Text(_result_text(app, c), color=colour, weight=ft.FontWeight.W_600),
                   ft.Row([ft.Text(c.get("framework_title") or c.get("framework", ""), size=12, color=MUTED),
                           ft.Text(c.get("framework", ""), size=12, color=MUTED),
                           _unverified(app, {"unverified": c.get("framework_unverified")})], spacing=8)],
                  spacing=2, expand=True),
        ft.Column([ft.Text(str(res.get("total_points")) if res.get("total_points") is not None else "", size=26,
                           weight=ft.FontWeight.W_700, color=PRIMARY),
                   ft.Text(prev_text, size=12, color=MUTED)], horizontal_alignment=ft.CrossAxisAlignment.END,
                  spacing=2),
    ], spacing=14))
    parts = [top, _data_source(app, c)]
    if c.get("unit_note"):              # which old unit a reused code meant in a year before 01/07/2025
        parts.append(ft.Text(c["unit_note"], size=12, color=MUTED))
    warnings = [w["text"] for w in c.get("warnings") or [] if w.get("kind") != "missing"]
    if warnings:
        parts.append(ft.Container(ft.Column(
            [ft.Row([ft.Icon(ft.Icons.WARNING_AMBER, color=AMBER, size=18),
                     ft.Text(w, color="#7A4A00", size=13, expand=True)]) for w in warnings[:6]], spacing=4),
            bgcolor="#FFF4E0", padding=10, border_radius=8))
    head = ft.Row([ft.Text("", width=50), ft.Text(app.t("assessment.col.indicator"), expand=True, size=11, color=MUTED),
                   ft.Text(app.t("assessment.col.value"), width=110, size=11, color=MUTED,
                           text_align=ft.TextAlign.RIGHT),
                   ft.Text(app.t("assessment.col.result"), width=110, size=11, color=MUTED),
                   ft.Text(app.t("assessment.col.previous", year=c["year"] - 1), width=80, size=11, color=MUTED)])
    for cr in c["criteria"]:
        inds = [ft.Row([ft.Text(i["id"], width=50, size=12, color=MUTED),
                        ft.Row([ft.Text(i["name"], size=12, max_lines=2, overflow=ft.TextOverflow.ELLIPSIS,
                                        expand=True),
                                pill(app.t("assessment.auto"), PRIMARY) if i.get("source") == "auto" else
                                ft.Container(pill(app.t("assessment.figures"), PRIMARY),
                                             tooltip=(i.get("auto") or {}).get(f"text_{app.lang}") or None)
                                if i.get("has_auto") else ft.Container(),
                                _unverified(app, i)], expand=True, spacing=6),
                        ft.Text(i.get("value_text", ""), width=110, size=12, text_align=ft.TextAlign.RIGHT,
                                tooltip=i.get("evidence") or None),
                        ft.Container(_points_text(i) if i.get("max_points") is not None and not i.get("missing")
                                     else _result_pill(app, i.get("met"), i.get("missing")), width=110),
                        ft.Container(_prev_pill(app, prev_ind.get(i["id"])), width=80)])
                for i in cr.get("indicators", [])]
        score = (f"{cr.get('points')}/{cr.get('max_points')}" if cr.get("max_points") is not None
                 else f"{cr.get('met_count', 0)}/{cr.get('indicator_count', 0)}")
        pc = prev_crit.get(cr["id"])
        parts.append(card(ft.Column([
            ft.Row([ft.Text(f"{cr['id']} · {cr['name']}", weight=ft.FontWeight.W_600, expand=True),
                    _unverified(app, cr), ft.Text(score, color=MUTED), _result_pill(app, cr.get("met")),
                    ft.Container(_prev_pill(app, pc["result"] if pc else None), width=80)]),
            head, *inds], spacing=6)))
    conds = c.get("conditions") or []
    if conds:
        parts.append(card(ft.Column([section_title(app.t("assessment.conditions"))] + [
            ft.Row([ft.Text(x["id"], width=90, size=12, color=MUTED),
                    ft.Text(x["name"], expand=True, size=12, max_lines=3, overflow=ft.TextOverflow.ELLIPSIS),
                    _unverified(app, x),
                    ft.Container(_result_pill(app, x.get("met"), x.get("met") is None), width=110)])
            for x in conds], spacing=6)))
    failed = res.get("failed_conditions") or []
    if failed:
        parts.append(card(ft.Column([section_title(app.t("assessment.failed"))] +
                                    [ft.Text(f"• {f}", size=12, color=ACCENT, selectable=True) for f in failed],
                                    spacing=4)))
    return ft.Column(parts, spacing=10, scroll=ft.ScrollMode.AUTO, expand=True)


def _range(app, r) -> str:
    if r["type"] == "boolean":
        return app.t("assessment.range_bool")
    lo, hi = r.get("min"), r.get("max")
    unit = "%" if r["type"] == "percent" else (app.t("assessment.points_unit") if r["type"] == "points" else "")
    if lo is not None and hi is not None and hi < 100000:
        return f"{lo:g}–{hi:g}{unit}".replace(".", ",") if app.lang == "vi" else f"{lo:g}–{hi:g}{unit}"
    return f"≥ {lo:g}{unit}" if lo is not None else ""


def _entry(app, a):
    bool_opts = [("co", app.t("assessment.yes")), ("khong", app.t("assessment.no"))]
    rows = []
    for r in a.entry_rows:
        iid = r["indicator_id"]
        err = a.entry_errors.get(iid)
        label = app.t("assessment.value_of", id=iid)
        if r["type"] == "boolean":
            value = dropdown(label, bool_opts, a.entry_value(iid), lambda v, k=iid: a.set_entry(k, "value", v),
                             width=170, searchable=False, blank="—", error=err, dense=False)
        else:
            value = ft.TextField(label=label, value=a.entry_value(iid), width=170, error=err,
                                 hint_text=_range(app, r),
                                 on_change=lambda e, k=iid: a.set_entry(k, "value", e.control.value))
        tags = [pill(app.t("assessment.auto"), PRIMARY)] if r.get("auto") else []
        if r.get("unverified"):
            tags.append(_unverified(app, r))
        rows.append(ft.Container(ft.Row([
            ft.Text(iid, width=60, size=13, weight=ft.FontWeight.W_600, color=PRIMARY),
            ft.Column([ft.Text(r["name"], size=12, max_lines=3, overflow=ft.TextOverflow.ELLIPSIS),
                       ft.Row([ft.Text(app.t("assessment.allowed", range=_range(app, r)), size=11, color=MUTED), *tags],
                              spacing=6)], spacing=2, expand=True),
            value,
            ft.TextField(label=app.t("assessment.evidence_of", id=iid), value=a.entry_value(iid, "evidence"), width=300,
                         on_change=lambda e, k=iid: a.set_entry(k, "evidence", e.control.value)),
        ], spacing=10, vertical_alignment=ft.CrossAxisAlignment.START),
            padding=ft.Padding.symmetric(vertical=6), border=ft.Border.only(bottom=ft.BorderSide(1, "#EEF1F5"))))
    banner = []
    if a.entry_error:
        banner.append(ft.Container(ft.Row([ft.Icon(ft.Icons.ERROR_OUTLINE, color=ACCENT),
                                           ft.Text(a.entry_error, color=ACCENT, expand=True, selectable=True)]),
                                   bgcolor="#FDECEA", padding=12, border_radius=8))
    return ft.Column([
        ft.Row([section_title(app.t("assessment.entry_title", commune=a.card["commune_name"] if a.card else "",
                                    year=a.year)),
                ft.Row([ft.OutlinedButton(app.t("common.cancel"), on_click=lambda: a.close_entry()),
                        ft.FilledButton(app.t("assessment.save_values"), icon=ft.Icons.SAVE,
                                        on_click=lambda: a.save_entry())], spacing=8)],
               alignment=ft.MainAxisAlignment.SPACE_BETWEEN),
        ft.Text(app.t("assessment.entry_help"), size=12, color=MUTED),
        *banner,
        card(ft.ListView(rows, spacing=0, expand=True), expand=True),
    ], spacing=10, expand=True)


def _result_text(app, c: dict, short: bool = False) -> str:
    """A scorecard's result; one never saved is "Chưa đánh giá", not "Chưa đạt"."""
    recognised = c["result"]["recognised"] if "result" in c else c.get("recognised")
    if not c.get("assessed", True):
        return app.t("assessment.not_assessed")
    if recognised:
        return app.t("assessment.recognised_short" if short else "assessment.recognised")
    return app.t("assessment.not_recognised_short" if short else "assessment.not_recognised")


def _commune_result_pill(app, r: dict) -> ft.Control:
    """Đạt chuẩn / Chưa đạt / Chưa đánh giá — a commune never assessed is never also "Chưa đạt"."""
    if not r["assessed"]:
        return pill(app.t("assessment.not_assessed"), MUTED)
    if r["recognised"]:
        return pill(app.t("assessment.recognised_short"), OK)
    return pill(app.t("assessment.not_recognised_short"), ACCENT)


def _province(app, a):
    o = a.overview
    if not o:
        return ft.Container()
    k = o["counts"]
    summary = card(ft.Row([ft.Column([ft.Text(o["province_name"], size=18, weight=ft.FontWeight.W_600),
                                      ft.Text(app.t("assessment.counts", communes=k["communes"], assessed=k["assessed"],
                                                    recognised=k["recognised"]), color=MUTED)], expand=True)]))
    rows = [ft.Row([ft.Text(r["commune_name"], expand=True, size=13),
                    ft.Text("" if r.get("total_points") is None else str(r["total_points"]), width=60, size=13,
                            text_align=ft.TextAlign.RIGHT),
                    ft.Container(_commune_result_pill(app, r), width=150)]) for r in o["communes"]]
    return ft.Column([summary, card(ft.ListView(rows, spacing=6, expand=True), expand=True)], spacing=10, expand=True)


def _file_dialog(app, a, *, errors, errors_key: str, body, error: str, title_key: str, width: int, run,
                 run_key: str, close):
    """What the two file-loading dialogs share: the all-or-nothing error list after a refused file, else the form
    (`body()`, its error line, a progress bar while running) with Close and the run button."""
    if errors:
        ft.use_dialog(ft.AlertDialog(
            modal=True, title=ft.Row([ft.Icon(ft.Icons.ERROR_OUTLINE, color=ACCENT),
                                      ft.Text(app.t(errors_key), expand=True)]),
            content=ft.Container(ft.Column([ft.Text(app.t("import.nothing_stored"), color=ACCENT, size=13),
                                            error_list(app, errors)], spacing=10, tight=True), width=820),
            actions=[ft.FilledButton(app.t("common.close"), on_click=lambda: close())]))
        return ft.Container(visible=False)
    controls = body()
    if error:
        controls.append(ft.Text(error, color=ACCENT))
    if a.running:
        controls.append(ft.ProgressBar(color=PRIMARY, bgcolor="#E8EEF5"))
    ft.use_dialog(ft.AlertDialog(
        modal=True, title=ft.Text(app.t(title_key)),
        content=ft.Container(ft.Column(controls, spacing=12, tight=True), width=width),
        actions=[ft.TextButton(app.t("common.close"), on_click=lambda: close()),
                 ft.FilledButton(app.t(run_key), icon=ft.Icons.UPLOAD_FILE, on_click=run, disabled=a.running)]))
    return ft.Container(visible=False)


@ft.component
def AssessmentPointsDialog(app, a):
    """Load a corrected points / indicator table for the scorecard's framework (all or nothing)."""
    async def run():
        await a.load_points()

    if not a.points_open:
        ft.use_dialog(None)
        return ft.Container(visible=False)
    return _file_dialog(app, a, errors=a.points_errors, errors_key="assessment.points_errors", body=lambda: [
        ft.Text(app.t("assessment.points_help", framework=(a.card or {}).get("framework", "")), size=13,
                color=MUTED),
        ft.TextField(label=app.t("import.path"), value=a.points_path, hint_text=app.t("import.path_hint"),
                     on_change=lambda e: a.set_points_path(e.control.value)),
        ft.TextField(label=app.t("assessment.points_source_field"), value=a.points_source,
                     hint_text="TT 09/2021/TT-BTP Phụ lục I",
                     on_change=lambda e: a.set_points_source(e.control.value)),
        ft.Row([file_button(app, app.t("import.choose"), a.choose_points_path, a.accept_points_upload),
                ft.TextButton(app.t("assessment.points_template"), icon=ft.Icons.DOWNLOAD,
                              on_click=lambda: a.points_template())], spacing=8)],
        error=a.points_error, title_key="assessment.points_title", width=600, run=run,
        run_key="assessment.points_run", close=a.close_points)


@ft.component
def AssessmentImportDialog(app, a):
    async def run():
        await a.import_values()

    if not a.import_open:
        ft.use_dialog(None)
        return ft.Container(visible=False)
    return _file_dialog(app, a, errors=a.import_errors, errors_key="assessment.import_errors", body=lambda: [
        ft.Text(app.t("assessment.import_help", commune=a.card["commune_name"] if a.card else a.commune,
                      year=a.year), size=13, color=MUTED),
        ft.TextField(label=app.t("import.path"), value=a.import_path, hint_text=app.t("import.path_hint"),
                     on_change=lambda e: a.set_import_path(e.control.value), on_submit=run),
        ft.Row([file_button(app, app.t("import.choose"), a.choose_import_path, a.accept_upload),
                ft.TextButton(app.t("import.template"), icon=ft.Icons.DOWNLOAD,
                              on_click=lambda: a.import_template())], spacing=8)],
        error=a.import_error, title_key="assessment.import_title", width=560, run=run, run_key="import.run",
        close=a.close_import)


def _export(a, what, fmt):
    async def handler():
        await a.export(what, fmt)
    return handler


@ft.component
def AssessmentView(app, a):
    a.ensure_loaded()
    this = today_local().year
    commune_view = a.view == "commune"
    controls = ft.Row([
        ft.SegmentedButton(selected=[a.view], show_selected_icon=False,
                           segments=[ft.Segment(value="commune", label=ft.Text(app.t("assessment.scorecard"))),
                                     ft.Segment(value="province", label=ft.Text(app.t("assessment.province")))],
                           on_change=lambda e: a.set_view(list(e.control.selected)[0])),
        dropdown(app.t("list.filter.commune"), a.commune_options(), a.commune, a.set_commune, width=240)
        if commune_view else ft.Container(),
        dropdown(app.t("list.filter.year"), [(str(y), str(y)) for y in range(this, this - 5, -1)], str(a.year),
                 a.set_year, width=120),
    ], spacing=10)
    busy = a.running
    if commune_view:
        actions = [ft.FilledTonalButton(app.t("assessment.enter_values"), icon=ft.Icons.EDIT_NOTE,
                                        on_click=lambda: a.open_entry(), disabled=not a.card or a.entry_open),
                   ft.OutlinedButton(app.t("assessment.import_values"), icon=ft.Icons.UPLOAD_FILE,
                                     on_click=lambda: a.show_import(), disabled=not a.card),
                   ft.OutlinedButton(app.t("assessment.points_button"), icon=ft.Icons.RULE,
                                     on_click=lambda: a.show_points(), disabled=not a.card),
                   ft.OutlinedButton(app.t("assessment.print_scorecard"), icon=ft.Icons.PICTURE_AS_PDF,
                                     on_click=_export(a, "scorecard", "pdf"), disabled=busy or not a.card),
                   ft.OutlinedButton(app.t("reports.save_xlsx"), icon=ft.Icons.TABLE_VIEW,
                                     on_click=_export(a, "scorecard", "xlsx"), disabled=busy or not a.card)]
        body = _entry(app, a) if a.entry_open else _scorecard(app, a)
    else:
        actions = [ft.OutlinedButton(app.t("assessment.print_province"), icon=ft.Icons.PICTURE_AS_PDF,
                                     on_click=_export(a, "province", "pdf"), disabled=busy),
                   ft.OutlinedButton(app.t("reports.save_xlsx"), icon=ft.Icons.TABLE_VIEW,
                                     on_click=_export(a, "province", "xlsx"), disabled=busy)]
        body = _province(app, a)
    return ft.Column([
        AssessmentImportDialog(app, a),
        AssessmentPointsDialog(app, a),
        header(app.t("nav.assessment"), app.t("assessment.subtitle"), actions=actions),
        controls,
        ft.Text(a.error, color=ACCENT) if a.error else ft.Container(),
        ft.ProgressBar(color=PRIMARY, bgcolor="#E8EEF5") if busy else ft.Container(),
        ft.Container(body, expand=True),
    ], spacing=12, expand=True)
