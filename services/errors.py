"""Error types that services raise; the UI and CLI catch only these.

    from services.errors import ValidationError, FieldError
    raise ValidationError([FieldError("id_number", "Số CCCD phải có 12 chữ số", "ID number must have 12 digits")])

Modelled on kinto.core.storage.exceptions: a small hierarchy, wrapped originals kept in `.original`.
Each error maps to one CLI exit code (see ../shared/cli-contract.md).
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldError:
    """One problem with one field (and, for imports, one spreadsheet row; the header is row 1)."""
    field: str
    vi: str
    en: str
    row: int | None = None

    def message(self, lang: str = "vi") -> str:
        text = self.vi if lang == "vi" else self.en
        where = f"{'Dòng' if lang == 'vi' else 'Row'} {self.row}, " if self.row is not None else ""
        return f"{where}{self.field}: {text}"


class AppError(Exception):
    """Base of every error a user can see. `exit_code` follows the CLI contract."""
    exit_code = 1

    def __init__(self, vi: str = "", en: str = "", *, original: BaseException | None = None):
        super().__init__(en or vi)
        self.vi = vi
        self.en = en or vi
        self.original = original

    def message(self, lang: str = "vi") -> str:
        return self.vi if lang == "vi" else self.en


class ValidationError(AppError):
    """Bad input: carries every field problem found, never just the first."""
    exit_code = 2

    def __init__(self, errors: list[FieldError] | FieldError):
        self.errors = [errors] if isinstance(errors, FieldError) else list(errors)
        super().__init__("; ".join(e.message("vi") for e in self.errors),
                         "; ".join(e.message("en") for e in self.errors))

    def message(self, lang: str = "vi") -> str:
        return "\n".join(e.message(lang) for e in self.errors)

    def by_field(self, lang: str = "vi") -> dict[str, str]:
        """First message per field, for showing next to form inputs."""
        out: dict[str, str] = {}
        for e in self.errors:
            out.setdefault(e.field, e.vi if lang == "vi" else e.en)
        return out


class UsageError(AppError):
    exit_code = 2


class NotFoundError(AppError):
    exit_code = 3


class AuthError(AppError):
    """Wrong or missing passphrase / password."""
    exit_code = 4


class DatabaseBusy(AppError):
    """Another program (e.g. a CLI import) holds the database's write lock longer than the busy timeout, or
    committed between this transaction's first read and its first write. Nothing was stored: try again."""
    exit_code = 1

    def __init__(self, *, original: BaseException | None = None):
        super().__init__("Một chương trình khác đang ghi dữ liệu (ví dụ một lần nhập tệp). Chưa lưu được — "
                         "hãy thử lại sau giây lát.",
                         "Another program is writing to the data (e.g. a file import). Nothing was saved yet — "
                         "try again in a moment.", original=original)


def is_busy(exc: BaseException) -> bool:
    """SQLite's SQLITE_BUSY / SQLITE_LOCKED, as peewee (or sqlite3 / sqlcipher3) raises them."""
    import sqlite3

    import peewee
    if not isinstance(exc, (peewee.OperationalError, sqlite3.OperationalError)):
        return False
    text = str(exc).lower()
    return "database is locked" in text or "database table is locked" in text or "busy" in text


def busy_as_typed(fn):
    """Decorator for service writes: a busy/locked database becomes DatabaseBusy (the UI keeps the form and
    retries; the CLI prints the message) instead of a raw OperationalError."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            if is_busy(exc):
                raise DatabaseBusy(original=exc) from exc
            raise
    return wrapper


class PermissionDenied(AppError):
    """The role may not do this (also: HTTP 403 from the server)."""
    exit_code = 4


class NetworkError(AppError):
    """Server unreachable, timed out or answered with a server error."""
    exit_code = 5


@dataclass
class Collector:
    """Accumulates FieldErrors and raises them all at once.

        c = Collector(); c.add("date", "…", "…"); c.raise_if_any()
    """
    errors: list[FieldError] = field(default_factory=list)
    row: int | None = None

    def add(self, field_name: str, vi: str, en: str) -> None:
        self.errors.append(FieldError(field_name, vi, en, self.row))

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)
