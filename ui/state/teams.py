"""Mediation teams (tổ hòa giải): list, create/edit form with the member rows, detail with the composition
warnings (at least 3 mediators including a woman — shown, never refused).

    st = TeamsState(app); st.load()                      # st.rows: name, commune, members, women, warnings
    st.open_new(); st.set("name", "Tổ hòa giải thôn Khe Lánh")
    st.set_member(0, "name", "Bàn Thị Hoa"); st.set_member(0, "gender", "nu"); st.add_member()
    team = st.save()                                     # None with st.errors filled on bad input
    st.warnings()  -> ["Tổ hòa giải cần ít nhất 3 hòa giải viên (hiện có 2)"]

Saving goes through services.records.teams.add (→ services.records.store.save("mediation-team", …)); the rules live in
services/kinds/mediation_team.
"""
from __future__ import annotations

import flet as ft

from services import admin_units, catalogs, printing
from services.errors import AppError, ValidationError
from services.formatting import fmt_date
from services.records import store
from services.records import teams as team_service
from ui.state.busy import said_when_busy

ROLES = ("leader", "member")
TEAM_FIELDS = ("name", "commune_code", "village", "recognised_date")


def _blank_member() -> dict:
    return {"name": "", "gender": "", "ethnicity": "", "role": "member"}


