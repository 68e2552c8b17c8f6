"""The command-line interface (see ../shared/cli-contract.md). `main.py` calls `run(argv)`.

Each feature module registers its subcommands with `register(sub, report_sub)`; handlers receive the parsed
args and return an exit code (or None for 0). Errors are services.errors.AppError subclasses, printed to
stderr in Vietnamese and English with the contract's exit code — never a traceback for a user mistake.
"""
from __future__ import annotations

import argparse
import importlib
import inspect
import json
import os
import sys

from services.errors import AppError

FEATURE_MODULES = ["cli.records", "cli.printing", "cli.assessment", "cli.sync", "cli.security", "cli.coverage"]


class Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors: exit code 2, no traceback
        self.print_usage(sys.stderr)
        sys.stderr.write(f"Lỗi cú pháp / Usage error: {message}\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", default=argparse.SUPPRESS, help="data folder (default: PLCS_DATA_DIR or the user data folder)")
    parser = Parser(prog="main.py", description="Pháp lý cơ sở — Grassroots Legal Desk", parents=[common])
    parser.add_argument("--web", action="store_true", help="serve the GUI to a browser")
    parser.add_argument("--port", type=int, default=8550)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    report = sub.add_parser("report", help="period reports (tally, coverage)", parents=[common])
    report_sub = report.add_subparsers(dest="report_command", metavar="REPORT", required=True, parser_class=Parser)
    for name in FEATURE_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        if len(inspect.signature(module.register).parameters) >= 3:
            module.register(sub, report_sub, common)
        else:
            module.register(sub, report_sub)
    for choice in [*sub.choices.values(), *report_sub.choices.values()]:
        _ensure_data_dir(choice)
    return parser


def _ensure_data_dir(parser: argparse.ArgumentParser) -> None:
    """--data-dir is accepted before or after any subcommand (CLI contract)."""
    if "--data-dir" not in parser._option_string_actions:
        parser.add_argument("--data-dir", default=argparse.SUPPRESS, help=argparse.SUPPRESS)


def emit_json(value) -> None:
    """JSON to stdout only (UTF-8, non-ASCII kept)."""
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()


def lang() -> str:
    return "en" if os.environ.get("PLCS_LANG", "vi").startswith("en") else "vi"


def run(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        code = handler(args)
        return int(code or 0)
    except AppError as exc:
        sys.stderr.write(f"{exc.message('vi')}\n")
        if exc.message("en") != exc.message("vi"):
            sys.stderr.write(f"{exc.message('en')}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("Đã dừng / Interrupted\n")
        return 1
    except Exception as exc:  # noqa: BLE001 - last resort: a short message, the traceback only on request
        if os.environ.get("PLCS_DEBUG"):
            raise
        sys.stderr.write(f"Lỗi nội bộ / Internal error: {type(exc).__name__}: {exc}\n"
                         "(PLCS_DEBUG=1 để xem chi tiết / for details)\n")
        return 1
