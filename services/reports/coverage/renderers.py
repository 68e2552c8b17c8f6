"""The dissemination coverage report and the monthly plan list as PDF (NĐ 30/2020 style, services.printing.document),
XLSX (xlsxwriter) and JSON. All take the results of services.reports.coverage (compute.coverage / plan.suggest,
dates as date objects until rendered), so the printed, spreadsheet and JSON figures are the same numbers.

    rep = coverage.coverage(date(2026, 1, 1), date(2026, 11, 30), communes=["07090"])
    render(rep, "pdf", "bao-phu.pdf")           # what the CLI and the UI call; "xlsx", "json" likewise
    plan = coverage.suggest("2026-12", communes=["07090"])
    render_plan(plan, "xlsx", "ke-hoach.xlsx")
"""
from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from services import catalogs
from services.dates import today_local
from services.errors import UsageError
from services.formatting import fmt_date, fmt_decimal, fmt_int
from services.i18n import t
from services.printing.context import commune_issuer, province_issuer
from services.printing.document import (
    Issuer,
    Signer,
    admin_heading,
    build_pdf,
    data_table,
    esc,
    frame_width,
    p,
    section,
    signature_block,
    title_block,
)
from services.reports.coverage.result import CoverageResult, PlanResult

# ---- shared ----------------------------------------------------------------------------------------------

def _d(value) -> dt.date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _date_text(value, lang: str) -> str:
    d = _d(value)
    return fmt_date(d, lang) if d else t("coverage.never", lang)


def _days_text(value, lang: str) -> str:
    return "—" if value is None else fmt_int(value, lang)


def _num(value, lang: str, suffix: str = "") -> str:
    return "—" if value is None else fmt_decimal(value, lang) + suffix


def issuer_for(scope: dict) -> Issuer:
    """A single commune prints under its People's Committee; a province (or several communes) under the Sở Tư pháp."""
    communes = scope.get("communes") or []
    if scope.get("province"):
        return province_issuer(scope["province"])
    if len(communes) == 1:
        return commune_issuer(communes[0])
    from services import admin_units
    provinces = {c.province_code for c in (admin_units.commune(x) for x in communes) if c}
    if len(provinces) == 1:
        return province_issuer(provinces.pop())
    return Issuer(province="", body="Sở Tư pháp", unit="", place="")


def _multi_commune(scope: dict) -> bool:
    return len(scope.get("communes") or []) != 1


def _signers(lang: str) -> list[Signer]:
    return [Signer(t("coverage.signer.maker", lang)),
            Signer(t("coverage.signer.head", lang), "(Ký, ghi rõ họ tên, đóng dấu)" if lang == "vi"
                   else "(Signature, full name, seal)")]


# ---- coverage report: PDF --------------------------------------------------------------------------------

