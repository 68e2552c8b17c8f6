"""Security screens' state: unlock (passphrase, growing delays, forgotten passphrase), turning encryption on
(first run and settings), changing the passphrase, a new recovery key, the auto-lock minutes.

    u = UnlockState(app); u.set("passphrase", "…"); u.unlock()          # True, or u.error / u.wait set
    u.tick()                                                           # once a second: the countdown
    p = ProtectState(app); p.set("passphrase", "…"); p.set("repeat", "…"); p.enable()   # app.recovery_key set
    s = SecuritySettingsState(app); s.change_passphrase(); s.new_recovery_key(); s.save_auto_lock()

Secrets live only in private attributes (never re-rendered, never logged) and are cleared after use.
"""
from __future__ import annotations

import contextlib
import math

import flet as ft

from services import security
from services.data_dir import sessions
from services.errors import AppError, ValidationError


def _message(app, exc: AppError) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.by_field(app.lang).values())
    return exc.message(app.lang)


def _new_passphrase_errors(app, new: str, repeat: str, field: str) -> dict:
    """{field: why the new passphrase is refused} or {"repeat": the two entries differ} or {}."""
    try:
        security.validate_new_passphrase(new)
    except ValidationError as exc:
        return {field: " ".join(exc.by_field(app.lang).values())}
    return {"repeat": app.t_raw("security.passphrase_mismatch")} if new != repeat else {}


class _SecretInputs:
    """Typed secrets kept in a private dict (never an observed attribute, so never re-rendered or logged)."""
    _secrets: dict[str, str]

    def set(self, key: str, value: str) -> None:
        self._secrets[key] = value

    def value(self, key: str) -> str:
        return self._secrets.get(key, "")


@ft.observable
class UnlockState(_SecretInputs):
    """The unlock screen: passphrase mode, or 'forgot' mode (recovery key + new passphrase twice)."""

    def __init__(self, app):
        self._app = app
        self._secrets: dict[str, str] = {}
        self.mode = "passphrase"          # passphrase | recovery
        self.error = ""
        self.errors = {}
        self.wait = 0                     # seconds before the next attempt is allowed (countdown)
        self.busy = False
        self.refresh()

    def refresh(self) -> None:
        """Read the delay still running from an earlier session (plcs.unlock.json) and any folder problem."""
        try:
            st = security.status(self._app.data_dir)
        except Exception:  # noqa: BLE001 — the screen must always show
            return
        self.wait = int(math.ceil(st.wait_seconds))
        if st.key_file_missing:
            self.error = self._app.t_raw("security.key_file_missing")

    def reset(self) -> None:
        self._secrets = {}
        self.mode = "passphrase"
        self.error = ""
        self.errors = {}
        self.refresh()

    def show_recovery(self, on: bool = True) -> None:
        self.mode = "recovery" if on else "passphrase"
        self.error = ""
        self.errors = {}

    def tick(self) -> None:
        """One second of the countdown passed (the view calls this while `wait` > 0)."""
        if self.wait > 0:
            self.wait -= 1

    def countdown_text(self) -> str:
        return self._app.t("unlock.wait", seconds=self.wait) if self.wait > 0 else ""

    def unlock(self) -> bool:
        if self.busy:
            return False
        if self.wait > 0:
            return False
        if self.mode == "recovery":
            return self._recover()
        passphrase = self._secrets.get("passphrase", "")
        if not passphrase:
            self.errors = {"passphrase": self._app.t("unlock.empty")}
            return False
        return self._open(passphrase=passphrase)

    def _recover(self) -> bool:
        key = self._secrets.get("recovery_key", "").strip()
        new, repeat = self._secrets.get("new_passphrase", ""), self._secrets.get("repeat", "")
        errors = {"recovery_key": self._app.t("unlock.recovery_empty")} if not key else {}
        errors.update(_new_passphrase_errors(self._app, new, repeat, "new_passphrase"))
        self.errors = errors
        if errors:
            return False
        return self._open(recovery_key=key, new_passphrase=new)

    def _open(self, **secrets) -> bool:
        self.busy = True
        self.errors = {}
        try:
            ctx = sessions.unlock(self._app.session_key, self._app.data_dir, **secrets)
        except security.LockedOut as exc:
            self.wait = exc.seconds
            self.error = self._app.t("unlock.too_many")
            return False
        except security.WrongPassphrase as exc:
            self.wait = int(exc.next_delay)
            wrong = "security.wrong_recovery_key" if "recovery_key" in secrets else "security.wrong_passphrase"
            self.error = self._app.t_raw(wrong) + " " + self._app.t("unlock.failures", n=exc.failures)
            return False
        except AppError as exc:
            self.error = _message(self._app, exc)
            return False
        finally:
            self.busy = False
        recovered = "recovery_key" in secrets
        self._secrets = {}
        self.error = ""
        self.mode = "passphrase"
        self._app.unlocked(ctx)
        if recovered:
            self._app.say(self._app.t("unlock.recovered"))
        return True


