"""QR codes on printed slips (segno), drawn as vector squares straight into the PDF.

    qr_payload(case)          -> '{"id":"<uuid>","number":"TGPL-…"}'
    QRFlowable(qr_payload(case), size=26 * mm)
"""
from __future__ import annotations

import json

import segno
from reportlab.lib.units import mm
from reportlab.platypus import Flowable


def qr_payload(record) -> str:
    """The QR text of a record: compact JSON with its id and human-readable number (scanned back by the app)."""
    return json.dumps({"id": str(record.id), "number": getattr(record, "number", None)}, ensure_ascii=False,
                      separators=(",", ":"))


def parse_payload(text: str) -> dict:
    data = json.loads(text)
    return {"id": data["id"], "number": data.get("number")}


MASK = 0


class QRFlowable(Flowable):
    def __init__(self, payload: str, size: float = 26 * mm, border: int = 2):
        super().__init__()
        self.payload = payload
        self.size = size
        # A fixed mask pattern (valid per ISO/IEC 18004) skips segno's best-mask search: ~5x faster per slip.
        qr = segno.make(payload, error="m", micro=False, mask=MASK)
        self.rows = [list(r) for r in qr.matrix_iter(border=border)]
        self.hAlign = "CENTER"

    def wrap(self, aw, ah):
        return self.size, self.size

    def draw(self):
        n = len(self.rows)
        cell = self.size / n
        c = self.canv
        c.setFillColorRGB(0, 0, 0)
        path = c.beginPath()
        for y, row in enumerate(self.rows):
            x = 0
            while x < n:          # one rectangle per run of dark modules
                if row[x]:
                    start = x
                    while x < n and row[x]:
                        x += 1
                    path.rect(start * cell, self.size - (y + 1) * cell, (x - start) * cell, cell)
                else:
                    x += 1
        c.drawPath(path, stroke=0, fill=1)


class OneLineCaption(Flowable):
    """A caption that always stays on ONE line (the record number under a QR code): drawn centred at the largest
    size from `max_size` down to `min_size` that fits `width`. A Paragraph would break a long number such as
    "TG-06652-2026-3FA2-0007" at its hyphens or mid-word in a 32 mm column."""

    def __init__(self, text: str, width: float, max_size: float = 8, min_size: float = 5):
        super().__init__()
        from reportlab.pdfbase.pdfmetrics import stringWidth

        from services.printing.fonts import SERIF, register_fonts
        register_fonts()
        self.text, self.width, self.font = text, width, SERIF
        natural = stringWidth(text, SERIF, 1) or 1
        self.size = max(min_size, min(max_size, width * 0.98 / natural))
        self.height = self.size * 1.3

    def wrap(self, aw, ah):
        return self.width, self.height

    def draw(self):
        self.canv.setFont(self.font, self.size)
        self.canv.drawCentredString(self.width / 2, self.size * 0.3, self.text)
