"""Security: encryption at rest (SQLCipher + key file), unlock with growing delays, passphrase change,
recovery key, one-time migration of plain databases, roles and masking, auto-lock, export auditing.

API for the UI (all raise services.errors.* — AuthError, LockedOut(seconds), WrongPassphrase, ValidationError):

    from services import security
    st = security.status(data_dir)        # .needs_unlock .wait_seconds .failures .migration_pending
    ctx = security.open_for_ui(data_dir, passphrase="…")                         # unlock screen
    ctx = security.open_for_ui(data_dir, recovery_key="ABCD-…", new_passphrase="…")  # forgot passphrase
    ctx, recovery_key = security.enable_encryption(data_dir, "passphrase")        # setup: show key ONCE
    security.change_passphrase(ctx.data_dir, old, new)
    new_key = security.replace_recovery_key(ctx.data_dir, passphrase)            # show ONCE
    security.lock()                                                              # auto-lock / "Khóa" button
    security.restore_key_file(data_dir, "backup.plcsbak", passphrase=…)          # plcs.key lost
    security.auto_lock_minutes(); security.set_auto_lock_minutes(15); security.IdleLock(...)
    security.mask("022090001234") -> "0220******34";  security.show_identifiers(role, requested)
    security.audit_export(kind, path, rows, include_identifiers);  security.audit_print(doc, ids, path)

The CLI uses security.open_for_cli(data_dir) (PLCS_PASSPHRASE; exit 4 without a terminal and passphrase).
New folders are encrypted by default: security.plain_allowed() is True only after an explicit opt-out
(--no-encryption or PLCS_NO_ENCRYPTION=1); security.check_new_passphrase() holds the passphrase rules.
"""
from __future__ import annotations

from services.security.exports import audit_export, audit_print
from services.security.opening import enable_encryption, lock, open_for_cli, open_for_ui, open_unlocked
from services.security.policy import (
                                      IdleLock,
                                      auto_lock_minutes,
                                      check_new_passphrase,
                                      passphrase_problems,
                                      plain_allowed,
                                      set_auto_lock_minutes,
)
from services.security.roles import (
                                      ROLES,
                                      current_role,
                                      is_masked,
                                      mask,
                                      mask_id,
                                      mask_phone,
                                      mask_row,
                                      may_see_identifiers,
                                      may_write,
                                      role_label,
                                      scope_condition,
                                      show_identifiers,
)
from services.security.vault import (
                                      LockedOut,
                                      WrongPassphrase,
                                      change_passphrase,
                                      replace_recovery_key,
                                      reset_passphrase,
                                      restore_key_file,
                                      status,
                                      validate_new_passphrase,
)

__all__ = ["audit_export", "audit_print", "enable_encryption", "lock", "open_for_cli", "open_for_ui",
           "open_unlocked", "IdleLock", "auto_lock_minutes", "set_auto_lock_minutes", "ROLES", "current_role",
           "is_masked", "mask", "mask_id", "mask_phone", "mask_row", "may_see_identifiers", "may_write",
           "role_label", "scope_condition", "show_identifiers", "LockedOut", "WrongPassphrase",
           "change_passphrase", "replace_recovery_key", "reset_passphrase", "restore_key_file", "status",
           "validate_new_passphrase", "check_new_passphrase", "passphrase_problems", "plain_allowed"]
