"""The tally report as PDF (NĐ 30/2020 style, "Trang x/y"), XLSX (xlsxwriter) and JSON, the first two rendered
from the same rows of a layout kept as data (assets/report_layouts/tally.json), so they always carry the same numbers.

    result = services.reports.tally.compute(period, province="08")     # a TallyResult
    render(result, "pdf", "bao-cao.pdf");  render(result, "xlsx", "bao-cao.xlsx");  render(result, "json", "t.json")
    rows = tally_rows(result)      # [Row(number="1", label="Tổng số vụ việc tiếp nhận", current=12, previous=9, …)]
"""
from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Spacer

from services import admin_units, catalogs
from services.dates import today_local
from services.errors import FieldError, ValidationError
from services.formatting import change_pct, fmt_change_pct, fmt_date, fmt_decimal, fmt_int
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
    signature_block,
)
from services.reports.tally.result import TallyResult

LAYOUT_DIR = Path(__file__).resolve().parents[3] / "assets" / "report_layouts"
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]


@cache
def load_layout(name: str = "tally") -> dict:
    return json.loads((LAYOUT_DIR / f"{name}.json").read_text(encoding="utf-8"))


@dataclass
class Row:
    number: str
    label: str
    current: int | float | None
    previous: int | float | None
    change: float | None
    kind: str = "count"          # count | percent | section | heading
    bold: bool = False
    indent: int = 0


def _get(data: TallyResult, path: str):
    head, _, rest = path.partition(".")
    node = data.section(head)
    for key in rest.split(".") if rest else []:
        if node is None:
            return None
        node = node.get(key)
    return node


def _prev_path(path: str) -> str:
    head, _, last = path.rpartition(".")
    return f"{head}.previous_{last}" if head else f"previous_{last}"


def _code_label(catalog: str, code: str, lang: str) -> str:
    if catalog == "__languages__":
        return catalogs.language_label(code, lang)
    # display_label: beneficiary categories numbered as the law writes them, a historic category under its own
    # dated label ("7đ. … (đến 31/12/2025)"), working states of mediation marked as such.
    return catalogs.display_label(catalog, code, lang)


def tally_rows(data: TallyResult, layout: str = "tally", lang: str = "vi") -> list[Row]:
    """Flatten a tally into report rows following the layout (sections, totals, one row per catalog code)."""
    lay = load_layout(layout)
    compare = data.compare
    rows: list[Row] = []
    for s_i, section in enumerate(lay["sections"]):
        rows.append(Row(ROMAN[s_i], section[lang], None, None, None, kind="section", bold=True))
        for n, spec in enumerate(section["rows"], start=1):
            label = spec.get(lang) or spec["vi"]
            if spec["kind"] in ("value", "percent"):
                cur = _get(data, spec["path"])
                prev = _get(data, _prev_path(spec["path"])) if compare else None
                rows.append(Row(str(n), label, cur, prev, change_pct(cur, prev) if spec["kind"] == "value" else None,
                                kind="count" if spec["kind"] == "value" else "percent", bold=spec.get("bold", False),
                                indent=1 if spec.get("indent") else 0))
            else:
                group = _get(data, spec["path"]) or {}
                prev_group = (_get(data, _prev_path(spec["path"])) or {}) if compare else {}
                rows.append(Row(str(n), label, None, None, None, kind="heading", bold=True))
                for code, cur in group.items():
                    prev = prev_group.get(code) if compare else None
                    rows.append(Row("", "– " + _code_label(spec["catalog"], code, lang), cur, prev,
                                    change_pct(cur, prev), indent=1))
    return rows


def data_notes(data: TallyResult, lang: str = "vi") -> list[str]:
    """Notes that depend on the figures: the roll-up of pre-reform units (compute.ROLLUP_NOTE)."""
    note = data.rollup_note
    return [note.get(lang) or note["vi"]] if note else []


def notes(layout: str = "tally", lang: str = "vi") -> list[str]:
    return [n.get(lang) or n["vi"] for s in load_layout(layout)["sections"] for n in s.get("notes", [])]


