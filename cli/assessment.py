"""Assessment commands (chuẩn tiếp cận pháp luật), per ../shared/cli-contract.md.

    main.py assess 07090 --year 2024 --format json                       scorecard JSON on stdout
    main.py assess 07090 --year 2024 --framework QD25_2021 --format pdf --out bang-diem.pdf
    main.py assess-set 07090 --year 2024 --set 1.1=5 1.2=4 DK3=không --evidence "1.1=Báo cáo 12/BC-UBND"
    main.py assess-set 07090 --year 2024 --clear 3.1                      drop a manual value
    main.py assess-import 07090 values.xlsx --year 2024                   columns indicator_id, value, evidence
    main.py assess-template 07090 --year 2024 --out values.xlsx           fill-in file for assess-import
    main.py assess-frameworks --json                                      frameworks, years, data source
    main.py assess-points --framework QD25_2021 --out bang-diem.xlsx      current points table (fill-in file)
    main.py assess-load-points bang-diem.xlsx --framework QD25_2021 --source "TT 09/2021/TT-BTP Phụ lục I"
    main.py report assessment --province 22 --year 2024 --format xlsx --out danh-sach.xlsx
"""
from __future__ import annotations

import sys
from pathlib import Path

from services.dates import parse_date
from services.errors import FieldError, UsageError, ValidationError

FORMATS = ("json", "pdf", "xlsx")


def _lang(args) -> str:
    from cli import lang
    return getattr(args, "lang", None) or lang()


def _open(args):
    from cli.context import open_context
    return open_context(args)


def _emit(value) -> None:
    from cli import emit_json
    emit_json(value)


def _as_of(args):
    if not getattr(args, "as_of", None):
        return None
    try:
        return parse_date(args.as_of)
    except ValueError:
        raise ValidationError([FieldError("--as-of", f"Ngày không hợp lệ: {args.as_of}",
                                          f"Not a date: {args.as_of}")]) from None


def _write(fmt: str, out, data: dict, kind: str) -> None:
    """Write JSON (stdout without --out), PDF or XLSX of a scorecard (kind "card") or province list ("list")."""
    if fmt == "json" and out is None:
        _emit(data)
        return
    if out is None:
        raise UsageError(f"--format {fmt} cần --out FILE", f"--format {fmt} needs --out FILE")
    from services.assessment import renderers
    (renderers.render if kind == "card" else renderers.render_province)(data, fmt, out)


def _summary(card: dict) -> str:
    r = card["result"]
    head = f"{card['commune_name']} ({card['commune']}) {card['year']} — {card['framework']}: "
    head += "ĐẠT CHUẨN / recognised" if r["recognised"] else "CHƯA ĐẠT / not recognised"
    if r.get("total_points") is not None:
        head += f" — {r['total_points']}/{r['max_points']} điểm"
    ps = (card.get("data_source") or {}).get("points") or {}
    lines = [head]
    if ps:
        lines.append(f"  Nguồn điểm/chỉ tiêu: {ps.get('source')}"
                     + (f" (nạp {ps['loaded_at']})" if ps.get("loaded_at") else "")
                     + ("" if ps.get("verified") else " — cần xác nhận"))
    if card.get("unit_note"):
        lines.append(f"  {card['unit_note']}")
    return "\n".join(lines + [f"  – {f}" for f in r["failed_conditions"]])


def _assess(args):
    from services.assessment import assess
    ctx = _open(args)
    card = assess(args.commune, args.year, args.framework, as_of=_as_of(args), lang=_lang(args),
                  store_result=True)
    _write(args.format, args.out, card, "card")
    if args.format != "json" and card.get("assessment_id"):
        from services.printing.context import record_print
        record_print("assessment", card["assessment_id"], doc=f"scorecard-{args.format}", actor=ctx.actor)
    if args.format != "json" or args.out:
        print(_summary(card), file=sys.stderr)


