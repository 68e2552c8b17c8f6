"""Create/edit forms for legal-aid cases, mediation cases and dissemination events.

    form = FormState(app, "legal-aid")              # new case (commune and date prefilled)
    form.set("requester.full_name", "Đặng Văn Đức")
    saved = form.save()                            # model instance, or None with form.errors filled
    saved = await form.save_async()                # the same off the UI thread, retrying while another program
                                                   # writes (form.busy; ui/state/busy.py)
    form.errors -> {"requester.id_number": "Số CCCD phải gồm đúng 12 chữ số"}

Values are kept as the text the user typed; services.records.store.save validates and converts them, and its
ValidationError.by_field(lang) becomes the inline messages. Nothing is stored when anything is invalid.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import flet as ft

from services import admin_units, catalogs
from services.dates import parse_date, today_local
from services.errors import AppError, DatabaseBusy, ValidationError
from services.formatting import fmt_date
from services.kinds import dissemination, legal_aid, mediation
from services.records import store


@dataclass(frozen=True)
class Field:
    key: str                  # form key == the service's error field name (nested: "requester.full_name")
    type: str = "text"        # text | multiline | date | int | choice | commune | historic (old unit) | multi |
    #                           language | status | team | village (suggested from the commune's list) |
    #                           names (one a line)
    catalog: str = ""
    required: bool = False
    width: int = 2            # grid columns out of 6
    edit_only: bool = False


# Before 01/07/2025 (the 2025 reorganisation) a record may name the commune of its date, chosen among the old
# units of its post-reform commune; the field is shown only for such dates (services.kinds.units checks it).
HISTORIC = "historic_commune_code"
DATE_KEY = {"legal-aid": "received_date", "mediation": "received_date", "dissemination": "date"}

def described(fields: dict) -> list[tuple[str, list[Field]]]:
    """The form sections of a kind from its field description (services/kinds/<kind>.py FIELDS), in order."""
    sections: dict[str, list[Field]] = {}
    for spec in fields.values():
        if spec.form is None:
            continue
        section = sections.setdefault(spec.form.section, [])
        if spec.widget == "parties":        # up to 4 parties by name, the first two required (2+ parties)
            section.extend(Field(f"parties[{i}].full_name", required=i <= 2, width=spec.form.width)
                           for i in range(1, 5))
            continue
        section.append(Field(spec.form_key, spec.widget, spec.catalog, spec.required, spec.form.width,
                             spec.form.edit_only))
    return list(sections.items())


LEGAL_AID = described(legal_aid.FIELDS)
MEDIATION = described(mediation.FIELDS)
DISSEMINATION = described(dissemination.FIELDS)

SPECS = {"legal-aid": LEGAL_AID, "mediation": MEDIATION, "dissemination": DISSEMINATION}

# Name-list fields (type "names"): shown one a line in a "names" box, else joined with "; "; split on save.
NAME_LISTS = {kind: {s.form_key: "\n" if s.widget == "names" else "; " for s in fields.values()
                     if s.type == "names" and s.form}
              for kind, fields in (("legal-aid", legal_aid.FIELDS), ("mediation", mediation.FIELDS),
                                   ("dissemination", dissemination.FIELDS))}


def fields_of(kind: str, editing: bool, pre_reform: bool = False) -> list[tuple[str, list[Field]]]:
    out = []
    for title, fields in SPECS[kind]:
        shown = [f for f in fields if (editing or not f.edit_only) and (f.type != "historic" or pre_reform)]
        if shown:
            out.append((title, shown))
    return out


def _text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return fmt_date(value)
    return str(value)


@ft.observable
class FormState:
    def __init__(self, app, kind: str, record_id: str | None = None):
        self._app = app
        self.kind = kind
        self.record_id = record_id
        self.errors = {}
        self.general_error = ""
        self.saving = False
        self.busy = False           # the last try found another program writing: the view offers a retry
        self.focus_key = ""            # the first invalid field after a failed save (the view focuses it)
        self.focus_seq = 0             # bumped on every failed save, so the same field is focused again
        self._auto_mediators: list[str] = []
        self._dirty = False
        self._values: dict = {}
        self._party_ids: list[str] = []
        self._person_ids: dict[str, str] = {}
        self.number = ""
        if record_id:
            self._load(record_id)
        else:
            self._defaults()

    # ---- values ------------------------------------------------------------------------------------------
    @property
    def editing(self) -> bool:
        return self.record_id is not None

    @property
    def dirty(self) -> bool:
        return self._dirty

    def value(self, key: str):
        return self._values.get(key, [] if key == "target_groups" else "")

    def set(self, key: str, value) -> None:
        """Typing in a field: no re-render, only remembered (and the field's old error cleared on save) — except
        when a typed date moves across 01/07/2025, which shows or hides the old-unit field."""
        if self._values.get(key) != value:
            before = self.pre_reform
            self._values[key] = value
            self._dirty = True
            if key in (DATE_KEY[self.kind], "commune_code"):
                self._sync_historic()
                if self.pre_reform != before:
                    self.notify()

    @property
    def pre_reform(self) -> bool:
        """The record's date (as typed) is before 01/07/2025: the old-unit field is shown."""
        from services.dates import parse_date
        try:
            return admin_units.is_pre_reform(parse_date(self._values.get(DATE_KEY[self.kind])))
        except (ValueError, TypeError):
            return False

    def _sync_historic(self) -> None:
        """Keep the old unit consistent with the date and commune: cleared from 01/07/2025 or when it is not a
        predecessor of the commune; chosen when the commune had exactly one predecessor."""
        if not self.pre_reform:
            self._values[HISTORIC] = ""
            return
        codes = [u.code for u in admin_units.legacy_units_for(self._values.get("commune_code") or "")]
        if self._values.get(HISTORIC) not in codes:
            self._values[HISTORIC] = codes[0] if len(codes) == 1 else ""

    def choose(self, key: str, value) -> None:
        """Picking a value in a dropdown: re-render (status-dependent fields, cleared error)."""
        before = dict(self._values)
        self.set(key, value)
        if key == "commune_code" and before.get(HISTORIC) != self._values.get(HISTORIC):
            self.notify()
        if key == "team_id":
            self._fill_mediators(value)
            if value and not str(self._values.get("assigned_date", "")).strip():
                # Điều 20.2 counts 3 days from the assignment: proposed as today, visible and editable.
                self._values["assigned_date"] = fmt_date(today_local())
        if key in self.errors:
            errors = dict(self.errors)
            errors.pop(key, None)
            self.errors = errors
        else:
            self.notify()

    def fields(self):
        return fields_of(self.kind, self.editing, self.pre_reform)

    def options(self, f: Field) -> list[tuple[str, str]]:
        lang = self._app.lang
        if f.type == "commune":
            codes = self._app.communes or [c.code for c in admin_units.communes(
                self._app.profile.get("province_code") or "22")]
            current = self.value(f.key)
            if current and current not in codes:
                codes = [current, *codes]
            return [(c, admin_units.commune_name(c)) for c in codes]
        if f.type == "historic":
            return [(u.code, f"{u.name}, {u.district_name}, {u.province_name}")
                    for u in admin_units.legacy_units_for(self.value("commune_code") or "")]
        if f.type == "language":
            return catalogs.language_options(lang)
        if f.type == "team":
            from ui.state.teams import team_options
            opts = team_options(self._app)
            current = self.value(f.key)
            if current and current not in dict(opts):       # a team of another commune stays selectable
                opts = [o for o in team_options(self._app, communes=[]) if o[0] == current] + opts
            return opts
        if f.type == "status":
            from services.kinds import legal_aid
            return [(c, catalogs.label("legal_aid_statuses", c, lang))
                    for c in legal_aid.status_choices(self._stored_status)]
        if f.key == "beneficiary_category":
            # Luật TGPL Điều 7 as in force on the received date; a stored record keeps its own category.
            return catalogs.options(f.catalog, lang, on=self._received_on(), keep=self._stored_category)
        return catalogs.options(f.catalog, lang)

    def _received_on(self):
        try:
            return parse_date(self.value("received_date")) if self.value("received_date") else None
        except (TypeError, ValueError):
            return None

    def _defaults(self) -> None:
        today = fmt_date(today_local())
        communes = self._app.communes
        base = {"commune_code": communes[0] if communes else ""}
        if self.kind == "dissemination":
            base.update(date=today, language="vi")
        else:
            base.update(received_date=today)
        if self.kind == "legal-aid":
            base["status"] = "received"
        self._values = base
        self._sync_historic()
        self._stored_status = None
        self._stored_category = None

    def _load(self, record_id: str) -> None:
        inst = store.get(self.kind, record_id)
        self.number = getattr(inst, "number", "") or ""
        self._stored_category = getattr(inst, "beneficiary_category", None)
        values = {}
        for section in SPECS[self.kind]:
            for f in section[1]:
                if "." in f.key or "[" in f.key:
                    continue
                v = getattr(inst, f.key, None)
                if f.key in NAME_LISTS[self.kind]:
                    values[f.key] = NAME_LISTS[self.kind][f.key].join(v or [])
                else:
                    values[f.key] = list(v or []) if f.type == "multi" else _text(v)
        if self.kind == "legal-aid":
            req = inst.requester
            self._person_ids["requester"] = req.id
            for name in ("full_name", "gender", "birth_year", "birth_date", "ethnicity", "id_number", "phone",
                         "village"):
                values[f"requester.{name}"] = _text(getattr(req, name))
            self._stored_status = inst.status
        elif self.kind == "mediation":
            values["team_id"] = inst.team_id or ""
            if inst.team_id and list(inst.mediators or []) == self._team_members(inst.team_id):
                self._auto_mediators = list(inst.mediators or [])
            self._party_ids = [p for p in inst.parties if isinstance(p, str)]
            persons = store.persons_by_id(self._party_ids)
            for i, pid in enumerate(self._party_ids[:4]):
                values[f"parties[{i + 1}].full_name"] = persons[pid].full_name if pid in persons else ""
            self._stored_status = None
        else:
            self._stored_status = None
        values[HISTORIC] = getattr(inst, HISTORIC, "") or ""
        self._values = values

    # ---- saving ------------------------------------------------------------------------------------------
    def _team_members(self, team_id: str) -> list[str]:
        try:
            team = store.get("mediation-team", team_id)
        except AppError:
            return []
        return [m.get("name", "") for m in team.members or [] if m.get("name")]

    def _fill_mediators(self, team_id: str) -> None:
        """Picking a team fills in its mediators, one a line (still editable); names the officer typed are
        kept unless they are just the previous team's list."""
        current = split_names(self._values.get("mediators", ""))
        if current and current != self._auto_mediators:
            return
        members = self._team_members(team_id) if team_id else []
        self._auto_mediators = members
        self._values["mediators"] = "\n".join(members)

    def village_suggestions(self, key: str, typed: str | None) -> list[str]:
        """Villages of the form's commune matching `typed` (folded), for the village field `key`."""
        from services.records import villages
        from ui.state.choices import suggest
        commune = self._values.get("commune_code") or ""
        if not commune:
            return []
        return suggest(villages.names(commune), typed)

    def payload(self) -> dict:
        v = {k: (x.strip() if isinstance(x, str) else x) for k, x in self._values.items()}
        data: dict = {}
        if self.kind == "legal-aid":
            person = {k.split(".", 1)[1]: x for k, x in v.items() if k.startswith("requester.")}
            if self._person_ids.get("requester"):
                person["id"] = self._person_ids["requester"]
            else:
                person.setdefault("full_name", "")       # so that a missing name is reported, not ignored
            data["requester"] = person
            for k, x in v.items():
                if "." not in k:
                    data[k] = x
            if self.editing and v.get("status") == self._stored_status:
                data.pop("status", None)
                data.pop("status_date", None)
        elif self.kind == "mediation":
            parties = []
            for i in range(4):
                name = v.get(f"parties[{i + 1}].full_name", "")
                pid = self._party_ids[i] if i < len(self._party_ids) else None
                if name or pid:
                    parties.append({"id": pid, "full_name": name} if pid else {"full_name": name})
            data["parties"] = [p for p in parties if p.get("full_name") or p.get("id")]
            for k, x in v.items():
                if "[" not in k:
                    data[k] = x
        else:
            data = {k: x for k, x in v.items()}
        for key in NAME_LISTS[self.kind]:
            data[key] = split_names(v.get(key, ""))
        return data

    def save(self):
        """Validate and store through services.records.store; on bad input fill `errors` and store nothing."""
        try:
            inst = store.save(self.kind, self.payload(), record_id=self.record_id)
        except AppError as exc:
            return self._failed(exc)
        return self._saved(inst)

    async def save_async(self):
        """save() in a worker thread; while another program writes (DatabaseBusy) the form keeps its values,
        says so and tries again with backoff; after the last try `busy` stays set and a click retries."""
        from ui.state.busy import retry_while_busy
        if self.saving:
            return None
        self.saving = True
        payload, kind, record_id = self.payload(), self.kind, self.record_id

        def on_busy(attempt, attempts):
            self.busy = True
            self.errors = {}
            self.general_error = self._app.t("busy.retrying", attempt=attempt, attempts=attempts)

        try:
            inst = await retry_while_busy(lambda: store.save(kind, payload, record_id=record_id), on_busy)
        except AppError as exc:
            return self._failed(exc)
        finally:
            self.saving = False
        return self._saved(inst)

    def _failed(self, exc: AppError):
        lang = self._app.lang
        self.busy = isinstance(exc, DatabaseBusy)
        if self.busy:
            self.errors = {}
            self.general_error = self._app.t("busy.gave_up")
            return None
        if isinstance(exc, ValidationError):
            errors = exc.by_field(lang)
            known = {f.key for _, fs in SPECS[self.kind] for f in fs}
            mapped = {}
            extra = []
            for key, msg in errors.items():
                target = key if key in known else _closest(key, known)
                if target:
                    mapped.setdefault(target, msg)
                else:
                    extra.append(msg)
            self.errors = mapped
            self.general_error = "\n".join(extra) or self._app.t("form.fix_errors")
            self.focus_key = next((f.key for _, fs in self.fields() for f in fs if f.key in mapped), "")
            self.focus_seq += 1
            return None
        self.general_error = exc.message(lang)
        self.errors = {}
        return None

    def _saved(self, inst):
        self.errors = {}
        self.general_error = ""
        self.busy = False
        self._dirty = False
        self.record_id = inst.id
        self._app.changed()
        return inst


def split_names(text) -> list[str]:
    """Names typed one a line (or separated by ";", as older versions asked)."""
    return [n.strip() for n in re.split(r"[;\n]", str(text or "")) if n.strip()]


def _closest(key: str, known: set[str]) -> str | None:
    """Map a service error field to a form field ('requester' -> 'requester.full_name', 'parties' -> party 1)."""
    if key == "requester":
        return "requester.full_name"
    if key == "team":
        return "team_id" if "team_id" in known else None
    if key.startswith("parties"):
        return "parties[1].full_name" if key == "parties" else (key if key in known else None)
    base = key.split(".")[-1]
    return base if base in known else None