def _fmt(value, kind: str) -> str:
    if value is None:
        return "—" if kind == "percent" else ""
    return fmt_decimal(value) if kind == "percent" else fmt_int(value)


def period_text(data: TallyResult) -> str:
    return f"Kỳ báo cáo: từ ngày {fmt_date(data.period.start)} đến ngày {fmt_date(data.period.end)}"


def previous_text(data: TallyResult) -> str:
    if not data.previous:
        return ""
    return f"Cùng kỳ năm trước: từ ngày {fmt_date(data.previous.start)} đến ngày {fmt_date(data.previous.end)}"


def report_issuer(data: TallyResult) -> Issuer:
    scope = data.scope
    if scope.get("communes") and len(scope["communes"]) == 1:
        return commune_issuer(scope["communes"][0])
    if scope.get("province"):
        return province_issuer(scope["province"])
    return Issuer(province="", body="Sở Tư pháp", unit="", place="")


def tally_pdf(data: TallyResult, out: str | Path | None = None, *, layout: str = "tally", lang: str = "vi",
              issuer: Issuer | None = None, on: dt.date | None = None) -> bytes:
    lay = load_layout(layout)
    compare = data.compare
    width = frame_width()
    story = admin_heading(issuer or report_issuer(data), number="", on=on or today_local())
    story += [p(esc(lay["title"][lang]), "title"), p(esc(lay["subtitle"][lang]), "subtitle"),
              p(esc(period_text(data)), "subtitle_i")]
    if compare:
        story.append(p(esc(previous_text(data)), "subtitle_i"))
    story += [p(esc(f"Phạm vi: {data.scope['label']}"), "subtitle_i"), Spacer(1, 4 * mm)]
    rows = tally_rows(data, layout, lang)
    if compare:
        header = ["STT", "Chỉ tiêu", "Kỳ này", "Cùng kỳ năm trước", "Tăng/giảm (%)"]
        widths = [12 * mm, width - 12 * mm - 3 * 25 * mm, 25 * mm, 25 * mm, 25 * mm]
    else:
        header = ["STT", "Chỉ tiêu", "Số liệu"]
        widths = [12 * mm, width - 12 * mm - 30 * mm, 30 * mm]
    body, bold = [], []
    for i, r in enumerate(rows):
        label = ("&nbsp;" * 4 * r.indent) + esc(r.label)
        if r.kind in ("section", "heading"):
            cells = [r.number, p(f"<b>{label}</b>", "cell")] + [""] * (len(header) - 2)
        else:
            cells = [r.number, p(f"<b>{label}</b>" if r.bold else label, "cell"), _fmt(r.current, r.kind)]
            if compare:
                cells += [_fmt(r.previous, r.kind), fmt_change_pct(r.change) if r.kind == "count" else "—"]
        if r.bold:
            bold.append(i)
        body.append(cells)
    table = data_table([header], body, widths, align=["c", "l"] + ["r"] * (len(header) - 2), bold_rows=tuple(bold))
    section_rows = [i + 1 for i, r in enumerate(rows) if r.kind == "section"]
    table.setStyle([("BACKGROUND", (0, i), (-1, i), "#F2F2F2") for i in section_rows])
    story.append(table)
    for note in notes(layout, lang) + data_notes(data, lang):
        story.append(p(esc(note), "note"))
    story.append(signature_block([Signer("NGƯỜI LẬP BIỂU", name=""),
                                  Signer("THỦ TRƯỞNG ĐƠN VỊ", "(Ký, ghi rõ họ tên, đóng dấu)")], width))
    if data.by_commune:
        story += _commune_annex(data, lay, lang, width)
    return build_pdf(story, out, numbering="total", title=lay["title"][lang] + " — " + lay["subtitle"][lang])


def _commune_name(data: TallyResult, code: str) -> str:
    return (data.scope.get("commune_names") or {}).get(code) or admin_units.commune_name(code)


