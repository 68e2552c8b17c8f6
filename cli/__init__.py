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
import traceback

from services.errors import AppError

# Every subcommand, the feature module that registers it, and its one-line help for `main.py --help`.
# Only the module of the command being run is imported (start-up stays fast: `--help` imports no feature, no
# reportlab); a module listed here that cannot be imported fails at start. tests/test_cli_commands.py checks that
# this table and the modules' register() functions agree.
COMMANDS = {
    "demo": ("cli.records", "add realistic demo records"),
    "template": ("cli.records", "write the header row of an import file"),
    "import": ("cli.records", "import a CSV/XLSX file (all or nothing)"),
    "export": ("cli.records", "export records to CSV/XLSX"),
    "search": ("cli.records", "accent-insensitive search"),
    "stats": ("cli.records", "record counts per kind"),
    "profile": ("cli.profile", "officer profile: name, role, province, communes"),
    "show": ("cli.record_ops", "one record as exported, with its history"),
    "delete": ("cli.record_ops", "delete a record (synced; undo with undelete)"),
    "undelete": ("cli.record_ops", "restore a deleted record"),
    "teams": ("cli.teams", "mediation teams: list, add"),
    "attach": ("cli.attachments", "attach a scan or photo to a record"),
    "attachments": ("cli.attachments", "list a record's attachments (or save a copy of one)"),
    "detach": ("cli.attachments", "remove an attachment from a record"),
    "print": ("cli.printing", "print forms, slips, records and books as PDF"),
    "assess": ("cli.assessment", "commune access-to-law assessment (scorecard)"),
    "assess-set": ("cli.assessment", "enter manual indicator values (--set ID=VALUE …)"),
    "assess-import": ("cli.assessment", "import manual values from CSV/XLSX (all or nothing)"),
    "assess-template": ("cli.assessment", "fill-in file of an assessment's manual values"),
    "assess-frameworks": ("cli.assessment", "list the assessment frameworks"),
    "assess-load-points": ("cli.assessment", "load a corrected points / indicator table (CSV, XLSX or JSON)"),
    "assess-points": ("cli.assessment", "show or write a framework's points / indicator table"),
    "sync": ("cli.sync", "sync with the server / đồng bộ với máy chủ; sync status"),
    "conflicts": ("cli.sync", "sync conflicts / xung đột đồng bộ"),
    "notices": ("cli.sync", "sync notices: deleted edits to restore, renumbered cases, records kept aside"),
    "backup": ("cli.security", "back up the database (encrypted like the database)"),
    "restore": ("cli.security", "restore a backup after checking it (PRAGMA integrity_check)"),
    "transfer": ("cli.security", "device-to-device transfer by file (USB)"),
    "passphrase": ("cli.security", "turn encryption on or change the passphrase"),
    "recovery-key": ("cli.security", "use or replace the recovery key"),
    "security": ("cli.security", "encryption status and auto-lock policy"),
}
REPORT_COMMANDS = {
    "tally": ("cli.printing", "period tally (legal aid, mediation, dissemination)"),
    "assessment": ("cli.assessment", "province list of communes meeting the standard"),
    "coverage": ("cli.coverage", "villages, groups and languages reached"),
    "plan": ("cli.coverage", "suggested villages and groups for next month"),
}
FEATURE_MODULES = list(dict.fromkeys(m for m, _ in [*COMMANDS.values(), *REPORT_COMMANDS.values()]))
_VALUE_OPTIONS = ("--data-dir", "--port")
NO_ENCRYPTION_ENV = "PLCS_NO_ENCRYPTION"       # services.security.policy.ENV_NO_ENCRYPTION (not imported: start-up)


class Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors: exit code 2, no traceback
        self.print_usage(sys.stderr)
        sys.stderr.write(f"Lỗi cú pháp / Usage error: {message}\n")
        raise SystemExit(2)


def _command_of(argv: list[str] | None) -> str | None:
    """The subcommand named in argv (the first word that is not an option or an option's value)."""
    items = list(argv or [])
    i = 0
    while i < len(items):
        word = items[i]
        if word in _VALUE_OPTIONS:
            i += 2
            continue
        if not word.startswith("-"):
            return word
        i += 1
    return None


