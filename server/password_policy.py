"""Minimum policy for sync account passwords (server/kinto_guard.py applies it to every account write).

    problems = password_problems("Mật khẩu 2026", user_id="officer-a")   # [] when acceptable

The app has no shared passphrase-rule service yet on this branch (services/security/policy.py holds only the
auto-lock policy), so the server keeps its own small, documented rule set:
- at least 10 characters (Unicode characters after NFC normalisation, so "ư" counts once);
- at most 72 bytes in UTF-8 (bcrypt, which the accounts plugin uses, ignores anything beyond);
- characters of at least two classes among: lower-case letters, upper-case letters, digits, anything else
  (spaces, punctuation) — Vietnamese letters count as letters;
- not one character repeated, and not containing the account name (case-insensitive).
Passwords are otherwise free: Vietnamese letters, spaces and symbols are all allowed.
"""
from __future__ import annotations

import unicodedata

MIN_CHARS = 10
MAX_BYTES = 72


def _classes(password: str) -> set[str]:
    out = set()
    for ch in password:
        if ch.isalpha():
            out.add("upper" if ch.isupper() else "lower" if ch.islower() else "letter")
        elif ch.isdigit():
            out.add("digit")
        else:
            out.add("other")
    return out


def password_problems(password, user_id: str | None = None) -> list[str]:
    """English messages, one per rule broken (the server's API messages are English)."""
    if not isinstance(password, str):
        return ["The password must be a string."]
    pw = unicodedata.normalize("NFC", password)
    problems = []
    if len(pw) < MIN_CHARS:
        problems.append(f"The password must have at least {MIN_CHARS} characters ({len(pw)} given).")
    if len(password.encode("utf-8")) > MAX_BYTES:
        problems.append(f"The password must be at most {MAX_BYTES} bytes in UTF-8 (bcrypt limit).")
    if pw and len(set(pw)) == 1:
        problems.append("The password must not be one character repeated.")
    elif len(_classes(pw)) < 2:
        problems.append("The password must mix at least two of: lower-case letters, upper-case letters, digits, "
                        "other characters (spaces, punctuation).")
    if user_id and len(user_id) >= 3 and user_id.casefold() in pw.casefold():
        problems.append("The password must not contain the account name.")
    return problems
