"""What is waiting to be sent and how the last sync went, in the CLI contract's shape (`sync status --json`).

    summary("vi") -> {"pending": {"legal-aid": 2, "person": 3, …}, "pending_change_log": 7,
                      "last_success": "2026-11-25T10:00:00" | None,
                      "last_error": {"category": "offline", "message": "…"} | None}

Records and the change log (audit entries, which travel through the same outbox) are counted apart: "3 hồ sơ
chưa gửi" means records. last_success / last_error are what services.sync.sync_now stored (settings
"sync.last_success" / "sync.last_error"). Kept small on purpose: the sync feature owns the fuller status.
(Not named status.py: importing a submodule `services.sync.status` would replace the package's status()
function with the module.)
"""
from __future__ import annotations

from models.records import AuditEntry
from services import outbox, settings

LAST_SUCCESS_KEY, LAST_ERROR_KEY = "sync.last_success", "sync.last_error"


def summary(lang: str = "vi") -> dict:
    counts = outbox.pending_counts()
    change_log = counts.pop(AuditEntry.KIND, 0)
    error = settings.get(LAST_ERROR_KEY)
    if error:
        error = {"category": error.get("category") or "error",
                 "message": error.get(lang) or error.get("vi") or error.get("message") or ""}
    return {"pending": dict(sorted(counts.items())), "pending_change_log": change_log,
            "last_success": settings.get(LAST_SUCCESS_KEY), "last_error": error or None}
