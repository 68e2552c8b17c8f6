"""Finding optional services at runtime (sync, tally, backup, assessment are written by other features).

    sync = optional("services.sync")          # module or None
    fn = optional_attr("services.sync", "sync_now")
"""
from __future__ import annotations

import importlib


def optional(module: str):
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def optional_attr(module: str, *names: str):
    """The first attribute of `module` among `names` (None when the module or all names are missing)."""
    mod = optional(module)
    if mod is None:
        return None
    for name in names:
        fn = getattr(mod, name, None)
        if fn is not None:
            return fn
    return None
