"""Hooks that run after services.records.store writes a record, in the same transaction (they commit or roll back
with it). Each concern registers itself when its module is imported; services.records.store runs them without
importing any of them.

    @on_written("search")
    def _reindex(event: Written) -> None:
        search.reindex(event.instance, created=event.action == "create")

    emit(Written(kind, instance, action, changes, actor))     # services.records.store, after every write

Registered by services.records.audit (the audit entry), services.records.outbox (the sync queue),
services.records.search (the index) and services.records.villages (the village list), in the order of REQUIRED.
services.data_dir.app imports those four at start (the one entry both the GUI and the CLI use), and emit() refuses
to run while one is missing, so a hook can never be silently absent: a save would fail instead of writing a record
that is not audited or synced.
A record kind's own step of a save (legal-aid's status timeline) is not a hook here but the kind's
`before_save` in services/kinds/<kind>.py.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

REQUIRED = ("audit", "outbox", "search", "villages")


@dataclass(frozen=True)
class Written:
    kind: str
    instance: object
    action: str                      # "create", "update", "delete" or "restore"
    changes: dict = field(default_factory=dict)     # {field: [before, after]} as audited
    actor: str | None = None


_hooks: dict[str, Callable[[Written], None]] = {}


def on_written(name: str):
    """Register `fn(event)` under `name` (registering a name again replaces it: a module reloaded in tests)."""
    def register(fn: Callable[[Written], None]):
        _hooks[name] = fn
        return fn
    return register


def missing() -> list[str]:
    return [name for name in REQUIRED if name not in _hooks]


def emit(event: Written) -> None:
    absent = missing()
    if absent:
        raise RuntimeError(f"record hooks not registered: {', '.join(absent)} (import services.data_dir.app first)")
    for name in sorted(_hooks, key=lambda n: (REQUIRED.index(n) if n in REQUIRED else len(REQUIRED), n)):
        _hooks[name](event)
