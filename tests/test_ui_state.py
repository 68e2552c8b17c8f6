"""UI state objects without a browser: lists, forms (inline errors, nothing stored), details (sessions, delete
and undo, history labels), dashboard, sync, profile, language, unsaved-changes guard."""
from __future__ import annotations

from pathlib import Path

import pytest

from services import admin_units
from services.dates import today_local
from services.records import stats, store
from ui.state import AppState


@pytest.fixture
def app(db):
    communes = [c.code for c in admin_units.communes("22")[:2]]
    from services.data_dir import app as app_service
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
    assert store.get("legal-aid", inst.id).status == "referred"


def test_detail_timeline_history_delete_and_undo(app):
    from ui.state.details import DetailState
    inst = _legal_aid_form(app).save()
    d = DetailState(app, "legal-aid", inst.id)
    assert d.timeline()[0]["status"] == "Đã tiếp nhận"
    created = d.history()[0]
    labels = dict((n, a) for n, _, a in created["changes"])
    assert labels["Lĩnh vực pháp luật"] == "Đất đai" and labels["Người yêu cầu"] == "Đặng Văn Đức"
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
    from services.data_dir import settings
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
    total = next(row for row in r.rows if row["label"] == "Tổng số vụ việc tiếp nhận")   # the PDF's rows and text
    assert (total["current"], total["previous"], total["change"]) == ("1", "0", "—")   # no case last year: no %
    r.set("start", "31/12/2026")
    r.set("end", "01/01/2026")
    assert not r.compute() and r.errors


# ---- round 2: teams, import/export, assessment entry (a file database: the work runs in worker threads) ----

EVENTS_CSV = (
    "date,commune_code,village,form,topic,laws,target_groups,participants,participants_women,"
    "participants_ethnic_minority,materials_distributed,language,presenter,notes\n"
    "05/03/2026,{c},Thôn Khe Lánh,Hội nghị,Luật Đất đai 2024 cho bà con,Luật Đất đai 2024,,45,20,30,40,Tiếng Việt,"
    "Nguyễn Thị Lan,\n"
    "12/04/2026,{c},Bản Nà Lừa,Tuyên truyền miệng,Phòng chống bạo lực gia đình,,,30,{women},25,0,Tiếng Dao,"
    "Bàn Văn Sài,\n")


@pytest.fixture
def file_app(tmp_path):
    from services.data_dir import app as app_service
    ctx = app_service.open_data_dir(tmp_path / "data")
    communes = [c.code for c in admin_units.communes("22")[:2]]
    app_service.save_profile({"full_name": "Nguyễn Thị Lan", "role": "officer", "province_code": "22",
                              "communes": communes})
    state = AppState(ctx)
    state.needs_setup = False
    yield state
    app_service.close()


def _run(coro):
    from tests.conftest import run_coroutine
    return run_coroutine(coro)


def test_team_with_two_members_warns_and_the_case_form_picks_it(app):
    from ui.state.details import DetailState
    from ui.state.forms import FormState
    from ui.state.teams import TeamsState
    st = TeamsState(app)
    st.open_new()
    assert st.save() is None and "name" in st.errors          # name required, nothing stored
    assert stats.counts().get("mediation-team", 0) == 0
    st.set("name", "Tổ hòa giải thôn Khe Lánh")
    st.set_member(0, "name", "Lý Văn Sài")
    st.set_member(0, "gender", "nam")
    st.set_member(0, "role", "leader")
    st.set_member(1, "name", "Đặng Văn Tòng")
    team = st.save()
    assert team is not None and st.mode == "detail"
    assert team.leader == "Lý Văn Sài" and [m["name"] for m in team.members] == ["Lý Văn Sài", "Đặng Văn Tòng"]
    warnings = st.warnings()
    assert any("ít nhất 3" in w for w in warnings) and any("nữ" in w for w in warnings)
    st.back()
    assert st.rows[0]["members"] == 2 and st.rows[0]["warnings"]

    f = FormState(app, "mediation")
    team_field = next(x for _, fs in f.fields() for x in fs if x.key == "team_id")
    label = f"Tổ hòa giải thôn Khe Lánh — {admin_units.commune_name(team.commune_code)}"
    assert (team.id, label) in f.options(team_field)
    f.choose("team_id", team.id)
    assert f.value("mediators") == "Lý Văn Sài\nĐặng Văn Tòng"          # prefilled from the team, one a line
    f.set("dispute_field", "dat_dai")
    f.set("parties[1].full_name", "Hoàng Văn Páo")
    f.set("parties[2].full_name", "Triệu Thị Mai")
    case = f.save()
    assert case is not None and case.team_id == team.id
    d = DetailState(app, "mediation", case.id)
    assert dict(d.fields())["field.team"] == "Tổ hòa giải thôn Khe Lánh"
    assert any("nữ" in w for w in d.warnings())
    assert FormState(app, "mediation", case.id).value("team_id") == team.id