def _parse_pairs(items: list[str], what: str) -> dict[str, str]:
    out = {}
    bad = []
    for item in items or []:
        if "=" not in item:
            bad.append(FieldError(what, f"'{item}' phải có dạng MÃ=GIÁ_TRỊ", f"'{item}' must look like ID=VALUE"))
            continue
        key, value = item.split("=", 1)
        out[key.strip()] = value.strip()
    if bad:
        raise ValidationError(bad)
    return out


def _assess_set(args):
    from services.assessment import set_values
    ctx = _open(args)
    values = _parse_pairs(args.values, "value")
    evidence = _parse_pairs(args.evidence, "--evidence")
    entries = {k: {"value": v, "evidence": evidence.get(k, "")} for k, v in values.items()}
    for k, ev in evidence.items():
        entries.setdefault(k, {"value": None, "evidence": ev})
    if args.clear:
        for k in args.clear:
            entries[k] = {"value": None, "evidence": ""}
    if not entries:
        raise UsageError("Chưa có giá trị nào (--set MÃ=GIÁ_TRỊ hoặc --clear MÃ)",
                         "No values given (--set ID=VALUE or --clear ID)")
    if any(v["value"] is None and v["evidence"] for v in entries.values()):
        # evidence without a value keeps the stored value: merge it in
        from services.assessment.service import load_saved
        saved = load_saved(args.commune, int(args.year))
        stored = dict(saved.values) if saved else {}
        for k, v in entries.items():
            if v["value"] is None and v["evidence"]:
                v["value"] = (stored.get(k) or {}).get("value")
    card = set_values(args.commune, args.year, entries, framework_id=args.framework, actor=ctx.actor,
                      lang=_lang(args))
    print(f"Đã lưu {len(entries)} giá trị / Saved {len(entries)} values", file=sys.stderr)
    print(_summary(card), file=sys.stderr)
    if args.json:
        _emit(card)


def _assess_import(args):
    from services.assessment import import_values
    ctx = _open(args)
    res = import_values(args.commune, args.year, args.file, framework_id=args.framework, actor=ctx.actor,
                        lang=_lang(args))
    print(f"Đã nhập {res['imported']} giá trị / Imported {res['imported']} values", file=sys.stderr)
    print(_summary(res["card"]), file=sys.stderr)
    if args.json:
        _emit({"imported": res["imported"], "card": res["card"]})


def _assess_template(args):
    from services.assessment import template_rows
    from services.assessment.importer import write_template
    _open(args)
    write_template(template_rows(args.commune, args.year, args.framework, _lang(args)), args.out)
    print(f"Đã ghi mẫu / Template written: {args.out}", file=sys.stderr)


def _frameworks(args):
    from services.assessment import all_frameworks
    items = [f.summary() for f in all_frameworks()]
    if args.json:
        _emit(items)
    else:
        for f in items:
            years = f"{f['valid_from_year']}–{f['valid_to_year'] or '…'}"
            print(f"{f['id']:<12} {f['name']:<22} {f['guidance']:<18} {years:<11} {f['style']}"
                  + ("  (cần xác nhận / to be confirmed)" if f["unverified"] else ""))


def _load_points(args):
    from services.assessment.points import load_table
    ctx = _open(args)
    table = load_table(args.framework, args.file, source=args.source, actor=ctx.actor)
    print(f"Đã nạp bảng điểm cho {table['framework']} ({len(table['rows'])} dòng) — nguồn: {table['source']} / "
          f"Points table loaded for {table['framework']} ({len(table['rows'])} rows)", file=sys.stderr)
    if args.json:
        _emit({k: v for k, v in table.items()})


def _points(args):
    from services.assessment import get_framework
    from services.assessment.points import template_rows, write_template
    _open(args)
    fw = get_framework(args.framework)
    if args.out:
        write_template(fw.id, args.out)
        print(f"Đã ghi bảng điểm / Points table written: {args.out}", file=sys.stderr)
    if args.json or not args.out:
        _emit({"framework": fw.id, "data_source": fw.data_source(_lang(args)), "rows": template_rows(fw.id)})


