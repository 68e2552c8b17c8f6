"""The message catalog: every user-facing text in Vietnamese and English.

    from services.i18n import t
    t("nav.legal_aid")            -> "Trợ giúp pháp lý"
    t("nav.legal_aid", "en")      -> "Legal aid"
    t("import.done", n=12)        -> formatted with str.format

Messages live in assets/messages/*.json ({"key": {"vi": "...", "en": "..."}}); the files are merged into one
catalog (one file per feature so that features can be revised independently). A missing key returns the key.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

MESSAGES_DIR = Path(__file__).resolve().parent.parent / "assets" / "messages"
LANGS = ("vi", "en")


@lru_cache(maxsize=1)
def catalog() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(MESSAGES_DIR.glob("*.json")):
        merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def t(key: str, lang: str = "vi", **kwargs) -> str:
    entry = catalog().get(key)
    text = key if entry is None else entry.get(lang) or entry.get("vi") or key
    return text.format(**kwargs) if kwargs else text
