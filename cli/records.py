"""Foundation commands: demo, template, import, export, search, stats."""
from __future__ import annotations

import sys
from pathlib import Path

from cli import emit_json
from cli.context import open_context
from cli.progress import bar, callback
from services.data_dir import demo
from services.errors import UsageError
from services.records import exporting, importing, search, stats
from services.records.columns import KINDS

SEARCH_KINDS = ("legal-aid", "mediation", "dissemination")


def _demo(args):
    open_context(args)
    with bar("Tạo dữ liệu mẫu", args.records) as b:
        counts = demo.generate(args.province, args.records, seed=args.seed, progress=callback(b))
    print(f"Đã tạo / Created: {counts}", file=sys.stderr)
    if args.json:
        emit_json(counts)


def _template(args):
    exporting.template_file(args.kind, args.out)
    print(f"Đã ghi mẫu / Template written: {args.out}", file=sys.stderr)


def _import(args):
    ctx = open_context(args)
    with bar(f"Nhập {args.kind}", None) as b:
        result = importing.import_file(args.kind, args.file, progress=callback(b), actor=ctx.actor)
    print(f"Đã nhập {result.total} bản ghi (mới {result.created}, cập nhật {result.updated}, "
          f"không đổi {result.unchanged}) / Imported {result.total} records ({result.created} new, "
          f"{result.updated} updated, {result.unchanged} unchanged)", file=sys.stderr)
    if args.json:
        emit_json({"kind": args.kind, "imported": result.total, "created": result.created,
                   "updated": result.updated, "unchanged": result.unchanged})


def _export(args):
    ctx = open_context(args)
    with bar(f"Xuất {args.kind}", None) as b:
        n = exporting.export_file(args.kind, args.out, include_identifiers=args.include_identifiers,
                                  actor=ctx.actor, communes=args.commune or None, progress=lambda d: b.update(d - b.n))
    print(f"Đã xuất {n} bản ghi vào {args.out} / Exported {n} records", file=sys.stderr)


def _search(args):
    open_context(args)
    if args.limit < 1:
        raise UsageError("--limit phải ≥ 1", "--limit must be at least 1")
    hits = search.search(args.text, kind=args.kind, limit=args.limit)
    if args.json:
        emit_json(hits)
    else:
        for h in hits:
            print(f"{h['kind']:<14} {h['number'] or '':<26} {h['title']}")


def _stats(args):
    open_context(args)
    result = stats.counts()
    if args.json:
        emit_json(result)
    else:
        for kind, n in result.items():
            print(f"{kind:<18} {n}")


def register(sub, report_sub, common=None):
    parents = [common] if common else []
    p = sub.add_parser("demo", parents=parents, help="add realistic demo records")
    p.add_argument("--province", required=True, help="province code, e.g. 22")
    p.add_argument("--records", type=int, required=True)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_demo)

    p = sub.add_parser("template", parents=parents, help="write the header row of an import file")
    p.add_argument("kind", choices=KINDS)
    p.add_argument("--out", required=True, type=Path)
    p.set_defaults(handler=_template)

    p = sub.add_parser("import", parents=parents, help="import a CSV/XLSX file (all or nothing)")
    p.add_argument("kind", choices=KINDS)
    p.add_argument("file", type=Path)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_import)

    p = sub.add_parser("export", parents=parents, help="export records to CSV/XLSX")
    p.add_argument("kind", choices=KINDS)
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--include-identifiers", action="store_true")
    p.add_argument("--commune", action="append")
    p.set_defaults(handler=_export)

    p = sub.add_parser("search", parents=parents, help="accent-insensitive search")
    p.add_argument("text")
    p.add_argument("--kind", choices=SEARCH_KINDS)
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_search)

    p = sub.add_parser("stats", parents=parents, help="record counts per kind")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_stats)
