"""The assessment's renderers under the reports' pattern (services.reports): compute (service.assess /
service.province_overview) → the scorecard or province list → render(result, format, out).

    card = assess("07090", 2024)
    render(card, "pdf", "bang-diem.pdf");  render(card, "xlsx", "bang-diem.xlsx");  render(card, "json", "c.json")
    render_province(province_overview("22", 2024), "xlsx", "danh-sach.xlsx")

PDF: services.assessment.pdf; XLSX: services.assessment.xlsx (both imported when first used, so that the CLI's
JSON path loads neither reportlab nor xlsxwriter).
"""
from __future__ import annotations

import json
from pathlib import Path

from services.errors import FieldError, ValidationError

FORMATS = ("json", "pdf", "xlsx")


def _json(data: dict, out) -> bytes:
    """As `assess --format json` prints it (UTF-8, non-ASCII kept; dates and other values through str)."""
    content = (json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n").encode("utf-8")
    if out is not None:
        Path(out).write_bytes(content)
    return content


def _render(data: dict, fmt: str, out, what: str) -> bytes:
    if fmt == "json":
        return _json(data, out)
    if fmt == "pdf":
        from services.assessment import pdf
        return (pdf.scorecard_pdf if what == "card" else pdf.province_pdf)(data, out)
    if fmt == "xlsx":
        if out is None:
            raise ValidationError([FieldError("out", "Bảng tính XLSX cần tệp đầu ra", "XLSX needs an output file")])
        from services.assessment import xlsx
        (xlsx.scorecard_xlsx if what == "card" else xlsx.province_xlsx)(data, out)
        return Path(out).read_bytes()
    raise ValidationError([FieldError("format", f"Định dạng không hỗ trợ: «{fmt}»", f"Unsupported format '{fmt}'")])


def render(card: dict, fmt: str, out: str | Path | None = None) -> bytes:
    """A commune's scorecard (service.assess) as "json", "pdf" or "xlsx", written to `out` when given."""
    return _render(card, fmt, out, "card")


def render_province(overview: dict, fmt: str, out: str | Path | None = None) -> bytes:
    """The province list (service.province_overview) as "json", "pdf" or "xlsx", written to `out` when given."""
    return _render(overview, fmt, out, "list")
