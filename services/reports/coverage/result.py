"""The typed results of the coverage report (compute.coverage) and the monthly plan (plan.suggest): dates stay
`datetime.date`s (the period a services.reports.periods.Period) until `to_json()` (`report coverage|plan --format
json`) or a renderer turns them into text.

    rep.period.start                 -> date(2026, 1, 1)
    rep.summary["villages_reached"]  -> 12;  rep.villages_not_reached -> [{"village", "last_reached", …}]
    rep.to_json()                    -> the dict of ../shared/cli-contract.md (dates as ISO strings)
    plan.month -> "2026-12";  plan.villages -> ranked [{"rank", "village", "reason", …}]
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.reports.periods import Period


def as_json(value):
    """A value with dates as ISO strings (JSON-able)."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [as_json(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class CoverageResult:
    period: Period
    as_of: dt.date                     # the day "days since" counts to (the period's end, or today if earlier)
    scope: dict                        # compute.Scope.as_dict()
    summary: dict
    villages: list[dict]
    villages_not_reached: list[dict]
    groups: list[dict]
    groups_not_served: list[dict]
    languages: list[dict]
    languages_not_served: list[dict]
    communes: list[dict]
    effectiveness: dict
    rules: dict                        # rule name -> its text in the report's language

    def to_json(self) -> dict:
        """The contract's JSON shape; key order as printed since the first release."""
        return as_json({"period": {"from": self.period.start, "to": self.period.end}, "as_of": self.as_of,
                        "scope": self.scope, "summary": self.summary, "villages": self.villages,
                        "villages_not_reached": self.villages_not_reached, "groups": self.groups,
                        "groups_not_served": self.groups_not_served, "languages": self.languages,
                        "languages_not_served": self.languages_not_served, "communes": self.communes,
                        "effectiveness": self.effectiveness, "rules": self.rules})


@dataclass(frozen=True)
class PlanResult:
    month: str                         # "2026-12"
    period: Period                     # the month
    as_of: dt.date                     # the day before the month (or today if earlier)
    scope: dict
    villages: list[dict]               # ranked: never reached first, then the longest ago
    groups: list[dict]
    languages: list[dict]

    def to_json(self) -> dict:
        return as_json({"month": self.month, "period": {"from": self.period.start, "to": self.period.end},
                        "as_of": self.as_of, "scope": self.scope, "villages": self.villages, "groups": self.groups,
                        "languages": self.languages})
