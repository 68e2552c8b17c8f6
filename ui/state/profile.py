"""First run and settings: officer profile (name, role, province, communes), language, server, backup.

    p = ProfileState(app); p.set("full_name", "Nguyễn Thị Lan"); p.set_province("22")
    p.toggle_commune("06652"); p.save()        -> services.data_dir.profile.save(...) (the rule `profile set` uses)
"""
from __future__ import annotations

import flet as ft

from services import admin_units, catalogs
from services.data_dir import backup as backup_service
from services.data_dir import profile as profile_service
from services.data_dir import restore as restore_service
from services.data_dir import settings
from services.errors import AppError, ValidationError
from services.text import fold
from ui.state.runtime import in_worker


@ft.observable
class ProfileState:
    def __init__(self, app):
        self._app = app
        p = app.profile
        self._values = {"full_name": p.get("full_name", ""), "title": p.get("title", ""),
                        "server_url": settings.get("server_url", "") or "",
                        "username": settings.get("server_username", "") or ""}
        self.role = p.get("role", "officer")
        self.province = p.get("province_code", "") or "22"
        self.communes = list(p.get("communes") or [])
        self.commune_filter = ""
        self.errors = {}
        self.busy = False

    def value(self, key: str) -> str:
        return self._values.get(key, "")

    def set(self, key: str, value: str) -> None:
        self._values[key] = value

    # ---- choices -----------------------------------------------------------------------------------------
    def province_options(self) -> list[tuple[str, str]]:
        return [(p.code, p.name) for p in admin_units.provinces()]

    def role_options(self) -> list[tuple[str, str]]:
        return catalogs.options("officer_roles", self._app.lang)

    def set_province(self, code: str) -> None:
        if code != self.province:
            self.province = code
            self.communes = []

    def set_role(self, role: str) -> None:
        self.role = role

    def commune_options(self) -> list[tuple[str, str]]:
        items = admin_units.communes(self.province)
        f = fold(self.commune_filter)
        return [(c.code, c.name) for c in items if not f or f in fold(c.name)]

    def set_commune_filter(self, text: str) -> None:
        self.commune_filter = text

    def toggle_commune(self, code: str, on: bool | None = None) -> None:
        now = list(self.communes)
        on = (code not in now) if on is None else on
        if on and code not in now:
            now.append(code)
        if not on and code in now:
            now.remove(code)
        self.communes = now

    def select_all(self) -> None:
        """Every commune the list shows (all of the province, or those matching the search): for supervisors
        who cover the whole province."""
        shown = [code for code, _ in self.commune_options()]
        self.communes = list(self.communes) + [c for c in shown if c not in self.communes]

    def clear_all(self) -> None:
        self.communes = []

    @property
    def no_commune(self) -> bool:
        return not self.communes

    def commune_names(self) -> list[str]:
        return [admin_units.commune_name(c) for c in self.communes]

    # ---- saving ------------------------------------------------------------------------------------------
    def _payload(self) -> dict:
        return {**self._values, "role": self.role, "province_code": self.province, "communes": list(self.communes)}

    def validate(self) -> dict:
        """{field: message} from the profile rule the CLI uses too (services.data_dir.profile)."""
        try:
            profile_service.check(self._payload())
        except ValidationError as exc:
            return exc.by_field(self._app.lang)
        return {}

    def save(self) -> bool:
        try:
            profile_service.save(self._payload())
        except ValidationError as exc:
            self.errors = exc.by_field(self._app.lang)
            return False
        self.errors = {}
        self._app.changed()
        return True

    def save_server(self) -> None:
        settings.put("server_url", self._values.get("server_url", "").strip())
        settings.put("server_username", self._values.get("username", "").strip())
        self._app.say(self._app.t("settings.saved"))

    # ---- backup ------------------------------------------------------------------------------------------
    async def backup(self) -> str:
        self.busy = True
        try:
            path = await in_worker(backup_service.create_backup)
            self._app.say(self._app.t("settings.backup_done", path=str(path)))
            return str(path)
        except AppError as exc:
            self._app.say(exc.message(self._app.lang))
            return ""
        finally:
            self.busy = False

    async def restore(self, path: str) -> bool:
        self.busy = True
        try:
            await in_worker(restore_service.restore_backup, path)
            self._app.say(self._app.t("settings.restore_done"))
            self._app.changed()
            return True
        except AppError as exc:
            self._app.say(exc.message(self._app.lang))
            return False
        finally:
            self.busy = False
