"""Form helpers without a browser (issue 17 §3): accent-free dropdown filtering and village suggestions, the
first invalid field to focus, referral on the first save, team -> mediators, feedback fields, readable change
history, the app locale, first-run "select all"."""
from __future__ import annotations

import pytest

from services import admin_units
from services.records import store, villages
from ui.state import AppState
from ui.state.choices import filter_options, suggest

CATEGORIES = [("2", "Người thuộc hộ nghèo"), ("3", "Trẻ em"), ("4", "Người dân tộc thiểu số cư trú ở vùng khó khăn")]


@pytest.fixture
def app(db):
    communes = [c.code for c in admin_units.communes("22")[:2]]
    from services.data_dir import app as app_service
    app_service.save_profile({"full_name": "Nguyễn Thị Lan", "role": "officer", "province_code": "22",
                              "communes": communes})
    state = AppState(db)
    state.needs_setup = False
    return state


def test_dropdown_filter_ignores_diacritics_case_and_word_order():
    assert filter_options(CATEGORIES, "ngheo") == [("2", "Người thuộc hộ nghèo")]
    assert filter_options(CATEGORIES, "NGHÈO hộ") == [("2", "Người thuộc hộ nghèo")]
    assert filter_options(CATEGORIES, "dan toc") == [CATEGORIES[2]]
    assert filter_options(CATEGORIES, "") == CATEGORIES
    assert filter_options(CATEGORIES, "xyz") == []


def test_dropdown_shows_everything_when_the_text_is_the_selected_label():
    """After a pick the field shows the chosen label: reopening must list every option, not just that one."""
    assert filter_options(CATEGORIES, "Trẻ em", selected="3") == CATEGORIES
    assert filter_options([("", "Không chọn"), *CATEGORIES], "tre", keep=("",)) == [("", "Không chọn"), ("3", "Trẻ em")]


def test_village_suggestions_fold_and_rank_prefix_first():
    names = ["Bản Khe Mò", "Thôn Khe Lánh", "Khe Lánh Trong", "Thôn Đồng Tâm"]
    assert suggest(names, "khe lanh") == ["Khe Lánh Trong", "Thôn Khe Lánh"]
    assert suggest(names, "dong") == ["Thôn Đồng Tâm"]
    assert suggest(names, "Thôn Đồng Tâm") == []          # already one of the names: nothing more to suggest
    assert suggest(names, "", limit=2) == names[:2]


def test_failed_save_names_the_first_invalid_field_in_form_order(app):
    from ui.state.forms import FormState
    f = FormState(app, "legal-aid")
    f.set("requester.birth_year", "1700")
    assert f.save() is None
    assert f.focus_key == "beneficiary_category"          # the first invalid field on screen, not the last
    seq = f.focus_seq
    for k, v in {"beneficiary_category": "2", "legal_field": "dat_dai", "aid_form": "tu_van",
                 "requester.full_name": "Đặng Văn Đức"}.items():
        f.set(k, v)
    assert f.save() is None
    assert f.focus_key == "requester.birth_year" and f.focus_seq == seq + 1
    assert "requester.birth_year" in f.errors and len(f.errors["requester.birth_year"]) > 20


def test_referral_on_the_first_save_uses_the_service_status_choices(app):
    """A case referred while recording: status, date and destination on the first save (Luật TGPL 2017 —
    the lifecycle comes from the catalog through services.kinds.legal_aid, not from the form)."""
    from services.kinds import legal_aid
    from ui.state.forms import FormState
    f = FormState(app, "legal-aid")
    status = next(x for _, fs in f.fields() for x in fs if x.key == "status")
    assert [c for c, _ in f.options(status)] == legal_aid.status_choices(None)
    assert f.value("status") == "received"
    for k, v in {"beneficiary_category": "2", "legal_field": "dat_dai", "aid_form": "tu_van",
                 "requester.full_name": "Đặng Văn Đức", "status": "referred", "status_date": "02/12/2026",
                 "referred_to": "Trung tâm TGPL tỉnh Quảng Ninh", "received_date": "01/12/2026"}.items():
        f.set(k, v)
    inst = f.save()
    assert inst is not None
    case = store.get("legal-aid", inst.id)
    assert (case.status, case.referred_to, str(case.status_date)) == ("referred", "Trung tâm TGPL tỉnh Quảng Ninh",
                                                                      "2026-12-02")


def test_picking_a_team_fills_its_mediators_one_a_line_and_keeps_typed_names(app):
    from services.records import teams
    from ui.state.forms import FormState
    commune = app.communes[0]
    t1 = teams.add({"name": "Tổ 1", "commune_code": commune,
                    "members": [{"name": "Hoàng Văn A"}, {"name": "Lý Thị B"}]})
    t2 = teams.add({"name": "Tổ 2", "commune_code": commune, "members": [{"name": "Triệu Văn C"}]})
    f = FormState(app, "mediation")
    f.choose("team_id", t1.id)
    assert f.value("mediators") == "Hoàng Văn A\nLý Thị B"
    f.choose("team_id", t2.id)                            # still the automatic list: replaced
    assert f.value("mediators") == "Triệu Văn C"
    f.set("mediators", "Triệu Văn C\nNgười Mời Thêm")
    f.choose("team_id", t1.id)                            # the officer edited it: kept
    assert f.value("mediators") == "Triệu Văn C\nNgười Mời Thêm"
    f.set("mediators", "Triệu Văn C\nNgười Mời Thêm; Ông D")
    assert f.payload()["mediators"] == ["Triệu Văn C", "Người Mời Thêm", "Ông D"]


