"""CLI: backup, restore, transfer, passphrase and recovery key (see ../shared/cli-contract.md).

    main.py backup [--out FILE] [--json]             main.py restore FILE [--json]
    main.py transfer export --out FILE [--all]       main.py transfer import FILE [--json]
    main.py passphrase set | change                  main.py recovery-key unlock | new
    main.py security status --json                   main.py security auto-lock MINUTES
    main.py security restore-key-file BACKUP          (plcs.key lost: take it from a backup)

Secrets come from the environment or, when there is a terminal, from a hidden prompt — never from arguments
(they would end up in shell history and process lists), never written anywhere:
    PLCS_PASSPHRASE            the current passphrase (every command on an encrypted folder)
    PLCS_NEW_PASSPHRASE        the new passphrase for `passphrase set|change` and `recovery-key unlock`
    PLCS_RECOVERY_KEY          the recovery key for `recovery-key unlock` (and for old backups)
    PLCS_TRANSFER_PASSPHRASE   the transfer file password (default: PLCS_PASSPHRASE)
Without a terminal and without the needed variable a command fails at once with exit code 4.
"""
from __future__ import annotations

import os
import sys

from services.errors import AuthError, UsageError
from services.i18n import t
from services.security import opening, vault

ENV_NEW = "PLCS_NEW_PASSPHRASE"
ENV_RECOVERY = "PLCS_RECOVERY_KEY"
ENV_TRANSFER = "PLCS_TRANSFER_PASSPHRASE"


def _lang() -> str:
    from cli import lang
    return lang()


def _say(key: str, **fmt) -> None:
    sys.stderr.write(f"{t(key, 'vi', **fmt)}\n")
    if _lang() == "en" or t(key, "en", **fmt) != t(key, "vi", **fmt):
        sys.stderr.write(f"{t(key, 'en', **fmt)}\n")


def _emit(value) -> None:
    from cli import emit_json
    emit_json(value)


def _data_dir(args):
    from services.data_dir import app
    return app.resolve_data_dir(getattr(args, "data_dir", None))


def _secret(env: str, prompt_key: str, missing_key: str) -> str:
    value = os.environ.get(env) or opening.ask_secret(prompt_key)
    if not value:
        raise AuthError(t(missing_key, "vi"), t(missing_key, "en"))
    return value


def _new_passphrase(*fallback_envs: str) -> str:
    for env in (ENV_NEW, *fallback_envs):
        if os.environ.get(env):
            return os.environ[env]
    first = opening.ask_secret("security.prompt_new_passphrase")
    if not first:
        raise AuthError(t("security.new_passphrase_required", "vi"), t("security.new_passphrase_required", "en"))
    vault.validate_new_passphrase(first)
    if opening.ask_secret("security.prompt_repeat_passphrase") != first:
        raise UsageError(t("security.passphrase_mismatch", "vi"), t("security.passphrase_mismatch", "en"))
    return first


# ---- backup / restore ---------------------------------------------------------------------------------------------

def cmd_backup(args) -> int:
    from services.data_dir import backup
    opening.open_for_cli(getattr(args, "data_dir", None))
    path = backup.create_backup(args.out, reason="manual")
    _say("backup.done", path=path)
    if args.json:
        _emit({"path": str(path), "encrypted": backup.current_key() is not None})
    return 0


def cmd_restore(args) -> int:
    from services.data_dir import restore
    opening.open_for_cli(getattr(args, "data_dir", None))
    result = restore.restore_backup(args.file, passphrase=os.environ.get(opening.ENV_PASSPHRASE) or None,
                                   recovery_key=os.environ.get(ENV_RECOVERY) or None)
    _say("backup.restored", path=args.file, safety=result["safety_backup"])
    if args.json:
        _emit(result)
    return 0


# ---- transfer -----------------------------------------------------------------------------------------------------

