"""Reach of legal dissemination: compute (compute.coverage, plan.suggest) → a typed result (result.py:
CoverageResult, PlanResult; dates as dates) → render(report, "pdf" | "xlsx" | "json", out) / render_plan(plan, …).

    from services.reports import coverage
    rep = coverage.coverage(date(2026, 1, 1), date(2026, 11, 30), communes=["07090"])
    coverage.render(rep, "xlsx", "bao-phu.xlsx")
    coverage.render_plan(coverage.suggest("2026-12", communes=["07090"]), "pdf", "ke-hoach.pdf")

The renderers (reportlab, xlsxwriter) are imported when render is first called, so the screens and the CLI that
only compute do not load them.
"""
from services.reports.coverage.compute import (
    RULES,
    check_period,
    coverage,
    expected_groups,
    expected_languages,
    resolve_scope,
    rules,
    rules_text,
    shared_queries,
)
from services.reports.coverage.plan import suggest
from services.reports.coverage.result import CoverageResult, PlanResult

FORMATS = ("pdf", "xlsx", "json")


def render(rep: CoverageResult, fmt: str, out=None, *, lang: str = "vi") -> bytes:
    from services.reports.coverage import renderers
    return renderers.render(rep, fmt, out, lang=lang)


def render_plan(plan: PlanResult, fmt: str, out=None, *, lang: str = "vi") -> bytes:
    from services.reports.coverage import renderers
    return renderers.render_plan(plan, fmt, out, lang=lang)


__all__ = ["coverage", "suggest", "CoverageResult", "PlanResult", "render", "render_plan", "FORMATS", "RULES",
           "rules", "rules_text", "check_period", "resolve_scope", "expected_groups", "expected_languages",
           "shared_queries"]
