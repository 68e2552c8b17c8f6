"""Detail views: a legal-aid case with its status timeline and audit history, a mediation case with its
sessions and team warnings, a dissemination event; soft delete with undo; printing a case slip.

    d = DetailState(app, "legal-aid", case_id)
    d.fields (label key, value) pairs;  d.timeline;  d.history;  d.warnings
    d.add_session({"date": "24/11/2026", "place": "Nhà văn hóa thôn"})   # mediation only
    d.delete(); d.undo_delete()
    path = d.print_slip()
    d.can_reveal; d.toggle_reveal(True)   # ID / phone numbers are masked unless the role may see them and asks
"""
from __future__ import annotations

import contextlib
import datetime as dt
import re

import flet as ft

from services import admin_units, catalogs, security
from services.errors import AppError, DatabaseBusy, ValidationError
from services.formatting import fmt_date, fmt_int
from services.kinds import KIND_RULES, dissemination, legal_aid, mediation
from services.kinds.fields import detail_fields
from services.records import audit, store
from ui.state import exports
from ui.state.busy import said_when_busy


def _d(value) -> str:
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-":
        try:
            return fmt_date(dt.date.fromisoformat(value[:10]))
        except ValueError:
            return value
    return fmt_date(value) if isinstance(value, dt.date) else ("" if value is None else str(value))