def coverage_pdf(rep: CoverageResult, out: str | Path | None = None, *, lang: str = "vi",
                 on: dt.date | None = None) -> bytes:
    """Landscape A4: summary, villages not reached, every village's last session, groups and languages not
    served, communes (several communes only), effectiveness by form against the previous year, the rules."""
    width = frame_width(landscape=True)
    scope = rep.scope
    multi = _multi_commune(scope)
    period = rep.period
    story = admin_heading(issuer_for(scope), number="", on=on or today_local(), width=width)
    story += title_block(t("coverage.report_title", lang),
                         t("coverage.period", lang, start=fmt_date(period.start, lang),
                           end=fmt_date(period.end, lang)), italic_subtitle=True)
    story.append(p(esc(t("coverage.scope", lang, label=scope["label"])), "subtitle_i"))
    story.append(Spacer(1, 4 * mm))

    s = rep.summary
    story.append(section(t("coverage.section.summary", lang)))
    story.append(p(esc(t("coverage.sum.villages", lang, total=fmt_int(s["villages_total"], lang),
                         reached=fmt_int(s["villages_reached"], lang), missing=fmt_int(s["villages_not_reached"], lang),
                         never=fmt_int(s["villages_never_reached"], lang))), "body"))
    story.append(p(esc(t("coverage.sum.sessions", lang, sessions=fmt_int(s["sessions"], lang),
                         participants=fmt_int(s["participants"], lang),
                         wide=fmt_int(s["commune_wide_sessions"], lang))), "body"))
    story.append(p(esc(t("coverage.sum.groups", lang, missing=s["groups_not_served"], expected=s["groups_expected"],
                         lang_missing=s["languages_not_served"], lang_expected=s["languages_expected"])), "body"))

    # II. villages not reached
    story.append(section(t("coverage.section.not_reached", lang)))
    if rep.villages_not_reached:
        story.append(_village_table(rep.villages_not_reached, multi, lang, width, full=False))
    else:
        story.append(p(esc(t("coverage.all_reached", lang)), "note"))

    # III. every village
    story.append(section(t("coverage.section.villages", lang)))
    story.append(p(esc(t("coverage.as_of", lang, date=fmt_date(rep.as_of, lang))), "note"))
    if rep.villages:
        story.append(_village_table(rep.villages, multi, lang, width, full=True))
    else:
        story.append(p(esc(t("coverage.view.no_data", lang)), "note"))

    # IV. groups
    story.append(section(t("coverage.section.groups", lang)))
    if rep.groups_not_served:
        rows = [[str(i), g["label"], _date_text(g["last_served"], lang), _days_text(g["days_since"], lang)]
                for i, g in enumerate(rep.groups_not_served, 1)]
        head = [t("coverage.col.no", lang), t("coverage.col.group", lang), t("coverage.col.last_reached", lang),
                t("coverage.col.days_since", lang)]
        story.append(data_table([head], rows, [12 * mm, width - 12 * mm - 70 * mm, 40 * mm, 30 * mm],
                                align=["c", "l", "c", "r"]))
    else:
        story.append(p(esc(t("coverage.all_groups_served", lang)), "note"))

    # V. languages
    story.append(section(t("coverage.section.languages", lang)))
    if rep.languages_not_served:
        rows = []
        for i, x in enumerate(rep.languages_not_served, 1):
            row = [str(i), x["label"], fmt_int(x["people"], lang)]
            if multi:
                row.append(", ".join(_commune_name(rep, c) for c in x["communes_not_served"]))
            row += [_date_text(x["last_served"], lang), _days_text(x["days_since"], lang)]
            rows.append(row)
        head = [t("coverage.col.no", lang), t("coverage.col.language", lang), t("coverage.col.people", lang)]
        widths = [12 * mm, 50 * mm, 25 * mm]
        align = ["c", "l", "r"]
        if multi:
            head.append(t("coverage.col.communes_not_served", lang))
            widths.append(width - sum(widths) - 70 * mm)
            align.append("l")
        head += [t("coverage.col.last_reached", lang), t("coverage.col.days_since", lang)]
        widths += [40 * mm, 30 * mm]
        align += ["c", "r"]
        if not multi:
            widths[1] = width - sum(widths) + widths[1]
        story.append(data_table([head], rows, widths, align=align))
    else:
        story.append(p(esc(t("coverage.all_languages_served", lang)), "note"))

    # VI. communes (only when the report covers several)
    if multi and rep.communes:
        story.append(section(t("coverage.section.communes", lang)))
        head = [t("coverage.col.no", lang), t("coverage.col.commune", lang), t("coverage.col.sessions", lang),
                t("coverage.col.participants", lang), t("coverage.col.villages", lang),
                t("coverage.col.groups_missing", lang), t("coverage.col.languages_missing", lang)]
        rows = [[str(i), c["name"], c["sessions"], c["participants"],
                 f"{fmt_int(c['villages_reached'], lang)}/{fmt_int(c['villages_total'], lang)}",
                 fmt_int(len(c["groups_not_served"]), lang),
                 ", ".join(catalogs.language_label(x, lang) for x in c["languages_not_served"]) or "—"]
                for i, c in enumerate(rep.communes, 1)]
        widths = [12 * mm, 60 * mm, 22 * mm, 25 * mm, 28 * mm, 30 * mm]
        widths.append(width - sum(widths))
        story.append(data_table([head], rows, widths, align=["c", "l", "r", "r", "c", "r", "l"], zebra=True))

    # VII. effectiveness
    story.append(section(t("coverage.section.effectiveness", lang)))
    eff = rep.effectiveness
    story.append(p(esc(f"{t('coverage.col.current', lang)}: {fmt_date(_d(eff['current']['from']), lang)} – "
                       f"{fmt_date(_d(eff['current']['to']), lang)}; {t('coverage.col.previous', lang)}: "
                       f"{fmt_date(_d(eff['previous']['from']), lang)} – {fmt_date(_d(eff['previous']['to']), lang)}"),
                   "note"))
    story.append(_effect_table(eff, lang, width))

    story.append(section(t("coverage.section.rules", lang)))
    for text in rep.rules.values():
        story.append(p(esc("– " + text), "note"))
    story.append(signature_block(_signers(lang), width))
    return build_pdf(story, out, landscape=True, numbering="total", title=t("coverage.report_title", lang))


