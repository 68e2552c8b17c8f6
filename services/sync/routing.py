"""Which server bucket a record belongs to (`c-<commune code>`, one bucket per commune; server/bootstrap.py).

    router = Router(profile)                 # profile = services.data_dir.app.current().profile
    router.bucket("legal-aid", case)         # "c-07090"

Rules (the first that gives a commune wins):
- a record already on the server stays in its bucket (SyncBase.bucket: routing is sticky, so a later edit of
  a commune code never splits a record into two copies);
- records with a `commune_code` (legal-aid, mediation, mediation teams, dissemination, assessments) go to it;
- a person goes to the commune of the earliest case that references it (legal-aid requester/beneficiary,
  mediation party) so that whoever may read the case may read its people; otherwise its own commune_code;
- a mediation session goes with its case; an audit entry with the record it describes;
- an officer record goes to the first of its communes;
- anything else goes to the first commune of the officer's profile (None when the profile has none).
A person referenced from two communes lives in one bucket only; readers of the other commune get a
placeholder (see engine._ensure_references).
"""
from __future__ import annotations

from models.records import MODEL_BY_KIND, LegalAidCase, MediationCase
from models.sync_state import SyncBase


def bucket_name(commune_code: str) -> str:
    return f"c-{commune_code}"


class Router:
    def __init__(self, profile: dict | None):
        profile = profile or {}
        self.communes = [str(c) for c in (profile.get("communes") or [])]
        self._person_communes: dict[str, str] | None = None
        self._cache: dict[tuple[str, str], str | None] = {}

    @property
    def default_commune(self) -> str | None:
        return self.communes[0] if self.communes else None

    def _persons_map(self) -> dict[str, str]:
        if self._person_communes is None:
            rows = []
            for c in (LegalAidCase.select(LegalAidCase.requester, LegalAidCase.beneficiary, LegalAidCase.commune_code,
                                          LegalAidCase.created_at).tuples()):
                rows.append((c[3], [c[0], c[1]], c[2]))
            for c in MediationCase.select(MediationCase.parties, MediationCase.commune_code,
                                          MediationCase.created_at).tuples():
                rows.append((c[2], list(c[0] or []), c[1]))
            rows.sort(key=lambda r: str(r[0]))
            out: dict[str, str] = {}
            for _, ids, commune in rows:
                for pid in ids:
                    if pid and commune and pid not in out:
                        out[pid] = commune
            self._person_communes = out
        return self._person_communes

    def _sticky(self, kind: str, record_id: str) -> str | None:
        row = SyncBase.get_or_none((SyncBase.kind == kind) & (SyncBase.record_id == record_id))
        return row.bucket if row else None

    def bucket(self, kind: str, instance) -> str | None:
        sticky = self._sticky(kind, instance.id)
        if sticky:
            return sticky
        commune = self.commune(kind, instance)
        return bucket_name(commune) if commune else None

    def commune(self, kind: str, instance) -> str | None:
        key = (kind, instance.id)
        if key not in self._cache:
            self._cache[key] = self._commune(kind, instance)
        return self._cache[key]

    def _commune(self, kind: str, instance) -> str | None:
        if kind == "person":
            return (self._persons_map().get(instance.id) or instance.commune_code or self.default_commune)
        if kind == "mediation-session":
            case = MediationCase.get_or_none(MediationCase.id == instance.case_id)
            sticky = self._sticky("mediation", instance.case_id)
            if sticky:
                return sticky[2:]
            return (case.commune_code if case else None) or self.default_commune
        if kind == "audit":
            sticky = self._sticky(instance.record_kind, instance.record_id)
            if sticky:
                return sticky[2:]
            model = MODEL_BY_KIND.get(instance.record_kind)
            target = model.get_or_none(model.id == instance.record_id) if model is not None else None
            if target is not None and model.KIND != "audit":
                return self.commune(model.KIND, target)
            return self.default_commune
        if kind == "officer":
            communes = list(instance.communes or [])
            return communes[0] if communes else self.default_commune
        return getattr(instance, "commune_code", None) or self.default_commune

