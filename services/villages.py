"""Per-commune village list (thôn/bản/khu): grows from the records, and can be maintained by hand.

    remember("06652", "Thôn Khe Lánh");  names("06652") -> ["Thôn Khe Lánh", …]
"""
from __future__ import annotations

from models.records import Village
from services.text import fold, nfc


def remember(commune_code: str, name: str) -> None:
    name = nfc(name)
    if not commune_code or not name:
        return
    Village.insert(commune_code=commune_code, name=name, name_folded=fold(name)).on_conflict_ignore().execute()


def names(commune_code: str, include_inactive: bool = False) -> list[str]:
    q = Village.select(Village.name).where(Village.commune_code == commune_code)
    if not include_inactive:
        q = q.where(Village.active == True)  # noqa: E712
    return [v.name for v in q.order_by(Village.name_folded)]


def set_active(commune_code: str, name: str, active: bool) -> None:
    Village.update(active=active).where((Village.commune_code == commune_code) &
                                        (Village.name_folded == fold(name))).execute()


def rename(commune_code: str, old: str, new: str) -> None:
    Village.update(name=nfc(new), name_folded=fold(new)).where(
        (Village.commune_code == commune_code) & (Village.name_folded == fold(old))).execute()