def test_village_suggestions_come_from_the_form_commune(app):
    from ui.state.forms import FormState
    villages.remember(app.communes[0], "Thôn Khe Lánh")
    villages.remember(app.communes[1], "Thôn Khe Cát")
    f = FormState(app, "dissemination")
    assert f.village_suggestions("village", "khe") == ["Thôn Khe Lánh"]
    f.choose("commune_code", app.communes[1])
    assert f.village_suggestions("village", "khe") == ["Thôn Khe Cát"]


def test_feedback_fields_saved_from_the_form_and_shown_in_the_detail(app):
    from ui.state.details import DetailState
    from ui.state.forms import FormState
    f = FormState(app, "dissemination")
    keys = [x.key for _, fs in f.fields() for x in fs]
    assert {"feedback_respondents", "feedback_useful", "questions_asked", "followup_requests"} <= set(keys)
    for k, v in {"form": next(iter(dict(f.options(next(x for _, fs in f.fields() for x in fs if x.key == "form"))))),
                 "topic": "Luật Đất đai 2024", "participants": "40", "feedback_respondents": "30",
                 "feedback_useful": "31"}.items():
        f.set(k, v)
    assert f.save() is None and "feedback_useful" in f.errors and f.focus_key == "feedback_useful"
    f.set("feedback_useful", "25")
    f.set("questions_asked", "7")
    f.set("followup_requests", "3")
    inst = f.save()
    assert inst is not None
    shown = dict(DetailState(app, "dissemination", inst.id).fields())
    assert (shown["field.feedback_respondents"], shown["field.feedback_useful"], shown["field.questions_asked"],
            shown["field.followup_requests"]) == ("30", "25", "7", "3")
    edit = FormState(app, "dissemination", inst.id)
    assert edit.value("feedback_useful") == "25"


def test_legal_aid_detail_shows_the_requester_village(app):
    from ui.state.details import DetailState
    from ui.state.forms import FormState
    f = FormState(app, "legal-aid")
    for k, v in {"beneficiary_category": "2", "legal_field": "dat_dai", "aid_form": "tu_van",
                 "requester.full_name": "Đặng Văn Đức", "requester.village": "Thôn Khe Lánh"}.items():
        f.set(k, v)
    inst = f.save()
    assert dict(DetailState(app, "legal-aid", inst.id).fields())["field.requester.village"] == "Thôn Khe Lánh"


def test_history_shows_labels_names_and_plain_lists_not_keys_uuids_or_brackets(app):
    from services.records import teams
    from ui.state.details import DetailState
    from ui.state.forms import FormState
    team = teams.add({"name": "Tổ hòa giải thôn Khe Lánh", "commune_code": app.communes[0],
                      "members": [{"name": "Hoàng Văn A"}, {"name": "Lý Thị B"}]})
    f = FormState(app, "mediation")
    for k, v in {"dispute_field": next(iter(dict(f.options(next(x for _, fs in f.fields() for x in fs
                                                                if x.key == "dispute_field"))))),
                 "parties[1].full_name": "Bên Một", "parties[2].full_name": "Bên Hai"}.items():
        f.set(k, v)
    f.choose("team_id", team.id)
    inst = f.save()
    assert inst is not None
    from services.records import audit
    from ui.state.exports import documents_for
    token, doc_label = documents_for("mediation", "vi")[0]
    audit.record("mediation", inst.id, "print", {"document": token})
    d = DetailState(app, "mediation", inst.id)
    text = " ".join(f"{label}: {b} › {a}" for h in d.history() for label, b, a in h["changes"])
    assert "Tổ hòa giải thôn Khe Lánh" in text and "Hoàng Văn A, Lý Thị B" in text
    assert f"Tài liệu in: — › {doc_label}" in text
    assert "ui.field" not in text and "[" not in text and team.id not in text and "team_id" not in text


def test_page_locale_follows_the_app_language():
    from ui.app import locale_configuration
    vi = locale_configuration("vi")
    assert str(vi.current_locale) == "vi_VN" and str(locale_configuration("en").current_locale) == "en_GB"
    assert {str(x) for x in vi.supported_locales} == {"vi_VN", "en_GB"}


def test_first_run_select_all_communes_and_the_no_commune_message(app):
    from ui.state.profile import ProfileState
    p = ProfileState(app)
    p.communes = []
    assert p.no_commune
    p.select_all()
    assert len(p.communes) == len(admin_units.communes("22")) and not p.no_commune
    p.clear_all()
    assert p.communes == []
    p.set_commune_filter("ha long")
    p.select_all()                                          # only the communes the filter shows
    assert p.communes and all("long" in n.lower() for n in p.commune_names())


def test_no_arrow_glyph_in_user_facing_texts():
    """The browser client's Roboto has no "→" (drawn as a missing-glyph box): the catalog never uses it."""
    from services import i18n
    bad = {k: v for k, e in i18n.catalog().items() for v in e.values() if any(c in v for c in "→⇒▸")}
    assert bad == {}