def _commune_name(rep: CoverageResult, code: str) -> str:
    for c in rep.communes:
        if c["code"] == code:
            return c["name"]
    from services import admin_units
    return admin_units.commune_name(code)


def _village_table(villages: list[dict], multi: bool, lang: str, width: float, *, full: bool):
    head = [t("coverage.col.no", lang)]
    widths = [12 * mm]
    align = ["c"]
    if multi:
        head.append(t("coverage.col.commune", lang))
        widths.append(55 * mm)
        align.append("l")
    head.append(t("coverage.col.village", lang))
    widths.append(0)
    align.append("l")
    head += [t("coverage.col.last_reached", lang), t("coverage.col.days_since", lang)]
    widths += [35 * mm, 25 * mm]
    align += ["c", "r"]
    if full:
        head += [t("coverage.col.sessions", lang), t("coverage.col.participants", lang), t("coverage.col.status", lang)]
        widths += [22 * mm, 25 * mm, 32 * mm]
        align += ["r", "r", "c"]
    widths[head.index(t("coverage.col.village", lang))] = width - sum(widths)
    rows = []
    for i, v in enumerate(villages, 1):
        row = [str(i)]
        if multi:
            row.append(v["commune_name"])
        row += [v["village"], _date_text(v["last_reached"], lang), _days_text(v["days_since"], lang)]
        if full:
            row += [v["sessions"], v["participants"],
                    t("coverage.in_period" if v["reached_in_period"] else "coverage.not_in_period", lang)]
        rows.append(row)
    return data_table([head], rows, widths, align=align, zebra=full)


_EFFECT_METRICS = [("sessions", "coverage.col.sessions", "int"),
                   ("participants_per_session", "coverage.col.per_session", "dec"),
                   ("followups_per_100", "coverage.col.followups_100", "dec"),
                   ("useful_share", "coverage.col.useful_share", "pct")]


def _metric_text(m: dict, key: str, kind: str, lang: str) -> str:
    value = m.get(key)
    if kind == "int":
        return fmt_int(value or 0, lang)
    return _num(value, lang, "%" if kind == "pct" else "")


