"""Assessment screen: the commune scorecard (đạt chuẩn tiếp cận pháp luật) and the province view, through
services.assessment (another feature); shows a plain notice when that service is missing.

    a = AssessmentState(app); a.load()
    a.card["result"]["recognised"];  a.set_view("province"); a.overview["counts"]
    a.open_entry(); a.set_entry("2.3", "value", "150"); a.save_entry() -> False, a.entry_error names 2.3
    await a.export("scorecard", "pdf")   -> <data dir>/exports/danh-gia_06652_2026.pdf
    a.show_points(); a.set_points_path("bang-diem.xlsx"); await a.load_points() -> True, or a.points_errors by row
"""
from __future__ import annotations

from pathlib import Path

import flet as ft

from services import assessment
from services.dates import today_local
from services.errors import AppError, ValidationError
from ui.state import exports


def _show(row: dict) -> str:
    """A stored manual value as the text the entry field shows."""
    v = row.get("value")
    if v is None:
        return ""
    if row.get("type") == "boolean" or isinstance(v, bool):
        return "co" if v else "khong"
    if isinstance(v, float):
        return f"{v:g}".replace(".", ",")
    return str(v)


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
        # manual entry (commune view)
        self.entry_open = False
        self.entry_rows = []
        self.entry_errors = {}
        self.entry_error = ""
        self._entry: dict = {}
        self._entry_before: dict = {}
        # import of values and printing
        self.import_open = False
        # typed text, kept without re-rendering
        self._typed = {"import_path": "", "points_path": "", "points_source": ""}
        # loading a corrected points / indicator table (services.assessment.points)
        self.points_open = False
        self.points_errors = []
        self.points_error = ""
        self.import_errors = []
        self.import_error = ""
        self.running = False
        self.last_file = ""

    def needs_load(self) -> bool:
        return (self.view, self.commune, self.year, self._app.lang, self._app.revision) != self.loaded_key

    def ensure_loaded(self) -> None:
        if self.needs_load():
            self.load()

    def load(self) -> None:
        self.loaded_key = (self.view, self.commune, self.year, self._app.lang, self._app.revision)
        try:
            if self.view == "commune":
                if not self.commune:
                    self.card = None
                    return
                self.card = assessment.assess(self.commune, self.year, lang=self._app.lang, with_previous=True)
            else:
                province = self._app.profile.get("province_code") or "22"
                self.overview = assessment.province_overview(province, self.year, lang=self._app.lang)
            self.error = ""
        except AppError as exc:
            self.error = exc.message(self._app.lang)

    def set_view(self, view: str) -> None:
        self.view = view
        self.entry_open = False
        self.load()

    def set_commune(self, code: str) -> None:
        self.commune = code
        self.entry_open = False
        self.load()

    def set_year(self, year) -> None:
        self.year = int(year)
        self.entry_open = False
        codes = [c for c, _ in self.commune_options()]
        if self.commune and self.commune not in codes:      # an old unit picked for 2024, now a year from 2025
            from services import admin_units
            self.commune = admin_units.rollup(self.commune, prefer=self._app.communes) or (codes or [""])[0]
        self.load()

    # ---- manual entry ------------------------------------------------------------------------------------
    def open_entry(self) -> None:
        """Every manual input of the framework with its allowed range and current value (auto ones included)."""
        try:
            rows = assessment.template_rows(self.commune, self.year, lang=self._app.lang)
        except AppError as exc:
            self._app.say(exc.message(self._app.lang))
            return
        self.entry_rows = rows
        self._entry = {r["indicator_id"]: {"value": _show(r), "evidence": r.get("evidence") or ""} for r in rows}
        self._entry_before = {k: dict(v) for k, v in self._entry.items()}
        self.entry_errors, self.entry_error = {}, ""
        self.entry_open = True

    def close_entry(self) -> None:
        self.entry_open = False
        self.entry_errors, self.entry_error = {}, ""

    def entry_value(self, iid: str, key: str = "value") -> str:
        return (self._entry.get(iid) or {}).get(key, "")

    def set_entry(self, iid: str, key: str, value: str) -> None:
        self._entry.setdefault(iid, {"value": "", "evidence": ""})[key] = value

    def changed_entries(self) -> dict:
        out = {}
        for iid, cur in self._entry.items():
            if cur != self._entry_before.get(iid):
                value = str(cur.get("value") or "").strip()
                out[iid] = {"value": value or None, "evidence": str(cur.get("evidence") or "").strip()}
        return out

    def save_entry(self) -> bool:
        """Store the changed values (services.assessment.set_values); a bad value names its indicator,
        stores nothing."""
        lang = self._app.lang
        entries = self.changed_entries()
        if not entries:
            self._app.say(self._app.t("assessment.no_changes"))
            return False
        try:
            assessment.set_values(self.commune, self.year, entries, actor=self._app.ctx.actor, lang=lang)
        except ValidationError as exc:
            self.entry_errors = exc.by_field(lang)
            self.entry_error = "\n".join(e.vi if lang == "vi" else e.en for e in exc.errors)
            return False
        except AppError as exc:
            self.entry_errors, self.entry_error = {}, exc.message(lang)
            return False
        self._app.changed()
        self.entry_open = False
        self.entry_errors, self.entry_error = {}, ""
        self.load()
        self._app.say(self._app.t("assessment.values_saved", n=len(entries)))
        return True

    # ---- import of values from a file --------------------------------------------------------------------
    def show_import(self) -> None:
        self.import_errors, self.import_error = [], ""
        self.import_open = True

    def close_import(self) -> None:
        if not self.running:
            self.import_open = False

    @property
    def import_path(self) -> str:
        return self._typed["import_path"]

    def set_import_path(self, path: str) -> None:
        self._typed["import_path"] = path

    def choose_import_path(self, path: str) -> None:
        self._typed["import_path"] = path
        self.import_error = ""
        self.notify()

    def accept_upload(self, name: str, data: bytes) -> str:
        from ui.state.importing import save_upload
        self.choose_import_path(str(save_upload(self._app, name, data)))
        return self.import_path

    def import_template(self) -> str:
        from services.assessment.importer import write_template
        out = exports.exports_dir(self._app) / f"mau-chi-tieu_{self.commune}_{self.year}.xlsx"
        try:
            write_template(assessment.template_rows(self.commune, self.year, lang=self._app.lang), out)
        except AppError as exc:
            self._app.say(exc.message(self._app.lang))
            return ""
        self._app.say(self._app.t("import.template_saved", path=str(out)))
        return str(out)

    async def import_values(self) -> bool:
        from ui.state.importing import error_rows, run_in_worker
        lang = self._app.lang
        path = Path((self.import_path or "").strip().strip('"')).expanduser()
        self.import_errors, self.import_error = [], ""
        if not str(self.import_path or "").strip() or not path.is_file():
            self.import_error = self._app.t("import.not_found", path=self.import_path or "—")
            return False
        commune, year, actor = self.commune, self.year, self._app.ctx.actor
        self.running = True
        try:
            res = await run_in_worker(
                lambda progress: assessment.import_values(commune, year, path, actor=actor, lang=lang))
        except ValidationError as exc:
            self.import_errors = error_rows(exc, lang)
            return False
        except AppError as exc:
            self.import_error = exc.message(lang)
            return False
        except (OSError, ValueError, UnicodeError) as exc:
            self.import_error = self._app.t("import.unreadable", error=str(exc))
            return False
        finally:
            self.running = False
        self._app.changed()
        self.import_open = False
        self.load()
        self._app.say(self._app.t("assessment.values_imported", n=res["imported"]))
        return True

    # ---- corrected points / indicator table ---------------------------------------------------------------
    @property
    def framework_id(self) -> str:
        return (self.card or {}).get("framework_id", "")

    def show_points(self) -> None:
        self.points_errors, self.points_error = [], ""
        self.points_open = True

    def close_points(self) -> None:
        if not self.running:
            self.points_open = False

    @property
    def points_path(self) -> str:
        return self._typed["points_path"]

    @property
    def points_source(self) -> str:
        return self._typed["points_source"]

    def set_points_path(self, path: str) -> None:
        self._typed["points_path"] = path

    def set_points_source(self, text: str) -> None:
        self._typed["points_source"] = text

    def choose_points_path(self, path: str) -> None:
        self._typed["points_path"] = path
        self.points_error = ""
        self.notify()

    def accept_points_upload(self, name: str, data: bytes) -> str:
        from ui.state.importing import save_upload
        self.choose_points_path(str(save_upload(self._app, name, data)))
        return self.points_path

    def points_template(self) -> str:
        """The framework's current table as an XLSX to correct (same columns as the load format)."""
        from services.assessment.points import write_template
        if not self.framework_id:
            return ""
        out = exports.exports_dir(self._app) / f"bang-diem_{self.framework_id}.xlsx"
        write_template(self.framework_id, out)
        self._app.say(self._app.t("import.template_saved", path=str(out)))
        return str(out)

    async def load_points(self) -> bool:
        """Check and store the table (all or nothing); a bad row is listed with its number, nothing stored."""
        from services.assessment.points import load_table
        from ui.state.importing import error_rows, run_in_worker
        lang = self._app.lang
        path = Path((self.points_path or "").strip().strip('"')).expanduser()
        self.points_errors, self.points_error = [], ""
        if not str(self.points_path or "").strip() or not path.is_file():
            self.points_error = self._app.t("import.not_found", path=self.points_path or "—")
            return False
        fw_id, source, actor = self.framework_id, self.points_source.strip() or None, self._app.ctx.actor
        self.running = True
        try:
            table = await run_in_worker(lambda progress: load_table(fw_id, path, source=source, actor=actor))
        except ValidationError as exc:
            self.points_errors = error_rows(exc, lang)
            return False
        except AppError as exc:
            self.points_error = exc.message(lang)
            return False
        except (OSError, ValueError, UnicodeError) as exc:
            self.points_error = self._app.t("import.unreadable", error=str(exc))
            return False
        finally:
            self.running = False
        self._app.changed()
        self.points_open = False
        self.load()
        self._app.say(self._app.t("assessment.points_loaded", framework=table["framework"], source=table["source"]))
        return True

    # ---- printing ----------------------------------------------------------------------------------------
    async def export(self, what: str, fmt: str) -> str:
        """what: "scorecard" (this commune) or "province" (the province list); fmt: pdf | xlsx; under exports/."""
        from ui.state.importing import run_in_worker
        if self.running:
            return ""
        lang = self._app.lang
        province = self._app.profile.get("province_code") or "22"
        if what == "scorecard":
            out = exports.new_output(self._app, "danh-gia", f"{self.commune}_{self.year}", ext=fmt)
        else:
            out = exports.new_output(self._app, "danh-gia-tinh", f"{province}_{self.year}", ext=fmt)
        commune, year, actor = self.commune, self.year, self._app.ctx.actor

        def work(progress):
            if what == "scorecard":
                data = assessment.assess(commune, year, lang=lang, with_previous=True)
                kind_id = f"assessment:{commune}:{year}"
            else:
                data = assessment.province_overview(province, year, lang=lang)
                kind_id = f"assessment:{province}:{year}"
            from services.assessment import renderers
            (renderers.render if what == "scorecard" else renderers.render_province)(data, fmt, out)
            from services.records import audit
            audit.record("assessment", kind_id, "print", {"file": [None, out.name]}, actor)
            return str(out)

        self.running = True
        try:
            path = await run_in_worker(work)
        except AppError as exc:
            out.unlink(missing_ok=True)
            self._app.say(exc.message(lang))
            return ""
        finally:
            self.running = False
        self.last_file = path
        exports.deliver(self._app, path, self._app.t("assessment.print_scorecard" if what == "scorecard"
                                                     else "assessment.print_province"))
        return path

    def commune_options(self) -> list[tuple[str, str]]:
        """The officer's communes; for a year ≤ 2024 the old units they were made of (the 2025 reorganisation
        took effect on 01/07/2025), since an assessment of those years is of the commune that existed then."""
        from services import admin_units
        if self.year <= 2024:
            out = [(u.code, f"{u.name} ({u.district_name})") for c in self._app.communes
                   for u in admin_units.legacy_units_for(c)]
            if out:
                return list(dict(out).items())
        return [(c, admin_units.commune_name(c)) for c in self._app.communes]