@ft.observable
class ProtectState(_SecretInputs):
    """Turn encryption on: a new passphrase typed twice. On success the app shows the recovery key once."""

    def __init__(self, app):
        self._app = app
        self._secrets: dict[str, str] = {}
        self.errors = {}
        self.error = ""
        self.busy = False
        # first run: a passphrase is required unless encryption was turned off explicitly (PLCS_NO_ENCRYPTION=1)
        self.required = not security.plain_allowed()

    def validate(self) -> dict:
        new, repeat = self._secrets.get("passphrase", ""), self._secrets.get("repeat", "")
        return _new_passphrase_errors(self._app, new, repeat, "passphrase")

    def enable(self) -> bool:
        """Encrypt the folder (a plain database is migrated once, checked, then the plain copy wiped)."""
        if self.busy:
            return False
        self.errors = self.validate()
        if self.errors:
            return False
        self.busy = True
        try:
            ctx, recovery = security.enable_encryption(self._app.data_dir, self._secrets["passphrase"])
        except AppError as exc:
            self.error = _message(self._app, exc)
            self._reopen_after_failure()
            return False
        finally:
            self.busy = False
        self._secrets = {}
        self.error = ""
        self._app.encryption_enabled(ctx, recovery)
        return True

    def _reopen_after_failure(self) -> None:
        """enable_encryption closes the database first: make sure the app has an open one again."""
        from services.data_dir import app as app_service
        try:
            app_service.current()
        except RuntimeError:
            with contextlib.suppress(AppError):
                self._app.adopt(security.open_for_ui(self._app.data_dir))


def first_run_save(app, profile, protect) -> bool:
    """"Bắt đầu làm việc" on the first-run screen: the profile, and the passphrase that encrypts the folder.
    The passphrase is required (no skip) unless encryption was turned off explicitly (PLCS_NO_ENCRYPTION=1);
    then it stays optional. Returns True when setup is finished."""
    typed = protect is not None and bool(protect.value("passphrase") or protect.value("repeat"))
    wants = protect is not None and not app.encrypted and (protect.required or typed)
    protect_errors = protect.validate() if wants else {}
    if protect is not None:
        protect.errors = protect_errors
    if protect_errors:
        profile.errors = profile.validate()
        return False
    if not profile.save():
        return False
    if wants and not protect.enable():           # stay on this screen until the folder is encrypted
        if protect.error:
            app.say(protect.error)
        return False
    if not app.encrypted:                         # left plain: only possible after the explicit opt-out
        from services.security import vault
        vault.remember_plain_choice()
    app.finish_setup()
    return True


@ft.observable
class SecuritySettingsState(_SecretInputs):
    """Settings → Bảo mật: change passphrase, new recovery key, auto-lock minutes."""

    def __init__(self, app):
        self._app = app
        self._secrets: dict[str, str] = {}
        self.errors = {}
        self.panel = ""                   # "" | "change" | "recovery" | "enable"
        self.auto_lock = str(security.auto_lock_minutes())
        self.busy = False

    def open_panel(self, name: str) -> None:
        self._secrets = {}
        self.errors = {}
        self.panel = "" if self.panel == name else name

    def change_passphrase(self) -> bool:
        old, new, repeat = (self._secrets.get(k, "") for k in ("old", "new", "repeat"))
        errors = {"old": self._app.t("unlock.empty")} if not old else {}
        errors.update(_new_passphrase_errors(self._app, new, repeat, "new"))
        self.errors = errors
        if errors:
            return False
        try:
            security.change_passphrase(self._app.data_dir, old, new)
        except AppError as exc:
            self.errors = {"old": _message(self._app, exc)}
            return False
        self._secrets = {}
        self.panel = ""
        self._app.say(self._app.t_raw("security.passphrase_changed"))
        return True

    def new_recovery_key(self) -> bool:
        passphrase = self._secrets.get("passphrase", "")
        if not passphrase:
            self.errors = {"passphrase": self._app.t("unlock.empty")}
            return False
        try:
            recovery = security.replace_recovery_key(self._app.data_dir, passphrase)
        except AppError as exc:
            self.errors = {"passphrase": _message(self._app, exc)}
            return False
        self._secrets = {}
        self.errors = {}
        self.panel = ""
        self._app.show_recovery_key(recovery)
        return True

    def set_auto_lock(self, value: str) -> None:
        self.auto_lock = value

    def save_auto_lock(self) -> bool:
        try:
            minutes = security.set_auto_lock_minutes(self.auto_lock)
        except ValidationError as exc:
            self.errors = {"auto_lock": " ".join(exc.by_field(self._app.lang).values())}
            return False
        self.errors = {}
        self.auto_lock = str(minutes)
        self._app.set_idle_minutes(minutes)
        self._app.say(self._app.t("security.auto_lock_saved", n=minutes))
        return True
