"""What is waiting to be sent and how the last sync went, in the CLI contract's shape (`sync status --json`).

    summary("vi") -> {"pending": {"legal-aid": 2, "person": 3, …}, "pending_change_log": 7,
                      "last_success": "2026-11-25T10:00:00" | None,
                      "last_error": {"category": "offline", "message": "…"} | None}

Records and the change log (audit entries, which travel through the same outbox) are counted apart: "3 hồ sơ
chưa gửi" means records. The figures come from services.sync.status(), which the sync screen shows too.
(Not named status.py: importing a submodule `services.sync.status` would replace the package's status()
function with the module.)
"""
from __future__ import annotations


def summary(lang: str = "vi") -> dict:
    """services.sync.status() (the one source of these figures) in the contract's shape, the last error in
    `lang`."""
    from services import sync
    status = sync.status()
    error = status["last_error"]
    if error:
        error = {"category": error.get("category") or "error",
                 "message": error.get(lang) or error.get("vi") or error.get("message") or ""}
    return {"pending": dict(sorted(status["pending"].items())), "pending_change_log": status["pending_change_log"],
            "last_success": status["last_success"], "last_error": error or None}
