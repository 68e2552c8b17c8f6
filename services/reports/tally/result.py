"""The typed result of a tally (services.reports.tally.compute): periods stay `Period`s with `datetime.date`s and
the generation time a `datetime` until `to_json()` (the CLI's `report tally --format json`) or a renderer turns
them into text.

    result.period.start          -> date(2026, 1, 1)
    result.legal_aid["total"]    -> 12;  result.section("mediation")["by_outcome"] -> {"thanh": 4, …}
    result.to_json()             -> the dict of ../shared/cli-contract.md (dates as ISO strings)
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.reports.periods import Period

SECTIONS = ("legal_aid", "mediation", "dissemination")


@dataclass(frozen=True)
class TallyResult:
    period: Period
    previous: Period | None            # the same period one year earlier; None when the comparison is off
    scope: dict                        # services.reports.tally.compute.resolve_scope
    legal_aid: dict
    mediation: dict
    dissemination: dict
    generated_at: dt.datetime
    by_commune: dict[str, dict[str, int]] | None = None   # per commune code; None for a single commune
    rollup_note: dict | None = None    # {"vi", "en"} when a shown day is before the 2025 reorganisation

    @property
    def compare(self) -> bool:
        return self.previous is not None

    def section(self, name: str) -> dict:
        """One of SECTIONS by name (the layout's paths start with it)."""
        if name not in SECTIONS:
            raise KeyError(name)
        return getattr(self, name)

    def to_json(self) -> dict:
        """The contract's JSON shape; key order as printed since the first release."""
        out = {
            "period": {**self.period.as_json(), "label": self.period.label},
            "previous": self.previous.as_json() if self.previous else None,
            "scope": self.scope,
            "legal_aid": self.legal_aid,
            "mediation": self.mediation,
            "dissemination": self.dissemination,
            "generated_at": self.generated_at.isoformat(),
        }
        if self.by_commune is not None:
            out["by_commune"] = self.by_commune
        out["rollup_note"] = self.rollup_note
        return out
