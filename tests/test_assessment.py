"""Commune legal-access assessment: both frameworks against hand-worked examples from the data files
(assets/frameworks/QD25_2021.json and QD27_2025.json), auto figures against records inserted here, manual value
checks, import, storage (audit + outbox) and the CLI JSON shape. Structure against the verified texts, the
points-table loader and the year rules: tests/test_assessment_frameworks.py.

QĐ 25/2021 (points): every indicator is scored by hand 0–max (TT 09/2021 Phụ lục I's scale is not verified);
the data file's placeholder is 5 points per indicator (flagged "cần xác nhận"), so the maxima are
TC1 10 · TC2 30 · TC3 15 · TC4 25 · TC5 20 = 100. Recognised (QĐ 25/2021 Điều 4): total ≥ 80 (khoản 1), every
criterion ≥ 50 % of its maximum (khoản 2), DK3 (head subjected to administrative discipline / prosecuted) = No
(khoản 3). A missing value scores 0 and is named.
QĐ 27/2025 (meets): 3 criteria, 14 indicators, yes/no placeholders except TC1's two verified texts; every
indicator of a criterion met → criterion met; all 3 criteria met → recognised (rule flagged unverified).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from models.records import (
    Assessment,
    AuditEntry,
    DisseminationEvent,
    LegalAidCase,
    MediationCase,
    MediationTeam,
    Outbox,
    Person,
)
from services.assessment import (
    assess,
    auto,
    framework_for_year,
    get_framework,
    import_values,
    pick_framework,
    province_overview,
    set_values,
)
from services.assessment.frameworks import FRAMEWORKS_DIR, FrameworkError, check_framework
from services.errors import NotFoundError, ValidationError

ROOT = Path(__file__).resolve().parents[1]
COMMUNE = "06652"          # Phường Hà Tu, Quảng Ninh (province 22)
OTHER = "06658"
D = dt.date


# ----------------------------------------------------------------------------------------------- record helpers
def _person():
    return Person.create(full_name="Đặng Văn Đức", commune_code=COMMUNE)


def mediation(number, received, assigned=None, outcome="in_progress", commune=COMMUNE, deleted=False):
    return MediationCase.create(number=number, received_date=received, assigned_date=assigned, outcome=outcome,
                                commune_code=commune, dispute_field="dat_dai", deleted=deleted)


def team(name, genders, commune=COMMUNE):
    return MediationTeam.create(name=name, commune_code=commune,
                                members=[{"name": f"HGV {i}", "gender": g} for i, g in enumerate(genders)])


def event(date, participants=30, ethnic=0, language="vi", groups=(), commune=COMMUNE, deleted=False):
    return DisseminationEvent.create(date=date, commune_code=commune, form="hoi_nghi", topic="Luật Đất đai 2024",
                                     participants=participants, participants_women=participants // 2,
                                     participants_ethnic_minority=ethnic, language=language,
                                     target_groups=list(groups), deleted=deleted)


def legal_aid(number, received, status="referred", referred_to="Trung tâm TGPL tỉnh", person=None):
    person = person or _person()
    return LegalAidCase.create(number=number, received_date=received, commune_code=COMMUNE, requester=person,
                               beneficiary_category="2", legal_field="dat_dai", aid_form="tu_van", status=status,
                               referred_to=referred_to)


def records_2024():
    """The 2024 records used by the auto figures (figures worked out in each comment)."""
    from models.records import MediationSession
    # Mediation, received in 2024 in COMMUNE (Luật HGCS Điều 20 khoản 2: start within 3 days of assignment):
    m1 = mediation("HG-1", D(2024, 3, 1), D(2024, 3, 3), "thanh")     # first session 06/03: 3 days → in time
    m2 = mediation("HG-2", D(2024, 5, 10), D(2024, 5, 13), "khong_thanh")  # session 20/05: 7 days → late
    mediation("HG-3", D(2024, 6, 1), None, "thanh")                    # no assignment date: counted apart
    mediation("HG-4", D(2024, 7, 1), D(2024, 7, 2), "in_progress")     # working state, no session yet
    mediation("HG-5", D(2024, 8, 1), None, "ngoai_pham_vi")            # outside the scope (Điều 3): left out
    mediation("HG-6", D(2024, 8, 2), None, "thanh", deleted=True)      # deleted: left out
    mediation("HG-7", D(2024, 8, 3), None, "thanh", commune=OTHER)     # other commune: left out
    mediation("HG-8", D(2023, 12, 30), D(2024, 1, 9), "khong_thanh")   # received 2023: left out
    MediationSession.create(case=m1, date=D(2024, 3, 6))
    MediationSession.create(case=m1, date=D(2024, 3, 20))
    MediationSession.create(case=m2, date=D(2024, 5, 20))
    # => in scope 4: thành 2, không thành 1, working 1; success 2/3 = 66.7 %; in time 1, late 1,
    #    no assignment date 1, not started 1
    team("Tổ hòa giải khu 1", ["nam", "nu", "nam"])
    for month in (2, 3, 4, 6):                                        # 4 "hoi_nghi" sessions
        event(D(2024, month, 15))
    event(D(2024, 9, 9), participants=40, ethnic=25)
    event(D(2024, 10, 9), participants=20, language="09")
    event(D(2024, 11, 1), deleted=True)                               # deleted: not counted
    event(D(2023, 11, 1), ethnic=5)                                   # 2023: not counted
    # => sessions 6 (all form "hoi_nghi"); participants 4*30 + 40 + 20 = 180
    p = _person()
    legal_aid("TG-1", D(2024, 4, 1), person=p)                        # referred
    legal_aid("TG-2", D(2024, 9, 1), status="accepted", referred_to="", person=p)   # accepted here, not referred
    # => 2 requests, 1 referred to a legal-aid organisation (Luật TGPL Điều 42)


# QĐ 25/2021 example A — points entered by hand (placeholder maxima 5 per indicator):
#   TC1 = 1.1 5 + 1.2 4                                   =  9 / 10
#   TC2 = 2.1 5 + 2.2 5 + 2.3 4 + 2.4 4 + 2.5 5 + 2.6 4   = 27 / 30
#   TC3 = 3.1 4 + 3.2 5 + 3.3 5                           = 14 / 15
#   TC4 = 4.1 5 + 4.2 5 + 4.3 4 + 4.4 4 + 4.5 5           = 23 / 25
#   TC5 = 5.1 5 + 5.2 5 + 5.3 5 + 5.4 4                   = 19 / 20
#   total 92 ≥ 80; every criterion ≥ 50 %; DK3 = No → recognised
EXAMPLE_A = {"1.1": 5, "1.2": 4, "2.1": 5, "2.2": 5, "2.3": 4, "2.4": 4, "2.5": 5, "2.6": 4,
             "3.1": 4, "3.2": 5, "3.3": 5, "4.1": 5, "4.2": 5, "4.3": 4, "4.4": 4, "4.5": 5,
             "5.1": 5, "5.2": 5, "5.3": 5, "5.4": 4, "DK3": False}
FULL = {f"{c}.{i}": 5 for c, n in zip(range(1, 6), (2, 6, 3, 5, 4), strict=True) for i in range(1, n + 1)}


def points_of(card):
    return {c["id"]: c["points"] for c in card["criteria"]}


# ----------------------------------------------------------------------------------------------- data files
def test_framework_files_are_valid_and_complete():
    for path in sorted(FRAMEWORKS_DIR.glob("*.json")):
        check_framework(json.loads(path.read_text(encoding="utf-8")), path.name)
    qd25, qd27 = get_framework("QD25_2021"), get_framework("QD27_2025")
    assert qd25.name == "QĐ 25/2021/QĐ-TTg" and qd25.guidance() == "09/2021/TT-BTP" and qd25.style == "points"
    assert qd27.name == "QĐ 27/2025/QĐ-TTg" and qd27.guidance() == "15/2025/TT-BTP" and qd27.style == "meets"
    assert len(qd25.criteria) == 5 and len(qd25.indicators()) == 20                 # 5 tiêu chí, 20 chỉ tiêu
    assert sum(c["max_points"] for c in qd25.criteria) == 100                       # Điều 3 khoản 6
    assert qd25.recognition["total_min"] == 80 and qd25.recognition["criterion_min_ratio"] == 0.5
    assert len(qd27.criteria) == 3 and len(qd27.indicators()) == 14
    # verified items are not flagged; unverified ones are
    assert qd27.indicator("1.1")["unverified"] is False and qd27.indicator("1.2")["unverified"] is False
    assert qd27.indicator("2.1")["unverified"] is True and qd27.criteria[1]["unverified"] is True
    assert all(i["points_unverified"] for i in qd25.indicators())                  # TT 09/2021 Phụ lục I
    assert not any("when_empty" in i for f in (qd25, qd27) for i in f.indicators())


def test_malformed_framework_is_rejected_with_its_place_named():
    data = json.loads((FRAMEWORKS_DIR / "QD25_2021.json").read_text(encoding="utf-8"))
    data["criteria"][0]["indicators"][0]["max_points"] = 9          # criterion sum no longer 10
    data["criteria"][0]["indicators"][0]["value"]["max"] = 9
    with pytest.raises(FrameworkError, match="TC1"):
        check_framework(data, "edited.json")
    data = json.loads((FRAMEWORKS_DIR / "QD25_2021.json").read_text(encoding="utf-8"))
    data["criteria"][2]["indicators"][0]["when_empty"] = "met"      # a missing value is never met
    with pytest.raises(FrameworkError, match="when_empty"):
        check_framework(data, "edited.json")


# ----------------------------------------------------------------------------------------------- framework choice
@pytest.mark.parametrize("year,expected", [(2022, "QD25_2021"), (2024, "QD25_2021"), (2025, "QD27_2025"),
                                           (2026, "QD27_2025"), (2030, "QD27_2025")])
def test_framework_chosen_by_year(year, expected):
    """QĐ 25/2021 Điều 8: in force from 01/01/2022; the year 2021 is assessed under QĐ 619/QĐ-TTg."""
    assert framework_for_year(year).id == expected


def test_framework_override_and_unknown():
    assert pick_framework(2024, "QD25_2021").id == "QD25_2021"
    assert get_framework("QĐ 25/2021/QĐ-TTg").id == "QD25_2021"     # by name, accents and spaces ignored
    assert get_framework("qd27_2025").id == "QD27_2025"
    with pytest.raises(ValidationError, match="2022–2024"):
        pick_framework(2026, "QD25_2021")                             # a framework that does not cover the year
    with pytest.raises(ValidationError, match="QĐ 619"):
        framework_for_year(2021)
    with pytest.raises(ValidationError):
        framework_for_year(2019)
    with pytest.raises(NotFoundError):
        get_framework("QD99_2030")


def test_assessment_records_the_framework_it_used(db):
    card = set_values(COMMUNE, 2024, {"1.1": 5}, framework_id="QD25_2021")
    assert card["framework"] == "QĐ 25/2021/QĐ-TTg"
    a = Assessment.get()
    assert a.framework_id == "QD25_2021" and a.result["framework_version"] == get_framework("QD25_2021").version
    assert assess(COMMUNE, 2024)["framework_id"] == "QD25_2021"     # the saved choice is kept


# ----------------------------------------------------------------------------------------------- QĐ 25/2021
def test_qd25_example_a_recognised_with_92_points(db):
    records_2024()
    card = set_values(COMMUNE, 2024, EXAMPLE_A)
    assert card["framework"] == "QĐ 25/2021/QĐ-TTg"
    assert points_of(card) == {"TC1": 9, "TC2": 27, "TC3": 14, "TC4": 23, "TC5": 19}
    assert card["result"]["total_points"] == 92
    assert card["result"]["recognised"] is True and card["result"]["failed_conditions"] == []
    assert card["result"]["missing"] == []
    tc3 = {i["id"]: i for i in card["criteria"][2]["indicators"]}
    # the auto figures are evidence beside the hand-entered score, never the score itself
    assert tc3["3.1"]["source"] == "manual" and tc3["3.1"]["points"] == 4
    assert tc3["3.1"]["auto"]["figures"]["thanh"] == 2 and tc3["3.3"]["auto"]["figures"]["referred"] == 1


def test_qd25_head_disciplined_fails_only_that_condition(db):
    """QĐ 25/2021 Điều 4 khoản 3: no head of the commune's Party committee or government subjected to
    administrative discipline for breaking the law in office, or prosecuted — the words "kỷ luật hành chính"."""
    card = set_values(COMMUNE, 2024, {**EXAMPLE_A, "DK3": "có"})
    r = card["result"]
    assert r["total_points"] == 92 and r["recognised"] is False
    assert [f["code"] for f in r["failed_detail"]] == ["condition_failed"]
    assert "kỷ luật hành chính" in r["failed_conditions"][0] and "Điều 4 khoản 3" in r["failed_conditions"][0]
    assert "truy cứu trách nhiệm hình sự" in r["failed_conditions"][0]
    assert "kỷ luật hành chính" in card["conditions"][0]["name"]
    en = assess(COMMUNE, 2024, lang="en")["result"]["failed_conditions"]
    assert "administrative discipline" in en[0]


def test_qd25_high_total_but_one_criterion_below_half(db):
    """QĐ 25/2021 Điều 4 khoản 2: every criterion needs ≥ 50 % of its maximum, whatever the total.
    TC1 = 2 + 2 = 4 < 5 (50 % of 10); the others full: 30 + 15 + 25 + 20 = 90; total 94 ≥ 80."""
    card = set_values(COMMUNE, 2024, {**FULL, "1.1": 2, "1.2": 2, "DK3": "không"})
    assert points_of(card) == {"TC1": 4, "TC2": 30, "TC3": 15, "TC4": 25, "TC5": 20}
    r = card["result"]
    assert r["total_points"] == 94 and r["recognised"] is False
    assert [(f["code"], f["id"]) for f in r["failed_detail"]] == [("criterion_below_min", "TC1")]
    assert "4/10" in r["failed_conditions"][0] and "50%" in r["failed_conditions"][0]
    assert "Điều 4 khoản 2" in r["failed_conditions"][0]
    # exactly 50 % meets khoản 2 ("từ 50% … trở lên"): TC1 = 3 + 2 = 5
    card = set_values(COMMUNE, 2024, {"1.1": 3})
    assert card["result"]["recognised"] is True and points_of(card)["TC1"] == 5


def test_qd25_total_threshold_is_80_inclusive(db):
    """QĐ 25/2021 Điều 4 khoản 1: "từ 80 điểm trở lên". 20 indicators × 4 = 80 → recognised; one at 3,5 → 79,5."""
    card = set_values(COMMUNE, 2024, {**{k: 4 for k in FULL}, "DK3": "không"})
    assert card["result"]["total_points"] == 80 and card["result"]["recognised"] is True
    card = set_values(COMMUNE, 2024, {"5.4": "3,5"})
    r = card["result"]
    assert r["total_points"] == 79.5 and r["recognised"] is False
    assert [f["code"] for f in r["failed_detail"]] == ["total_below_min"]
    assert r["failed_conditions"][0] == "Tổng điểm 79,5 dưới 80 điểm (QĐ 25/2021/QĐ-TTg Điều 4 khoản 1)"


def test_qd25_missing_values_score_zero_and_are_named(db):
    """A missing value is never met: "chưa có số liệu", 0 points, named in failed_conditions and result.missing."""
    records_2024()                                                    # auto figures exist, but are not scores
    card = set_values(COMMUNE, 2024, {"1.1": 5, "1.2": 5})
    r = card["result"]
    assert r["total_points"] == 10 and r["recognised"] is False
    assert r["failed_conditions"][0] == "Tổng điểm 10 dưới 80 điểm (QĐ 25/2021/QĐ-TTg Điều 4 khoản 1)"
    assert r["missing"] == [k for k in FULL if not k.startswith("1.")] + ["DK3"]
    ind = {i["id"]: i for c in card["criteria"] for i in c["indicators"]}
    assert ind["3.1"]["value_text"] == "chưa có số liệu" and ind["3.1"]["points"] == 0 and ind["3.1"]["met"] is False
    assert ind["3.1"]["missing"] is True and ind["1.1"]["missing"] is False
    named = {f["id"] for f in r["failed_detail"] if f["code"] == "missing_value"}
    assert named == set(r["missing"])
    assert any("3.1" in t and "chưa có số liệu" in t for t in r["failed_conditions"])
    below = {f["id"] for f in r["failed_detail"] if f["code"] == "criterion_below_min"}
    assert below == {"TC2", "TC3", "TC4", "TC5"}


# ----------------------------------------------------------------------------------------------- QĐ 27/2025
QD27_ALL_MET = {i: "có" for i in ["1.1", "1.2"] + [f"2.{n}" for n in range(1, 7)] + [f"3.{n}" for n in range(1, 7)]}


def test_qd27_all_indicators_met_recognised(db):
    card = set_values(COMMUNE, 2026, QD27_ALL_MET)
    assert card["framework"] == "QĐ 27/2025/QĐ-TTg" and card["style"] == "meets"
    assert [c["result"] for c in card["criteria"]] == ["met", "met", "met"]
    assert card["result"] == {**card["result"], "recognised": True, "failed_conditions": [], "missing": []}
    assert card["data_source"]["points"]["verified"] is False              # placeholders still flagged


def test_qd27_one_indicator_not_met_or_missing_fails_its_criterion(db):
    card = set_values(COMMUNE, 2026, {**QD27_ALL_MET, "2.4": "không"})
    assert [c["result"] for c in card["criteria"]] == ["met", "not_met", "met"]
    r = card["result"]
    assert r["recognised"] is False
    assert [(f["code"], f["id"]) for f in r["failed_detail"]] == [("indicator_not_met", "2.4"),
                                                                  ("criterion_not_met", "TC2")]
    card = set_values(COMMUNE, 2026, {"2.4": "có", "3.6": None})      # 3.6 cleared → missing
    r = card["result"]
    assert r["missing"] == ["3.6"] and r["recognised"] is False
    ind = {i["id"]: i for c in card["criteria"] for i in c["indicators"]}
    assert ind["3.6"]["result"] == "missing" and ind["3.6"]["value_text"] == "chưa có số liệu"
    assert [(f["code"], f["id"]) for f in r["failed_detail"]] == [("missing_value", "3.6"),
                                                                  ("criterion_not_met", "TC3")]


# ----------------------------------------------------------------------------------------------- auto sources
def test_auto_figures_and_records_used(db):
    """Mediation figures use only the statutory outcomes thành (Luật HGCS Điều 24) / không thành (Điều 27);
    other codes are working states. Timeliness is Điều 20 khoản 2: first session ≤ 3 days after assignment."""
    records_2024()
    m = auto.compute("mediation.cases", COMMUNE, 2024)
    assert m.figures == {"in_scope": 4, "thanh": 2, "khong_thanh": 1, "working": 1, "started_in_time": 1,
                         "started_late": 1, "no_assignment_date": 1, "not_started": 1, "success_rate": 66.7}
    assert {r["number"]: (r["group"], r["start"]) for r in m.records} == {
        "HG-1": ("thanh", "started_in_time"), "HG-2": ("khong_thanh", "started_late"),
        "HG-3": ("thanh", "no_assignment_date"), "HG-4": ("working", "not_started")}
    assert "Điều 20 khoản 2" in m.text("vi")
    s = auto.compute("mediation.success_rate", COMMUNE, 2024)
    assert (s.value, s.figures) == (66.7, {"success": 2, "failed": 1, "closed": 3})
    d = auto.compute("dissemination.sessions", COMMUNE, 2024)
    assert d.value == 6 and d.figures["participants"] == 180 and len(d.records) == 6
    f = auto.compute("dissemination.forms", COMMUNE, 2024)
    assert f.figures["by_form"] == {"hoi_nghi": {"sessions": 6, "participants": 180}} and f.value == 1
    e = auto.compute("dissemination.ethnic_minority_sessions", COMMUNE, 2024)
    assert e.value == 2 and sorted(r["date"] for r in e.records) == ["2024-09-09", "2024-10-09"]
    t = auto.compute("mediation.teams_compliant_rate", COMMUNE, 2024)
    assert t.value == 100.0 and t.figures == {"teams": 1, "compliant": 1, "not_compliant": 0}
    la = auto.compute("legal_aid.referrals", COMMUNE, 2024)
    assert la.value == 1 and la.figures == {"received": 2, "referred": 1, "not_referred": 1}
    assert {r["number"]: r["group"] for r in la.records} == {"TG-1": "referred", "TG-2": "not_referred"}


def test_auto_sources_only_on_indicators_the_records_evidence():
    qd25 = get_framework("QD25_2021")
    autos = {i["id"]: i["auto"]["source"] for i in qd25.indicators() if i.get("auto")}
    assert autos == {"2.3": "dissemination.sessions", "2.4": "dissemination.forms", "3.1": "mediation.cases",
                     "3.3": "legal_aid.referrals"}
    assert all(i["auto"].get("use", "evidence") == "evidence" for i in qd25.indicators() if i.get("auto"))
    assert not any(i.get("auto") for i in get_framework("QD27_2025").indicators())


def test_in_year_warnings_list_missing_values(db):
    card = assess(COMMUNE, 2026, as_of=D(2026, 6, 30))
    w = {x["id"]: x for x in card["warnings"]}
    assert w["1.1"]["kind"] == "missing"
    assert assess(COMMUNE, 2025, as_of=D(2026, 3, 31))["warnings"] == []      # a past year has no warnings


# ----------------------------------------------------------------------------------------------- manual values
def test_out_of_range_manual_values_rejected_and_nothing_stored(db):
    with pytest.raises(ValidationError) as err:
        set_values(COMMUNE, 2024, {"1.1": 9, "2.1": "có lẽ", "DK3": "có lẽ", "C9.9": 1})
    by_field = err.value.by_field("vi")
    assert by_field["1.1"].startswith("Chỉ tiêu 1.1") and "0–5 điểm" in by_field["1.1"]
    assert "không phải là số" in by_field["2.1"]
    assert "Có/Không" in by_field["DK3"]
    assert "C9.9" in by_field["indicator_id"]
    assert "value 9 is outside the allowed range 0–5 points" in err.value.message("en")
    assert Assessment.select().count() == 0 and AuditEntry.select().count() == 0


def test_values_saved_under_old_ids_are_ignored_and_listed(db):
    """Before the rebuild, "C2.1" meant another indicator: such a stored value is never scored, only listed."""
    set_values(COMMUNE, 2024, {"1.1": 5})
    a = Assessment.get()
    Assessment.update(values={**a.values, "C2.1": {"value": 95, "evidence": ""}}).execute()
    card = assess(COMMUNE, 2024)
    assert card["ignored_values"] == ["C2.1"] and card["result"]["total_points"] == 5


def test_save_is_audited_and_queued_for_sync(db):
    set_values(COMMUNE, 2024, {"1.1": {"value": "4,5", "evidence": "Báo cáo 12/BC-UBND"}})
    a = Assessment.get()
    assert a.values == {"1.1": {"value": 4.5, "evidence": "Báo cáo 12/BC-UBND"}} and a.year == 2024
    set_values(COMMUNE, 2024, {"1.1": None})                        # clearing removes the value
    assert Assessment.get().values == {}
    actions = [e.action for e in AuditEntry.select().where(AuditEntry.record_id == a.id).order_by(AuditEntry.at)]
    assert actions == ["create", "update"]
    assert Outbox.select().where((Outbox.kind == "assessment") & (Outbox.record_id == a.id)).exists()


def test_import_values_all_or_nothing(db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("indicator_id;value;evidence\n1.1;5;Báo cáo\n2.1;15;\nDK3;không;\n1.1;4;\n", encoding="utf-8-sig")
    with pytest.raises(ValidationError) as err:
        import_values(COMMUNE, 2024, bad)
    assert {(e.row, e.field) for e in err.value.errors} == {(5, "indicator_id")}    # duplicate 1.1 on row 5
    bad.write_text("indicator_id,value,evidence\n1.1,5,Báo cáo\n2.1,15,\nDK3,không,\n", encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        import_values(COMMUNE, 2024, bad)
    assert [(e.row, e.field) for e in err.value.errors] == [(3, "2.1")]
    assert Assessment.select().count() == 0

    import xlsxwriter
    good = tmp_path / "good.xlsx"
    wb = xlsxwriter.Workbook(str(good))
    ws = wb.add_worksheet()
    for r, row in enumerate([["indicator_id", "value", "evidence"], ["1.1", 5, "Báo cáo số 3"],
                             ["2.1", "3,5", ""], ["DK3", "Không", "Xác nhận của Đảng ủy"]]):
        ws.write_row(r, 0, row)
    wb.close()
    from tests.test_import_export import _stale_dimension, rewrite_sheet
    rewrite_sheet(good, _stale_dimension)        # a stale <dimension> never drops rows (issue 14 item 4)
    res = import_values(COMMUNE, 2024, good)
    assert res["imported"] == 3
    ind = {i["id"]: i for c in res["card"]["criteria"] for i in c["indicators"]}
    assert ind["1.1"]["points"] == 5 and ind["1.1"]["evidence"] == "Báo cáo số 3"
    assert ind["2.1"]["value"] == 3.5 and ind["2.1"]["points"] == 3.5
    assert res["card"]["conditions"][0]["met"] is True


# ----------------------------------------------------------------------------------------------- province + previous
def test_province_view_and_previous_year(db):
    set_values(COMMUNE, 2024, EXAMPLE_A)
    set_values(OTHER, 2024, {**EXAMPLE_A, "DK3": True})
    ov = province_overview("22", 2024)
    # 2024 lists the units of 2024 (the 2025 reorganisation took effect on 01/07/2025): old codes
    rows = {r["historic_commune_code"] or r["commune"]: r for r in ov["communes"]}
    assert ov["counts"]["communes"] == len(rows) > 150 and ov["counts"]["assessed"] == 2
    assert ov["counts"]["recognised"] == 1
    assert rows[COMMUNE]["recognised"] is True and rows[COMMUNE]["total_points"] == 92
    assert rows[OTHER]["recognised"] is False and rows[OTHER]["assessed"] is True
    assert rows["06661"]["assessed"] is False and rows["06661"]["recognised"] is False
    only = province_overview("22", 2024, only_assessed=True)
    assert [r["historic_commune_code"] for r in only["communes"]] == sorted([COMMUNE, OTHER])
    # the previous year of a post-reform commune is its only predecessor's (06967 Xã Cái Chiên stayed as it
    # was); a commune made of several old units (06652) has no single previous year
    set_values("06967", 2024, EXAMPLE_A)
    prev = assess("06967", 2025)["previous"]
    assert prev["year"] == 2024 and prev["recognised"] is True and prev["total_points"] == 92
    assert prev["framework"] == "QĐ 25/2021/QĐ-TTg"
    assert assess(COMMUNE, 2025)["previous"] is None
    assert assess(COMMUNE, 2022)["previous"] is None                # 2021: no framework of this app


def _pdf_text(path) -> str:
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())                                     # wrapped lines joined


def test_scorecard_pdf_and_xlsx(db, tmp_path):
    from openpyxl import load_workbook

    from services.assessment.renderers import render, render_province
    card = set_values(COMMUNE, 2024, {**EXAMPLE_A, "DK3": True, "5.4": None})
    render(card, "pdf", tmp_path / "card.pdf")
    text = _pdf_text(tmp_path / "card.pdf")
    # a 2024 scorecard is headed by the ward of 2024 (06652 read as old Phường Hà Phong, TP Hạ Long)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Phường Hà Phong" in text and "Hà Tu" not in text
    assert "CHƯA ĐẠT CHUẨN" in text and "88/100" in text and "bị truy cứu trách nhiệm hình sự" in text
    assert "kỷ luật hành chính" in text
    # the flag and the points source are printed (TT 09/2021 Phụ lục I not verified)
    assert "cần xác nhận: điểm" in text
    assert "Nguồn bảng điểm/chỉ tiêu: Điểm tạm tính của ứng dụng (5 điểm/chỉ tiêu)" in text
    assert "chưa có số liệu" in text
    render(card, "xlsx", tmp_path / "card.xlsx")
    ws = load_workbook(tmp_path / "card.xlsx").active
    cells = [c for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert "CHƯA ĐẠT CHUẨN" in cells and 88 in cells and "cần xác nhận: điểm" in cells
    assert any(isinstance(c, str) and c.startswith("Nguồn bảng điểm/chỉ tiêu") for c in cells)
    ov = province_overview("22", 2024, only_assessed=True)
    render_province(ov, "pdf", tmp_path / "list.pdf")
    text = _pdf_text(tmp_path / "list.pdf")
    assert "DANH SÁCH XÃ, PHƯỜNG, ĐẶC KHU ĐẠT CHUẨN" in text and "Phường Hà Phong" in text
    assert "Nguồn bảng điểm/chỉ tiêu: Điểm tạm tính" in text
    render_province(ov, "xlsx", tmp_path / "list.xlsx")
    assert load_workbook(tmp_path / "list.xlsx").active["C5"].value == "Phường Hà Phong"
    assert json.loads(render(card, "json", tmp_path / "card.json"))["criteria"] == card["criteria"]
    assert json.loads((tmp_path / "card.json").read_text(encoding="utf-8"))["result"] == card["result"]
    with pytest.raises(ValidationError):
        render(card, "docx", tmp_path / "card.docx")


# ----------------------------------------------------------------------------------------------- CLI
def _cli(data_dir, *args):
    env = {**os.environ, "PLCS_DATA_DIR": str(data_dir)}
    env.pop("PLCS_PASSPHRASE", None)
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120)


def test_cli_json_shape_set_and_bad_value(data_dir):
    r = _cli(data_dir, "assess-set", COMMUNE, "--year", "2024", "--set", "1.1=5", "1.2=4", "DK3=không",
             "--evidence", "1.1=Báo cáo 12/BC-UBND")
    assert r.returncode == 0, r.stderr
    r = _cli(data_dir, "assess-set", COMMUNE, "--year", "2024", "--set", "1.1=9")
    assert r.returncode == 2 and "1.1" in r.stderr and "0–5" in r.stderr
    r = _cli(data_dir, "assess", COMMUNE, "--year", "2024", "--format", "json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert {"framework", "commune", "year", "criteria", "result"} <= set(out)
    assert out["framework"] == "QĐ 25/2021/QĐ-TTg" and out["commune"] == COMMUNE and out["year"] == 2024
    for crit in out["criteria"]:
        assert {"name", "indicators", "result"} <= set(crit)
        for ind in crit["indicators"]:
            assert {"name", "result", "source", "evidence"} <= set(ind) and ind["source"] in ("auto", "manual")
    first = out["criteria"][0]["indicators"][0]
    assert first["result"] == 5 and first["evidence"] == "Báo cáo 12/BC-UBND"
    assert isinstance(out["result"]["recognised"], bool) and isinstance(out["result"]["failed_conditions"], list)
    assert "2.1" in out["result"]["missing"]
    ps = out["data_source"]["points"]
    assert ps["verified"] is False and ps["loaded_at"] is None and "Phụ lục I TT 09/2021/TT-BTP" in ps["source"]
    r = _cli(data_dir, "assess", COMMUNE, "--year", "2026", "--framework", "QD27_2025", "--format", "json")
    assert json.loads(r.stdout)["framework"] == "QĐ 27/2025/QĐ-TTg"
    r = _cli(data_dir, "assess", "99999", "--year", "2024", "--format", "json")
    assert r.returncode == 2 and r.stdout == ""
