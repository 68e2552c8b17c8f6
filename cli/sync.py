"""`sync` and `conflicts` subcommands (../shared/cli-contract.md).

    python main.py sync [--server URL] [--user U] [--json]        # password: PLCS_SYNC_PASSWORD or a prompt
    python main.py sync status --json                             # pending per kind, change log, last success/error
    python main.py conflicts [--json]                             # open conflicts
    python main.py conflicts resolve ID --choice local|remote|value [--value JSON]
    python main.py notices [--json]                               # deleted edits, renumbered records, kept aside
    python main.py notices restore ID | notices dismiss ID

The password is read from PLCS_SYNC_PASSWORD, else prompted only when stdin is a terminal; with neither the
command fails at once with exit 4. Progress goes to stderr, JSON to stdout. Exit codes: 0 done (conflicts
left for review included), 4 wrong/missing password or no permission, 5 offline/server error.
"""
from __future__ import annotations

import getpass
import json
import os
import sys

from cli.context import open_context
from services.errors import UsageError


def register(sub, report_sub, common=None):
    parents = [common] if common else []
    p = sub.add_parser("sync", parents=parents, help="sync with the server / đồng bộ với máy chủ")
    p.add_argument("--server", help="server URL, e.g. https://sync.example.vn/v1 (remembered)")
    p.add_argument("--user", help="sync account (remembered)")
    p.add_argument("--json", action="store_true", help="summary as JSON on stdout")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(handler=run_sync)
    ssub = p.add_subparsers(dest="sync_command", metavar="ACTION")
    st = ssub.add_parser("status", parents=parents, help="records waiting to be sent, last success, last error")
    st.add_argument("--json", action="store_true")
    st.set_defaults(handler=run_status)

    c = sub.add_parser("conflicts", parents=parents, help="sync conflicts / xung đột đồng bộ")
    c.add_argument("--json", action="store_true")
    c.add_argument("--all", action="store_true", help="include resolved conflicts")
    c.set_defaults(handler=run_conflicts)
    csub = c.add_subparsers(dest="conflicts_command", metavar="ACTION")
    r = csub.add_parser("resolve", parents=parents, help="resolve one conflict")
    r.add_argument("conflict_id", type=int)
    r.add_argument("--choice", choices=("local", "remote", "value"), default="local")
    r.add_argument("--value", help="the value to keep, as JSON (with --choice value)")
    r.add_argument("--json", action="store_true")
    r.set_defaults(handler=run_resolve)

    n = sub.add_parser("notices", parents=parents, help="sync notices (deleted edits, renumbering, records kept "
                                                         "aside) / thông báo đồng bộ")
    n.add_argument("--json", action="store_true")
    n.set_defaults(handler=run_notices, notices_command=None)
    nsub = n.add_subparsers(dest="notices_command", metavar="ACTION")
    for action in ("restore", "dismiss"):
        a = nsub.add_parser(action, parents=parents, help=f"{action} one notice's record / notice")
        a.add_argument("notice_id", type=int)
        a.add_argument("--json", action="store_true")
        a.set_defaults(handler=run_notices)


def _lang() -> str:
    from cli import lang
    return lang()


def _password() -> str:
    from services.i18n import t
    from services.sync.errors import WrongPasswordError
    pw = os.environ.get("PLCS_SYNC_PASSWORD")
    if pw:
        return pw
    if not sys.stdin.isatty():
        raise WrongPasswordError.make("sync.error.no_password")
    return getpass.getpass(t("sync.password_prompt", _lang()), stream=sys.stderr)