def _commune_annex(data: TallyResult, lay: dict, lang: str, width: float) -> list:
    spec = lay["by_commune"]
    cols = spec["columns"]
    header = ["STT", "Xã, phường, đặc khu"] + [c[lang] for c in cols]
    num_w = 22 * mm
    widths = [12 * mm, width - 12 * mm - num_w * len(cols)] + [num_w] * len(cols)
    body = []
    totals = {c["key"]: 0 for c in cols}
    for i, (code, vals) in enumerate(data.by_commune.items(), 1):
        body.append([str(i), _commune_name(data, code)] + [int(vals.get(c["key"], 0)) for c in cols])
        for c in cols:
            totals[c["key"]] += int(vals.get(c["key"], 0))
    body.append(["", "Tổng cộng"] + [totals[c["key"]] for c in cols])
    return [PageBreak(), p(esc(spec[lang]), "subtitle"), p(esc(period_text(data)), "subtitle_i"), Spacer(1, 3 * mm),
            data_table([header], body, widths, align=["c", "l"] + ["r"] * len(cols), bold_rows=(len(body) - 1,),
                       zebra=True)]


# ---------------------------------------------------------------------------------------------- XLSX
def tally_xlsx(data: TallyResult, out: str | Path | None = None, *, layout: str = "tally", lang: str = "vi") -> bytes:
    """The same rows as the PDF in a formatted workbook: numbers stay numbers (#,##0), percentages as 0.0."""
    import xlsxwriter

    lay = load_layout(layout)
    compare = data.compare
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.set_properties({"title": lay["subtitle"][lang], "author": "Pháp lý cơ sở", "comments": data.scope["label"]})
    base = {"font_name": "Times New Roman", "font_size": 12, "valign": "top"}
    f = {
        "title": wb.add_format({**base, "bold": True, "font_size": 14, "align": "center"}),
        "sub": wb.add_format({**base, "italic": True, "align": "center"}),
        "head": wb.add_format({**base, "bold": True, "align": "center", "valign": "vcenter", "border": 1,
                               "text_wrap": True, "bg_color": "#EDEDED"}),
        "text": wb.add_format({**base, "border": 1, "text_wrap": True}),
        "text_b": wb.add_format({**base, "border": 1, "text_wrap": True, "bold": True}),
        "section": wb.add_format({**base, "border": 1, "bold": True, "bg_color": "#F2F2F2"}),
        "stt": wb.add_format({**base, "border": 1, "align": "center"}),
        "int": wb.add_format({**base, "border": 1, "num_format": "#,##0"}),
        "int_b": wb.add_format({**base, "border": 1, "num_format": "#,##0", "bold": True}),
        "pct": wb.add_format({**base, "border": 1, "num_format": "0.0"}),
        "chg": wb.add_format({**base, "border": 1, "num_format": "+0.0;-0.0;0.0"}),
        "note": wb.add_format({**base, "italic": True, "text_wrap": True, "font_size": 11}),
    }
    ws = wb.add_worksheet("Báo cáo" if lang == "vi" else "Report")
    ncol = 5 if compare else 3
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 62)
    ws.set_column(2, ncol - 1, 16)
    ws.merge_range(0, 0, 0, ncol - 1, lay["title"][lang], f["title"])
    ws.merge_range(1, 0, 1, ncol - 1, lay["subtitle"][lang], f["title"])
    ws.merge_range(2, 0, 2, ncol - 1, period_text(data), f["sub"])
    r = 3
    if compare:
        ws.merge_range(r, 0, r, ncol - 1, previous_text(data), f["sub"])
        r += 1
    ws.merge_range(r, 0, r, ncol - 1, f"Phạm vi: {data.scope['label']}", f["sub"])
    r += 2
    header = (["STT", "Chỉ tiêu", "Kỳ này", "Cùng kỳ năm trước", "Tăng/giảm (%)"] if compare
              else ["STT", "Chỉ tiêu", "Số liệu"])
    ws.write_row(r, 0, header, f["head"])
    ws.set_row(r, 32)
    header_row = r
    r += 1
    for row in tally_rows(data, layout, lang):
        label = "    " * row.indent + row.label
        if row.kind in ("section", "heading"):
            fmt = f["section"] if row.kind == "section" else f["text_b"]
            ws.write(r, 0, row.number, f["stt"])
            ws.write(r, 1, label, fmt)
            for c in range(2, ncol):
                ws.write_blank(r, c, None, fmt)
        else:
            num = f["pct"] if row.kind == "percent" else (f["int_b"] if row.bold else f["int"])
            ws.write(r, 0, row.number, f["stt"])
            ws.write(r, 1, label, f["text_b"] if row.bold else f["text"])
            _write_num(ws, r, 2, row.current, num, f["text"])
            if compare:
                _write_num(ws, r, 3, row.previous, num, f["text"])
                _write_num(ws, r, 4, row.change, f["chg"], f["text"])
        r += 1
    for note in notes(layout, lang) + data_notes(data, lang):
        r += 1
        ws.merge_range(r, 0, r, ncol - 1, note, f["note"])
        ws.set_row(r, 45)
    ws.repeat_rows(header_row)
    ws.freeze_panes(header_row + 1, 0)
    ws.set_paper(9)
    ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=1.18, right=0.59, top=0.79, bottom=0.79)
    ws.set_footer("&C&\"Times New Roman\"Trang &P/&N")

    if data.by_commune:
        spec = lay["by_commune"]
        cols = spec["columns"]
        wc = wb.add_worksheet("Theo xã" if lang == "vi" else "By commune")
        wc.set_column(0, 0, 6)
        wc.set_column(1, 1, 36)
        wc.set_column(2, 1 + len(cols), 15)
        wc.merge_range(0, 0, 0, 1 + len(cols), spec[lang], f["title"])
        wc.merge_range(1, 0, 1, 1 + len(cols), period_text(data), f["sub"])
        wc.write_row(3, 0, ["STT", "Xã, phường, đặc khu"] + [c[lang] for c in cols], f["head"])
        r = 4
        for i, (code, vals) in enumerate(data.by_commune.items(), 1):
            wc.write(r, 0, i, f["stt"])
            wc.write(r, 1, _commune_name(data, code), f["text"])
            for j, c in enumerate(cols):
                wc.write_number(r, 2 + j, int(vals.get(c["key"], 0)), f["int"])
            r += 1
        wc.write(r, 1, "Tổng cộng", f["text_b"])
        for j, c in enumerate(cols):
            col = xlsxwriter.utility.xl_col_to_name(2 + j)
            total = sum(int(v.get(c["key"], 0)) for v in data.by_commune.values())
            wc.write_formula(r, 2 + j, f"=SUM({col}5:{col}{r})", f["int_b"], total)
        wc.repeat_rows(3)
        wc.freeze_panes(4, 0)
        wc.set_paper(9)
        wc.fit_to_pages(1, 0)
        wc.set_footer("&C&\"Times New Roman\"Trang &P/&N")
    wb.close()
    content = buf.getvalue()
    if out is not None:
        Path(out).write_bytes(content)
    return content


