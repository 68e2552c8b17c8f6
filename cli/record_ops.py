"""`show`, `delete`, `undelete`: one record by UUID or human-readable number (../shared/cli-contract.md, "Added").

    main.py show legal-aid TG-06652-2026-3FA2-0001 --json [--include-identifiers]
        -> the record as exported + "deleted" + "history": [{"at", "who", "action", "changes": {f: [before, after]}}]
    main.py delete mediation HG-06652-2026-3FA2-0003      -> {"kind", "id", "deleted": true}
    main.py undelete mediation HG-06652-2026-3FA2-0003    -> {"kind", "id", "deleted": false}

KIND: legal-aid, mediation, dissemination, mediation-session, mediation-team. Exit 3 for an unknown id, 4 when
the role may not (edit; see identifiers). Deletes are audited and queued for sync like the app's.
"""
from __future__ import annotations

import json
import sys

KINDS = ("legal-aid", "mediation", "dissemination", "mediation-session", "mediation-team")


def _show(args):
    from cli import emit_json
    from cli.context import open_context
    from services.records import ops
    ctx = open_context(args)
    data = ops.show(args.kind, args.id, include_identifiers=args.include_identifiers, actor=ctx.actor)
    if args.json:
        emit_json(data)
        return
    history = data.pop("history")
    for key, value in data.items():
        print(f"{key:<28} {json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else value}")
    for h in history:
        print(f"{h['at']}  {h['who']}  {h['action']}  {json.dumps(h['changes'], ensure_ascii=False)}")


def _set_deleted(deleted: bool):
    def handler(args):
        from cli import emit_json
        from cli.context import open_context
        from services.records import ops
        ctx = open_context(args)
        result = ops.set_deleted(args.kind, args.id, deleted, actor=ctx.actor)
        print(("Đã xóa / Deleted: " if deleted else "Đã khôi phục / Restored: ") + f"{args.kind} {result['id']}",
              file=sys.stderr)
        emit_json(result)
    return handler


def register(sub, report_sub, common=None):
    parents = [common] if common else []
    p = sub.add_parser("show", parents=parents, help="one record as exported, with its history")
    p.add_argument("kind", choices=KINDS)
    p.add_argument("id", help="UUID or human-readable number")
    p.add_argument("--include-identifiers", action="store_true", help="full ID/phone numbers (if the role allows)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_show)
    for name, deleted, text in (("delete", True, "delete a record (synced; undo with undelete)"),
                                ("undelete", False, "restore a deleted record")):
        p = sub.add_parser(name, parents=parents, help=text)
        p.add_argument("kind", choices=KINDS)
        p.add_argument("id", help="UUID or human-readable number")
        p.add_argument("--json", action="store_true", help="accepted; the result is always JSON on stdout")
        p.set_defaults(handler=_set_deleted(deleted))
