"""Saving records: numbering, audit trail, outbox, soft delete/undo, sync documents, query counts."""
from __future__ import annotations

import pytest
from playhouse.test_utils import count_queries

from models.records import AuditEntry, LegalAidCase, Outbox
from services.errors import NotFoundError
from services.records import audit, outbox, store, villages
from services.records.listing import ListQuery, list_page
from tests import factories as f


def test_numbers_are_unique_per_commune_year_device(db):
    a = store.save("legal-aid", f.legal_aid())
    b = store.save("legal-aid", f.legal_aid())
    c = store.save("legal-aid", f.legal_aid(commune_code=f.OTHER_COMMUNE))
    m = store.save("mediation", f.mediation())
    code = db.device_code
    assert a.number == f"TG-06652-2026-{code}-0001"
    assert b.number == f"TG-06652-2026-{code}-0002"
    assert c.number == f"TG-06931-2026-{code}-0001"
    assert m.number == f"HG-06652-2026-{code}-0001"
    assert store.get("legal-aid", b.number).id == b.id


def test_audit_records_field_level_changes(db):
    case = store.save("legal-aid", f.legal_aid(), actor="Cán bộ A")
    store.save("legal-aid", {"summary": "Đã hướng dẫn", "provider": "Luật sư B"}, record_id=case.id, actor="Cán bộ B")
    store.save("legal-aid", {"summary": "Đã hướng dẫn"}, record_id=case.id)     # no change: no entry
    entries = audit.history(case.id)
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[0].officer == "Cán bộ A" and entries[0].changes["legal_field"] == [None, "dat_dai"]
    assert entries[1].officer == "Cán bộ B"
    assert entries[1].changes == {"summary": ["Hướng dẫn hòa giải tại thôn", "Đã hướng dẫn"],
                                  "provider": ["", "Luật sư B"]}


def test_outbox_and_soft_delete_with_undo(db):
    case = store.save("legal-aid", f.legal_aid())
    assert outbox.pending_counts() == {"legal-aid": 1, "person": 1, "audit": 2}
    outbox.acknowledge("legal-aid", [case.id])
    store.delete("legal-aid", case.id)
    assert outbox.pending_counts()["legal-aid"] == 1               # the tombstone travels
    with pytest.raises(NotFoundError):
        store.get("legal-aid", case.id)
    assert list_page(ListQuery(kind="legal-aid")).total == 0
    assert store.get("legal-aid", case.id, include_deleted=True).deleted
    store.restore("legal-aid", case.id)
    assert store.get("legal-aid", case.id).deleted is False
    assert [e.action for e in audit.history(case.id)] == ["create", "delete", "restore"]


def test_save_is_one_transaction(db, monkeypatch):
    """If anything fails after validation (here: the search index), nothing of the save remains."""
    from services.records import search

    def broken(instance, **kwargs):
        raise RuntimeError("disk full")
    monkeypatch.setattr(search, "reindex", broken)
    with pytest.raises(RuntimeError):
        store.save("legal-aid", f.legal_aid())
    assert LegalAidCase.select().count() == 0 and AuditEntry.select().count() == 0 and Outbox.select().count() == 0


def test_sync_document_round_trip(db):
    case = store.save("legal-aid", f.legal_aid())
    doc = store.to_document(case)
    assert doc["requester_id"] == case.requester_id and doc["received_date"] == "2026-11-10"
    assert "updated_at" not in doc and "last_modified" not in doc
    doc["summary"] = "Phiên bản từ máy chủ"
    doc["id"] = "11111111-1111-4111-8111-111111111111"
    doc["number"] = "TG-06652-2026-ABCD-0001"
    from services.sync.apply import apply_remote
    apply_remote("legal-aid", doc, last_modified=1234)
    remote = store.get("legal-aid", doc["id"])
    assert remote.summary == "Phiên bản từ máy chủ" and remote.last_modified == 1234
    assert remote.received_date.isoformat() == "2026-11-10"
    from services.records.search import search
    assert any(h["id"] == doc["id"] for h in search("phien ban may chu"))


def test_villages_grow_from_records(db):
    store.save("dissemination", f.dissemination(village="Bản Nà Pá"))
    store.save("mediation", f.mediation(village="Thôn Khe Lánh"))
    store.save("dissemination", f.dissemination(village="bản nà pá"))    # same village, other spelling
    assert villages.names(f.COMMUNE) == ["Bản Nà Pá", "Thôn Khe Lánh"]


