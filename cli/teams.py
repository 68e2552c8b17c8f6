"""`teams list` / `teams add`: mediation teams, so that mediation imports can name a team
(../shared/cli-contract.md, "Added").

    main.py teams list [--commune 06652 …] --json
        -> [{"id", "name", "commune_code", "village", "members": [{"name", "gender", "ethnicity", "role"}]}]
    main.py teams add --commune 06652 --village "Thôn Khe Lánh" --name "Tổ hòa giải thôn Khe Lánh" \
        --member "Bàn Thị Hoa|Nữ|Dao|Tổ trưởng" --member "Lý Văn Sài|Nam|Dao" … [--recognised 15/03/2024]
        -> the team as in `list`

A member is "Họ tên|Giới tính|Dân tộc[|Vai trò]" (gender Nam/Nữ/Khác, one of the 54 ethnic groups, role Tổ
trưởng/Tổ viên; codes or labels, accents optional). Bad values exit 2 listing every problem; nothing stored.
Composition warnings (fewer than 3 mediators, no woman) go to stderr.
"""
from __future__ import annotations

import sys


def _list(args):
    from cli import emit_json
    from cli.context import open_context
    from services.records import teams
    open_context(args)
    rows = teams.rows(args.commune)
    if args.json:
        emit_json(rows)
        return
    for r in rows:
        print(f"{r['id']}  {r['commune_code']}  {r['name']}  ({len(r['members'])})")


def _add(args):
    from cli import emit_json
    from cli.context import open_context
    from services.errors import ValidationError
    from services.records import store, teams
    ctx = open_context(args)
    members, problems = [], []
    for i, text in enumerate(args.member or [], start=1):
        try:
            members.append(teams.parse_member(text, i))
        except ValidationError as exc:
            problems += exc.errors
            members.append({"name": text})          # keeps the numbering of the other members' messages
    data = {"name": args.name, "commune_code": args.commune, "village": args.village or "", "members": members}
    if args.recognised:
        data["recognised_date"] = args.recognised
    try:
        teams.check(data)
    except ValidationError as exc:
        problems += exc.errors
    if problems:
        raise ValidationError(problems)
    team = teams.add(data, actor=ctx.actor)
    for vi, en in store.warnings("mediation-team", team):
        print(f"Cảnh báo / Warning: {vi} / {en}", file=sys.stderr)
    emit_json(teams.row(team))


def register(sub, report_sub, common=None):
    parents = [common] if common else []
    p = sub.add_parser("teams", parents=parents, help="mediation teams: list, add")
    tsub = p.add_subparsers(dest="teams_command", metavar="ACTION", required=True)
    ls = tsub.add_parser("list", parents=parents, help="list mediation teams")
    ls.add_argument("--commune", action="append", help="commune code (repeatable)")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=_list)
    a = tsub.add_parser("add", parents=parents, help="add a mediation team")
    a.add_argument("--commune", required=True, help="commune code, e.g. 06652")
    a.add_argument("--village", default="", help="thôn / bản / tổ dân phố")
    a.add_argument("--name", required=True, help='e.g. "Tổ hòa giải thôn Khe Lánh"')
    a.add_argument("--member", action="append", help='"Họ tên|Giới tính|Dân tộc[|Vai trò]" (repeatable)')
    a.add_argument("--recognised", help="date the team was recognised (dd/mm/yyyy or ISO)")
    a.add_argument("--json", action="store_true", help="accepted; the team is always JSON on stdout")
    a.set_defaults(handler=_add)
