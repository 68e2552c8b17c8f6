"""Settings → Sao lưu: back up now, the list of backups (date, kind, size), restore with a confirmation.

    b = BackupState(app); await b.backup_now()         # -> path under <data dir>/backups/
    b.rows -> [{"path", "name", "date", "reason", "size"}]
    b.ask_restore(path); await b.restore()              # integrity checked by services.data_dir.restore; app reopened

A restore replaces the whole database: it runs on the event-loop thread while a modal dialog blocks the
window (nothing else touches the database), and afterwards every screen is rebuilt from the restored data
(AppState.reopened).
"""
from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import flet as ft

from services.data_dir import backup, restore
from services.errors import AppError, ValidationError
from services.formatting import fmt_int
from ui.state.runtime import in_worker

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def fmt_size(size: int, lang: str = "vi") -> str:
    if size >= 1 << 20:
        whole, tenth = divmod(round(size * 10 / (1 << 20)), 10)
        return f"{fmt_int(whole, lang)}{',' if lang == 'vi' else '.'}{tenth} MB"
    return f"{fmt_int(max(1, round(size / 1024)), lang)} KB"


@ft.observable
class BackupState:
    def __init__(self, app):
        self._app = app
        self._secret = ""                  # passphrase of a backup made under another key (optional)
        self.rows = []
        self.busy = False
        self.restoring = False
        self.pending = None                # path waiting for the confirmation dialog
        self.external = ""                 # a backup file elsewhere (USB stick)
        self.error = ""
        self.last_path = ""
        self.load()

    def load(self) -> None:
        try:
            items = backup.list_backups(self._app.data_dir)
        except OSError:
            items = []
        self.rows = [self._row(i) for i in items]

    def _row(self, item: dict) -> dict:
        lang = self._app.lang
        created = dt.datetime.fromisoformat(item["created_at"]).astimezone(LOCAL_TZ)
        reason = item.get("reason") or "manual"
        label = self._app.t(f"backup.reason.{reason}")
        if label.startswith("ui.backup.reason."):
            label = reason
        return {"path": item["path"], "name": Path(item["path"]).name, "date": created.strftime("%d/%m/%Y %H:%M"),
                "reason": label, "size": fmt_size(int(item.get("size") or 0), lang)}

    # ---- back up -----------------------------------------------------------------------------------------
    async def backup_now(self) -> str:
        if self.busy:
            return ""
        self.busy = True
        try:
            path = await in_worker(backup.create_backup)
        except (AppError, OSError) as exc:
            self._app.say(exc.message(self._app.lang) if isinstance(exc, AppError) else str(exc))
            return ""
        finally:
            self.busy = False
        self.last_path = str(path)
        self.load()
        self._app.say(self._app.t("settings.backup_done", path=str(path)))
        return str(path)

    # ---- restore -----------------------------------------------------------------------------------------
    def set_external(self, path: str) -> None:
        self.external = path.strip()

    def set_secret(self, value: str) -> None:
        self._secret = value

    def ask_restore(self, path: str | None = None) -> None:
        """Open the confirmation dialog for `path` (default: the external file field)."""
        path = path or self.external
        self.error = ""
        if not path:
            return
        self._secret = ""
        self.pending = path

    def cancel_restore(self) -> None:
        self.pending = None
        self._secret = ""
        self.error = ""

    async def restore(self) -> bool:
        path = self.pending
        if not path or self.restoring:
            return False
        self.restoring = True
        self.error = ""
        secret = self._secret or None
        await asyncio.sleep(0.05)           # let the window show "restoring…" first
        try:
            # on the event-loop thread on purpose: the thread whose connection the service closes is the one
            # that served every screen; worker threads release theirs after each job (runtime.in_worker)
            result = restore.restore_backup(path, passphrase=secret)
        except ValidationError as exc:
            self.error = " ".join(exc.by_field(self._app.lang).values())
            self._app.ensure_open()
            return False
        except AppError as exc:
            self.error = exc.message(self._app.lang)
            self._app.ensure_open()
            return False
        finally:
            self.restoring = False
            self._secret = ""
        self.pending = None
        self._app.reopened()
        self.load()
        self._app.say(self._app.t("backup.restored", path=Path(result["restored"]).name,
                                  safety=Path(result["safety_backup"]).name))
        return True