def _effect_table(eff: dict, lang: str, width: float):
    head1 = [t("coverage.col.no", lang), t("coverage.col.form", lang)]
    head2 = ["", ""]
    for _key, label, _kind in _EFFECT_METRICS:
        head1 += [t(label, lang), ""]
        head2 += [t("coverage.col.current", lang), t("coverage.col.previous", lang)]
    rows = []
    for i, f in enumerate(eff["by_form"], 1):
        row = [str(i), f["label"]]
        for key, _label, kind in _EFFECT_METRICS:
            row += [_metric_text(f["current"], key, kind, lang), _metric_text(f["previous"], key, kind, lang)]
        rows.append(row)
    total = ["", t("coverage.total", lang)]
    for key, _label, kind in _EFFECT_METRICS:
        total += [_metric_text(eff["total"]["current"], key, kind, lang),
                  _metric_text(eff["total"]["previous"], key, kind, lang)]
    rows.append(total)
    metric_w = 24 * mm
    widths = [12 * mm, width - 12 * mm - 8 * metric_w] + [metric_w] * 8
    spans = [((0, 0), (0, 1)), ((1, 0), (1, 1))] + [((2 + 2 * j, 0), (3 + 2 * j, 0)) for j in range(4)]
    return data_table([head1, head2], rows, widths, align=["c", "l"] + ["r"] * 8, spans=spans,
                      bold_rows=(len(rows) - 1,))


# ---- coverage report: XLSX -------------------------------------------------------------------------------

def _formats(wb) -> dict:
    base = {"font_name": "Times New Roman", "font_size": 12, "valign": "top"}
    return {
        "title": wb.add_format({**base, "bold": True, "font_size": 14, "align": "center"}),
        "sub": wb.add_format({**base, "italic": True, "align": "center"}),
        "head": wb.add_format({**base, "bold": True, "align": "center", "valign": "vcenter", "border": 1,
                               "text_wrap": True, "bg_color": "#EDEDED"}),
        "text": wb.add_format({**base, "border": 1, "text_wrap": True}),
        "text_b": wb.add_format({**base, "border": 1, "bold": True}),
        "stt": wb.add_format({**base, "border": 1, "align": "center"}),
        "date": wb.add_format({**base, "border": 1, "num_format": "dd/mm/yyyy", "align": "center"}),
        "int": wb.add_format({**base, "border": 1, "num_format": "#,##0"}),
        "dec": wb.add_format({**base, "border": 1, "num_format": "#,##0.0"}),
        "note": wb.add_format({**base, "italic": True, "text_wrap": True, "font_size": 11}),
    }


def _sheet(wb, f, name: str, title: str, subtitle: str, header: list[str], widths: list[int]):
    clean = "".join(" " if ch in "[]:*?/\\" else ch for ch in name).strip()[:31]
    taken = {w.get_name() for w in wb.worksheets()}
    while clean in taken:
        clean = clean[:29] + " " + str(len(taken))
    ws = wb.add_worksheet(clean)
    for i, w in enumerate(widths):
        ws.set_column(i, i, w)
    last = len(header) - 1
    if last > 0:
        ws.merge_range(0, 0, 0, last, title, f["title"])
        ws.merge_range(1, 0, 1, last, subtitle, f["sub"])
    else:
        ws.write(0, 0, title, f["title"])
        ws.write(1, 0, subtitle, f["sub"])
    ws.write_row(3, 0, header, f["head"])
    ws.repeat_rows(3)
    ws.freeze_panes(4, 0)
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_footer("&C&\"Times New Roman\"Trang &P/&N")
    return ws


def _last_date_cell(ws, r, c, value, f, tt) -> None:
    """A last-reached date, or "never" when there is none."""
    if value is None:
        ws.write(r, c, tt("coverage.never"), f["text"])
    else:
        _cell(ws, r, c, value, f, "date")


def _numbered_sheet(wb, f, tt, name: str, title: str, sub: str, columns: list[tuple], items: list[dict]):
    """A sheet of numbered rows, one per item. `columns`: (header message key, width, the item's value, kind) —
    kind as _cell's, "last" for a last-reached date (or "never") and "blank" for a column left to fill in by hand.
    The number is the item's plan rank when it has one, else its position."""
    ws = _sheet(wb, f, name, title, sub, [tt("coverage.col.no")] + [tt(key) for key, *_ in columns],
                [6] + [width for _, width, *_ in columns])
    for i, item in enumerate(items, 1):
        r = 3 + i
        ws.write(r, 0, item.get("rank", i), f["stt"])
        for c, (_key, _width, value, kind) in enumerate(columns, 1):
            if kind == "last":
                _last_date_cell(ws, r, c, value(item), f, tt)
            elif kind == "blank":
                ws.write_blank(r, c, None, f["text"])
            else:
                _cell(ws, r, c, value(item), f, kind)
    return ws


