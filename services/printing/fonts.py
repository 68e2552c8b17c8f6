"""Registers the embedded serif font family (Liberation Serif, Times-metric, full Vietnamese coverage).

    from services.printing.fonts import register_fonts, SERIF, SERIF_BOLD
    register_fonts()          # idempotent; then ParagraphStyle(fontName=SERIF) and <b>/<i> markup work

Fonts live in assets/fonts/ (copied from Debian's fonts-liberation2, SIL OFL 1.1; licence alongside).
"""
from __future__ import annotations

from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONTS_DIR = Path(__file__).resolve().parents[2] / "assets" / "fonts"
SERIF, SERIF_BOLD, SERIF_ITALIC, SERIF_BOLD_ITALIC = ("LiberationSerif", "LiberationSerif-Bold",
                                                     "LiberationSerif-Italic", "LiberationSerif-BoldItalic")
_FILES = {SERIF: "LiberationSerif-Regular.ttf", SERIF_BOLD: "LiberationSerif-Bold.ttf",
          SERIF_ITALIC: "LiberationSerif-Italic.ttf", SERIF_BOLD_ITALIC: "LiberationSerif-BoldItalic.ttf"}
_done = False


def register_fonts() -> None:
    global _done
    if _done:
        return
    for name, filename in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(FONTS_DIR / filename)))
    pdfmetrics.registerFontFamily(SERIF, normal=SERIF, bold=SERIF_BOLD, italic=SERIF_ITALIC,
                                  boldItalic=SERIF_BOLD_ITALIC)
    for bold, italic, name in ((0, 0, SERIF), (1, 0, SERIF_BOLD), (0, 1, SERIF_ITALIC), (1, 1, SERIF_BOLD_ITALIC)):
        addMapping(SERIF, bold, italic, name)
    _done = True
