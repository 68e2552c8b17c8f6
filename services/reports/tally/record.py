"""The audit entry of a tally written to a file: a PDF is a "print", an XLSX an "export" (JSON is not recorded).

    record_output(result, "pdf", actor)
"""
from __future__ import annotations

from services.records import audit
from services.reports.tally.result import TallyResult


def record_output(result: TallyResult, fmt: str, actor=None) -> None:
    if fmt not in ("pdf", "xlsx"):
        return
    scope = result.scope
    scope_id = (f"province:{scope['province']}" if scope.get("province") and not scope.get("communes")
                else f"communes:{len(scope.get('communes') or [])}")
    audit.record("tally", scope_id, "print" if fmt == "pdf" else "export",
                 {"document": f"tally-{fmt}", "period": {**result.period.as_json(), "label": result.period.label},
                  "scope": scope.get("communes") or scope.get("province")}, actor)
