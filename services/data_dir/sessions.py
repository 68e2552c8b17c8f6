"""Lock state per UI session (issue 16 §6). The web app serves every browser tab from one process and one open
database; locking one session (the button or its idle timer, also of a tab already closed) must not close the
database under another session that is still unlocked.

    sessions.opened(key)                 # this session works with the open database (after start or unlock)
    sessions.lock(key)                   # this session is locked; True when the database was closed as well
    sessions.unlock(key, data_dir, passphrase="…")   # the unlock screen: shares the open database when another
                                                     # session holds it (the passphrase is still checked)
    sessions.unlocked_count()

Rules: the database stays open while any session is unlocked and is closed when the last one locks (or ends).
A locked session shows the unlock screen and asks for the passphrase even while the database is open for
another session: the passphrase (or recovery key) is checked against the key file with the same attempt
counting and delays as an opening (services.security.vault.unlock_key), so a locked tab is no way around the
lock.
"""
from __future__ import annotations

import threading
from pathlib import Path

_guard = threading.Lock()
_unlocked: dict[str, str] = {}     # session key -> the data folder it was unlocked on


def _current():
    from services.data_dir import app
    try:
        return app.current()
    except RuntimeError:
        return None


def _folder(ctx) -> str | None:
    return str(Path(ctx.data_dir).resolve()) if ctx is not None else None


def _live() -> set[str]:
    """Sessions unlocked on the data folder that is open now (one of another folder holds nothing)."""
    here = _folder(_current())
    return {k for k, folder in _unlocked.items() if here is not None and folder == here}


def opened(key: str) -> None:
    with _guard:
        _unlocked[key] = _folder(_current())


def unlocked_count() -> int:
    with _guard:
        return len(_live())


def is_unlocked(key: str) -> bool:
    with _guard:
        return key in _live()


def lock(key: str) -> bool:
    """Lock one session. Closes the database only when no other session is unlocked; returns whether it did."""
    from services import security
    with _guard:
        _unlocked.pop(key, None)
        if _live():
            return False
        security.lock()
        return True


def end(key: str, encrypted: bool = True) -> bool:
    """A session ended (its tab was closed): it counts as locked (a plain folder is never closed for it)."""
    if encrypted:
        return lock(key)
    with _guard:
        _unlocked.pop(key, None)
    return False


def _open_context(data_dir):
    from services.data_dir import app
    try:
        ctx = app.current()
    except RuntimeError:
        return None
    same = Path(ctx.data_dir).resolve() == app.resolve_data_dir(str(data_dir) if data_dir else None).resolve()
    return ctx if same else None


def unlock(key: str, data_dir=None, passphrase: str | None = None, recovery_key: str | None = None,
           new_passphrase: str | None = None):
    """Unlock one session; returns the app context. Raises what services.security.open_for_ui raises
    (WrongPassphrase, LockedOut, AuthError)."""
    from services import security
    from services.data_dir import app
    from services.security import vault
    with _guard:
        others = bool(_live() - {key})
    ctx = _open_context(data_dir) if others else None
    if ctx is not None:
        path = app.resolve_data_dir(str(data_dir) if data_dir else None)
        if security.status(path).encrypted:
            if recovery_key is not None:
                k = (vault.reset_passphrase(path, recovery_key, new_passphrase) if new_passphrase
                     else vault.unlock_key(path, recovery_key=recovery_key))
            else:
                k = vault.unlock_key(path, passphrase=passphrase, wait=False)
            vault.verify_key(path, k)
    else:
        ctx = security.open_for_ui(data_dir, passphrase=passphrase, recovery_key=recovery_key,
                                   new_passphrase=new_passphrase)
    opened(key)
    return ctx