def _transfer_password(encrypted_dir: bool, for_export: bool) -> str | None:
    value = os.environ.get(ENV_TRANSFER) or os.environ.get(opening.ENV_PASSPHRASE)
    if value:
        return value
    value = opening.ask_secret("security.prompt_transfer_password")
    if value and for_export and opening.ask_secret("security.prompt_repeat_passphrase") != value:
        raise UsageError(t("security.passphrase_mismatch", "vi"), t("security.passphrase_mismatch", "en"))
    if value:
        return value
    if for_export and not encrypted_dir:
        _say("transfer.unencrypted_warning")
        return None
    if for_export:
        raise AuthError(t("transfer.password_required", "vi"), t("transfer.password_required", "en"))
    return None


def cmd_transfer_export(args) -> int:
    from services.data_dir import backup, transfer
    opening.open_for_cli(getattr(args, "data_dir", None))
    password = _transfer_password(backup.current_key() is not None, for_export=True)
    summary = transfer.export_changes(args.out, password, everything=args.all)
    _say("transfer.exported", n=summary["count"], path=args.out)
    if args.json:
        _emit(summary)
    return 0


def cmd_transfer_import(args) -> int:
    from services.data_dir import backup, transfer
    header = transfer.read_header(args.file)         # bad file / missing file before asking for anything
    opening.open_for_cli(getattr(args, "data_dir", None))
    password = None
    if header.get("encrypted"):
        password = _transfer_password(backup.current_key() is not None, for_export=False)
        if not password:
            raise AuthError(t("transfer.password_required", "vi"), t("transfer.password_required", "en"))
    from cli.progress import bar, callback
    with bar("Nhận dữ liệu / Transfer import", None) as b:
        result = transfer.import_file(args.file, password, progress=callback(b))
    _say("transfer.imported", applied=result["applied"] + result["merged"], skipped=result["skipped"],
         kept=result["kept_local"])
    if args.json:
        _emit(result)
    return 0


# ---- passphrase / recovery key ------------------------------------------------------------------------------------

def cmd_passphrase_set(args) -> int:
    path = _data_dir(args)
    if vault.status(path).encrypted:
        raise UsageError(t("security.already_encrypted", "vi"), t("security.already_encrypted", "en"))
    new = _new_passphrase(opening.ENV_PASSPHRASE)
    _ctx, recovery = opening.enable_encryption(path, new, strict=True)
    _say("security.encryption_enabled")
    opening.print_recovery_key(recovery)
    if args.json:
        _emit({"encrypted": True, "recovery_key": recovery})
    return 0


def cmd_passphrase_change(args) -> int:
    path = _data_dir(args)
    if not vault.status(path).encrypted:
        raise UsageError(t("security.not_encrypted", "vi"), t("security.not_encrypted", "en"))
    old = _secret(opening.ENV_PASSPHRASE, "security.prompt_old_passphrase", "security.passphrase_required")
    vault.unlock_key(path, passphrase=old, wait=True)          # wrong old passphrase: exit 4 before asking more
    new = _new_passphrase()
    vault.change_passphrase(path, old, new)
    _say("security.passphrase_changed")
    return 0


def cmd_recovery_unlock(args) -> int:
    path = _data_dir(args)
    if not vault.status(path).encrypted:
        raise UsageError(t("security.not_encrypted", "vi"), t("security.not_encrypted", "en"))
    recovery = _secret(ENV_RECOVERY, "security.prompt_recovery_key", "security.recovery_key_required")
    vault.unlock_key(path, recovery_key=recovery, wait=True)
    new = _new_passphrase()
    vault.reset_passphrase(path, recovery, new)
    _say("security.passphrase_changed")
    return 0


def cmd_recovery_new(args) -> int:
    path = _data_dir(args)
    passphrase = _secret(opening.ENV_PASSPHRASE, "security.prompt_passphrase", "security.passphrase_required")
    recovery = vault.replace_recovery_key(path, passphrase)
    opening.print_recovery_key(recovery)
    if args.json:
        _emit({"recovery_key": recovery})
    return 0


# ---- status / policy ---------------------------------------------------------------------------------------------

def cmd_status(args) -> int:
    from services.data_dir import backup
    path = _data_dir(args)
    st = vault.status(path)
    out = {"data_dir": str(path), "encrypted": st.encrypted, "key_file_missing": st.key_file_missing,
           "failed_attempts": st.failures, "wait_seconds": round(st.wait_seconds, 1),
           "backups": backup.list_backups(path)}
    if args.json:
        _emit(out)
    else:
        for k, v in out.items():
            if k != "backups":
                sys.stderr.write(f"{k}: {v}\n")
        sys.stderr.write(f"backups: {len(out['backups'])}\n")
    return 0