def test_list_page_query_count_does_not_grow_with_rows(db):
    for i in range(30):
        store.save("mediation", f.mediation(summary=f"Vụ {i}"))
    from services.records import listing
    listing._count_cache.clear()
    with count_queries() as small:
        list_page(ListQuery(kind="mediation", page_size=5))
    listing._count_cache.clear()
    with count_queries() as large:
        list_page(ListQuery(kind="mediation", page_size=30))
    assert small.count == large.count <= 4          # rows, party names, data version, total
    with count_queries() as again:                  # paging on: the total is not counted again
        list_page(ListQuery(kind="mediation", page_size=10, page=2))
    assert again.count == large.count - 1


def test_list_filters_and_search(db):
    store.save("legal-aid", f.legal_aid())
    store.save("legal-aid", f.legal_aid(commune_code=f.OTHER_COMMUNE, legal_field="hinh_su",
                                          requester={"full_name": "Lò Thị Mai"}))
    assert list_page(ListQuery(kind="legal-aid", communes=[f.OTHER_COMMUNE])).rows[0]["title"] == "Lò Thị Mai"
    assert list_page(ListQuery(kind="legal-aid", field="dat_dai")).total == 1
    assert list_page(ListQuery(kind="legal-aid", text="lo thi mai")).total == 1
    assert list_page(ListQuery(kind="legal-aid", text="LÒ THỊ")).total == 1
    assert list_page(ListQuery(kind="legal-aid", year=2025)).total == 0
    assert list_page(ListQuery(kind="legal-aid", text="***")).total == 0
    assert list_page(ListQuery(kind="legal-aid", sort="number")).total == 2


def test_village_rename_updates_records(db):
    event = store.save("dissemination", f.dissemination(village="Thôn Khe Lanh"))
    case = store.save("mediation", f.mediation(village="thôn khe lanh"))
    assert villages.rename(f.COMMUNE, "Thôn Khe Lanh", "Thôn Khe Lánh") == 2
    assert store.get("dissemination", event.id).village == "Thôn Khe Lánh"
    assert store.get("mediation", case.id).village == "Thôn Khe Lánh"
    assert villages.entries(f.COMMUNE) == [("Thôn Khe Lánh", True)]
    assert audit.history(event.id)[-1].changes == {"village": ["Thôn Khe Lanh", "Thôn Khe Lánh"]}


def test_officer_records(db):
    officer = store.save("officer", {"full_name": "Hoàng Văn Nam", "role": "officer", "province_code": "22",
                                       "communes": "06652; Hà Tu"})
    assert officer.communes == ["06652"]
    import pytest as _p

    from services.errors import ValidationError
    with _p.raises(ValidationError):
        store.save("officer", {"full_name": "X", "role": "king"})


def test_status_checks_never_break_sqlite_locks_of_the_open_database(data_dir):
    """Regression: reading the database header with open()/close() while SQLite had the file open released
    this process's POSIX locks; another process closing its connection then deleted the WAL that this
    process kept writing into, and those writes never reached the file."""
    import subprocess
    import sys

    from services import security
    from services.data_dir import app
    app.open_data_dir(data_dir)
    try:
        store.save("dissemination", f.dissemination())
        security.status(data_dir)                                  # what the app does after opening
        count = ("import sys; from services.data_dir import app; from services.records import stats; "
                 "app.open_data_dir(sys.argv[1]); "
                 "print(stats.counts()['dissemination']); app.close()")
        run = lambda: int(subprocess.run([sys.executable, "-c", count, str(data_dir)], check=True,  # noqa: E731
                                         capture_output=True, text=True).stdout.split()[-1])
        assert run() == 1                                          # another process opens and closes it
        store.save("dissemination", f.dissemination(topic="Sau khi tiến trình khác đóng"))
        assert run() == 2                                          # …and still sees this process's writes
    finally:
        app.close()


def test_every_write_hook_is_registered_at_start_and_a_missing_one_stops_the_save(db):
    """services.data_dir.app imports the audit, outbox, search and villages hooks (issue 18 §3); a save with one of them
    missing fails and stores nothing instead of writing a record that is neither audited nor synced."""
    from models.records import DisseminationEvent
    from services.records import events
    assert events.missing() == []
    hook = events._hooks.pop("outbox")
    try:
        with pytest.raises(RuntimeError, match="outbox"):
            store.save("dissemination", f.dissemination())
    finally:
        events._hooks["outbox"] = hook
    assert DisseminationEvent.select().count() == 0


def test_short_title_names_a_record_by_number_or_name(db):
    case = store.save("legal-aid", f.legal_aid())
    assert store.short_title("legal-aid", case.id) == case.number
    assert store.short_title("person", case.requester_id) == store.get("person", case.requester_id).full_name
    assert store.short_title("legal-aid", "0123456789abcdef") == "01234567"
    assert store.short_title("no-such-kind", "0123456789abcdef") == "01234567"