@ft.observable
class TeamsState:
    def __init__(self, app):
        self._app = app
        self.mode = "list"            # list | form | detail
        self.team_id = None
        self.rows = []
        self.loaded_revision = None
        self.errors = {}
        self.general_error = ""
        self._values: dict = {}
        self.members: list[dict] = []
        self._inst = None

    # ---- list --------------------------------------------------------------------------------------------
    def load(self) -> None:
        lang = self._app.lang
        idx = 0 if lang == "vi" else 1
        rows = []
        for t in store.teams(self._app.communes or None):
            members = t.members or []
            rows.append({"id": t.id, "name": t.name, "commune": admin_units.commune_name(t.commune_code),
                         "village": t.village or "", "members": len(members),
                         "women": sum(1 for m in members if m.get("gender") == "nu"),
                         "warnings": [w[idx] for w in store.warnings("mediation-team", t)]})
        self.rows = rows
        self.loaded_revision = (self._app.revision, lang)

    def ensure_loaded(self) -> None:
        if self.loaded_revision != (self._app.revision, self._app.lang):
            self.load()

    def back(self) -> None:
        self.mode = "list"
        self.team_id = None
        self.errors = {}
        self.general_error = ""
        self.load()

    # ---- form --------------------------------------------------------------------------------------------
    def open_new(self) -> None:
        communes = self._app.communes
        self._values = {"name": "", "commune_code": communes[0] if communes else "", "village": "",
                        "recognised_date": ""}
        self.members = [_blank_member() for _ in range(3)]
        self.team_id = None
        self.errors = {}
        self.general_error = ""
        self.mode = "form"

    def open_edit(self, team_id: str) -> None:
        inst = store.get("mediation-team", team_id)
        self._values = {"name": inst.name, "commune_code": inst.commune_code, "village": inst.village or "",
                        "recognised_date": fmt_date(inst.recognised_date) if inst.recognised_date else ""}
        self.members = [{"name": m.get("name", ""), "gender": m.get("gender", ""),
                         "ethnicity": m.get("ethnicity", ""), "role": m.get("role") or "member"}
                        for m in inst.members or []] or [_blank_member()]
        self.team_id = team_id
        self.errors = {}
        self.general_error = ""
        self.mode = "form"

    @property
    def editing(self) -> bool:
        return self.team_id is not None

    def value(self, key: str) -> str:
        return self._values.get(key, "")

    def set(self, key: str, value) -> None:
        self._values[key] = value

    def choose(self, key: str, value) -> None:
        self._values[key] = value
        self.notify()

    def set_member(self, index: int, key: str, value) -> None:
        while len(self.members) <= index:
            self.members.append(_blank_member())
        self.members[index][key] = value

    def add_member(self) -> None:
        self.members = [*self.members, _blank_member()]

    def remove_member(self, index: int) -> None:
        self.members = [m for i, m in enumerate(self.members) if i != index] or [_blank_member()]

    def payload(self) -> dict:
        data = {k: str(self._values.get(k, "") or "").strip() for k in TEAM_FIELDS}
        data["members"] = [{"name": str(m.get("name", "")).strip(), "gender": m.get("gender") or "",
                            "ethnicity": m.get("ethnicity") or "", "role": m.get("role") or "member"}
                           for m in self.members]
        return team_service.values(data)

    def save(self):
        lang = self._app.lang
        try:
            inst = team_service.add(self.payload(), team_id=self.team_id, actor=self._app.ctx.actor)
        except ValidationError as exc:
            self.errors = exc.by_field(lang)
            known = {f"field.{k}" for k in TEAM_FIELDS}
            extra = [m for k, m in self.errors.items() if f"field.{k}" not in known and not k.startswith("members")]
            self.general_error = "\n".join(extra) or self._app.t("form.fix_errors")
            return None
        except AppError as exc:
            self.errors = {}
            self.general_error = exc.message(lang)
            return None
        self.errors = {}
        self.general_error = ""
        self._app.changed()
        self.open_detail(inst.id)
        return inst

    # ---- detail ------------------------------------------------------------------------------------------
    def open_detail(self, team_id: str) -> None:
        self.team_id = team_id
        self._inst = store.get("mediation-team", team_id, include_deleted=True)
        self.mode = "detail"

    @property
    def instance(self):
        return self._inst

    def warnings(self) -> list[str]:
        if self._inst is None:
            return []
        idx = 0 if self._app.lang == "vi" else 1
        return [w[idx] for w in store.warnings("mediation-team", self._inst)]

    @property
    def minority_area(self) -> bool:
        """The team's commune is marked "vùng có nhiều đồng bào dân tộc thiểu số" (drives Điều 12's check)."""
        from services.kinds.mediation_team import is_minority_area
        return self._inst is not None and is_minority_area(self._inst.commune_code)

    def set_minority_area(self, on: bool) -> None:
        from services.kinds.mediation_team import set_minority_area
        if self._inst is not None:
            set_minority_area(self._inst.commune_code, bool(on))
            self.load()
            self.notify()

    def detail_fields(self) -> list[tuple[str, str]]:
        t = self._inst
        if t is None:
            return []
        return [("field.team_name", t.name), ("field.commune_code", admin_units.commune_name(t.commune_code)),
                ("field.village", t.village or ""), ("team.leader", t.leader or ""),
                ("field.recognised_date", fmt_date(t.recognised_date) if t.recognised_date else "")]

    def member_rows(self) -> list[dict]:
        lang = self._app.lang
        t = self._inst
        if t is None:
            return []
        return [{"name": m.get("name", ""),
                 "gender": catalogs.label("genders", m.get("gender"), lang) if m.get("gender") else "",
                 "ethnicity": catalogs.label("ethnic_groups", m.get("ethnicity"), lang) if m.get("ethnicity") else "",
                 "role": self._app.t(f"team.role.{m.get('role') or 'member'}")} for m in t.members or []]

    def delete(self) -> None:
        with said_when_busy(self._app):
            store.delete("mediation-team", self.team_id, actor=self._app.ctx.actor)
            self._deleted()

    def _deleted(self) -> None:
        self._app.changed()
        deleted = self.team_id
        name = self._inst.name if self._inst else ""
        self.back()
        self._app.say(self._app.t("team.deleted", name=name), undo=lambda: self.undo_delete(deleted))

    def undo_delete(self, team_id: str) -> None:
        with said_when_busy(self._app):
            store.restore("mediation-team", team_id, actor=self._app.ctx.actor)
            self._app.changed()
            self.load()

    # ---- printing ----------------------------------------------------------------------------------------
    async def print_book(self, year: int | None = None) -> str:
        """Sổ theo dõi hoạt động hòa giải ở cơ sở of this team for a calendar year (this year by default), opened
        in the print preview."""
        import datetime as dt

        from services.dates import today_local
        from services.errors import AppError
        from ui.state import exports
        from ui.state.runtime import in_worker
        t = self._inst
        if t is None:
            return ""
        year = year or today_local().year
        out = exports.new_output(self._app, "mediation-book", f"{t.name}_{year}")
        actor = self._app.ctx.actor
        try:
            await in_worker(printing.print_mediation_book, t.id, dt.date(year, 1, 1), dt.date(year, 12, 31),
                            str(out), actor=actor)
        except AppError as exc:
            out.unlink(missing_ok=True)
            self._app.say(exc.message(self._app.lang))
            return ""
        self._app.show_print(out, f"{self._app.t('preview.book_title')} — {t.name} ({year})")
        return str(out)

    # ---- options -----------------------------------------------------------------------------------------
    def commune_options(self) -> list[tuple[str, str]]:
        codes = self._app.communes or [c.code for c in admin_units.communes(
            self._app.profile.get("province_code") or "22")]
        current = self.value("commune_code")
        if current and current not in codes:
            codes = [current, *codes]
        return [(c, admin_units.commune_name(c)) for c in codes]

    def role_options(self) -> list[tuple[str, str]]:
        return [(r, self._app.t(f"team.role.{r}")) for r in ROLES]


def team_options(app, communes: list[str] | None = None) -> list[tuple[str, str]]:
    """(id, "name — commune") of the alive teams of the officer's communes, for the mediation case form."""
    out = []
    for t in store.teams(communes if communes is not None else (app.communes or None)):
        out.append((t.id, f"{t.name} — {admin_units.commune_name(t.commune_code)}"))
    return out
