"""`print` and `report tally` (see ../shared/cli-contract.md).

    main.py print case-slip TG-02266-2026-0000-0001 --out slip.pdf
    main.py print case-slip --from 2026-01-01 --to 31/01/2026 --commune 02266 --out jan.pdf
    main.py print mediation-book --team <id> --from 2026-01-01 --to 2026-12-31 --out so.pdf
    main.py report tally --from 2026-01-01 --to 2026-12-31 --province 08 --format xlsx --out bc.xlsx
"""
from __future__ import annotations

import sys
from pathlib import Path

from cli import emit_json
from cli.context import open_context
from services import printing
from services.errors import UsageError
from services.reports import periods

DOC_CHOICES = [*printing.DOCUMENTS, printing.BOOK_TOKEN]


def _print(args):
    ctx = open_context(args)
    actor = getattr(ctx, "actor", None)
    if args.doc == printing.BOOK_TOKEN:
        if not args.team or not args.date_from or not args.date_to:
            raise UsageError("In sổ theo dõi hòa giải cần --team, --from và --to",
                             "mediation-book needs --team, --from and --to")
        period = periods.custom(args.date_from, args.date_to)
        printing.print_mediation_book(args.team, period.start, period.end, args.out, actor=actor)
        print(f"Đã in sổ theo dõi hòa giải vào {args.out} / Mediation book written to {args.out}", file=sys.stderr)
        return 0
    if args.ids:
        if args.date_from or args.date_to or args.commune:
            raise UsageError("Chọn ID hoặc --from/--to, không chọn cả hai", "Give IDs or --from/--to, not both")
        printing.print_documents(args.doc, args.ids, args.out, actor=actor)
        n = len(args.ids)
    else:
        if not args.date_from or not args.date_to:
            raise UsageError("Cần ID hồ sơ, hoặc --from và --to để in hàng loạt",
                             "Give record IDs, or --from and --to for a batch")
        period = periods.custom(args.date_from, args.date_to)
        _data, n = printing.print_batch(args.doc, period.start, period.end, args.commune or None, args.out,
                                        actor=actor)
    print(f"Đã in {n} văn bản vào {args.out} / Printed {n} document(s) to {args.out}", file=sys.stderr)
    return 0


def _tally(args):
    ctx = open_context(args)
    if args.province and args.commune:
        raise UsageError("Chọn --province hoặc --commune, không chọn cả hai", "Use --province or --commune, not both")
    if args.format in ("pdf", "xlsx") and not args.out:
        raise UsageError("Cần --out cho định dạng pdf/xlsx", "--out is required for pdf/xlsx")
    from services.reports import tally
    period = periods.custom(args.date_from, args.date_to)
    result = tally.compute(period, province=args.province, communes=args.commune or None,
                           compare_previous_year=args.compare)
    if args.format == "json":
        if args.out and str(args.out) != "-":
            tally.render(result, "json", args.out)
        emit_json(result.to_json())
    else:
        tally.render(result, args.format, args.out)
        tally.record_output(result, args.format, getattr(ctx, "actor", None))
        print(f"Đã ghi báo cáo vào {args.out} / Report written to {args.out}", file=sys.stderr)
    return 0


def register(sub, report_sub, common=None):
    parents = [common] if common else []
    p = sub.add_parser("print", parents=parents, help="print forms, slips, records and books as PDF")
    p.add_argument("doc", choices=DOC_CHOICES, metavar="DOC", help="one of: " + ", ".join(DOC_CHOICES))
    p.add_argument("ids", nargs="*", metavar="ID", help="record UUIDs or numbers")
    p.add_argument("--from", dest="date_from", help="batch: first date (ISO or dd/mm/yyyy)")
    p.add_argument("--to", dest="date_to", help="batch: last date")
    p.add_argument("--commune", action="append", help="batch: commune code (repeatable)")
    p.add_argument("--team", help="mediation-book: team id or name")
    p.add_argument("--out", required=True, type=Path)
    p.set_defaults(handler=_print)

    p = report_sub.add_parser("tally", parents=parents, help="period tally (legal aid, mediation, dissemination)")
    p.add_argument("--from", dest="date_from", required=True)
    p.add_argument("--to", dest="date_to", required=True)
    p.add_argument("--province")
    p.add_argument("--commune", action="append")
    p.add_argument("--compare-previous-year", dest="compare", action="store_true", default=True)
    p.add_argument("--no-compare-previous-year", dest="compare", action="store_false")
    p.add_argument("--format", choices=["pdf", "xlsx", "json"], default="json")   # services.reports.tally.FORMATS
    p.add_argument("--out", type=Path)
    p.set_defaults(handler=_tally)