def test_import_state_stores_a_good_file_and_lists_every_bad_row_storing_nothing(file_app, tmp_path):
    from ui.state.importing import ImportState
    c = file_app.communes[0]
    imp = ImportState(file_app)
    imp.show("dissemination")
    imp.set_path(str(tmp_path / "missing.csv"))
    assert _run(imp.run()) is False and "Không tìm thấy" in imp.error_text
    bad = tmp_path / "bad.csv"
    bad.write_text(EVENTS_CSV.format(c=c, women=99), encoding="utf-8")     # row 3: women > participants
    imp.set_path(str(bad))
    assert _run(imp.run()) is False
    assert [e["row"] for e in imp.errors] == [3] and imp.errors[0]["field"] == "participants_women"
    assert imp.open and stats.counts()["dissemination"] == 0
    good = tmp_path / "good.csv"
    good.write_text(EVENTS_CSV.format(c=c, women=18), encoding="utf-8")
    imp.back_to_file()
    imp.set_path(str(good))
    revision = file_app.revision
    assert _run(imp.run()) is True
    assert stats.counts()["dissemination"] == 2 and not imp.open and file_app.revision > revision
    assert "Đã nhập 2" in file_app.message[0]
    template = Path(imp.template())
    assert template.read_text(encoding="utf-8-sig").startswith("date,commune_code,village")
    uploaded = imp.accept_upload("su kien.csv", good.read_bytes())
    assert Path(uploaded).parent.name == "imports" and Path(uploaded).read_bytes() == good.read_bytes()


def test_list_export_writes_masked_identifiers_under_exports(file_app):
    from ui.state.forms import FormState
    f = FormState(file_app, "legal-aid")
    for k, v in {"beneficiary_category": "2", "legal_field": "dat_dai", "aid_form": "tu_van",
                 "requester.full_name": "Đặng Văn Đức", "requester.id_number": "022090001234",
                 "requester.phone": "0912345678"}.items():
        f.set(k, v)
    assert f.save() is not None
    lst = file_app.list_state("legal-aid")
    path = Path(_run(lst.export("csv")))
    assert path.parent.name == "exports" and path.suffix == ".csv"
    text = path.read_text(encoding="utf-8-sig")
    assert "Đặng Văn Đức" in text and "022090001234" not in text and "0912345678" not in text
    assert "0220******34" in text
    assert Path(_run(lst.export("xlsx"))).suffix == ".xlsx"


