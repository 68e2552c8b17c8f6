"""Small key/value settings stored in the local database (profile, language, server URL, device id, …).

    get("language", "vi");  put("language", "en")
"""
from __future__ import annotations

from models.records import Setting

_MISSING = object()


def get(key: str, default=None):
    row = Setting.get_or_none(Setting.key == key)
    return default if row is None else row.value


def put(key: str, value) -> None:
    Setting.insert(key=key, value=value).on_conflict_replace().execute()


def delete(key: str) -> None:
    Setting.delete().where(Setting.key == key).execute()
