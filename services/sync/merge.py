"""Three-way merge of one record's user fields (pure functions, no database).

    merged, conflicts = merge3(base, local, remote)
    # conflicts: [(field, local_value, remote_value, base_value)] — the merged record holds the REMOTE value

Rules per field: same value on both sides -> kept; changed on one side only -> that side wins; changed on both
sides to different values -> a conflict, and the merged record keeps the server's value (the version that
reached the server first wins; the local value waits in the conflict list for a person). Without a base (a
create whose response was lost, a record re-created after a delete) any difference is a conflict.
`status_history` is append-only: both sides' new entries are kept (remote first), never a conflict.
"""
from __future__ import annotations

APPEND_ONLY = {"status_history"}


def _union(base: list, local: list, remote: list) -> list:
    out = list(remote or [])
    for item in local or []:
        if item not in out and item not in (base or []):
            out.append(item)
    return out


def merge3(base: dict | None, local: dict, remote: dict) -> tuple[dict, list[tuple]]:
    merged, conflicts = {}, []
    for key in list(remote) + [k for k in local if k not in remote]:
        mine, r = local.get(key), remote.get(key)
        if mine == r:
            merged[key] = r
            continue
        if base is not None:
            b = base.get(key)
            if mine == b:
                merged[key] = r
                continue
            if r == b:
                merged[key] = mine
                continue
        else:
            b = None
        if key in APPEND_ONLY and isinstance(mine, list) and isinstance(r, list):
            merged[key] = _union(b if isinstance(b, list) else [], mine, r)
            continue
        merged[key] = r
        conflicts.append((key, mine, r, b))
    return merged, conflicts