def test_assessment_entry_rejects_an_out_of_range_value_and_stores_good_ones(file_app, tmp_path):
    from ui.state.assessment import AssessmentState
    a = AssessmentState(file_app)
    a.load()
    assert a.card is not None and a.card.get("previous") is not None
    a.set_year(2024)                                                 # QĐ 25/2021 (points entered per indicator)
    a.open_entry()
    ids = [r["indicator_id"] for r in a.entry_rows]
    pct = next(r["indicator_id"] for r in a.entry_rows if r["type"] == "points" and not r["auto"])
    assert a.save_entry() is False                                   # nothing changed
    a.set_entry(pct, "value", "150")
    assert a.save_entry() is False
    assert pct in a.entry_errors and pct in a.entry_error and "0–5 điểm" in a.entry_error
    assert a.card["assessment_id"] is None                           # nothing stored
    a.set_entry(pct, "value", "4,5")
    a.set_entry(pct, "evidence", "Báo cáo 12/BC-UBND")
    assert a.save_entry() is True and not a.entry_open
    ind = next(i for c in a.card["criteria"] for i in c["indicators"] if i["id"] == pct)
    assert ind["value"] == 4.5 and ind["evidence"] == "Báo cáo 12/BC-UBND"
    assert any(r.get("unverified") for r in a.entry_rows) and len(ids) > 5

    values = tmp_path / "values.csv"
    values.write_text(f"indicator_id,value,evidence\n{pct},3,\n{pct},2,\nC9.9,1,\n", encoding="utf-8")
    a.show_import()
    a.set_import_path(str(values))
    assert _run(a.import_values()) is False and [e["row"] for e in a.import_errors] == [3]
    values.write_text(f"indicator_id,value,evidence\n{pct},3,\nC9.9,1,\n", encoding="utf-8")
    assert _run(a.import_values()) is False and [e["row"] for e in a.import_errors] == [3]
    values.write_text(f"indicator_id,value,evidence\n{pct},3,Biên bản\n", encoding="utf-8")
    assert _run(a.import_values()) is True
    ind = next(i for c in a.card["criteria"] for i in c["indicators"] if i["id"] == pct)
    assert ind["value"] == 3

    pdf = Path(_run(a.export("scorecard", "pdf")))
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.parent.name == "exports"
    a.set_view("province")
    assert Path(_run(a.export("province", "xlsx"))).stat().st_size > 1000


def test_coverage_is_on_the_navigation_rail_and_teams_highlight_mediation(app):
    from ui.state import SCREENS, SUB_SCREENS
    from ui.views.shell import NAV
    assert [n[0] for n in NAV] == list(SCREENS) and "coverage" in SCREENS
    assert app.t("nav.coverage") == "Phạm vi tiếp cận"
    assert SUB_SCREENS["mediation-team"] == "mediation"


# ---- security: unlock, first-run protection, auto-lock, recovery key, backups, masking ----------------------

PASSPHRASE = "một câu dài dễ nhớ"


@pytest.fixture
def enc_folder(tmp_path):
    """An encrypted data folder with an officer profile (closed again: the app must unlock it)."""
    from services import security
    from services.data_dir import app as app_service
    path = tmp_path / "enc"
    app_service.open_data_dir(path)
    app_service.save_profile({"full_name": "Nguyễn Thị Lan", "role": "officer", "province_code": "22",
                              "communes": [admin_units.communes("22")[0].code]})
    security.enable_encryption(path, PASSPHRASE)
    app_service.close()
    yield path
    app_service.close()


def _age_last_failure(folder, seconds: float) -> None:
    import json
    f = folder / "plcs.unlock.json"
    state = json.loads(f.read_text(encoding="utf-8"))
    state["last_failure"] -= seconds
    f.write_text(json.dumps(state), encoding="utf-8")


def test_encrypted_folder_starts_locked_wrong_passphrase_counts_down_then_unlocks(enc_folder):
    from ui.state.security import UnlockState
    app = AppState.open(enc_folder)
    assert app.locked and app.encrypted and app.ctx is None
    u = UnlockState(app)
    u.set("passphrase", "")
    assert not u.unlock() and u.errors["passphrase"] == "Nhập mật khẩu."
    for n in (1, 2, 3):
        u.set("passphrase", "sai mật khẩu")
        assert not u.unlock()
        assert u.error.startswith("Mật khẩu không đúng.") and f"{n} lần" in u.error
    assert u.wait == 2 and u.countdown_text() == "Có thể thử lại sau 2 giây"     # 3 free attempts, then 2 s
    u.set("passphrase", PASSPHRASE)
    assert not u.unlock() and app.locked                   # the delay runs: no attempt is even made
    u.tick()
    u.tick()
    assert u.wait == 0 and u.countdown_text() == ""
    assert UnlockState(app).wait > 0                       # a new screen reads the delay from plcs.unlock.json
    _age_last_failure(enc_folder, 60)                      # (instead of sleeping: the delay is over)
    assert UnlockState(app).wait == 0
    assert u.unlock() and not app.locked
    assert app.profile["full_name"] == "Nguyễn Thị Lan" and app.screen == "overview" and not app.needs_setup


