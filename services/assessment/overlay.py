"""A province's loaded points / indicator table: where it is stored and how it is laid over a framework's data.

    table_path("QD25_2021") -> <data folder>/frameworks/QD25_2021.points.json (None without an open folder)
    current_table("QD25_2021") -> the stored table or None
    apply_table(framework.data, table) -> a copy of the data with the table's points / names / thresholds put in

services.assessment.frameworks lays the stored table over each framework file through this module;
services.assessment.points reads, checks and stores a table (and so depends on the frameworks, never the reverse).
"""
from __future__ import annotations

import copy
import json
import re
from pathlib import Path

from services.text import fold

POINTS_DIR = "frameworks"
_THRESHOLD = re.compile(r"^(>=|≥|<=|≤)\s*(\d+(?:[.,]\d+)?)\s*(%?)$")
_YES = {"co", "yes", "co/khong", "dat", "co khong"}


def _data_dir() -> Path | None:
    from services.data_dir import app
    try:
        ctx = app.current()
    except RuntimeError:
        return None
    # the in-memory test database has no data folder (its data_dir is ".", the working directory)
    return None if ctx.data_dir == Path(".") else ctx.data_dir


def table_path(framework_id: str, data_dir: Path | None = None) -> Path | None:
    base = data_dir or _data_dir()
    return None if base is None else Path(base) / POINTS_DIR / f"{framework_id}.points.json"


def current_table(framework_id: str, data_dir: Path | None = None) -> dict | None:
    """The stored table of a framework in the current data folder, or None (the data file's values apply)."""
    path = table_path(framework_id, data_dir)
    if path is None or not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def parse_number(text: str):
    try:
        x = float(text.replace(",", "."))
    except ValueError:
        return None
    return int(x) if x == int(x) else x


def parse_threshold(text: str) -> dict | None:
    """"có" -> yes/no rule; "≥ 90%" -> at least 90 %; ">= 4" -> at least 4; "≤ 2" -> at most 2. None if unreadable."""
    t = (text or "").strip()
    if fold(t) in _YES:
        return {"value": {"type": "boolean"}, "rule": {"kind": "meets_boolean"}}
    m = _THRESHOLD.match(t)
    if not m:
        return None
    op, num, pct = m.groups()
    x = parse_number(num)
    vtype = "percent" if pct else ("integer" if isinstance(x, int) else "number")
    value = {"type": vtype, "min": 0, "max": 100} if pct else {"type": vtype, "min": 0}
    kind, key = ("meets_min", "min") if op in (">=", "≥") else ("meets_max", "max")
    return {"value": value, "rule": {"kind": kind, key: x}}


def apply_table(data: dict, table: dict) -> dict:
    """A copy of a framework's data with a loaded table's points / names / thresholds put in, flags cleared."""
    data = copy.deepcopy(data)
    rows = {r["id"]: r for r in table.get("rows", [])}
    for crit in data["criteria"]:
        r = rows.get(crit["id"], {})
        if "max_points" in r:
            crit["max_points"] = r["max_points"]
            crit["points_unverified"] = False
        if r.get("name_vi"):
            crit["name_vi"] = r["name_vi"]
            crit["name_en"] = r.get("name_en") or r["name_vi"]
            crit["unverified"] = False
        for ind in crit["indicators"]:
            r = rows.get(ind["id"], {})
            if "max_points" in r:
                mp = r["max_points"]
                ind["max_points"] = mp
                ind["value"] = {**ind["value"], "max": mp}
                ind["points_unverified"] = False
            if r.get("name_vi"):
                ind["name_vi"] = r["name_vi"]
                ind["name_en"] = r.get("name_en") or r["name_vi"]
                ind["unverified"] = False
            if r.get("threshold"):
                th = parse_threshold(r["threshold"])
                ind["value"], ind["rule"] = th["value"], th["rule"]
                ind["threshold_unverified"] = False
    if data.get("style") == "points":
        data["total_max"] = sum(c["max_points"] for c in data["criteria"])
    cleared = {"points"} if data.get("style") == "points" else {"names", "thresholds"}
    data["unverified_parts"] = [x for x in data.get("unverified_parts", []) if x not in cleared]
    data["unverified"] = bool(data["unverified_parts"])
    data["points_table"] = {k: table.get(k) for k in ("source", "loaded_at", "file", "sha256", "loaded_by")}
    return data
