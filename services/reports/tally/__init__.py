"""The period tally: compute → TallyResult → render(result, "pdf" | "xlsx" | "json", out).

    from services.reports import tally
    result = tally.compute(periods.custom("2026-01-01", "2026-12-31"), province="08")
    tally.render(result, "xlsx", "bao-cao.xlsx")
    tally.record_output(result, "xlsx", actor)      # the audit entry of a PDF ("print") or XLSX ("export")
"""
from services.reports.tally.compute import ROLLUP_NOTE, TALLY_INDEXES, compute, resolve_scope, success_rate
from services.reports.tally.record import record_output
from services.reports.tally.renderers import FORMATS, render, tally_rows
from services.reports.tally.result import TallyResult

__all__ = ["compute", "render", "tally_rows", "TallyResult", "FORMATS", "record_output", "ROLLUP_NOTE", "TALLY_INDEXES",
           "resolve_scope", "success_rate"]
