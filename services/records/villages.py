"""Per-commune village list (thôn/bản/khu): grows from the records, and can be maintained by hand.

    remember("06652", "Thôn Khe Lánh");  names("06652") -> ["Thôn Khe Lánh", …]
"""
from __future__ import annotations

from models import fastsql
from models.records import Village
from services.records import events
from services.text import fold, nfc


def remember(commune_code: str, name: str) -> None:
    name = nfc(name)
    if not commune_code or not name:
        return
    fastsql.execute(fastsql.VILLAGE_REMEMBER, (commune_code, name, fold(name)))


@events.on_written("villages")
def _on_written(event: events.Written) -> None:
    """A village named by a created or updated record joins its commune's list."""
    instance = event.instance
    if event.action in ("create", "update") and getattr(instance, "village", ""):
        remember(instance.commune_code, instance.village)


def names(commune_code: str, include_inactive: bool = False) -> list[str]:
    q = Village.select(Village.name).where(Village.commune_code == commune_code)
    if not include_inactive:
        q = q.where(Village.active == True)  # noqa: E712
    return [v.name for v in q.order_by(Village.name_folded)]


def set_active(commune_code: str, name: str, active: bool) -> None:
    Village.update(active=active).where((Village.commune_code == commune_code) &
                                        (Village.name_folded == fold(name))).execute()


def entries(commune_code: str) -> list[tuple[str, bool]]:
    """(name, active) of every village of a commune, in name order."""
    q = Village.select(Village.name, Village.active).where(Village.commune_code == commune_code)
    return [(v.name, v.active) for v in q.order_by(Village.name_folded)]


def rename(commune_code: str, old: str, new: str, actor: str | None = None) -> int:
    """Rename a village and every record that names it (through services.records.store: audited and synced).
    Returns how many records changed. Merges into an existing village of the new name."""
    from models.db import database
    from models.records import DisseminationEvent, MediationCase, MediationTeam, Person
    from services.records import store
    new = nfc(new)
    changed = 0
    with database.atomic():
        for model in (DisseminationEvent, MediationCase, MediationTeam, Person):
            ids = [r.id for r in model.alive().select(model.id, model.village).where(model.commune_code == commune_code)
                   if fold(r.village) == fold(old)]
            for record_id in ids:
                store.save(model.KIND, {"village": new}, record_id=record_id, actor=actor)
                changed += 1
        target = Village.get_or_none((Village.commune_code == commune_code) & (Village.name_folded == fold(new)))
        source = Village.get_or_none((Village.commune_code == commune_code) & (Village.name_folded == fold(old)))
        if source is not None and target is not None and source.id != target.id:
            source.delete_instance()
        elif source is not None:
            Village.update(name=new, name_folded=fold(new)).where(Village.id == source.id).execute()
        else:
            remember(commune_code, new)
    return changed
