"""Pháp lý cơ sở — Grassroots Legal Desk.

    python main.py                     open the app (desktop window, or the browser when no desktop client)
    python main.py --web --port 8550   serve the app to a browser
    python main.py COMMAND …           command-line interface (see README / ../shared/cli-contract.md)
"""
from __future__ import annotations

import argparse
import sys


def _wants_gui(argv: list[str]) -> tuple[bool, argparse.Namespace]:
    from cli import build_parser
    args, _ = build_parser(argv).parse_known_args(argv)      # imports only the named command's feature module
    return args.command is None, args


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    gui, args = _wants_gui(argv)
    if gui and not any(a in ("-h", "--help") for a in argv):
        from ui.app import run_gui
        return run_gui(data_dir=getattr(args, "data_dir", None), web=args.web, port=args.port) or 0
    from cli import run
    return run(argv)


def console() -> None:
    """The `phap-ly-co-so` console script (pyproject.toml)."""
    sys.exit(main())


if __name__ == "__main__":
    console()
