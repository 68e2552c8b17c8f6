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
