"""`profile set` / `profile show`: the officer profile a folder syncs with (../shared/cli-contract.md, "Added").

    main.py profile set --name "Lý Thị Sen" --role officer --province 22 --commune 06652 [--commune 06655 …]
    main.py profile show --json      -> {"full_name", "role", "province_code", "communes": [...]}

The rule is services.data_dir.profile's, the one the first-run screen uses: an unknown role, province or commune, or a
commune outside the province, exits 2 listing every problem, and nothing is stored.
"""
from __future__ import annotations

import sys


def _set(args):
    from cli import emit_json
    from cli.context import open_context
    from services.data_dir import profile
    open_context(args)
    saved = profile.save({"full_name": args.name, "role": args.role, "province_code": args.province,
                          "communes": args.commune or [], **({"title": args.title} if args.title else {})})
    print(f"Đã lưu hồ sơ cán bộ / Profile saved: {saved['full_name']} · {', '.join(saved['communes'])}",
          file=sys.stderr)
    if args.json:
        emit_json(profile.public(saved))


def _show(args):
    from cli import emit_json
    from cli.context import open_context
    from services.data_dir import profile
    open_context(args)
    data = profile.public()
    if args.json:
        emit_json(data)
    else:
        for key, value in data.items():
            print(f"{key:<14} {', '.join(value) if isinstance(value, list) else value}")


def register(sub, report_sub, common=None):
    parents = [common] if common else []
    p = sub.add_parser("profile", parents=parents, help="officer profile: name, role, province, communes")
    psub = p.add_subparsers(dest="profile_command", metavar="ACTION", required=True)
    s = psub.add_parser("set", parents=parents, help="set the officer profile (all or nothing)")
    s.add_argument("--name", required=True, help='full name, e.g. "Lý Thị Sen"')
    s.add_argument("--role", default="officer", help="officer | centre_staff | supervisor | admin")
    s.add_argument("--province", required=True, help="province code, e.g. 22")
    s.add_argument("--commune", action="append", help="commune code (repeatable), e.g. 06652")
    s.add_argument("--title", help="job title")
    s.add_argument("--json", action="store_true", help="the saved profile as JSON on stdout")
    s.set_defaults(handler=_set)
    sh = psub.add_parser("show", parents=parents, help="show the officer profile")
    sh.add_argument("--json", action="store_true")
    sh.set_defaults(handler=_show)
