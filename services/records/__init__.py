"""Records: every write, read and list of the record kinds, and what follows a write.

    store.py      save / delete / restore / get — one transaction per write; runs the kind's before_save, then
                  the hooks of events.py (audit, outbox, search, villages register themselves there)
    ops.py        one record from the outside: the CLI's `show` / `delete` / `undelete`
    documents.py  the one record ↔ document converter (sync, transfer, export)
    listing.py, search.py           list screens and the full-text index
    importing.py, exporting.py, tabular.py, columns.py   CSV/XLSX import and export, their columns
    numbering.py  case numbers without a server round trip
    audit.py, outbox.py             the audit log and the sync queue
    villages.py, teams.py, stats.py the village list, mediation teams, record counts

The field rules of each kind live in services/kinds/; this package applies them.
"""