def cmd_restore_key_file(args) -> int:
    path = _data_dir(args)
    passphrase = os.environ.get(opening.ENV_PASSPHRASE) or None
    recovery = os.environ.get(ENV_RECOVERY) or None
    if passphrase is None and recovery is None:
        passphrase = _secret(opening.ENV_PASSPHRASE, "security.prompt_passphrase", "security.passphrase_required")
    vault.restore_key_file(path, args.backup, passphrase=passphrase, recovery_key=recovery)
    _say("security.key_file_restored")
    return 0


def cmd_auto_lock(args) -> int:
    from services.security import policy
    opening.open_for_cli(getattr(args, "data_dir", None))
    if args.minutes is not None:
        policy.set_auto_lock_minutes(args.minutes)
    _emit({"auto_lock_minutes": policy.auto_lock_minutes()})
    return 0


# ---- registration ---------------------------------------------------------------------------------------------------

def register(sub, report_sub, common=None):
    parents = [common] if common else []

    def add(parent, name, handler, help_text):
        p = parent.add_parser(name, parents=parents, help=help_text)
        p.set_defaults(handler=handler)
        return p

    p = add(sub, "backup", cmd_backup, "back up the database (encrypted like the database)")
    p.add_argument("--out", help="backup file (default: <data dir>/backups/)")
    p.add_argument("--json", action="store_true")

    p = add(sub, "restore", cmd_restore, "restore a backup after checking it (PRAGMA integrity_check)")
    p.add_argument("file")
    p.add_argument("--json", action="store_true")

    transfer = sub.add_parser("transfer", parents=parents, help="device-to-device transfer by file (USB)")
    tsub = transfer.add_subparsers(dest="transfer_command", metavar="ACTION", required=True,
                                   parser_class=sub._parser_class)
    p = add(tsub, "export", cmd_transfer_export, "write this device's changes to an encrypted file")
    p.add_argument("--out", required=True)
    p.add_argument("--all", action="store_true", help="every record, not only the changes")
    p.add_argument("--json", action="store_true")
    p = add(tsub, "import", cmd_transfer_import, "merge a transfer file (idempotent)")
    p.add_argument("file")
    p.add_argument("--json", action="store_true")

    pp = sub.add_parser("passphrase", parents=parents, help="turn encryption on or change the passphrase")
    psub = pp.add_subparsers(dest="passphrase_command", metavar="ACTION", required=True,
                             parser_class=sub._parser_class)
    p = add(psub, "set", cmd_passphrase_set, "encrypt this data folder (shows the recovery key once)")
    p.add_argument("--json", action="store_true")
    add(psub, "change", cmd_passphrase_change, "change the passphrase (PLCS_PASSPHRASE -> PLCS_NEW_PASSPHRASE)")

    rk = sub.add_parser("recovery-key", parents=parents, help="use or replace the recovery key")
    rsub = rk.add_subparsers(dest="recovery_command", metavar="ACTION", required=True, parser_class=sub._parser_class)
    add(rsub, "unlock", cmd_recovery_unlock, "set a new passphrase with the recovery key")
    p = add(rsub, "new", cmd_recovery_new, "make a new recovery key (the old one stops working)")
    p.add_argument("--json", action="store_true")

    sec = sub.add_parser("security", parents=parents, help="encryption status and auto-lock policy")
    ssub = sec.add_subparsers(dest="security_command", metavar="ACTION", required=True, parser_class=sub._parser_class)
    p = add(ssub, "status", cmd_status, "encryption status and backups")
    p.add_argument("--json", action="store_true")
    p = add(ssub, "restore-key-file", cmd_restore_key_file, "plcs.key lost: take it back from a backup file")
    p.add_argument("backup")
    p = add(ssub, "auto-lock", cmd_auto_lock, "show or set the idle minutes before the app locks")
    p.add_argument("minutes", nargs="?", type=int)
