"""Assessment frameworks (bộ tiêu chí) as versioned data files in assets/frameworks/*.json — never code.

    from services.assessment.frameworks import get_framework, framework_for_year, pick_framework
    fw = framework_for_year(2024)            # QĐ 25/2021/QĐ-TTg (years 2022–2024)
    fw = framework_for_year(2026)            # QĐ 27/2025/QĐ-TTg (from 2025)
    framework_for_year(2021)                 # ValidationError: 2021 was assessed under QĐ 619/QĐ-TTg (2017)
    fw = pick_framework(2024, "QD25_2021")   # explicit choice (id, alias or name); must cover the year
    fw.indicator("3.1")["name_vi"]
    fw.data_source()                         # where the points / placeholder values come from (+ load date)

Each file holds: id, version, name, guidance circular, valid_from_year / valid_to_year (null = open), style
("points" or "meets"), criteria -> indicators (value type and allowed range, scoring rule, optional auto source,
"unverified" flags) and the recognition rules. `check_framework` validates a file's shape when it is loaded, so
an officer editing the JSON gets a clear message instead of a wrong result. A points / indicator table loaded
by a province (checked and stored by services.assessment.points) is laid over the data file for the current data
folder by services.assessment.overlay.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from services.assessment.overlay import apply_table, table_path
from services.errors import FieldError, NotFoundError, ValidationError
from services.text import fold

FRAMEWORKS_DIR = Path(__file__).resolve().parents[2] / "assets" / "frameworks"

STYLES = ("points", "meets")
VALUE_TYPES = ("percent", "integer", "boolean", "points", "number")
POINT_RULES = ("points_direct", "bands", "boolean_points")
MEETS_RULES = ("meets_boolean", "meets_min", "meets_max")


class FrameworkError(ValueError):
    """A framework data file is malformed (message names the file and the item)."""


@dataclass
class Framework:
    data: dict
    path: Path | None = None
    _indicators: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        for crit in self.criteria:
            for ind in crit["indicators"]:
                self._indicators[ind["id"]] = (crit, ind)

    # --- plain attributes -------------------------------------------------------------------------------------
    id = property(lambda self: self.data["id"])
    name = property(lambda self: self.data["name"])
    version = property(lambda self: self.data.get("version", ""))
    style = property(lambda self: self.data["style"])
    criteria = property(lambda self: self.data["criteria"])
    recognition = property(lambda self: self.data.get("recognition", {}))
    conditions = property(lambda self: self.recognition.get("conditions", []))
    valid_from_year = property(lambda self: self.data.get("valid_from_year"))
    valid_to_year = property(lambda self: self.data.get("valid_to_year"))

    def title(self, lang: str = "vi") -> str:
        return self.data.get(f"title_{lang}") or self.data.get("title_vi", "")

    def guidance(self) -> str:
        g = self.data.get("guidance") or {}
        return g.get("number", "") if isinstance(g, dict) else str(g)

    def covers(self, year: int) -> bool:
        lo, hi = self.valid_from_year, self.valid_to_year
        return (lo is None or year >= lo) and (hi is None or year <= hi)

    def indicator(self, indicator_id: str) -> dict:
        return self._indicators[indicator_id][1]

    def indicators(self) -> list[dict]:
        return [ind for _, ind in self._indicators.values()]

    def condition(self, condition_id: str) -> dict | None:
        return next((c for c in self.conditions if c["id"] == condition_id), None)

    def input_item(self, item_id: str) -> dict | None:
        """An indicator or a recognition condition (both take manual values)."""
        if item_id in self._indicators:
            return self.indicator(item_id)
        return self.condition(item_id)

    def data_source(self, lang: str = "vi") -> dict:
        """Where the points (QĐ 25) or indicator names / required levels (QĐ 27) come from: a table loaded by the
        province (source, load date) or the data file's flagged placeholders."""
        table = self.data.get("points_table")
        if table:
            return {"source": table.get("source") or "", "loaded_at": table.get("loaded_at"),
                    "file": table.get("file") or "", "sha256": table.get("sha256") or "", "verified": True,
                    "loaded": True}
        ps = self.data.get("points_source") or {}
        return {"source": ps.get(lang) or ps.get("vi") or "", "loaded_at": None, "file": "", "sha256": "",
                "verified": False, "loaded": False}

    def year_note(self, year: int, lang: str = "vi") -> str:
        note = (self.data.get("year_notes") or {}).get(str(year)) or {}
        return note.get(lang) or note.get("vi") or ""

    def years_text(self) -> str:
        lo, hi = self.valid_from_year, self.valid_to_year
        return f"{lo}–{hi}" if hi else f"từ {lo}"

    def summary(self) -> dict:
        return {"id": self.id, "name": self.name, "version": self.version, "style": self.style,
                "guidance": self.guidance(), "valid_from_year": self.valid_from_year,
                "valid_to_year": self.valid_to_year, "unverified": bool(self.data.get("unverified")),
                "data_source": self.data_source()}