def _write_num(ws, r, c, value, fmt, blank_fmt):
    if value is None:
        ws.write(r, c, "—", blank_fmt)
    else:
        ws.write_number(r, c, value, fmt)


# ---------------------------------------------------------------------------------------------- JSON, dispatch
def tally_json(data: TallyResult, out: str | Path | None = None, **_ignored) -> bytes:
    """The contract's JSON (UTF-8, non-ASCII kept, indented as the CLI prints it)."""
    content = json.dumps(data.to_json(), ensure_ascii=False, indent=2).encode("utf-8")
    if out is not None:
        Path(out).write_bytes(content)
    return content


RENDERERS = {"pdf": tally_pdf, "xlsx": tally_xlsx, "json": tally_json}
FORMATS = tuple(RENDERERS)


def render(data: TallyResult, fmt: str, out: str | Path | None = None, *, lang: str = "vi") -> bytes:
    """The tally in `fmt` ("pdf", "xlsx" or "json"), written to `out` when given; returns the file's bytes."""
    try:
        renderer = RENDERERS[fmt]
    except KeyError:
        raise ValidationError([FieldError("format", f"Định dạng không hỗ trợ: «{fmt}»",
                                          f"Unsupported format '{fmt}'")]) from None
    return renderer(data, out, lang=lang)