@ft.observable
class DetailState:
    def __init__(self, app, kind: str, record_id: str):
        self._app = app
        self.kind = kind
        self.record_id = record_id
        self.deleted = False
        self.session_errors = {}
        self.session_open = False
        self.error = ""
        self._session_values: dict = {}
        self._inst = None
        self.reveal = False           # "Hiện số CCCD": only honoured when the role may see identifiers
        self.load()

    def load(self) -> None:
        try:
            self._inst = store.get(self.kind, self.record_id, include_deleted=True)
        except AppError as exc:
            self._inst = None
            self.error = exc.message(self._app.lang)
            return
        self.deleted = bool(self._inst.deleted)
        self.notify()

    @property
    def instance(self):
        return self._inst

    @property
    def number(self) -> str:
        inst = self._inst
        return getattr(inst, "number", "") or (fmt_date(getattr(inst, "date", None)) if inst else "")

    @property
    def title(self) -> str:
        if self._inst is None:
            return ""
        return KIND_RULES[self.kind].title(self._inst, self._app.lang)

    def party_names(self) -> list[str]:
        ids = [p for p in (self._inst.parties or []) if isinstance(p, str)]
        persons = store.persons_by_id(ids)
        return [persons[i].full_name for i in ids if i in persons]

    # ---- fields ------------------------------------------------------------------------------------------
    def fields(self) -> list[tuple[str, str]]:
        inst = self._inst
        if inst is None:
            return []
        commune = admin_units.commune_name(inst.commune_code)
        old = admin_units.legacy_unit(getattr(inst, "historic_commune_code", ""))
        if old is not None:             # a record dated before the 2025 reorganisation names its unit of then
            commune += f" ({self._app.t('detail.before_reform', unit=old.label)})"
        return self._described(_FIELDS[self.kind], commune)

    def _described(self, fields: dict, commune: str) -> list[tuple[str, str]]:
        """Detail rows from the kind's field description, formatted by field type."""
        inst, lang = self._inst, self._app.lang
        rows = []
        for spec in detail_fields(fields):
            value = spec.value(inst)
            if spec.shown_as == "person":
                req = getattr(inst, spec.attribute.split(".")[0])
                born = fmt_date(req.birth_date) if req.birth_date else str(req.birth_year or "")
                text = ", ".join(x for x in [req.full_name, catalogs.label("genders", req.gender, lang), born,
                                             catalogs.label("ethnic_groups", req.ethnicity, lang)] if x)
            elif spec.shown_as == "identifier":
                text = self._identifier(value)
            elif spec.shown_as == "display":
                text = catalogs.display_label(spec.catalog, value, lang)
            elif spec.type == "commune":
                text = commune
            elif spec.type == "date":
                text = fmt_date(value)
            elif spec.type == "code":
                text = catalogs.label(spec.catalog, value, lang)
            elif spec.type == "codes":
                text = ", ".join(catalogs.label(spec.catalog, c, lang) for c in value or [])
            elif spec.type == "language":
                text = catalogs.language_label(value or "vi", lang)
            elif spec.type == "int":
                text = fmt_int(value, lang)
            elif spec.type == "count":
                text = _count(value, lang)
            elif spec.type == "names":
                text = "; ".join(value or [])
            elif spec.type == "team":
                text = inst.team.name if inst.team_id and inst.team else ""
            elif spec.type == "parties":
                text = " – ".join(self.party_names())
            else:
                text = value
            rows.append((spec.label_key, text))
        return rows

    # ---- identifiers ---------------------------------------------------------------------------------------
    @property
    def can_reveal(self) -> bool:
        return security.may_see_identifiers(self._app.role)

    @property
    def has_identifiers(self) -> bool:
        inst = self._inst
        if inst is None or self.kind != "legal-aid":
            return False
        return bool(inst.requester.id_number or inst.requester.phone)

    @property
    def showing_identifiers(self) -> bool:
        return security.show_identifiers(self._app.role, self.reveal)

    def toggle_reveal(self, on: bool | None = None) -> None:
        """Show full ID/phone numbers (audited as a 'reveal' on the record); refused for roles that may not."""
        on = (not self.reveal) if on is None else bool(on)
        if on and not self.can_reveal:
            self.reveal = False
            return
        if on and not self.reveal and self._inst is not None:
            # showing must not fail because the audit could not be written
            with contextlib.suppress(Exception):
                audit.record(self.kind, self.record_id, "reveal", {"fields": ["id_number", "phone"]},
                             actor=self._app.profile.get("full_name"))
        self.reveal = on

    def _identifier(self, value) -> str:
        if not value:
            return ""
        return str(value) if self.showing_identifiers else security.mask(value)

    def timeline(self) -> list[dict]:
        """Legal-aid status history, oldest first: status label, date, reason, who."""
        if self.kind != "legal-aid" or self._inst is None:
            return []
        lang = self._app.lang
        return [{"status": catalogs.label("legal_aid_statuses", h.get("status"), lang), "date": _d(h.get("date")),
                 "reason": h.get("reason") or "", "by": h.get("by") or ""} for h in self._inst.status_history or []]

    def history(self) -> list[dict]:
        """Audit entries, newest first, with field-level changes as (label, before, after) texts: labels
        from the catalog, codes/ids/lists shown as the officer knows them (never keys, UUIDs or [..])."""
        out = []
        for e in reversed(audit.history(self.record_id)):
            changes = []
            for name, pair in (e.changes or {}).items():
                before, after = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
                if name in ("status_history", "id"):
                    continue
                changes.append((self.field_label(name), _short(self._display(name, before)),
                                _short(self._display(name, after))))
            at = e.at + dt.timedelta(hours=7) if e.at else None
            out.append({"action": self._app.t(f"audit.{e.action}"), "by": e.officer,
                        "at": at.strftime("%d/%m/%Y %H:%M") if at else "", "changes": changes})
        return out

    def field_label(self, name: str) -> str:
        """The form label of a stored field name ("requester_id" -> "Người yêu cầu", "document" -> "Tài liệu in")."""
        from services import i18n
        base = name[:-3] if name.endswith("_id") else name
        for key in (f"field.{name}", f"field.{base}", f"history.field.{name}", f"history.field.{base}"):
            if "ui." + key in i18n.catalog():
                return self._app.t(key)
        return self._app.t("history.field.other", name=name.replace("_", " "))

    def _display(self, name: str, value):
        """Human labels for codes, persons, teams, communes, documents, ISO dates, lists and flags."""
        lang = self._app.lang
        if value in (None, "", []):
            return value
        if isinstance(value, bool):
            return self._app.t("history.yes" if value else "history.no")
        catalog = _HISTORY_CATALOGS.get((self.kind, name)) or _HISTORY_CATALOGS.get(("*", name))
        if catalog == "commune":
            return admin_units.commune_name(value)
        if catalog == "person":
            ids = [value] if isinstance(value, str) else list(value)
            persons = store.persons_by_id(ids)
            return ", ".join(persons[i].full_name if i in persons else "?" for i in ids)
        if catalog == "team":
            try:
                return store.get("mediation-team", value, include_deleted=True).name
            except AppError:
                return self._app.t("history.record")
        if catalog == "document":
            return dict(exports.documents_for(self.kind, lang)).get(value, value)
        if catalog == "language":
            return catalogs.language_label(value, lang)
        if catalog:
            if isinstance(value, list):
                return ", ".join(catalogs.label(catalog, v, lang) for v in value)
            return catalogs.label(catalog, value, lang)
        if isinstance(value, list):
            return ", ".join(str(self._display(name, v)) for v in value if v not in (None, ""))
        if isinstance(value, dict):
            return "; ".join(f"{k}: {self._display(name, v)}" for k, v in value.items() if v not in (None, ""))
        if isinstance(value, str) and _UUID.fullmatch(value):
            return self._app.t("history.record")
        return _d(value) if isinstance(value, str) else value

    def warnings(self) -> list[str]:
        if self._inst is None or self.kind != "mediation":
            return []
        idx = 0 if self._app.lang == "vi" else 1
        return [w[idx] for w in store.warnings(self.kind, self._inst)]

    # ---- mediation sessions ------------------------------------------------------------------------------
    def sessions(self) -> list[dict]:
        if self.kind != "mediation" or self._inst is None:
            return []
        items = sorted((s for s in self._inst.sessions if not s.deleted), key=lambda s: s.date)
        return [{"id": s.id, "date": fmt_date(s.date), "place": s.place, "attendees": s.attendees,
                 "content": s.content, "result": s.result} for s in items]

    def open_session_form(self) -> None:
        self._session_values = {}
        self.session_errors = {}
        self.session_open = True

    def close_session_form(self) -> None:
        self.session_open = False

    def set_session(self, key: str, value: str) -> None:
        self._session_values[key] = value

    def session_value(self, key: str) -> str:
        return self._session_values.get(key, "")

    def add_session(self, values: dict | None = None) -> bool:
        data = {"date": "", "place": "", "attendees": "", "content": "", "result": ""}
        data.update(values if values is not None else self._session_values)
        data["case_id"] = self.record_id
        try:
            store.save("mediation-session", data)
        except ValidationError as exc:
            self.session_errors = exc.by_field(self._app.lang)
            return False
        except DatabaseBusy:
            self.session_errors = {"case": self._app.t("busy.gave_up")}
            return False
        self.session_errors = {}
        self.session_open = False
        self._app.changed()
        self.load()
        return True

    # ---- delete / undo -----------------------------------------------------------------------------------
    def delete(self) -> None:
        with said_when_busy(self._app):
            store.delete(self.kind, self.record_id)
            self._app.changed()
            self.load()

    def undo_delete(self) -> None:
        with said_when_busy(self._app):
            store.restore(self.kind, self.record_id)
            self._app.changed()
            self.load()

    # ---- printing ----------------------------------------------------------------------------------------
    def print_documents(self) -> list[tuple[str, str]]:
        return exports.documents_for(self.kind, self._app.lang)

    def print(self, doc: str) -> str:
        """Produce the PDF under <data dir>/exports/ and return its path."""
        return str(exports.print_record(self._app, doc, self.record_id, self.number))