class _Progress:
    """tqdm bars on stderr: one for receiving (count only), one for sending (count/total)."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.bars = {}

    def __call__(self, phase: str, done: int, total):
        if not self.enabled:
            return
        from tqdm import tqdm

        from services.i18n import t
        bar = self.bars.get(phase)
        if bar is None:
            if phase == "push" and not total:
                return
            bar = self.bars[phase] = tqdm(total=total, desc=t(f"sync.phase.{phase}", _lang()), unit=" hs",
                                          file=sys.stderr, leave=False, dynamic_ncols=True)
        bar.update(done - bar.n)

    def close(self):
        for bar in self.bars.values():
            bar.close()


def run_sync(args) -> int:
    from services import sync
    from services.i18n import t
    open_context(args)
    server, user = args.server, args.user
    saved_server, saved_user = sync.configured()
    if not (server or saved_server):
        raise sync.SyncConfigError.make("sync.error.no_server")
    if not (user or saved_user):
        raise sync.SyncConfigError.make("sync.error.no_user")
    password = _password()
    progress = _Progress(enabled=not args.no_progress)
    try:
        summary = sync.sync_now(server, user, password, progress=progress)
    finally:
        progress.close()
    lang = _lang()
    d = summary.as_dict()
    d["complete"] = summary.complete
    # The first line says whether the run is done (issue 16 §2): never "Đồng bộ xong" before error lines.
    sys.stderr.write(sync.headline(summary, lang) + "\n")
    if not summary.complete:
        sys.stderr.write(t("sync.summary.errors", lang, n=len(summary.errors)) + "\n")
        for e in summary.errors:
            sys.stderr.write(f"  - {e.get(lang) or e.get('vi')}\n")
        sys.stderr.write(t("sync.summary.partial_counts", lang, sent=summary.sent, received=summary.received,
                           merged=summary.merged, conflicts=summary.conflicts, bytes_sent=summary.bytes_sent,
                           bytes_received=summary.bytes_received) + "\n")
    if summary.open_conflicts:
        sys.stderr.write(t("sync.error.conflict", lang, n=summary.open_conflicts) + "\n")
    if summary.quarantined:
        sys.stderr.write(t("sync.summary.quarantined", lang, n=len(summary.quarantined)) + "\n")
        for q in summary.quarantined:
            sys.stderr.write("  - " + t("sync.summary.quarantined_line", lang, kind=q["kind"], id=q["id"],
                                        reason=q["reason"]) + "\n")
    for n in sync.list_notices():
        sys.stderr.write(f"  ! {n['text'][lang] if lang in n['text'] else n['text']['vi']}\n")
    if args.json:
        from cli import emit_json
        emit_json(d)
    categories = {e.get("category") for e in summary.errors}
    if "permission" in categories or "auth" in categories:
        return 4
    if "server" in categories or "offline" in categories:
        return 5
    return 0


def run_status(args) -> int:
    """`sync status --json` -> {"pending": {KIND: n}, "pending_change_log": n, "last_success", "last_error"}."""
    from services.sync import pending
    open_context(args)
    data = pending.summary(_lang())
    if args.json:
        from cli import emit_json
        emit_json(data)
        return 0
    for kind, n in data["pending"].items():
        print(f"{kind:<20} {n}")
    print(f"{'change log':<20} {data['pending_change_log']}")
    print(f"{'last success':<20} {data['last_success'] or '—'}")
    err = data["last_error"]
    print(f"{'last error':<20} {err['category'] + ': ' + err['message'] if err else '—'}")
    return 0


def run_conflicts(args) -> int:
    from services import sync
    from services.i18n import t
    open_context(args)
    items = sync.list_conflicts(include_resolved=args.all)
    if args.json:
        from cli import emit_json
        emit_json([{k: c[k] for k in ("conflict_id", "kind", "id", "field", "local", "remote", "base",
                                      "document", "created_at")} for c in items])
        return 0
    if not items:
        sys.stderr.write(t("sync.conflict.none", _lang()) + "\n")
        return 0
    for c in items:
        print(f"#{c['conflict_id']}  {c['kind']} {c['id']}  {c['field']}: "
              f"local={json.dumps(c['local'], ensure_ascii=False)} remote={json.dumps(c['remote'], ensure_ascii=False)}"
              f" base={json.dumps(c['base'], ensure_ascii=False)}")
    return 0


def run_resolve(args) -> int:
    from services import sync
    from services.i18n import t
    open_context(args)
    value = None
    if args.choice == "value":
        if args.value is None:
            raise UsageError("Thiếu --value (JSON)", "--value (JSON) is required with --choice value")
        try:
            value = json.loads(args.value)
        except ValueError:
            value = args.value          # a bare string
    result = sync.resolve_conflict(args.conflict_id, args.choice, value)
    if args.json:
        from cli import emit_json
        emit_json(result)
    else:
        sys.stderr.write(t("sync.conflict.resolved", _lang(), id=args.conflict_id) + "\n")
    return 0


def run_notices(args) -> int:
    from services import sync
    open_context(args)
    action = getattr(args, "notices_command", None)
    if action == "restore":
        result = sync.restore_notice(args.notice_id)
    elif action == "dismiss":
        result = sync.dismiss_notice(args.notice_id)
    else:
        result = {"notices": sync.list_notices(), "quarantined": sync.list_quarantine()}
    if args.json:
        from cli import emit_json
        emit_json(result)
    elif action is None:
        lang = _lang()
        for n in result["notices"]:
            print(f"#{n['notice_id']}  {n['text'].get(lang) or n['text']['vi']}")
        for q in result["quarantined"]:
            print(f"q{q['quarantine_id']}  {q['kind']} {q['id']}: {q['reason']}")
    return 0
