"""Commune legal-access assessment (xã, phường, đặc khu đạt chuẩn tiếp cận pháp luật).

    from services.assessment import assess, set_values, import_values, province_overview
    card = assess("07090", 2024)                       # QĐ 25/2021 (points) — by year, or framework_id=…
    set_values("07090", 2024, {"1.1": {"value": 5, "evidence": "…"}, "DK3": False})
    card["result"] -> {"recognised": bool, "failed_conditions": ["…"], "total_points": 84, "missing": […], …}

Modules: frameworks (data files in assets/frameworks), values (manual value checks), auto (figures from the
app's records), engine (scoring), store (Assessment rows + audit + outbox), service (use cases), importer
(CSV/XLSX values), points (corrected points / indicator tables loaded by a province), renderers
(render(card, "json" | "pdf" | "xlsx", out), render_province(…) — the reports' pattern, see services.reports) over
pdf / xlsx (printed scorecard and province list).
"""
from services.assessment.frameworks import Framework, all_frameworks, framework_for_year, get_framework, pick_framework
from services.assessment.service import (
                                            assess,
                                            framework_for,
                                            import_values,
                                            previous_summary,
                                            province_overview,
                                            resolve_commune,
                                            set_values,
                                            template_rows,
)

__all__ = ["Framework", "all_frameworks", "framework_for_year", "get_framework", "pick_framework", "assess",
           "framework_for", "import_values", "previous_summary", "province_overview", "resolve_commune",
           "set_values", "template_rows"]
