"""Record counts per kind (soft-deleted records not counted).

    counts() -> {"legal-aid": 12, "mediation": 30, "dissemination": 250, "person": 70, …}
"""
from __future__ import annotations

from models.records import MODEL_BY_KIND

COUNTED_KINDS = ("legal-aid", "mediation", "dissemination", "mediation-session", "mediation-team", "person",
                 "assessment")


def counts() -> dict[str, int]:
    return {kind: MODEL_BY_KIND[kind].alive().count() for kind in COUNTED_KINDS}
