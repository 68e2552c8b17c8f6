"""The shared document style of every printed form and report (Nghị định 30/2020/NĐ-CP, Phụ lục I).

    from services.printing.document import (Issuer, admin_heading, title_block, body, signature_block,
                                            data_table, build_pdf)
    issuer = Issuer(province="Tuyên Quang", province_type="Tỉnh", body="Ủy ban nhân dân", unit="Xã Tân Lập",
                    place="Tân Lập")
    story = admin_heading(issuer, number="12/PTN-TGPL", on=date(2026, 2, 5)) + title_block("PHIẾU TIẾP NHẬN")
    story += [body("Nội dung …"), signature_block([Signer("NGƯỜI TIẾP NHẬN", name="Nguyễn Văn A")])]
    pdf_bytes = build_pdf(story)                      # A4 portrait, NĐ 30 margins, page no. top centre from p. 2
    build_pdf(story, numbering="total")               # batch prints / long tallies: "Trang x/y" in the footer

Built on reportlab platypus (BaseDocTemplate + PageTemplate, LongTable with repeatRows, a two-pass
NumberedCanvas for "Trang x/y"). Liberation Serif (Times-metric) is embedded from assets/fonts.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.pagesizes import landscape as _landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    LongTable,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import HRFlowable

from services.formatting import fmt_int, fmt_long_date
from services.printing.fonts import SERIF, SERIF_BOLD, SERIF_ITALIC, register_fonts

register_fonts()

MARGINS = {"top": 20 * mm, "bottom": 20 * mm, "left": 30 * mm, "right": 15 * mm}
QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"


def _style(name, size=13, font=SERIF, align=TA_LEFT, leading=None, **kw) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=font, fontSize=size, leading=leading or round(size * 1.25, 1),
                          alignment=align, **kw)


STYLES = {
    "body": _style("body", 13, align=TA_JUSTIFY, firstLineIndent=10 * mm, spaceAfter=6),
    "field": _style("field", 13, spaceAfter=3),
    "small": _style("small", 11),
    "checklist": _style("checklist", 10, leading=11.5, leftIndent=5 * mm),
    "note": _style("note", 11, font=SERIF_ITALIC),
    "cell": _style("cell", 11, leading=13),
    "cell_c": _style("cell_c", 11, leading=13, align=TA_CENTER),
    "cell_r": _style("cell_r", 11, leading=13, align=TA_RIGHT),
    "tiny": _style("tiny", 9, leading=10.5),
    "tiny8": _style("tiny8", 8, leading=9.5),
    "tiny_c": _style("tiny_c", 8, leading=9, align=TA_CENTER),
    "cell_s": _style("cell_s", 10, leading=12),
    "cell_s_c": _style("cell_s_c", 10, leading=12, align=TA_CENTER),
    "cell_s_r": _style("cell_s_r", 10, leading=12, align=TA_RIGHT),
    "cell_s_h": _style("cell_s_h", 10, font=SERIF_BOLD, leading=12, align=TA_CENTER),
    "cell_h": _style("cell_h", 11, font=SERIF_BOLD, leading=13, align=TA_CENTER),
    "head_c": _style("head_c", 12, align=TA_CENTER, leading=15),
    "head_cb": _style("head_cb", 12, font=SERIF_BOLD, align=TA_CENTER, leading=15),
    "tieu_ngu": _style("tieu_ngu", 13, font=SERIF_BOLD, align=TA_CENTER, leading=16),
    "number": _style("number", 13, align=TA_CENTER, leading=16),
    "dateline": _style("dateline", 13, font=SERIF_ITALIC, align=TA_CENTER, leading=16),
    "dateline_right": _style("dateline_right", 13, font=SERIF_ITALIC, align=TA_RIGHT, leading=16, spaceBefore=4),
    "title": _style("title", 14, font=SERIF_BOLD, align=TA_CENTER, leading=18, spaceBefore=6),
    "subtitle": _style("subtitle", 13, font=SERIF_BOLD, align=TA_CENTER, leading=16),
    "subtitle_i": _style("subtitle_i", 13, font=SERIF_ITALIC, align=TA_CENTER, leading=16),
    "section": _style("section", 13, font=SERIF_BOLD, spaceBefore=6, spaceAfter=3),
    "form_no": _style("form_no", 11, font=SERIF_BOLD, align=TA_RIGHT),
    "sign_title": _style("sign_title", 13, font=SERIF_BOLD, align=TA_CENTER, leading=16),
    "sign_note": _style("sign_note", 12, font=SERIF_ITALIC, align=TA_CENTER, leading=14),
    "sign_name": _style("sign_name", 13, font=SERIF_BOLD, align=TA_CENTER, leading=16),
    "footer": _style("footer", 11, align=TA_CENTER),
}


def p(text: str, style: str | ParagraphStyle = "field") -> Paragraph:
    """Paragraph from markup (caller escapes user text with `esc`)."""
    return Paragraph(text, STYLES[style] if isinstance(style, str) else style)


def esc(value) -> str:
    """User text → safe paragraph markup (newlines kept)."""
    return escape("" if value is None else str(value)).replace("\n", "<br/>")


def body(text: str) -> Paragraph:
    return p(esc(text), "body")


def field_line(label: str, value, *, dots: bool = True) -> Paragraph:
    """'Họ và tên: Nguyễn Văn A' — an empty value prints a dotted line to fill in by hand."""
    shown = esc(value) if value not in (None, "") else ("." * 60 if dots else "")
    return p(f"{esc(label)}: {shown}", "field")


def section(text: str) -> Paragraph:
    return p(esc(text), "section")


# ----------------------------------------------------------------------------------------------- heading
@dataclass
class Issuer:
    """Who issues a document: chủ quản line (province) + issuing body, and the địa danh for the date line."""
    province: str = ""            # "Tuyên Quang"
    province_type: str = "Tỉnh"   # "Tỉnh" | "Thành phố"
    body: str = "Ủy ban nhân dân"  # first line of the issuing body
    unit: str = ""                # "Xã Tân Lập" / "Phường Hà Giang 1" / "Tổ hòa giải thôn Nà Lạ"
    place: str = ""               # địa danh in the date line: "Tân Lập"
    parent: str = ""              # explicit chủ quản line (overrides the province line), e.g. "UBND xã Tân Lập"

    @property
    def parent_line(self) -> str:
        if self.parent:
            return self.parent.upper()
        return f"{self.province_type} {self.province}".upper().strip() if self.province else ""

    def body_lines(self) -> list[str]:
        return [line.upper() for line in (self.body, self.unit) if line]


def _rule(width: float) -> HRFlowable:
    return HRFlowable(width=width, thickness=0.6, color=colors.black, spaceBefore=1, spaceAfter=3, hAlign="CENTER")


def date_line(place: str, on: dt.date | None) -> str:
    on = on or dt.date.today()
    return f"{place + ', ' if place else ''}{fmt_long_date(on)}"


def admin_heading(issuer: Issuer, *, number: str | None = "", on: dt.date | None = None, width: float | None = None,
                  form_no: str | None = None) -> list[Flowable]:
    """NĐ 30/2020 heading: issuing body + short rule + "Số: …" at top left, Quốc hiệu + Tiêu ngữ + rule + italic
    place/date line at top right."""
    width = width or (A4[0] - MARGINS["left"] - MARGINS["right"])
    left_w = max(68 * mm, width * 0.42)
    right_w = width - left_w
    left: list[Flowable] = []
    if issuer.parent_line:
        left.append(p(esc(issuer.parent_line), "head_c"))
    lines = issuer.body_lines()
    left.append(p("<br/>".join(esc(x) for x in lines), "head_cb"))
    widest = max((stringWidth(x, SERIF_BOLD, 12) for x in lines), default=60)
    left.append(_rule(min(widest * 0.45, left_w * 0.6)))
    if number is not None:
        left.append(p(f"Số: {esc(number) if number else '……/……'}", "number"))
    right: list[Flowable] = [p(QUOC_HIEU, "head_cb"), p(TIEU_NGU, "tieu_ngu"),
                             _rule(stringWidth(TIEU_NGU, SERIF_BOLD, 13))]
    right.append(p(esc(date_line(issuer.place, on)), "dateline"))
    table = Table([[left, right]], colWidths=[left_w, right_w])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                               ("TOPPADDING", (0, 0), (-1, -1), 0)]))
    out: list[Flowable] = []
    if form_no:
        out.append(p(esc(form_no), "form_no"))
    out += [table, Spacer(1, 6 * mm)]
    return out


def national_heading(*, form_no: str | None = None) -> list[Flowable]:
    """Quốc hiệu + Tiêu ngữ centred (citizen's forms such as the đơn yêu cầu, which have no issuing body)."""
    out: list[Flowable] = []
    if form_no:
        out.append(p(esc(form_no), "form_no"))
    out += [p(QUOC_HIEU, "head_cb"), p(TIEU_NGU, "tieu_ngu"), _rule(stringWidth(TIEU_NGU, SERIF_BOLD, 13)),
            Spacer(1, 4 * mm)]
    return out


def title_block(title: str, subtitle: str | None = None, *, italic_subtitle: bool = False) -> list[Flowable]:
    out: list[Flowable] = [p(esc(title).upper(), "title")]
    if subtitle:
        out.append(p(esc(subtitle), "subtitle_i" if italic_subtitle else "subtitle"))
    out.append(Spacer(1, 5 * mm))
    return out


# ----------------------------------------------------------------------------------------------- signatures
@dataclass
class Signer:
    title: str                                   # "NGƯỜI TIẾP NHẬN" (caps, bold)
    note: str = "(Ký, ghi rõ họ tên)"
    name: str = ""                               # printed under the signing space (bold)
    fingerprint: bool = False                    # adds a "điểm chỉ" box beside the signing space
    above: str = ""                              # e.g. "TM. ỦY BAN NHÂN DÂN" / "KT. CHỦ TỊCH"


class FingerprintBox(Flowable):
    """An empty framed box for a fingerprint (điểm chỉ) with its caption."""

    def __init__(self, w=24 * mm, h=30 * mm, caption="Điểm chỉ\n(ngón trỏ phải)"):
        super().__init__()
        self.w, self.h, self.caption = w, h, caption
        self.hAlign = "CENTER"

    def wrap(self, aw, ah):
        return self.w, self.h

    def draw(self):
        c = self.canv
        c.setLineWidth(0.6)
        c.rect(0, 0, self.w, self.h)
        c.setFont(SERIF_ITALIC, 9)
        lines = self.caption.split("\n")
        for i, line in enumerate(lines):
            c.drawCentredString(self.w / 2, 3 * mm + (len(lines) - 1 - i) * 10, line)


def signature_block(signers: list[Signer], width: float | None = None, space: float = 24 * mm,
                    per_row: int = 3, gap: float = 5 * mm) -> Flowable:
    """Signature columns side by side (further rows after `per_row`; a page break may fall between rows)."""
    width = width or (A4[0] - MARGINS["left"] - MARGINS["right"])
    cols = min(per_row, max(1, len(signers)))
    cells = []
    for s in signers:
        cell: list[Flowable] = []
        if s.above:
            cell.append(p(esc(s.above), "sign_title"))
        cell += [p(esc(s.title), "sign_title"), p(esc(s.note), "sign_note")]
        if s.fingerprint:
            cell += [Spacer(1, 1 * mm), FingerprintBox(h=space - 2 * mm), Spacer(1, 1 * mm)]
        else:
            cell.append(Spacer(1, space))
        cell.append(p(esc(s.name) if s.name else "", "sign_name"))
        cells.append(cell)
    rows = [cells[i:i + cols] for i in range(0, len(cells), cols)]
    rows[-1] += [""] * (cols - len(rows[-1]))
    table = Table(rows, colWidths=[width / cols] * cols)
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 8)]))
    return KeepTogether([Spacer(1, gap), table]) if len(rows) == 1 else table