def _err(where: str, msg: str):
    raise FrameworkError(f"{where}: {msg}")


def _check_value_spec(where: str, spec: dict) -> None:
    if not isinstance(spec, dict) or spec.get("type") not in VALUE_TYPES:
        _err(where, f"value.type must be one of {VALUE_TYPES}")
    lo, hi = spec.get("min"), spec.get("max")
    if lo is not None and hi is not None and lo > hi:
        _err(where, "value.min > value.max")


def check_framework(data: dict, where: str = "framework") -> None:
    """Raise FrameworkError when the data file's shape is wrong (ids, styles, rules, point totals)."""
    for key in ("id", "name", "style", "criteria"):
        if key not in data:
            _err(where, f"missing key {key!r}")
    style = data["style"]
    if style not in STYLES:
        _err(where, f"style must be one of {STYLES}")
    seen: set[str] = set()
    total = 0
    for crit in data["criteria"]:
        cw = f"{where} {crit.get('id', '?')}"
        for key in ("id", "name_vi", "name_en", "indicators"):
            if key not in crit:
                _err(cw, f"missing key {key!r}")
        if not crit["indicators"]:
            _err(cw, "no indicators")
        crit_points = 0
        for ind in crit["indicators"]:
            iw = f"{cw}/{ind.get('id', '?')}"
            for key in ("id", "name_vi", "name_en", "value", "rule"):
                if key not in ind:
                    _err(iw, f"missing key {key!r}")
            if ind["id"] in seen:
                _err(iw, "duplicate indicator id")
            seen.add(ind["id"])
            _check_value_spec(iw, ind["value"])
            rule = ind["rule"]
            kind = rule.get("kind")
            if "when_empty" in ind:
                _err(iw, "when_empty is not supported: a missing value is never met (it scores 0 and is named)")
            if style == "points":
                if kind not in POINT_RULES:
                    _err(iw, f"rule.kind must be one of {POINT_RULES}")
                mp = ind.get("max_points")
                if not isinstance(mp, (int, float)) or mp <= 0:
                    _err(iw, "max_points must be a positive number")
                crit_points += mp
                if kind == "bands":
                    bands = rule.get("bands") or []
                    if not bands or any(b["points"] > mp or b["points"] < 0 for b in bands):
                        _err(iw, "bands must be non-empty with 0 <= points <= max_points")
                if kind == "points_direct" and ind["value"].get("max") != mp:
                    _err(iw, "points_direct: value.max must equal max_points")
                if kind == "boolean_points" and ind["value"]["type"] != "boolean":
                    _err(iw, "boolean_points needs a boolean value")
            else:
                if kind not in MEETS_RULES:
                    _err(iw, f"rule.kind must be one of {MEETS_RULES}")
                if kind in ("meets_min", "meets_max") and not isinstance(rule.get("min", rule.get("max")),
                                                                         (int, float)):
                    _err(iw, f"{kind} needs a number")
                if kind == "meets_boolean" and ind["value"]["type"] != "boolean":
                    _err(iw, "meets_boolean needs a boolean value")
        if style == "points":
            if crit.get("max_points") != crit_points:
                _err(cw, f"max_points {crit.get('max_points')} != sum of indicators {crit_points}")
            total += crit_points
        else:
            rk = (crit.get("rule") or {"kind": "all"}).get("kind")
            if rk not in ("all", "min_met"):
                _err(cw, "rule.kind must be 'all' or 'min_met'")
    if style == "points" and data.get("total_max") not in (None, total):
        _err(where, f"total_max {data.get('total_max')} != sum of criteria {total}")
    for cond in (data.get("recognition") or {}).get("conditions", []):
        cw = f"{where} condition {cond.get('id', '?')}"
        for key in ("id", "name_vi", "name_en", "value", "pass_when"):
            if key not in cond:
                _err(cw, f"missing key {key!r}")
        if cond["id"] in seen:
            _err(cw, "id clashes with an indicator")
        seen.add(cond["id"])
        _check_value_spec(cw, cond["value"])


def load_file(path: Path) -> Framework:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise FrameworkError(f"{Path(path).name}: not valid JSON ({exc})") from exc
    check_framework(data, Path(path).name)
    return Framework(data, Path(path))


