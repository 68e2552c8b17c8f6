"""Accent-free choosing: dropdown filtering and village suggestions, folded like search (services.text.fold).

    filter_options([("ngheo", "Người thuộc hộ nghèo"), ...], "ngheo")     -> [("ngheo", "Người thuộc hộ nghèo")]
    suggest(["Thôn Khe Lánh", "Bản Pò Hèn"], "khe lanh")                   -> ["Thôn Khe Lánh"]

Flutter's own dropdown filter only ignores case, so "ngheo" would not find "nghèo"; the views filter the
options here instead and hand Flutter the already-filtered list.
"""
from __future__ import annotations

from services.text import fold


def filter_options(options: list[tuple[str, str]], query: str | None, selected: str | None = None,
                   keep: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """Options whose label (or code) contains every folded word of `query`. No query, or the query being the
    label of the selected option (the field shows it after a pick), shows every option. `keep` codes (the
    blank "none" entry) stay at the top whatever is typed."""
    words = fold(query).split()
    if not words:
        return list(options)
    labels = dict(options)
    if selected is not None and selected in labels and fold(labels[selected]) == fold(query):
        return list(options)
    out = []
    for code, text in options:
        hay = f"{fold(text)} {fold(code)}"
        if code in keep or all(w in hay for w in words):
            out.append((code, text))
    return out


def suggest(names: list[str], typed: str | None, limit: int = 8) -> list[str]:
    """Village names matching what was typed (folded words, any order), those starting with it first; nothing
    when the text is already exactly one of the names."""
    words = fold(typed).split()
    if not words:
        return list(names[:limit])
    if any(fold(n) == fold(typed) for n in names):
        return []
    hits = [n for n in names if all(w in fold(n) for w in words)]
    hits.sort(key=lambda n: (not fold(n).startswith(fold(typed)), fold(n)))
    return hits[:limit]
