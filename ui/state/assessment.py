"""Assessment screen: the commune scorecard (đạt chuẩn tiếp cận pháp luật) and the province view, through
services.assessment (another feature); shows a plain notice when that service is missing.

    a = AssessmentState(app); a.load()
    a.card["result"]["recognised"];  a.set_view("province"); a.overview["counts"]
"""
from __future__ import annotations

import flet as ft

from services.dates import today_local
from services.errors import AppError
from ui.state.runtime import optional


@ft.observable
class AssessmentState:
    def __init__(self, app):
        self._app = app
        self.view = "commune"
        self.commune = (app.communes or [""])[0]
        self.year = today_local().year
        self.card = None
        self.overview = None
        self.error = ""
        self.loaded_key = None

    @property
    def available(self) -> bool:
        mod = optional("services.assessment")
        return mod is not None and hasattr(mod, "assess")

    def ensure_loaded(self) -> None:
        key = (self.view, self.commune, self.year, self._app.lang, self._app.revision)
        if key != self.loaded_key:
            self.load()

    def load(self) -> None:
        self.loaded_key = (self.view, self.commune, self.year, self._app.lang, self._app.revision)
        mod = optional("services.assessment")
        if mod is None or not hasattr(mod, "assess"):
            self.error = self._app.t("assessment.missing")
            return
        try:
            if self.view == "commune":
                if not self.commune:
                    self.card = None
                    return
                self.card = mod.assess(self.commune, self.year, lang=self._app.lang, with_previous=False)
            else:
                province = self._app.profile.get("province_code") or "22"
                self.overview = mod.province_overview(province, self.year, lang=self._app.lang)
            self.error = ""
        except AppError as exc:
            self.error = exc.message(self._app.lang)

    def set_view(self, view: str) -> None:
        self.view = view
        self.load()

    def set_commune(self, code: str) -> None:
        self.commune = code
        self.load()

    def set_year(self, year) -> None:
        self.year = int(year)
        self.load()

    def commune_options(self) -> list[tuple[str, str]]:
        from services import admin_units
        return [(c, admin_units.commune_name(c)) for c in self._app.communes]