# ----------------------------------------------------------------------------------------------- tables
def _cell(value, style: str, right: str = "cell_r") -> Flowable | str:
    if isinstance(value, Flowable):
        return value
    if isinstance(value, bool):
        return p("x" if value else "", style)
    if isinstance(value, int):
        return p(fmt_int(value), right)
    return p(esc(value), style)


def data_table(header_rows: list[list], rows: list[list], col_widths: list[float], *, align: list[str] | None = None,
               spans: list[tuple] = (), bold_rows: tuple[int, ...] = (), zebra: bool = False,
               small: bool = False) -> LongTable:
    """A bordered table whose header rows repeat on every page; every cell is a wrapped Paragraph so long text
    grows the row instead of being cut off. `align` per column: "l" | "c" | "r"; ints print as 2.117.503."""
    align = align or ["l"] * len(col_widths)
    style_of = ({"l": "cell_s", "c": "cell_s_c", "r": "cell_s_r"} if small
                else {"l": "cell", "c": "cell_c", "r": "cell_r"})
    head = "cell_s_h" if small else "cell_h"
    data = [[v if isinstance(v, Flowable) else p(esc(v), head) for v in row] for row in header_rows]
    body_start = len(data)
    for r_i, row in enumerate(rows):
        out = []
        for c_i, v in enumerate(row):
            st = style_of[align[c_i] if c_i < len(align) else "l"]
            if r_i in bold_rows and not isinstance(v, Flowable):   # indices into `rows` (e.g. totals)
                out.append(p(f"<b>{fmt_int(v) if isinstance(v, int) and not isinstance(v, bool) else esc(v)}</b>",
                             style_of["r"] if isinstance(v, int) else st))
            else:
                out.append(_cell(v, st, style_of["r"]))
        data.append(out)
    table = LongTable(data, colWidths=col_widths, repeatRows=len(header_rows), splitByRow=1)
    cmds = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("VALIGN", (0, body_start), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ("BACKGROUND", (0, 0), (-1, body_start - 1), colors.HexColor("#EDEDED"))]
    cmds += [("SPAN",) + tuple(s) for s in spans]
    if zebra:
        cmds += [("BACKGROUND", (0, i), (-1, i), colors.HexColor("#F7F7F7"))
                 for i in range(body_start + 1, len(data), 2)]
    table.setStyle(TableStyle(cmds))
    return table


