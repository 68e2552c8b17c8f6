"""`report coverage` and `report plan` (dissemination reach, issue 10; see ../shared/cli-contract.md).

    main.py report coverage --from 2026-01-01 --to 2026-11-30 --commune 07090 --format json
    main.py report coverage --from 01/01/2026 --to 30/11/2026 --province 22 --format pdf --out bao-phu.pdf
    main.py report plan --month 2026-12 --commune 07090 --format pdf --out ke-hoach.pdf

JSON (stdout; also written to --out when given): `villages` with `last_reached` (ISO date or null) and
`days_since`, `villages_not_reached`, `groups_not_served`, `languages_not_served`, `effectiveness` by form
(this period against the same period last year), `summary`, `communes`, `rules`. Dates are ISO strings.
"""
from __future__ import annotations

import sys
from pathlib import Path

from services.errors import UsageError

FORMATS = ("pdf", "xlsx", "json")


def _lang() -> str:
    from cli import lang
    return lang()


def _scope_args(args) -> dict:
    if args.province and args.commune:
        raise UsageError("Chọn --province hoặc --commune, không chọn cả hai", "Use --province or --commune, not both")
    return {"province": args.province, "communes": args.commune or None}


def _output(what: str, data: dict, args) -> int:
    from cli import emit_json
    from services.i18n import t
    from services.reports import coverage
    render = coverage.render if what == "coverage" else coverage.render_plan
    if args.format == "json":
        if args.out and str(args.out) != "-":
            render(data, "json", args.out)
        emit_json(data.to_json())
        return 0
    if not args.out or str(args.out) == "-":
        raise UsageError(t("coverage.cli.out_required", "vi", fmt=args.format),
                         t("coverage.cli.out_required", "en", fmt=args.format))
    render(data, args.format, args.out, lang=_lang())
    print(f"{t('coverage.cli.saved', 'vi', path=args.out)} / {t('coverage.cli.saved', 'en', path=args.out)}",
          file=sys.stderr)
    return 0


def _coverage(args) -> int:
    from cli.context import open_context
    from services.reports import coverage
    scope = _scope_args(args)
    if args.format != "json" and not args.out:
        raise UsageError("Cần --out cho định dạng pdf/xlsx", "--out is required for pdf/xlsx")
    open_context(args)
    data = coverage.coverage(args.date_from, args.date_to, lang=_lang(), **scope)
    return _output("coverage", data, args)


def _plan(args) -> int:
    from cli.context import open_context
    from services.reports import coverage
    scope = _scope_args(args)
    if args.format != "json" and not args.out:
        raise UsageError("Cần --out cho định dạng pdf/xlsx", "--out is required for pdf/xlsx")
    if args.limit is not None and args.limit < 1:
        raise UsageError("--limit phải lớn hơn 0", "--limit must be at least 1")
    open_context(args)
    data = coverage.suggest(args.month, limit=args.limit, lang=_lang(), **scope)
    return _output("plan", data, args)


def _scope_options(p) -> None:
    p.add_argument("--province", help="province code (2 digits), e.g. 22")
    p.add_argument("--commune", action="append", help="commune code (5 digits) or name; repeatable")
    p.add_argument("--format", choices=FORMATS, default="json")
    p.add_argument("--out", type=Path, help="output file (required for pdf/xlsx)")


def register(sub, report_sub, common=None):
    parents = [common] if common else []
    p = report_sub.add_parser("coverage", parents=parents,
                              help="dissemination reach: villages, groups and languages not reached; effectiveness")
    p.add_argument("--from", dest="date_from", required=True, help="first date (ISO or dd/mm/yyyy)")
    p.add_argument("--to", dest="date_to", required=True, help="last date")
    _scope_options(p)
    p.set_defaults(handler=_coverage)

    p = report_sub.add_parser("plan", parents=parents,
                              help="next month's dissemination plan: villages and groups least recently reached")
    p.add_argument("--month", help="YYYY-MM (default: next month)")
    p.add_argument("--limit", type=int, default=20, help="number of villages to list (default 20)")
    _scope_options(p)
    p.set_defaults(handler=_plan)