_FIELDS = {"legal-aid": legal_aid.FIELDS, "mediation": mediation.FIELDS, "dissemination": dissemination.FIELDS}
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
_HISTORY_CATALOGS = {
    ("*", "team_id"): "team", ("*", "team"): "team", ("*", "document"): "document",
    ("*", "commune_code"): "commune", ("*", "requester"): "person", ("*", "beneficiary"): "person",
    ("*", "requester_id"): "person", ("*", "beneficiary_id"): "person",
    ("*", "parties"): "person", ("legal-aid", "status"): "legal_aid_statuses",
    ("legal-aid", "outcome"): "legal_aid_outcomes", ("mediation", "outcome"): "mediation_outcomes",
    ("*", "aid_form"): "aid_forms", ("*", "beneficiary_category"): "beneficiary_categories",
    ("*", "legal_field"): "legal_fields", ("*", "dispute_field"): "dispute_fields",
    ("*", "basis"): "mediation_bases", ("dissemination", "form"): "dissemination_forms",
    ("*", "target_groups"): "target_groups", ("*", "language"): "language",
}


def _count(value, lang: str) -> str:
    """A count that may be unknown (nullable feedback fields): blank, never a made-up 0."""
    return "" if value is None else fmt_int(value, lang)


def _short(value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"
