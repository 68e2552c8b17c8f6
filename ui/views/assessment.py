"""Assessment (đánh giá tiếp cận pháp luật): commune scorecard and province overview via services.assessment."""
from __future__ import annotations

import flet as ft

from services.dates import today_local
from ui.views.common import ACCENT, MUTED, OK, PRIMARY, card, dropdown, header, pill, section_title


def _result_pill(app, met):
    if met is None:
        return pill(app.t("assessment.missing_value"), MUTED)
    return pill(app.t("assessment.met") if met else app.t("assessment.not_met"), OK if met else ACCENT)


def _scorecard(app, a):
    c = a.card
    if not c:
        return ft.Text(app.t("assessment.choose_commune"), color=MUTED)
    res = c["result"]
    top = card(ft.Row([
        ft.Icon(ft.Icons.VERIFIED if res["recognised"] else ft.Icons.PENDING, size=36, color=OK if res["recognised"] else ACCENT),
        ft.Column([ft.Text(c["commune_name"] + f" — {c['year']}", size=18, weight=ft.FontWeight.W_600),
                   ft.Text(app.t("assessment.recognised") if res["recognised"] else app.t("assessment.not_recognised"),
                           color=OK if res["recognised"] else ACCENT, weight=ft.FontWeight.W_600),
                   ft.Text(c.get("framework_title") or c.get("framework", ""), size=12, color=MUTED)],
                  spacing=2, expand=True),
        ft.Text(str(res.get("total_points")) if res.get("total_points") is not None else "", size=26,
                weight=ft.FontWeight.W_700, color=PRIMARY),
    ], spacing=14))
    crits = []
    for cr in c["criteria"]:
        inds = [ft.Row([ft.Text(i["id"], width=50, size=12, color=MUTED),
                        ft.Text(i["name"], expand=True, size=12, max_lines=2, overflow=ft.TextOverflow.ELLIPSIS),
                        ft.Text(i.get("value_text", ""), width=90, size=12, text_align=ft.TextAlign.RIGHT),
                        ft.Container(_result_pill(app, i.get("met")), width=110)])
                for i in cr.get("indicators", [])]
        crits.append(card(ft.Column([
            ft.Row([ft.Text(f"{cr['id']} · {cr['name']}", weight=ft.FontWeight.W_600, expand=True),
                    ft.Text(f"{cr.get('met_count', 0)}/{cr.get('indicator_count', 0)}", color=MUTED),
                    _result_pill(app, cr.get("met"))]),
            *inds], spacing=6)))
    return ft.Column([top, *crits], spacing=10, scroll=ft.ScrollMode.AUTO, expand=True)


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
                    ft.Container(pill(app.t("assessment.recognised_short") if r["recognised"] else
                                      app.t("assessment.not_recognised_short"), OK if r["recognised"] else ACCENT),
                                 width=130),
                    ft.Text(app.t("assessment.assessed") if r["assessed"] else app.t("assessment.not_assessed"),
                            width=120, size=12, color=MUTED)]) for r in o["communes"]]
    return ft.Column([summary, card(ft.ListView(rows, spacing=6, expand=True), expand=True)], spacing=10, expand=True)


@ft.component
def AssessmentView(app, a):
    if not a.available:
        return ft.Column([header(app.t("nav.assessment")), ft.Text(app.t("assessment.missing"), color=MUTED)])
    a.ensure_loaded()
    this = today_local().year
    controls = ft.Row([
        ft.SegmentedButton(selected=[a.view], show_selected_icon=False,
                           segments=[ft.Segment(value="commune", label=ft.Text(app.t("assessment.scorecard"))),
                                     ft.Segment(value="province", label=ft.Text(app.t("assessment.province")))],
                           on_change=lambda e: a.set_view(list(e.control.selected)[0])),
        dropdown(app.t("list.filter.commune"), a.commune_options(), a.commune, a.set_commune, width=240)
        if a.view == "commune" else ft.Container(),
        dropdown(app.t("list.filter.year"), [(str(y), str(y)) for y in range(this, this - 5, -1)], str(a.year),
                 a.set_year, width=120),
    ], spacing=10)
    body = _scorecard(app, a) if a.view == "commune" else _province(app, a)
    return ft.Column([
        header(app.t("nav.assessment"), app.t("assessment.subtitle")),
        controls,
        ft.Text(a.error, color=ACCENT) if a.error else ft.Container(),
        ft.Container(body, expand=True),
    ], spacing=12, expand=True)