# ----------------------------------------------------------------------------------------------- building
class NumberedCanvas(rl_canvas.Canvas):
    """Two-pass "Trang x/y": pages are kept until save(), when the total is known (reportlab FAQ pattern)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._saved_page_states: list[dict] = []

    def showPage(self):
        self._saved_page_states.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._saved_page_states)
        for state in self._saved_page_states:
            self.__dict__.update(state)
            self.setFont(SERIF, 11)
            w, _h = self._pagesize
            self.drawCentredString(w / 2, 10 * mm, f"Trang {self._pageNumber}/{total}")
            super().showPage()
        super().save()


def _decree_page_number(canvas, doc):
    """NĐ 30/2020: Arabic page number centred in the top margin, not on page 1 (of each document in a batch)."""
    number = canvas.getPageNumber() - getattr(doc, "_section_start", 1) + 1
    if number >= 2:
        canvas.saveState()
        canvas.setFont(SERIF, 13)
        w, h = doc.pagesize
        canvas.drawCentredString(w / 2, h - 12 * mm, str(number))
        canvas.restoreState()


def build_pdf(story: list[Flowable], out: str | Path | io.BytesIO | None = None, *, landscape: bool = False,
              numbering: str = "decree", title: str = "", author: str = "Pháp lý cơ sở") -> bytes:
    """Lay out `story` on A4 with the decree's margins and return the PDF bytes (also written to `out`).

    numbering: "decree" (page number top centre from page 2), "total" ("Trang x/y" footer; batches and long
    tallies), "none".
    """
    pagesize = _landscape(A4) if landscape else A4
    buf = io.BytesIO()
    doc = BaseDocTemplate(buf, pagesize=pagesize, leftMargin=MARGINS["left"], rightMargin=MARGINS["right"],
                          topMargin=MARGINS["top"], bottomMargin=MARGINS["bottom"], title=title, author=author,
                          creator="Pháp lý cơ sở", lang="vi-VN")
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body", leftPadding=0,
                  rightPadding=0, topPadding=0, bottomPadding=0)
    on_page = _decree_page_number if numbering == "decree" else (lambda canvas, doc: None)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=on_page, pagesize=pagesize)])
    doc.build(list(story), canvasmaker=NumberedCanvas if numbering == "total" else rl_canvas.Canvas)
    data = buf.getvalue()
    if out is not None:
        if isinstance(out, io.BytesIO):
            out.write(data)
        else:
            Path(out).write_bytes(data)
    return data


def frame_width(landscape: bool = False) -> float:
    w = _landscape(A4)[0] if landscape else A4[0]
    return w - MARGINS["left"] - MARGINS["right"]


def join_documents(stories: list[list[Flowable]]) -> list[Flowable]:
    """One story from several documents, each starting on a new page (for batch prints)."""
    out: list[Flowable] = []
    for i, s in enumerate(stories):
        if i:
            out.append(PageBreak())
        out += s
    return out