def modules_for(argv: list[str] | None, everything: bool = False) -> list[str]:
    """Feature modules to import for this command line: none for the GUI and `--help`, the command's own module,
    every module for `report` or for a word the table does not know (so that a command a module registers
    but the table lacks still runs; the table test reports it)."""
    if everything:
        return FEATURE_MODULES
    command = _command_of(argv)
    if command is None:
        return []
    if command == "report":
        return list(dict.fromkeys(m for m, _ in REPORT_COMMANDS.values()))
    if command in COMMANDS:
        return [COMMANDS[command][0]]
    return FEATURE_MODULES


def build_parser(argv: list[str] | None = None, everything: bool = False) -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", default=argparse.SUPPRESS,
                        help="data folder (default: PLCS_DATA_DIR or the user data folder)")
    common.add_argument("--no-encryption", action="store_true", default=argparse.SUPPRESS,
                        help="create a NEW data folder without encryption (not recommended; "
                             "same as PLCS_NO_ENCRYPTION=1). New folders are encrypted by default.")
    parser = Parser(prog="main.py", description="Pháp lý cơ sở — Grassroots Legal Desk", parents=[common])
    parser.add_argument("--web", action="store_true", help="serve the GUI to a browser")
    parser.add_argument("--port", type=int, default=8550)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    report = sub.add_parser("report", help="period reports (tally, coverage)", parents=[common])
    report_sub = report.add_subparsers(dest="report_command", metavar="REPORT", required=True, parser_class=Parser)
    for name in modules_for(argv, everything):
        module = importlib.import_module(name)      # a missing feature module is an error, never skipped
        if len(inspect.signature(module.register).parameters) >= 3:
            module.register(sub, report_sub, common)
        else:
            module.register(sub, report_sub)
    # Commands of modules not imported: a placeholder with the same name and help (listed by --help).
    for table, target in ((COMMANDS, sub), (REPORT_COMMANDS, report_sub)):
        for name, (_, help_text) in table.items():
            if name not in target.choices:
                target.add_parser(name, help=help_text, parents=[common])
    for choice in [*sub.choices.values(), *report_sub.choices.values()]:
        _ensure_data_dir(choice)
    return parser


def _ensure_data_dir(parser: argparse.ArgumentParser) -> None:
    """--data-dir is accepted before or after any subcommand (CLI contract)."""
    if "--data-dir" not in parser._option_string_actions:
        parser.add_argument("--data-dir", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    if "--no-encryption" not in parser._option_string_actions:
        parser.add_argument("--no-encryption", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)


def emit_json(value) -> None:
    """JSON to stdout only (UTF-8, non-ASCII kept)."""
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()


def lang() -> str:
    return "en" if os.environ.get("PLCS_LANG", "vi").startswith("en") else "vi"


def run(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    # --no-encryption = PLCS_NO_ENCRYPTION=1 for this command (read by services.security.policy.plain_allowed)
    opt_out, before = getattr(args, "no_encryption", False), os.environ.get(NO_ENCRYPTION_ENV)
    if opt_out:
        os.environ[NO_ENCRYPTION_ENV] = "1"
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
        if os.environ.get("PLCS_DEBUG", "") not in ("", "0"):
            # printed here, not re-raised: callers of run() (tests, main.py) then all see it, with exit code 1
            traceback.print_exc(file=sys.stderr)
            sys.stderr.write(f"Lỗi nội bộ / Internal error: {type(exc).__name__}: {exc}\n")
            return 1
        sys.stderr.write(f"Lỗi nội bộ / Internal error: {type(exc).__name__}: {exc}\n"
                         "(PLCS_DEBUG=1 để xem chi tiết / for details)\n")
        return 1
    finally:
        if opt_out and before is None:
            os.environ.pop(NO_ENCRYPTION_ENV, None)
        elif opt_out:
            os.environ[NO_ENCRYPTION_ENV] = before
