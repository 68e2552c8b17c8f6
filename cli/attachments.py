"""`attach`, `attachments`, `detach`: files attached to a record (../shared/cli-contract.md, "Added").

    main.py attach legal-aid TG-06652-2026-3FA2-0001 phieu-ky.pdf --type signed_slip --document case-slip \
            --caption "Phiếu đã ký"          -> {"id", "sha256", "size", "type", "caption"}
    main.py attachments legal-aid TG-06652-2026-3FA2-0001 --json              -> [{…}, …]
    main.py attachments … --save ATTACHMENT_ID --out ban-sao.pdf              -> a plain copy of one file
    main.py detach legal-aid TG-06652-2026-3FA2-0001 ATTACHMENT_ID           -> {"kind", "record_id", "id", "detached"}

KIND: legal-aid, mediation, mediation-session, dissemination. Exit 2 for a bad file or option (every problem
listed, nothing stored), 3 for an unknown record or attachment, 4 for a read-only role.
"""
from __future__ import annotations

import sys

KINDS = ("legal-aid", "mediation", "mediation-session", "dissemination")


def _attach(args):
    from cli import emit_json
    from cli.context import open_context
    from services import attachments
    from services.i18n import t
    ctx = open_context(args)
    result = attachments.attach(args.kind, args.id, args.file, type=args.type, caption=args.caption or "",
                                document=args.document or "", actor=ctx.actor,
                                downscale=True if args.downscale else None)
    if result["active_content"]:
        features = ", ".join(result["active_content"])
        sys.stderr.write(t("attachments.active_content", "vi", features=features) + "\n")
    print(f"Đã đính kèm / Attached: {result['file_name']} ({result['size']} B)", file=sys.stderr)
    emit_json({k: result[k] for k in ("id", "sha256", "size", "type", "caption")})


def _list(args):
    from cli import emit_json
    from cli.context import open_context
    from services import attachments
    open_context(args)
    if args.save:
        out = attachments.save_copy(args.save, args.out or args.save)
        print(f"Đã lưu / Saved: {out}", file=sys.stderr)
        return
    items = attachments.list_for(args.kind, args.id)
    if args.json:
        emit_json([{k: a[k] for k in ("id", "sha256", "size", "type", "caption")} | {
            "document": a["document"], "file_name": a["file_name"], "mime": a["mime"],
            "added_by": a["added_by"], "added_at": a["added_at"]} for a in items])
        return
    for a in items:
        print(f"{a['id']}  {a['type']:<18} {a['size']:>10}  {a['file_name']}  {a['caption']}")


def _detach(args):
    from cli import emit_json
    from cli.context import open_context
    from services import attachments
    ctx = open_context(args)
    emit_json(attachments.detach(args.kind, args.id, args.attachment_id, actor=ctx.actor))


def register(sub, report_sub, common=None):
    parents = [common] if common else []
    p = sub.add_parser("attach", parents=parents, help="attach a scan or photo (PDF, JPEG, PNG, HEIC) to a record")
    p.add_argument("kind", choices=KINDS)
    p.add_argument("id", help="UUID or human-readable number")
    p.add_argument("file")
    p.add_argument("--type", default=None, help="signed_slip | signed_agreement | attendance_sheet | photo | other")
    p.add_argument("--caption", default="")
    p.add_argument("--document", default="", help="printed document this is the signed copy of (e.g. case-slip)")
    p.add_argument("--downscale", action="store_true", help="photos: long side at most 2,000 px")
    p.add_argument("--json", action="store_true", help="accepted; the result is always JSON on stdout")
    p.set_defaults(handler=_attach)
    p = sub.add_parser("attachments", parents=parents, help="list a record's attachments")
    p.add_argument("kind", choices=KINDS)
    p.add_argument("id", help="UUID or human-readable number")
    p.add_argument("--json", action="store_true")
    p.add_argument("--save", metavar="ATTACHMENT_ID", help="write a plain copy of one attachment (to --out)")
    p.add_argument("--out", default=None)
    p.set_defaults(handler=_list)
    p = sub.add_parser("detach", parents=parents, help="remove an attachment from a record")
    p.add_argument("kind", choices=KINDS)
    p.add_argument("id", help="UUID or human-readable number")
    p.add_argument("attachment_id")
    p.add_argument("--json", action="store_true", help="accepted; the result is always JSON on stdout")
    p.set_defaults(handler=_detach)
