"""Accent- and case-insensitive folding of Vietnamese text, for search and for matching labels.

    fold("Đặng Văn Đức") == "dang van duc"
    fold("hoà giải") == fold("hòa giải") == "hoa giai"

Written by hand (not unidecode) because we need exactly NFD + drop combining marks + đ→d, which also makes
old ("hoà") and new ("hòa") tone placement, NFC and NFD input all fold to the same text.
"""
from __future__ import annotations

import re
import unicodedata

_D = str.maketrans({"đ": "d", "Đ": "d"})
_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", str(text).translate(_D))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.lower()).strip()


def nfc(text: str | None) -> str:
    """Canonical storage form for user text: NFC, trimmed."""
    return unicodedata.normalize("NFC", text).strip() if text else ""


_WORD = re.compile(r"[0-9a-z]+")


def search_terms(text: str) -> list[str]:
    """Folded alphanumeric words of a user query: safe to quote into an FTS5 MATCH expression."""
    return _WORD.findall(fold(text))
