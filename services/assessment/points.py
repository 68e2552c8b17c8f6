"""Corrected points / indicator tables loaded by a provincial officer (no code change needed).

    from services.assessment.points import load_table, read_table_rows
    load_table("QD25_2021", "bang-diem.xlsx", source="TT 09/2021/TT-BTP Phụ lục I")   # checked, then stored
    current_table("QD25_2021") -> {"framework", "source", "loaded_at", "file", "sha256", "rows": [...]} or None
                                      (services.assessment.overlay, which also lays the table over the framework)

Why: the points of QĐ 25/2021 (TT 09/2021/TT-BTP Phụ lục I) and the names / required levels of QĐ 27/2025
(TT 15/2025/TT-BTP) are not verified, so the framework files carry flagged placeholders ("cần xác nhận"). A
province holding the official text loads a table; it overrides the placeholders for that data folder and its
source and load date are printed on every scorecard.

File format (CSV UTF-8 "," or ";", XLSX first sheet, header on row 1; or JSON, see README):
  id          TC1…TC5 (criteria) or 1.1…5.4 (indicators) — the framework's ids, every one exactly once
  max_points  points frameworks (QĐ 25/2021): required on every row; indicators of a criterion must add up to
              the criterion's max_points and the criteria to 100
  name_vi     optional; replaces an unverified name (QĐ 27/2025). A name verified word for word is never replaced
              (a different text is a row error)
  name_en     optional English name
  threshold   "meets" frameworks (QĐ 27/2025), indicators: "có" (yes/no), "≥ 90%", ">= 4", "≤ 2" — required on
              every indicator row
JSON: {"framework": "QD25_2021", "source": "…", "rows": [{"id": "TC1", "max_points": 10}, …]} or just the list.

Nothing is stored unless the whole table is valid: every problem is reported with its row number (the header is
row 1; in JSON the first item is row 2) and the stored table stays as it was. The table is kept as JSON in the
data folder (`<data folder>/frameworks/<ID>.points.json`, written to a temp file then renamed) — a data folder
file, not a database row, since it is configuration read at start like the framework files themselves.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from services.assessment.overlay import parse_number, parse_threshold, table_path
from services.dates import utc_now
from services.errors import FieldError, ValidationError
from services.text import fold

COLUMNS = ("id", "max_points", "name_vi", "name_en", "threshold")
_ALIASES = {
    "id": {"id", "ma", "ma chi tieu", "ma tieu chi", "indicator id", "indicator_id"},
    "max_points": {"max_points", "max points", "diem", "diem toi da", "points"},
    "name_vi": {"name_vi", "name vi", "ten", "ten chi tieu", "noi dung"},
    "name_en": {"name_en", "name en"},
    "threshold": {"threshold", "muc do dat chuan", "yeu cau", "nguong"},
}



# ----------------------------------------------------------------------------------------------- reading files
def _column_of(header: str) -> str | None:
    key = fold(header).replace("_", " ").strip()
    for col, names in _ALIASES.items():
        if key in {n.replace("_", " ") for n in names}:
            return col
    return None




def read_table_rows(path) -> tuple[list[tuple[int, dict]], dict]:
    """[(row_number, {column: text})], plus {"framework", "source"} found in a JSON file."""
    # the same cell text and CSV/XLSX readers as value imports
    from services.assessment.importer import _cell_text as _cell
    from services.assessment.importer import _read_csv, _read_xlsx
    path = Path(path)
    if not path.is_file():
        raise ValidationError([FieldError("file", f"Không tìm thấy tệp {path}", f"File not found: {path}")])
    suffix = path.suffix.lower()
    meta: dict = {}
    if suffix == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ValidationError([FieldError("file", f"Tệp JSON không hợp lệ: {exc}",
                                              f"Not valid JSON: {exc}")]) from None
        if isinstance(data, dict):
            meta = {k: data.get(k) for k in ("framework", "source") if data.get(k)}
            data = data.get("rows")
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise ValidationError([FieldError("file", "JSON phải là danh sách dòng hoặc {\"rows\": [...]}",
                                              "JSON must be a list of rows or {\"rows\": [...]}")])
        return [(n, {k: _cell(v) for k, v in r.items() if k in COLUMNS}) for n, r in enumerate(data, start=2)], meta
    if suffix == ".csv":
        rows = _read_csv(path)
    elif suffix in (".xlsx", ".xlsm"):
        rows = _read_xlsx(path)
    else:
        raise ValidationError([FieldError("file", "Chỉ nhận tệp .csv, .xlsx hoặc .json",
                                          "Only .csv, .xlsx or .json files")])
    if not rows:
        raise ValidationError([FieldError("file", "Tệp trống", "The file is empty")])
    header = [_column_of(_cell(h)) for h in rows[0]]
    if "id" not in header:
        raise ValidationError([FieldError("header", f"Thiếu cột id (các cột: {', '.join(COLUMNS)})",
                                          f"Missing column id (columns: {', '.join(COLUMNS)})", 1)])
    out = []
    for n, row in enumerate(rows[1:], start=2):
        cells = [_cell(v) for v in row]
        if not any(cells):
            continue
        out.append((n, {col: cells[i] for i, col in enumerate(header) if col and i < len(cells)}))
    return out, meta


# ----------------------------------------------------------------------------------------------- checking
def check_rows(fw, rows: list[tuple[int, dict]]) -> list[dict]:
    """Validate a table against a framework; returns normalised rows or raises one ValidationError with every
    problem (row number, field, reason)."""
    errs: list[FieldError] = []
    crits = {c["id"]: c for c in fw.criteria}
    inds = {i["id"]: i for i in fw.indicators()}
    seen: dict[str, int] = {}
    out = []
    points = fw.style == "points"

    def bad(row, field, vi, en):
        errs.append(FieldError(field, vi, en, row))

    for n, r in rows:
        iid = (r.get("id") or "").strip()
        if not iid:
            bad(n, "id", "Thiếu mã tiêu chí/chỉ tiêu", "Missing criterion/indicator id")
            continue
        if iid not in crits and iid not in inds:
            bad(n, "id", f"Mã '{iid}' không có trong {fw.name} (có: {', '.join(list(crits) + list(inds))})",
                f"Id '{iid}' is not in {fw.name}", )
            continue
        if iid in seen:
            bad(n, "id", f"Mã {iid} xuất hiện nhiều lần (lần đầu ở dòng {seen[iid]})",
                f"Id {iid} appears more than once (first on row {seen[iid]})")
            continue
        seen[iid] = n
        item = crits.get(iid) or inds[iid]
        norm: dict = {"id": iid, "row": n}
        name = (r.get("name_vi") or "").strip()
        if name:
            if not item.get("unverified") and name != item["name_vi"]:
                bad(n, "name_vi", f"{iid}: tên đã đối chiếu nguyên văn với văn bản, không thay được",
                    f"{iid}: the name is verified word for word and cannot be replaced")
            elif item.get("unverified"):
                norm["name_vi"] = name
        if (r.get("name_en") or "").strip() and item.get("unverified"):
            norm["name_en"] = r["name_en"].strip()
        if points:
            mp = parse_number(r.get("max_points") or "")
            if mp is None or mp <= 0:
                bad(n, "max_points", f"{iid}: điểm tối đa phải là số dương (đang là '{r.get('max_points', '')}')",
                    f"{iid}: max_points must be a positive number (got '{r.get('max_points', '')}')")
            else:
                norm["max_points"] = mp
        elif iid in inds:
            th = parse_threshold(r.get("threshold") or "")
            if th is None:
                bad(n, "threshold", f"{iid}: mức độ đạt chuẩn '{r.get('threshold', '')}' không đọc được "
                                    "(dùng: có | ≥ 90% | ≥ 4 | ≤ 2)",
                    f"{iid}: cannot read threshold '{r.get('threshold', '')}' (use: có | ≥ 90% | ≥ 4 | ≤ 2)")
            else:
                norm["threshold"] = r["threshold"].strip()
        out.append(norm)
    wanted = list(crits) + list(inds) if points else list(inds)
    missing = [i for i in wanted if i not in seen]
    if missing:
        errs.append(FieldError("id", f"Bảng thiếu: {', '.join(missing)} (phải có đủ mọi "
                                     f"{'tiêu chí và chỉ tiêu' if points else 'chỉ tiêu'})",
                               f"The table lacks: {', '.join(missing)} (every "
                               f"{'criterion and indicator' if points else 'indicator'} is required)"))
    if points and not errs:
        by_id = {r["id"]: r for r in out}
        total = 0
        for cid, crit in crits.items():
            cmax = by_id[cid]["max_points"]
            total += cmax
            s = sum(by_id[i["id"]]["max_points"] for i in crit["indicators"])
            if abs(s - cmax) > 1e-9:
                errs.append(FieldError("max_points", f"{cid}: tổng điểm các chỉ tiêu {s:g} khác điểm tối đa của "
                                                     f"tiêu chí {cmax:g}",
                                       f"{cid}: its indicators add up to {s:g}, not {cmax:g}", by_id[cid]["row"]))
        want = fw.data.get("total_max", 100)
        if not errs and abs(total - want) > 1e-9:
            errs.append(FieldError("max_points", f"Tổng điểm các tiêu chí là {total:g}, phải bằng {want:g}",
                                   f"The criteria add up to {total:g}, not {want:g}"))
    if errs:
        raise ValidationError(errs)
    return out


def load_table(framework_id: str, path, *, source: str | None = None, actor: str | None = None) -> dict:
    """Check a table file against the framework (base data file, not an earlier table) and store it.

    Returns the stored table. Raises ValidationError (every bad row) and leaves the stored table untouched."""
    from services.assessment.frameworks import base_framework, reload
    from services.records import audit
    fw = base_framework(framework_id)
    rows, meta = read_table_rows(path)
    if meta.get("framework") and base_framework(meta["framework"]).id != fw.id:
        raise ValidationError([FieldError("framework", f"Tệp dành cho {meta['framework']}, không phải {fw.id}",
                                          f"The file is for {meta['framework']}, not {fw.id}")])
    if not rows:
        raise ValidationError([FieldError("file", "Tệp không có dòng dữ liệu nào", "The file has no data rows")])
    norm = check_rows(fw, rows)
    raw = Path(path).read_bytes()
    table = {"framework": fw.id, "framework_version": fw.version,
             "source": (source or meta.get("source") or Path(path).name).strip(),
             "loaded_at": utc_now().isoformat(timespec="seconds"), "file": Path(path).name,
             "sha256": hashlib.sha256(raw).hexdigest(), "loaded_by": actor or "",
             "rows": [{k: v for k, v in r.items() if k != "row"} for r in norm]}
    target = table_path(fw.id)
    if target is None:
        raise RuntimeError("no data folder is open")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(table, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, target)
    reload()
    audit.record("assessment-framework", fw.id, "update",
                 {"points_table": [None, {"source": table["source"], "file": table["file"],
                                          "sha256": table["sha256"]}]}, actor)
    return table


def template_rows(framework_id: str) -> list[dict]:
    """The framework's current ids with their values, as a fill-in table (same columns as the load format)."""
    from services.assessment.frameworks import get_framework
    fw = get_framework(framework_id)
    out = []
    for crit in fw.criteria:
        out.append({"id": crit["id"], "max_points": crit.get("max_points", ""), "name_vi": crit["name_vi"],
                    "name_en": crit["name_en"], "threshold": ""})
        for ind in crit["indicators"]:
            out.append({"id": ind["id"], "max_points": ind.get("max_points", ""), "name_vi": ind["name_vi"],
                        "name_en": ind["name_en"], "threshold": "" if fw.style == "points" else threshold_text(ind)})
    return out