def _get(key: str):
    return lambda item: item[key]


def _cell(ws, r, c, value, f, kind="text"):
    if value is None:
        ws.write(r, c, "—", f["text"])
    elif kind == "date":
        ws.write_datetime(r, c, dt.datetime.combine(_d(value), dt.time()), f["date"])
    elif kind in ("int", "dec"):
        ws.write_number(r, c, value, f[kind])
    else:
        ws.write(r, c, value, f["text"])


def coverage_xlsx(rep: CoverageResult, out: str | Path | None = None, *, lang: str = "vi") -> bytes:
    """Sheets: villages, groups, languages, communes, effectiveness, rules. Dates are real dates, numbers numbers."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.set_properties({"title": t("coverage.report_title", lang), "author": "Pháp lý cơ sở",
                       "comments": rep.scope["label"]})
    f = _formats(wb)
    title = t("coverage.report_title", lang)
    sub = (t("coverage.period", lang, start=fmt_date(rep.period.start, lang),
             end=fmt_date(rep.period.end, lang))
           + " — " + t("coverage.scope", lang, label=rep.scope["label"]))
    tt = lambda k: t(k, lang)  # noqa: E731

    status = lambda done: tt("coverage.in_period" if done else "coverage.not_in_period")  # noqa: E731
    _numbered_sheet(wb, f, tt, tt("coverage.view.tab_villages"), title, sub, [
        ("coverage.col.commune", 30, _get("commune_name"), "text"),
        ("coverage.col.village", 30, _get("village"), "text"),
        ("coverage.col.last_reached", 14, _get("last_reached"), "last"),
        ("coverage.col.days_since", 10, _get("days_since"), "int"),
        ("coverage.col.sessions", 10, _get("sessions"), "int"),
        ("coverage.col.participants", 12, _get("participants"), "int"),
        ("coverage.col.status", 16, lambda v: status(v["reached_in_period"]), "text")], rep.villages)
    _numbered_sheet(wb, f, tt, tt("coverage.col.group"), title, sub, [
        ("coverage.col.group", 34, _get("label"), "text"), ("coverage.col.sessions", 10, _get("sessions"), "int"),
        ("coverage.col.participants", 12, _get("participants"), "int"),
        ("coverage.col.last_reached", 14, _get("last_served"), "last"),
        ("coverage.col.days_since", 10, _get("days_since"), "int"),
        ("coverage.col.status", 16, lambda g: status(g["served"]), "text")], rep.groups)
    _numbered_sheet(wb, f, tt, tt("coverage.col.language"), title, sub, [
        ("coverage.col.language", 24, _get("label"), "text"), ("coverage.col.people", 10, _get("people"), "int"),
        ("coverage.col.sessions", 10, _get("sessions"), "int"),
        ("coverage.col.last_reached", 14, _get("last_served"), "last"),
        ("coverage.col.days_since", 10, _get("days_since"), "int"),
        ("coverage.col.communes_not_served", 40,
         lambda x: ", ".join(_commune_name(rep, c) for c in x["communes_not_served"]), "text")], rep.languages)
    _numbered_sheet(wb, f, tt, tt("coverage.col.commune"), title, sub, [
        ("coverage.col.commune", 30, _get("name"), "text"), ("coverage.col.sessions", 10, _get("sessions"), "int"),
        ("coverage.col.participants", 12, _get("participants"), "int"),
        ("coverage.view.tab_villages", 10, _get("villages_total"), "int"),
        ("coverage.col.villages", 12, _get("villages_reached"), "int"),
        ("coverage.col.groups_missing", 50,
         lambda c: ", ".join(catalogs.label("target_groups", g, lang) for g in c["groups_not_served"]), "text"),
        ("coverage.col.languages_missing", 30,
         lambda c: ", ".join(catalogs.language_label(x, lang) for x in c["languages_not_served"]), "text")],
        rep.communes)

    header = [tt("coverage.col.no"), tt("coverage.col.form")]
    for _key, label, _kind in _EFFECT_METRICS:
        header += [f"{tt(label)} — {tt('coverage.col.current')}", f"{tt(label)} — {tt('coverage.col.previous')}"]
    ws = _sheet(wb, f, tt("coverage.view.tab_effect"), title, sub, header, [6, 30] + [14] * 8)
    eff = rep.effectiveness
    rows = [(str(i), x["label"], x["current"], x["previous"]) for i, x in enumerate(eff["by_form"], 1)]
    rows.append(("", tt("coverage.total"), eff["total"]["current"], eff["total"]["previous"]))
    for i, (no, label, cur, prev) in enumerate(rows):
        r = 4 + i
        ws.write(r, 0, no, f["stt"])
        _cell(ws, r, 1, label, f)
        for j, (key, _label, kind) in enumerate(_EFFECT_METRICS):
            _cell(ws, r, 2 + 2 * j, cur.get(key), f, "int" if kind == "int" else "dec")
            _cell(ws, r, 3 + 2 * j, prev.get(key), f, "int" if kind == "int" else "dec")
    r = 4 + len(rows) + 1
    for text in rep.rules.values():
        ws.merge_range(r, 0, r, len(header) - 1, text, f["note"])
        ws.set_row(r, 32)
        r += 1
    wb.close()
    data = buf.getvalue()
    if out is not None:
        Path(out).write_bytes(data)
    return data


# ---- plan list -------------------------------------------------------------------------------------------

def _month_text(plan: PlanResult, lang: str) -> str:
    first = plan.period.start
    return f"{first.month:02d}/{first.year}"


def plan_pdf(plan: PlanResult, out: str | Path | None = None, *, lang: str = "vi", on: dt.date | None = None) -> bytes:
    """Portrait A4: ranked villages (with a blank column to write the planned date and form), groups, languages."""
    width = frame_width()
    scope = plan.scope
    multi = _multi_commune(scope)
    story = admin_heading(issuer_for(scope), number="", on=on or today_local())
    story += title_block(t("plan.title", lang, month=_month_text(plan, lang)),
                         t("plan.subtitle", lang, date=fmt_date(plan.as_of, lang)), italic_subtitle=True)
    story.append(p(esc(t("coverage.scope", lang, label=scope["label"])), "subtitle_i"))
    story.append(Spacer(1, 4 * mm))

    story.append(section(t("plan.section.villages", lang)))
    if plan.villages:
        head = [t("coverage.col.no", lang)]
        widths = [11 * mm]
        if multi:
            head.append(t("coverage.col.commune", lang))
            widths.append(35 * mm)
        head += [t("coverage.col.village", lang), t("coverage.col.reason", lang), t("plan.col.planned", lang)]
        widths += [0, 62 * mm, 36 * mm]
        widths[widths.index(0)] = width - sum(widths)
        rows = []
        for v in plan.villages:
            row = [str(v["rank"])] + ([v["commune_name"]] if multi else []) + [v["village"], v["reason"], ""]
            rows.append(row)
        table = data_table([head], rows, widths, align=["c"] + ["l"] * (len(head) - 1))
        story.append(table)
    else:
        story.append(p(esc(t("plan.empty", lang)), "note"))

    story.append(section(t("plan.section.groups", lang)))
    rows = [[str(g["rank"]), g["label"], g["reason"]] for g in plan.groups]
    story.append(data_table([[t("coverage.col.no", lang), t("coverage.col.group", lang),
                              t("coverage.col.reason", lang)]],
                            rows, [11 * mm, width - 11 * mm - 75 * mm, 75 * mm], align=["c", "l", "l"]))

    story.append(section(t("plan.section.languages", lang)))
    if plan.languages:
        rows = [[str(x["rank"]), x["label"], fmt_int(x["people"], lang), x["reason"]] for x in plan.languages]
        story.append(data_table([[t("coverage.col.no", lang), t("coverage.col.language", lang),
                                  t("coverage.col.people", lang), t("coverage.col.reason", lang)]],
                                rows, [11 * mm, width - 11 * mm - 22 * mm - 75 * mm, 22 * mm, 75 * mm],
                                align=["c", "l", "r", "l"]))
    else:
        story.append(p(esc(t("coverage.none", lang)), "note"))
    story.append(signature_block(_signers(lang), width))
    return build_pdf(story, out, numbering="decree", title=t("plan.title", lang, month=_month_text(plan, lang)))


def plan_xlsx(plan: PlanResult, out: str | Path | None = None, *, lang: str = "vi") -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    f = _formats(wb)
    title = t("plan.title", lang, month=_month_text(plan, lang))
    sub = t("plan.subtitle", lang, date=fmt_date(plan.as_of, lang)) + " — " + plan.scope["label"]
    tt = lambda k: t(k, lang)  # noqa: E731
    _numbered_sheet(wb, f, tt, tt("coverage.view.tab_villages"), title, sub, [
        ("coverage.col.commune", 30, _get("commune_name"), "text"),
        ("coverage.col.village", 30, _get("village"), "text"),
        ("coverage.col.last_reached", 14, _get("last_reached"), "last"),
        ("coverage.col.days_since", 10, _get("days_since"), "int"),
        ("coverage.col.reason", 36, _get("reason"), "text"),
        ("plan.col.planned", 26, None, "blank")], plan.villages)
    for items, label_key in ((plan.groups, "coverage.col.group"), (plan.languages, "coverage.col.language")):
        _numbered_sheet(wb, f, tt, tt(label_key), title, sub, [
            (label_key, 34, _get("label"), "text"), ("coverage.col.last_reached", 14, _get("last_reached"), "last"),
            ("coverage.col.days_since", 10, _get("days_since"), "int"),
            ("coverage.col.reason", 40, _get("reason"), "text")],
            items)
    wb.close()
    data = buf.getvalue()
    if out is not None:
        Path(out).write_bytes(data)
    return data


# ---- one entry point -------------------------------------------------------------------------------------

def _json_writer(data: CoverageResult | PlanResult, out: str | Path | None = None, **_ignored) -> bytes:
    """The report with ISO dates (to_json()), as `report coverage|plan --format json` prints it."""
    content = (json.dumps(data.to_json(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if out is not None:
        Path(out).write_bytes(content)
    return content


WRITERS = {("coverage", "pdf"): coverage_pdf, ("coverage", "xlsx"): coverage_xlsx, ("coverage", "json"): _json_writer,
           ("plan", "pdf"): plan_pdf, ("plan", "xlsx"): plan_xlsx, ("plan", "json"): _json_writer}
FORMATS = ("pdf", "xlsx", "json")


def _write(what: str, data: CoverageResult | PlanResult, fmt: str, out: str | Path | None, lang: str) -> bytes:
    try:
        writer = WRITERS[(what, fmt)]
    except KeyError:
        raise UsageError(f"Định dạng không hỗ trợ: {fmt}", f"Unsupported format: {fmt}") from None
    return writer(data, out, lang=lang)


def render(rep: CoverageResult, fmt: str, out: str | Path | None = None, *, lang: str = "vi") -> bytes:
    """The coverage report in `fmt` ("pdf", "xlsx" or "json"), written to `out` when given; returns the bytes."""
    return _write("coverage", rep, fmt, out, lang)


def render_plan(plan: PlanResult, fmt: str, out: str | Path | None = None, *, lang: str = "vi") -> bytes:
    """The monthly plan list in `fmt` ("pdf", "xlsx" or "json"), written to `out` when given."""
    return _write("plan", plan, fmt, out, lang)
