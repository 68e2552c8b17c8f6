"""The period tally: compute → TallyResult → render(result, "pdf" | "xlsx" | "json", out).

    from services.reports import tally
    result = tally.compute(periods.custom("2026-01-01", "2026-12-31"), province="08")
    tally.render(result, "xlsx", "bao-cao.xlsx")
    tally.record_output(result, "xlsx", actor)      # the audit entry of a PDF ("print") or XLSX ("export")

The renderers (reportlab, xlsxwriter) are imported when render or tally_rows is first called, so the dashboard
and the CLI's JSON path, which only compute, do not load them.
"""
from services.reports.tally.compute import ROLLUP_NOTE, TALLY_INDEXES, compute, resolve_scope, success_rate
from services.reports.tally.record import record_output
from services.reports.tally.result import TallyResult

FORMATS = ("pdf", "xlsx", "json")


def render(result: TallyResult, fmt: str, out=None, *, lang: str = "vi") -> bytes:
    """See renderers.render."""
    from services.reports.tally import renderers
    return renderers.render(result, fmt, out, lang=lang)


def tally_rows(result: TallyResult, layout: str = "tally", lang: str = "vi") -> list:
    """The report's rows (renderers.Row), as the PDF and XLSX print them and the Báo cáo screen shows them."""
    from services.reports.tally import renderers
    return renderers.tally_rows(result, layout, lang)


__all__ = ["compute", "render", "tally_rows", "TallyResult", "FORMATS", "record_output", "ROLLUP_NOTE",
           "TALLY_INDEXES", "resolve_scope", "success_rate"]
