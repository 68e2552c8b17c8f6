"""Reports: one package per report, each in three steps — compute → a typed result → `render(result, format, out)`.

    services/reports/tally/      compute.py (SQL GROUP BY) → result.py (TallyResult) → renderers.py (pdf, xlsx, json)
    services/reports/coverage/   compute.py (reach, effectiveness), plan.py (next month's plan) → result.py
                                 (CoverageResult, PlanResult) → renderers.py (pdf, xlsx, json)
    services/assessment/         the commune assessment: service.assess → renderers.py (pdf.py, xlsx.py, json)

The CLI (`report tally`, `report coverage`, `report plan`, `assess`) and the screens only compute, choose a format
and call render; percent changes and their text come from services.formatting (change_pct, fmt_change_pct).
"""