@lru_cache(maxsize=4)
def _base(directory: str) -> tuple[Framework, ...]:
    frameworks = [load_file(p) for p in sorted(Path(directory).glob("*.json"))]
    return tuple(sorted(frameworks, key=lambda f: (f.valid_from_year or 0)))


def _table_stamp(fw_id: str) -> tuple:
    path = table_path(fw_id)
    if path is None or not path.is_file():
        return (str(path), None)
    st = path.stat()
    return (str(path), st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=16)
def _overlaid(directory: str, stamps: tuple) -> tuple[Framework, ...]:
    out = []
    for fw, (path, mtime, *_rest) in zip(_base(directory), stamps, strict=True):
        if mtime is None:
            out.append(fw)
            continue
        table = json.loads(Path(path).read_text(encoding="utf-8"))
        data = apply_table(fw.data, table)
        check_framework(data, f"{Path(path).name}")
        out.append(Framework(data, fw.path))
    return tuple(out)


def all_frameworks(directory: Path | None = None) -> list[Framework]:
    """Every framework, oldest first, with the current data folder's loaded tables applied."""
    d = str(directory or FRAMEWORKS_DIR)
    stamps = tuple(_table_stamp(fw.id) for fw in _base(d))
    return list(_overlaid(d, stamps))


def reload() -> None:
    """Forget cached files (after an officer edited a framework file or loaded a table)."""
    _base.cache_clear()
    _overlaid.cache_clear()


def base_framework(framework_id: str) -> Framework:
    """The framework as its data file has it (no loaded table) — what a new table is checked against."""
    return _find(framework_id, list(_base(str(FRAMEWORKS_DIR))))


def _key(text: str) -> str:
    return fold(text).replace(" ", "").replace("/", "_").replace("-", "_")


def _find(framework_id: str, frameworks: list[Framework]) -> Framework:
    wanted = _key(framework_id)
    for fw in frameworks:
        keys = {_key(fw.id), _key(fw.name)} | {_key(a) for a in fw.data.get("aliases", [])}
        if wanted in keys:
            return fw
    known = ", ".join(f.id for f in frameworks)
    raise NotFoundError(f"Không có bộ tiêu chí '{framework_id}' (có: {known})",
                        f"No framework '{framework_id}' (known: {known})")


def get_framework(framework_id: str) -> Framework:
    """By id ("QD25_2021"), alias ("QĐ25_2021", "27/2025") or name ("QĐ 27/2025/QĐ-TTg"), accent-insensitive."""
    return _find(framework_id, all_frameworks())


def year_error(year: int, framework: Framework | None = None) -> ValidationError:
    """The message for a year no framework (or not the chosen one) covers, naming what governed it if known."""
    frameworks = all_frameworks()
    have_vi = "; ".join(f"{f.name} ({f.years_text()})" for f in frameworks)
    have_en = "; ".join(f"{f.name} ({f.years_text().replace('từ ', 'from ')})" for f in frameworks)
    if framework is not None:
        return ValidationError([FieldError("year", f"{framework.name} áp dụng cho các năm {framework.years_text()}, "
                                                   f"không áp dụng cho năm {year}",
                                           f"{framework.name} applies to "
                                           f"{framework.years_text().replace('từ ', 'from ')}, not to {year}")])
    for f in frameworks:
        pred = f.data.get("predecessor") or {}
        if pred and int(year) <= int(pred.get("last_year", 0)) and int(year) < (f.valid_from_year or 0):
            return ValidationError([FieldError(
                "year", f"Năm {year} được đánh giá theo {pred['name']} (hướng dẫn {pred.get('guidance', '')}); "
                        f"ứng dụng không có bộ tiêu chí này. Ứng dụng có: {have_vi}",
                f"The year {year} was assessed under {pred['name']} ({pred.get('guidance', '')}), which this app "
                f"does not have. Available: {have_en}")])
    return ValidationError([FieldError("year", f"Không có bộ tiêu chí áp dụng cho năm {year}. Ứng dụng có: {have_vi}",
                                       f"No framework applies to the year {year}. Available: {have_en}")])


def framework_for_year(year: int) -> Framework:
    """The framework in force for an assessment year (2022–2024: QĐ 25/2021; from 2025: QĐ 27/2025)."""
    matches = [f for f in all_frameworks() if f.covers(int(year))]
    if not matches:
        raise year_error(int(year))
    return max(matches, key=lambda f: f.valid_from_year or 0)


def pick_framework(year: int, framework_id: str | None = None) -> Framework:
    """The chosen framework (which must cover the year) or the one in force for the year."""
    if not framework_id:
        return framework_for_year(year)
    fw = get_framework(framework_id)
    if not fw.covers(int(year)):
        raise year_error(int(year), fw)
    return fw