def test_locked_out_shows_the_delay_left_from_an_earlier_session(enc_folder):
    from services.security import attempts
    from ui.state.security import UnlockState
    for _ in range(4):
        attempts.record_failure(enc_folder)                # 4 failures: 4 s delay, just started
    app = AppState.open(enc_folder)
    u = UnlockState(app)
    assert 3 <= u.wait <= 4 and "giây" in u.countdown_text()


def test_forgotten_passphrase_recovery_key_sets_a_new_one(tmp_path):
    from services import security
    from services.data_dir import app as app_service
    from ui.state.security import UnlockState
    path = tmp_path / "enc"
    _, recovery = security.enable_encryption(path, PASSPHRASE)
    app_service.close()
    app = AppState.open(path)
    u = UnlockState(app)
    u.show_recovery(True)
    u.set("recovery_key", "AAAA-BBBB")
    u.set("new_passphrase", "mật khẩu mới dài")
    u.set("repeat", "khác")
    assert not u.unlock() and "không giống" in u.errors["repeat"]
    u.set("repeat", "mật khẩu mới dài")
    assert not u.unlock() and "Mã khôi phục không đúng" in u.error
    u.set("recovery_key", recovery.lower())
    assert u.unlock() and not app.locked and "mã khôi phục" in app.message[0]
    assert app.needs_setup                                 # no profile yet: first run continues after unlock
    app_service.close()
    security.open_for_ui(path, passphrase="mật khẩu mới dài")
    app_service.close()


def test_first_run_protects_a_plain_folder_and_shows_the_recovery_key_once(tmp_path):
    from services import security
    from services.data_dir import app as app_service
    from ui.state.profile import ProfileState
    from ui.state.security import ProtectState
    path = tmp_path / "plain"
    app = AppState.open(path)
    assert app.needs_setup and not app.locked and not app.encrypted
    p, protect = ProfileState(app), ProtectState(app)
    p.set("full_name", "Lý Thị Sen")
    p.toggle_commune(admin_units.communes("22")[0].code)
    protect.set("passphrase", "ngắn")
    assert not protect.enable() and "8 ký tự" in protect.errors["passphrase"]
    protect.set("passphrase", PASSPHRASE)
    protect.set("repeat", PASSPHRASE + "x")
    assert not protect.enable() and "repeat" in protect.errors
    assert not security.status(path).encrypted             # nothing changed on a bad passphrase
    assert p.save()
    app.finish_setup()
    protect.set("repeat", PASSPHRASE)
    assert protect.enable()
    assert app.encrypted and app.recovery_key and len(app.recovery_key) > 20
    assert security.status(path).encrypted and app.profile["full_name"] == "Lý Thị Sen"   # migrated, kept
    key = app.recovery_key
    app.recovery_key_saved()
    assert app.recovery_key is None and "mã hóa" in app.message[0]
    app_service.close()
    security.open_for_ui(path, recovery_key=key)          # the key shown really opens the data
    app_service.close()


def test_auto_lock_keeps_an_unsaved_form_and_settings_actions(enc_folder):
    from services import security
    from services.data_dir import app as app_service
    from ui.state.security import SecuritySettingsState, UnlockState
    clock = [0.0]
    app = AppState.open(enc_folder)
    UnlockState(app).set("passphrase", PASSPHRASE)
    u = app.screen_state("unlock", UnlockState)
    u.set("passphrase", PASSPHRASE)
    assert u.unlock()
    app._idle = security.IdleLock(1, on_lock=app.lock, clock=lambda: clock[0])
    app.open_form("legal-aid")
    app.form.set("requester.full_name", "Đặng Văn Đức")
    clock[0] = 30
    app.touch()                                            # activity resets the idle time
    clock[0] = 80
    assert not app.check_idle() and not app.locked
    clock[0] = 200
    assert app.check_idle() and app.locked
    with pytest.raises(RuntimeError):
        app_service.current()                              # the database is closed while locked
    assert u.value("passphrase") == ""                    # the unlock screen starts empty again
    u.set("passphrase", PASSPHRASE)
    assert u.unlock() and app.mode == "form"
    assert app.form.value("requester.full_name") == "Đặng Văn Đức" and "Biểu mẫu" in app.message[0]

    s = SecuritySettingsState(app)
    s.set_auto_lock("0")
    assert not s.save_auto_lock() and "từ 1 đến 240" in s.errors["auto_lock"]
    s.set_auto_lock("15")
    assert s.save_auto_lock() and security.auto_lock_minutes() == 15 and app._idle.minutes == 15
    s.open_panel("change")
    s.set("old", "sai mật khẩu")
    s.set("new", "mật khẩu mới dài")
    s.set("repeat", "mật khẩu mới dài")
    assert not s.change_passphrase() and "không đúng" in s.errors["old"]
    s.set("old", PASSPHRASE)
    assert s.change_passphrase() and s.panel == ""
    s.open_panel("recovery")
    s.set("passphrase", "mật khẩu mới dài")
    assert s.new_recovery_key() and app.recovery_key
    recovery = app.recovery_key
    app.recovery_key_saved()
    app.lock()
    assert app.locked
    security.open_for_ui(enc_folder, recovery_key=recovery)