def _report(args):
    from services.assessment import province_overview
    _open(args)
    overview = province_overview(args.province, args.year, framework_id=args.framework, as_of=_as_of(args),
                                 lang=_lang(args), only_assessed=args.only_assessed)
    _write(args.format, args.out, overview, "list")
    if args.format != "json" or args.out:
        c = overview["counts"]
        print(f"{overview['province_name']} {overview['year']}: đạt chuẩn {c['recognised']}/{c['communes']} "
              f"/ recognised {c['recognised']}/{c['communes']}", file=sys.stderr)


def _common_args(p, *, year=True):
    if year:
        p.add_argument("--year", type=int, required=True, help="assessment year, e.g. 2024")
    p.add_argument("--framework", default=None, help="framework id (QD25_2021, QD27_2025); default: by year")
    p.add_argument("--lang", choices=("vi", "en"), default=None, help="language of names and messages")


def register(sub, report_sub, common=None):
    parents = [common] if common else []
    p = sub.add_parser("assess", parents=parents, help="commune access-to-law assessment (scorecard)")
    p.add_argument("commune", help="commune code (5 digits) or name")
    _common_args(p)
    p.add_argument("--format", choices=FORMATS, default="json")
    p.add_argument("--out", type=Path, default=None)
    p.add_argument("--as-of", default=None, help="date the figures are taken at (default today)")
    p.set_defaults(handler=_assess)

    p = sub.add_parser("assess-set", parents=parents, help="enter manual indicator values (--set ID=VALUE …)")
    p.add_argument("commune")
    p.add_argument("--set", dest="values", action="extend", nargs="+", default=[], metavar="ID=VALUE",
                   help="e.g. --set 1.1=5 1.2=4 DK3=không (repeatable)")
    _common_args(p)
    p.add_argument("--evidence", action="append", default=[], metavar="ID=TEXT", help="evidence note per item")
    p.add_argument("--clear", action="append", default=[], metavar="ID", help="remove a manual value")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_assess_set)

    p = sub.add_parser("assess-import", parents=parents, help="import manual values from CSV/XLSX (all or nothing)")
    p.add_argument("commune")
    p.add_argument("file", type=Path)
    _common_args(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_assess_import)

    p = sub.add_parser("assess-template", parents=parents, help="fill-in file of an assessment's manual values")
    p.add_argument("commune")
    _common_args(p)
    p.add_argument("--out", type=Path, required=True)
    p.set_defaults(handler=_assess_template)

    p = sub.add_parser("assess-frameworks", parents=parents, help="list the assessment frameworks")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_frameworks)

    p = sub.add_parser("assess-load-points", parents=parents,
                       help="load a corrected points / indicator table (CSV, XLSX or JSON; all or nothing)")
    p.add_argument("file", type=Path)
    p.add_argument("--framework", required=True, help="QD25_2021 or QD27_2025")
    p.add_argument("--source", default=None, help="where the table comes from, e.g. 'TT 09/2021/TT-BTP Phụ lục I'")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_load_points)

    p = sub.add_parser("assess-points", parents=parents, help="show or write a framework's points / indicator table")
    p.add_argument("--framework", required=True)
    p.add_argument("--out", type=Path, default=None, help=".csv, .xlsx or .json fill-in file")
    p.add_argument("--lang", choices=("vi", "en"), default=None)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_points)

    p = report_sub.add_parser("assessment", parents=parents, help="province list of communes meeting the standard")
    p.add_argument("--province", required=True)
    _common_args(p)
    p.add_argument("--format", choices=FORMATS, default="json")
    p.add_argument("--out", type=Path, default=None)
    p.add_argument("--as-of", default=None)
    p.add_argument("--only-assessed", action="store_true", help="leave out communes with no saved assessment")
    p.set_defaults(handler=_report)