def threshold_text(ind: dict) -> str:
    rule = ind["rule"]
    pct = "%" if ind["value"]["type"] == "percent" else ""
    if rule["kind"] == "meets_min":
        return f"≥ {rule['min']:g}{pct}"
    if rule["kind"] == "meets_max":
        return f"≤ {rule['max']:g}{pct}"
    return "có"


def write_template(framework_id: str, out) -> Path:
    """CSV or XLSX (by suffix) of template_rows — the file an officer corrects and loads back."""
    import csv
    out = Path(out)
    rows = template_rows(framework_id)
    if out.suffix.lower() == ".xlsx":
        import xlsxwriter
        wb = xlsxwriter.Workbook(str(out))
        ws = wb.add_worksheet("points")
        ws.write_row(0, 0, COLUMNS)
        for i, r in enumerate(rows, start=1):
            ws.write_row(i, 0, [r[c] for c in COLUMNS])
        ws.set_column(2, 3, 70)
        wb.close()
    elif out.suffix.lower() == ".json":
        out.write_text(json.dumps({"framework": framework_id, "source": "", "rows": rows}, ensure_ascii=False,
                                  indent=2) + "\n", encoding="utf-8")
    else:
        with out.open("w", encoding="utf-8-sig", newline="") as f:
            w = csv.DictWriter(f, fieldnames=COLUMNS)
            w.writeheader()
            w.writerows(rows)
    return out