def test_backup_now_lists_it_and_restore_brings_the_data_back(enc_folder):
    from ui.state.backups import BackupState
    from ui.state.security import UnlockState
    app = AppState.open(enc_folder)
    u = UnlockState(app)
    u.set("passphrase", PASSPHRASE)
    assert u.unlock()
    b = BackupState(app)
    path = Path(_run(b.backup_now()))
    assert path.is_file() and path.parent.name == "backups" and path.name.endswith("-manual.plcsbak")
    row = next(r for r in b.rows if r["path"] == str(path))
    assert row["reason"] == "Sao lưu thủ công" and row["size"].endswith("KB") and row["date"][2] == "/"
    f = _legal_aid_form(app)
    assert f.save() is not None and stats.counts()["legal-aid"] == 1
    b.ask_restore(str(path))
    assert b.pending == str(path)
    assert _run(b.restore())
    assert stats.counts()["legal-aid"] == 0 and b.pending is None and not app.locked
    assert "Đã khôi phục" in app.message[0] and app.profile["full_name"] == "Nguyễn Thị Lan"
    assert any(r["reason"] == "Trước khi khôi phục" for r in b.rows)
    f = _legal_aid_form(app)                               # the reopened database takes writes
    assert f.save() is not None and stats.counts()["legal-aid"] == 1
    bad = enc_folder / "hong.plcsbak"
    bad.write_bytes(b"PLCSBAK1 not a backup")
    b.ask_restore(str(bad))
    assert not _run(b.restore()) and "hỏng" in b.error and stats.counts()["legal-aid"] == 1


def test_detail_masks_identifiers_unless_the_role_may_see_them_and_asks(app):
    from services.data_dir import app as app_service
    from ui.state.details import DetailState
    f = _legal_aid_form(app)
    f.set("requester.phone", "0912345678")
    case = f.save()
    d = DetailState(app, "legal-aid", case.id)
    fields = dict(d.fields())
    assert fields["field.requester.id_number"] == "0220******34" and fields["field.requester.phone"] == "0912****78"
    assert d.has_identifiers and d.can_reveal
    d.toggle_reveal(True)
    fields = dict(d.fields())
    assert fields["field.requester.id_number"] == "022090001234" and fields["field.requester.phone"] == "0912345678"
    assert any(h["action"] == "Xem số CCCD / điện thoại" for h in d.history())
    app_service.save_profile({**app.profile, "role": "supervisor"})
    d = DetailState(app, "legal-aid", case.id)
    assert not d.can_reveal and not app.may_write("legal-aid")
    d.toggle_reveal(True)
    assert not d.reveal and dict(d.fields())["field.requester.id_number"] == "0220******34"
    lst = app.list_state("legal-aid")
    lst.load()
    assert "022090001234" not in str(lst.rows)


# --- sync screen state against the real Kinto (tests/kinto_server.py) --------------------------------------------
def _sync_app(path, site, name="ui"):
    """A file data folder (the sync runs in a worker thread: an in-memory database would not be shared)."""
    from services.data_dir import app as app_service
    from tests.test_sync import Client
    client = Client(path, site, name=name)
    state = AppState(app_service.current())
    state.needs_setup = False
    return client, state


