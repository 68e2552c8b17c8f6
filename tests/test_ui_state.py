"""UI state objects without a browser: lists, forms (inline errors, nothing stored), details (sessions, delete
and undo, history labels), dashboard, sync, profile, language, unsaved-changes guard."""
from __future__ import annotations

import datetime as dt

import pytest

from services import admin_units, records, stats
from services.dates import today_local
from ui.state import AppState


@pytest.fixture
def app(db):
    communes = [c.code for c in admin_units.communes("22")[:2]]
    from services import app as app_service
    app_service.save_profile({"full_name": "Nguyễn Thị Lan", "role": "officer", "province_code": "22",
                              "communes": communes})
    state = AppState(db)
    state.needs_setup = False
    return state


def _legal_aid_form(app, id_number="022090001234"):
    from ui.state.forms import FormState
    f = FormState(app, "legal-aid")
    for k, v in {"beneficiary_category": "2", "legal_field": "dat_dai", "aid_form": "tu_van",
                 "requester.full_name": "Đặng Văn Đức", "requester.id_number": id_number}.items():
        f.set(k, v)
    return f


def test_form_saves_through_services_and_prefills_commune_and_date(app):
    f = _legal_aid_form(app)
    assert f.value("commune_code") == app.communes[0]
    assert f.value("received_date") == today_local().strftime("%d/%m/%Y")
    assert f.dirty
    inst = f.save()
    assert inst is not None and inst.number.startswith("TG-") and not f.dirty
    assert stats.counts()["legal-aid"] == 1


def test_bad_id_number_gives_an_inline_error_and_stores_nothing(app):
    f = _legal_aid_form(app, id_number="123")
    assert f.save() is None
    assert "12" in f.errors["requester.id_number"]
    assert stats.counts()["legal-aid"] == 0 and stats.counts()["person"] == 0
    app.set_language("en")
    f.save()
    assert "12 digits" in f.errors["requester.id_number"]


def test_missing_requester_maps_to_the_name_field(app):
    from ui.state.forms import FormState
    f = FormState(app, "legal-aid")
    f.set("legal_field", "dat_dai")
    assert f.save() is None
    assert "requester.full_name" in f.errors and "beneficiary_category" in f.errors


def test_list_pages_searches_without_diacritics_and_labels_the_range(app):
    for i in range(3):
        f = _legal_aid_form(app, id_number=f"02209000123{i}")
        f.set("requester.full_name", f"Đặng Văn Đức {i}")
        assert f.save() is not None
    lst = app.list_state("legal-aid")
    lst.page_size = 2
    lst.load()
    assert lst.total == 3 and len(lst.rows) == 2 and lst.range_label() == "1–2 / 3"
    lst.next_page()
    assert lst.range_label() == "3–3 / 3"
    lst.set_text("dang van duc 1")
    assert [r["title"] for r in lst.rows] == ["Đặng Văn Đức 1"]
    lst.set_filter("status", "completed")
    assert lst.total == 0
    lst.clear_filters()
    assert lst.total == 3


def test_edit_form_loads_values_and_moves_status(app):
    from ui.state.forms import FormState
    inst = _legal_aid_form(app).save()
    f = FormState(app, "legal-aid", inst.id)
    assert f.value("requester.full_name") == "Đặng Văn Đức"
    status_field = next(x for _, fs in f.fields() for x in fs if x.key == "status")
    assert [c for c, _ in f.options(status_field)] == ["received", "referred", "accepted", "refused"]
    f.set("status", "referred")
    f.set("referred_to", "Trung tâm TGPL tỉnh")
    assert f.save() is not None
    assert records.get("legal-aid", inst.id).status == "referred"


def test_detail_timeline_history_delete_and_undo(app):
    from ui.state.details import DetailState
    inst = _legal_aid_form(app).save()
    d = DetailState(app, "legal-aid", inst.id)
    assert d.timeline()[0]["status"] == "Đã tiếp nhận"
    created = d.history()[0]
    labels = dict((n, a) for n, _, a in created["changes"])
    assert labels["legal_field"] == "Đất đai" and labels["requester_id"] == "Đặng Văn Đức"
    d.delete()
    assert d.deleted and stats.counts()["legal-aid"] == 0
    d.undo_delete()
    assert not d.deleted and stats.counts()["legal-aid"] == 1


def test_mediation_session_added_in_place_and_warnings(app):
    from ui.state.details import DetailState
    from ui.state.forms import FormState
    f = FormState(app, "mediation")
    f.set("dispute_field", "dat_dai")
    f.set("parties[1].full_name", "Hoàng Văn Páo")
    f.set("parties[2].full_name", "Triệu Thị Mai")
    inst = f.save()
    assert inst is not None, f.errors
    d = DetailState(app, "mediation", inst.id)
    assert d.title == "Hoàng Văn Páo – Triệu Thị Mai"
    assert d.add_session({"place": "Nhà văn hóa"}) is False and "date" in d.session_errors
    d.open_session_form()
    d.set_session("date", today_local().strftime("%d/%m/%Y"))
    d.set_session("place", "Nhà văn hóa thôn")
    assert d.add_session() is True
    assert [s["place"] for s in d.sessions()] == ["Nhà văn hóa thôn"]
    assert isinstance(d.warnings(), list)


def test_unsaved_changes_guard_asks_before_leaving(app):
    app.open_form("legal-aid")
    app.form.set("requester.full_name", "Lò Văn Pâng")
    app.go("overview")
    assert app.confirm is not None and app.screen == "legal-aid"
    app.answer_confirm(False)
    assert app.screen == "legal-aid" and app.mode == "form"
    app.go("overview")
    app.answer_confirm(True)
    assert app.screen == "overview" and app.confirm is None


def test_language_switch_changes_every_label(app):
    assert app.t("nav.overview") == "Tổng quan"
    app.set_language("en")
    assert app.t("nav.overview") == "Overview"
    from services import settings
    assert settings.get("language") == "en"


def test_dashboard_counts_this_year_against_last_year(app):
    from ui.state.dashboard import DashboardState
    _legal_aid_form(app).save()
    d = DashboardState(app)
    d.load()
    card = next(c for c in d.cards if c["kind"] == "legal-aid")
    assert card["count"] == "1" and card["prev"] == "0"
    assert sum(a for a, _ in d.by_month["legal-aid"]) == 1
    assert d.unsynced >= 1


def test_sync_state_shows_the_outbox_truthfully(app):
    from ui.state.sync import SyncState
    _legal_aid_form(app).save()
    s = SyncState(app)
    s.load()
    assert dict(s.counts)["legal-aid"] == 1 and s.total >= 2


def test_profile_state_validates_and_saves(app):
    from ui.state.profile import ProfileState
    p = ProfileState(app)
    p.set("full_name", "")
    assert not p.save() and "full_name" in p.errors
    p.set("full_name", "Lý Thị Sen")
    p.set_commune_filter("ha tu")
    assert any("Hà Tu" in name for _, name in p.commune_options())
    assert p.save()
    assert app.profile["full_name"] == "Lý Thị Sen"


def test_reports_state_computes_the_tally(app):
    from ui.state.reports import ReportsState
    _legal_aid_form(app).save()
    r = ReportsState(app)
    assert r.compute() and r.rows
    r.set("start", "31/12/2026")
    r.set("end", "01/01/2026")
    assert not r.compute() and r.errors
