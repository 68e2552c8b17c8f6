"""Validation rules: every bad value raises one ValidationError naming the field, and nothing is stored."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.records import AuditEntry, DisseminationEvent, LegalAidCase, MediationCase, Outbox, Person
from services.dates import today_local
from services.errors import ValidationError
from services.records import store
from tests import factories as f


def fields_of(exc: ValidationError) -> set[str]:
    return {e.field for e in exc.errors}


def nothing_stored():
    return (LegalAidCase.select().count() == 0 and Person.select().count() == 0 and Outbox.select().count() == 0
            and AuditEntry.select().count() == 0 and DisseminationEvent.select().count() == 0)


@pytest.mark.parametrize("overrides, field", [
    ({"requester": {"full_name": "A", "id_number": "12345"}}, "requester.id_number"),
    ({"requester": {"full_name": "A", "phone": "12"}}, "requester.phone"),
    ({"requester": {"full_name": ""}}, "requester.full_name"),
    ({"received_date": "01/01/2099"}, "received_date"),
    ({"received_date": "31/02/2026"}, "received_date"),
    ({"commune_code": "99999"}, "commune_code"),
    ({"legal_field": "Kinh doanh"}, "legal_field"),
    ({"beneficiary_category": "Người giàu"}, "beneficiary_category"),
    ({"closed_date": "01/11/2026"}, "closed_date"),
    ({"outcome": "success"}, "outcome"),            # outcome only for litigation
])
def test_legal_aid_rejects_bad_values(db, overrides, field):
    with pytest.raises(ValidationError) as err:
        store.save("legal-aid", f.legal_aid(**overrides))
    assert field in fields_of(err.value)
    assert nothing_stored()


def test_all_problems_reported_at_once(db):
    with pytest.raises(ValidationError) as err:
        store.save("legal-aid", f.legal_aid(received_date="2099-01-01", commune_code="x",
                                              requester={"full_name": "A", "id_number": "1"}))
    assert {"received_date", "commune_code", "requester.id_number"} <= fields_of(err.value)
    vi = err.value.message("vi")
    assert "12 chữ số" in vi and "tương lai" in vi
    assert "12 digits" in err.value.message("en")


def test_status_lifecycle(db):
    case = store.save("legal-aid", f.legal_aid())
    assert case.status == "received" and case.status_date == dt.date(2026, 11, 10)
    store.save("legal-aid", {"status": "referred", "referred_to": "Trung tâm TGPL tỉnh"}, record_id=case.id)
    with pytest.raises(ValidationError) as err:          # a jump back is not allowed
        store.save("legal-aid", {"status": "received"}, record_id=case.id)
    assert "status" in fields_of(err.value)
    with pytest.raises(ValidationError) as err:          # refusal needs a reason
        store.save("legal-aid", {"status": "refused"}, record_id=case.id)
    assert "status_reason" in fields_of(err.value)
    store.save("legal-aid", {"status": "accepted"}, record_id=case.id)
    store.save("legal-aid", {"status": "completed"}, record_id=case.id)
    case = store.get("legal-aid", case.id)
    assert [h["status"] for h in case.status_history] == ["received", "referred", "accepted", "completed"]
    assert case.closed_date == today_local()
    with pytest.raises(ValidationError):
        store.save("legal-aid", {"status": "in_progress"}, record_id=case.id)   # terminal


def test_dissemination_counts(db):
    for overrides, field in [({"participants_women": 121}, "participants_women"),
                             ({"participants_ethnic_minority": 500}, "participants_ethnic_minority"),
                             ({"participants": -1}, "participants"),
                             ({"participants": "nhiều"}, "participants"),
                             ({"language": "Tiếng Klingon"}, "language"),
                             ({"form": "Hát karaoke"}, "form"),
                             ({"target_groups": ["người ngoài hành tinh"]}, "target_groups"),
                             ({"topic": ""}, "topic")]:
        with pytest.raises(ValidationError) as err:
            store.save("dissemination", f.dissemination(**overrides))
        assert field in fields_of(err.value), overrides
    assert nothing_stored()
    event = store.save("dissemination", f.dissemination())
    assert event.language == "09" and event.form == "hoi_nghi" and event.target_groups == ["dtts", "phu_nu"]
    with pytest.raises(ValidationError):                 # an update is checked against stored values
        store.save("dissemination", {"participants": 10}, record_id=event.id)
    assert store.get("dissemination", event.id).participants == 120


def test_mediation_rules_and_warnings(db):
    with pytest.raises(ValidationError) as err:
        store.save("mediation", f.mediation(parties=[{"full_name": "Một mình"}]))
    assert "parties" in fields_of(err.value)
    with pytest.raises(ValidationError) as err:
        store.save("mediation", f.mediation(outcome="Hòa giải thành"))           # no closed date
    assert "closed_date" in fields_of(err.value)
    assert MediationCase.select().count() == 0
    team = store.save("mediation-team", {"name": "Tổ hòa giải thôn Khe Lánh", "commune_code": f.COMMUNE,
                                            "members": [{"name": "Lê Văn Cường", "gender": "nam"},
                                                        {"name": "Phạm Văn Dũng", "gender": "nam"}]})
    case = store.save("mediation", f.mediation(team=team.id, mediators=[], received_date="2026-11-01"))
    texts = [vi for vi, _ in store.warnings("mediation", case)]
    assert any("ít nhất 3" in t for t in texts)
    assert any("nữ" in t for t in texts)
    # Điều 18 sets no deadline for assigning a mediator: no warning for an unassigned case (Điều 20.2 is tested
    # in test_law_records.py).
    assert not any("phân công" in t for t in texts)
    session = store.save("mediation-session", {"case_id": case.id, "date": "2026-11-05", "place": "Nhà văn hóa"})
    assert session.case_id == case.id
    with pytest.raises(ValidationError) as err:
        store.save("mediation-session", {"case_id": case.id, "date": "2026-10-01"})
    assert "date" in fields_of(err.value)


# ---- property-based checks of the validators --------------------------------------------------------------

@given(st.text(max_size=20))
def test_id_number_accepts_exactly_12_digits(value):
    from services.errors import Collector
    from services.kinds import person
    c = Collector()
    values = person.normalize({"full_name": "A", "id_number": value}, None, None, c)
    stripped = "".join(value.split())
    if stripped == "" or (len(stripped) == 12 and stripped.isascii() and stripped.isdigit()):
        assert not c.errors and values["id_number"] == stripped
    else:
        assert [e.field for e in c.errors] == ["id_number"]


@given(st.integers(min_value=-5, max_value=400), st.integers(min_value=-5, max_value=400),
       st.integers(min_value=-5, max_value=400))
def test_participant_counts_property(total, women, minority):
    from services.kinds import dissemination
    data = f.dissemination(participants=total, participants_women=women, participants_ethnic_minority=minority)
    ok = total >= 0 and 0 <= women <= total and 0 <= minority <= total
    try:
        dissemination.normalize(data, None, None)
        assert ok
    except ValidationError as exc:
        assert not ok
        assert fields_of(exc) <= {"participants", "participants_women", "participants_ethnic_minority"}


@given(st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(2200, 1, 1)),
       st.sampled_from(["iso", "dmy"]))
def test_dates_in_the_future_or_too_old_are_rejected(d, style):
    from services.errors import Collector
    from services.kinds.common import date
    c = Collector()
    text = d.isoformat() if style == "iso" else d.strftime("%d/%m/%Y")
    value = date(c, {"x": text}, "x")
    if d.year < 1900 or d > today_local():
        assert c.errors
    else:
        assert value == d and not c.errors


@given(st.text(max_size=60))
def test_garbage_never_crashes_a_form(db, value):
    from services.kinds import dissemination, legal_aid, mediation
    for rules, data, garbled in (
            (legal_aid, f.legal_aid(received_date=value, legal_field=value), {"received_date", "legal_field"}),
            (dissemination, f.dissemination(participants=value, language=value, date=value),
             {"participants", "language", "date"}),
            (mediation, f.mediation(parties=value, dispute_field=value), {"parties", "dispute_field"})):
        try:
            values = rules.normalize(data, None, None)
        except ValidationError as exc:      # refused: each problem names a field given the garbage (or one of
            assert exc.errors               # its parts, e.g. participants_women checked against participants)
            assert all(e.field.startswith(tuple(garbled)) and e.en for e in exc.errors), exc.message("en")
        else:
            assert isinstance(values, dict)


def test_missing_required_keys_are_reported_not_left_to_the_database(db):
    with pytest.raises(ValidationError) as err:
        store.save("mediation-session", {"case_id": store.save("mediation", f.mediation()).id})
    assert "date" in fields_of(err.value)
    with pytest.raises(ValidationError) as err:
        store.save("dissemination", {"commune_code": f.COMMUNE})
    assert {"date", "form", "topic"} <= fields_of(err.value)
    with pytest.raises(ValidationError) as err:
        store.save("legal-aid", {"received_date": "2026-11-01"})
    assert {"commune_code", "requester", "legal_field", "aid_form", "beneficiary_category"} <= fields_of(err.value)