def test_sync_state_saves_the_server_and_never_the_password(tmp_path, kinto_bucket):
    from services.data_dir import settings
    from tests.conftest import run_coroutine
    from ui.state.sync import SyncState
    site = kinto_bucket
    _, state = _sync_app(tmp_path / "a", site)
    s = SyncState(state)
    assert not s.save_server("sync.example", site.officer.user)          # not a URL: refused, nothing saved
    assert settings.get("sync.server_url") is None
    assert s.save_server(site.url, site.officer.user)
    s.load()
    assert (s.server_url, s.user, s.configured) == (site.url, site.officer.user, True)
    run_coroutine(s.sync_clicked())                                      # first time: the password dialog
    assert s.asking_password and not s.running
    s.set_password("not-the-password")
    run_coroutine(s.submit_password())
    assert "Sai tên đăng nhập hoặc mật khẩu" in s.last_error and not s.has_password and not s.summary
    s.set_password(site.officer.password)
    run_coroutine(s.submit_password())
    assert s.last_error == "" and s.has_password and s.summary.startswith("gửi ")
    assert s.last_ok and s.total == 0
    raw = (tmp_path / "a" / "plcs.db").read_bytes()
    assert site.officer.password.encode() not in raw
    assert s.background_on                                               # started after the successful sync
    s.apply_background(locked=True)                                      # the app locked: forget and stop
    assert not s.has_password and not s.background_on
    from services.data_dir import app as app_service
    app_service.close()


@pytest.mark.parametrize("how, expected", [("keep-local", "0912000003"), ("edit", "0912000009")])
def test_sync_state_lists_a_conflict_and_resolves_it(tmp_path, kinto_bucket, how, expected):
    from services.data_dir import app as app_service
    from tests.conftest import run_coroutine
    from tests.test_sync import Client, edit, new_person, server_records
    from ui.state.sync import SyncState
    site = kinto_bucket
    a, state = _sync_app(tmp_path / "a", site, name="a")
    pid = new_person("Lò Văn Pọm", phone="0912000001").id
    a.sync()
    b = Client(tmp_path / "b", site, name="b")
    b.sync()
    edit("person", pid, phone="0912000002")
    b.sync()
    a.use()
    edit("person", pid, phone="0912000003")
    state = AppState(app_service.current())
    state.needs_setup = False
    s = SyncState(state)
    s.save_server(site.url, site.officer.user)
    s.set_password(site.officer.password)
    run_coroutine(s.submit_password())
    s.stop_background()
    assert "xung đột 1" in s.summary
    [c] = s.conflicts
    assert (c["field"], c["local"], c["remote"], c["base"]) == ("phone", "0912000003", "0912000002", "0912000001")
    assert c["title"] == "Lò Văn Pọm" and c["field_label"]
    s.start_edit(c)
    assert s.edit_value == "0912000003"
    if how == "edit":                                                   # "Sửa": a value typed by the officer
        s.set_edit_value(" 0912000009 ")
        assert s.save_edit() and s.editing is None
    else:
        s.cancel_edit()
        assert s.resolve(c["conflict_id"], "local")
    assert s.conflicts == []
    run_coroutine(s.run(site.officer.password))
    s.stop_background()
    assert [r["phone"] for r in server_records(site) if r["id"] == pid] == [expected]
    app_service.close()


def test_sync_state_says_offline_quickly_and_names_each_failure_in_plain_words(tmp_path, kinto_bucket):
    import socket

    from services.data_dir import app as app_service
    from services.sync import OfflineError, ServerError, SyncPermissionError, WrongPasswordError
    from tests.conftest import run_coroutine
    from ui.state.sync import SyncState
    _, state = _sync_app(tmp_path / "a", kinto_bucket)
    s = SyncState(state)
    with socket.socket() as sock:                 # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    s.save_server(f"http://127.0.0.1:{port}/v1", "officer")
    run_coroutine(s.run("secret"))
    assert s.last_error.startswith("Không có mạng") and not s.running and not s.has_password
    for err, words in ((WrongPasswordError.make(), "Sai tên đăng nhập"),
                       (SyncPermissionError.make("403"), "không có quyền"),
                       (ServerError.make("503"), "Máy chủ đồng bộ đang gặp lỗi"),
                       (OfflineError.make("timeout"), "Không có mạng")):
        head, _ = s._plain(err)
        assert words in head
    state.set_language("en")
    assert s._plain(ServerError.make("503"))[0].startswith("The sync server has an error")
    app_service.close()
