"""Commune legal-access assessment: both frameworks against hand-worked examples from the data files
(assets/frameworks/QD25_2021.json and QD27_2025.json), auto-filled indicators against records inserted here,
manual value checks, import, storage (audit + outbox) and the CLI JSON shape.

The arithmetic of every example is written next to it, from the points/bands/thresholds in the data files:
QĐ 25/2021 (points): TC1 = C1.1 direct 0–8 + C1.2 yes→6 + C1.3 direct 0–6 (20)
                     TC2 = C2.1 %≥100→6,≥90→4,≥80→2 + C2.2 direct 0–4 + C2.3 (same bands as C2.1) + C2.4 0–4 (20)
                     TC3 = C3.1 yes→4 + C3.2 0–3 + C3.3 %≥100→4,≥90→3,≥70→2 + C3.4 sessions ≥12→3,≥6→2,≥1→1
                           + C3.5 0–3 + C3.6 ethnic-minority sessions ≥4→3,≥2→2,≥1→1 (20)
                     TC4 = C4.1 teams %=100→5,≥80→3 + C4.2 in-time %≥90→5,≥70→3 + C4.3 success %≥80→5,≥60→3
                           + C4.4 legal aid handled %=100→5,≥80→3 (20)
                     TC5 = C5.1 0–7 + C5.2 0–7 + C5.3 0–6 (20)
                     recognised: total ≥ 80, every criterion ≥ 10 (50 % of 20), DK3 (head disciplined?) = No.
QĐ 27/2025 (meets): every indicator of a criterion met → criterion met; all 3 criteria met and
                     DK_KY_LUAT = No → recognised.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from models.records import (Assessment, AuditEntry, DisseminationEvent, LegalAidCase, MediationCase, MediationTeam,
                            Outbox, Person)
from services.assessment import (assess, framework_for_year, get_framework, import_values, pick_framework,
                                 province_overview, set_values)
from services.assessment import auto
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
    """The 2024 records of example A (figures worked out in each comment)."""
    # Mediation, received in 2024 in COMMUNE:
    mediation("HG-1", D(2024, 3, 1), D(2024, 3, 3), "thanh")          # assigned after 2 days: in time
    mediation("HG-2", D(2024, 5, 10), D(2024, 5, 13), "thanh")        # after 3 days: in time (limit is 3)
    mediation("HG-3", D(2024, 6, 1), D(2024, 6, 5), "khong_thanh")    # after 4 days: late
    mediation("HG-4", D(2024, 7, 1), D(2024, 7, 2), "thanh")          # in time
    mediation("HG-5", D(2024, 8, 1), None, "ngoai_pham_vi")           # outside the scope: not counted
    mediation("HG-6", D(2024, 8, 2), None, "thanh", deleted=True)     # deleted: not counted
    mediation("HG-7", D(2024, 8, 3), None, "thanh", commune=OTHER)    # other commune: not counted
    mediation("HG-8", D(2023, 12, 30), D(2024, 1, 9), "khong_thanh")  # received 2023: not counted
    # => in time 3 of 4 counted = 75 % ; success thành 3 / (thành 3 + không thành 1) = 75 %
    team("Tổ hòa giải khu 1", ["nam", "nu", "nam"])                   # 3 members incl. a woman: compliant
    team("Tổ hòa giải khu 2", ["nu", "nu", "nam", "nam"])             # compliant
    # => teams 2/2 = 100 %
    for month in (2, 3, 4, 6):                                        # 4 ordinary sessions
        event(D(2024, month, 15))
    event(D(2024, 9, 9), participants=40, ethnic=25)                  # ethnic-minority participants
    event(D(2024, 10, 9), participants=20, language="09")             # in Tiếng Dao
    event(D(2024, 11, 1), deleted=True)                               # deleted: not counted
    event(D(2023, 11, 1), ethnic=5)                                   # 2023: not counted
    # => sessions 6 ; ethnic-minority sessions 2 ; participants 4*30 + 40 + 20 = 180
    p = _person()
    legal_aid("TG-1", D(2024, 4, 1), person=p)                        # referred
    legal_aid("TG-2", D(2024, 9, 1), status="accepted", referred_to="", person=p)   # accepted
    # => legal aid handled 2/2 = 100 %


# QĐ 25/2021 example A — manual values; auto indicators come from records_2024():
#   TC1 = C1.1 8 + C1.2 yes 6 + C1.3 5                                      = 19
#   TC2 = C2.1 95 % → 4 + C2.2 4 + C2.3 100 % → 6 + C2.4 3                  = 17
#   TC3 = C3.1 yes 4 + C3.2 3 + C3.3 92 % → 3 + C3.4 6 sessions → 2
#         + C3.5 2 + C3.6 2 ethnic-minority sessions → 2                     = 16
#   TC4 = C4.1 100 % → 5 + C4.2 75 % → 3 + C4.3 75 % → 3 + C4.4 100 % → 5   = 16
#   TC5 = C5.1 6 + C5.2 6 + C5.3 5                                          = 17
#   total 19 + 17 + 16 + 16 + 17 = 85 ≥ 80; every criterion ≥ 10; DK3 = No → recognised
EXAMPLE_A = {"C1.1": 8, "C1.2": True, "C1.3": 5, "C2.1": 95, "C2.2": 4, "C2.3": 100, "C2.4": 3,
             "C3.1": True, "C3.2": 3, "C3.3": 92, "C3.5": 2, "C5.1": 6, "C5.2": 6, "C5.3": 5, "DK3": False}


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
    assert sum(c["max_points"] for c in qd25.criteria) == 100
    assert qd25.recognition["total_min"] == 80 and qd25.recognition["criterion_min_ratio"] == 0.5
    assert [c["name_vi"] for c in qd27.criteria][0] == "Ban hành văn bản quy phạm pháp luật"
    assert len(qd27.criteria) == 3
    # verified items are not flagged; unverified ones are
    assert qd27.indicator("C1.1")["unverified"] is False and qd27.indicator("C1.2")["unverified"] is False
    assert qd27.indicator("C1.3")["unverified"] is True and qd27.criteria[1]["unverified"] is True


def test_malformed_framework_is_rejected_with_its_place_named():
    data = json.loads((FRAMEWORKS_DIR / "QD25_2021.json").read_text(encoding="utf-8"))
    data["criteria"][0]["indicators"][0]["max_points"] = 9          # criterion sum no longer 20
    with pytest.raises(FrameworkError, match="TC1"):
        check_framework(data, "edited.json")


# ----------------------------------------------------------------------------------------------- framework choice
@pytest.mark.parametrize("year,expected", [(2021, "QD25_2021"), (2024, "QD25_2021"), (2025, "QD27_2025"),
                                           (2026, "QD27_2025"), (2030, "QD27_2025")])
def test_framework_chosen_by_year(year, expected):
    assert framework_for_year(year).id == expected


def test_framework_override_and_unknown():
    assert pick_framework(2026, "QD25_2021").id == "QD25_2021"
    assert get_framework("QĐ 25/2021/QĐ-TTg").id == "QD25_2021"     # by name, accents and spaces ignored
    assert get_framework("qd27_2025").id == "QD27_2025"
    with pytest.raises(ValidationError):
        framework_for_year(2019)
    with pytest.raises(NotFoundError):
        get_framework("QD99_2030")


def test_assessment_records_the_framework_it_used(db):
    card = set_values(COMMUNE, 2026, {"C1.1": 8}, framework_id="QD25_2021")
    assert card["framework"] == "QĐ 25/2021/QĐ-TTg"
    a = Assessment.get()
    assert a.framework_id == "QD25_2021" and a.result["framework_version"] == get_framework("QD25_2021").version
    assert assess(COMMUNE, 2026)["framework_id"] == "QD25_2021"     # the saved choice is kept


# ----------------------------------------------------------------------------------------------- QĐ 25/2021
def test_qd25_example_a_recognised_with_85_points(db):
    records_2024()
    card = set_values(COMMUNE, 2024, EXAMPLE_A)
    assert card["framework"] == "QĐ 25/2021/QĐ-TTg"
    assert points_of(card) == {"TC1": 19, "TC2": 17, "TC3": 16, "TC4": 16, "TC5": 17}
    assert card["result"]["total_points"] == 85
    assert card["result"]["recognised"] is True and card["result"]["failed_conditions"] == []
    c4 = {i["id"]: i for i in card["criteria"][3]["indicators"]}
    assert c4["C4.2"]["source"] == "auto" and c4["C4.2"]["value"] == 75.0 and c4["C4.2"]["points"] == 3


def test_qd25_85_points_but_head_disciplined_fails_only_that_condition(db):
    records_2024()
    # Example A with DK3 = Yes: still 85 points, every criterion ≥ 10, but the discipline condition fails.
    card = set_values(COMMUNE, 2024, {**EXAMPLE_A, "DK3": "có"})
    r = card["result"]
    assert r["total_points"] == 85 and r["recognised"] is False
    assert [f["code"] for f in r["failed_detail"]] == ["condition_failed"]
    assert r["failed_conditions"] == ["Có người đứng đầu cấp ủy, chính quyền cấp xã bị xử lý kỷ luật hoặc bị truy "
                                      "cứu trách nhiệm hình sự trong năm đánh giá"]
    en = assess(COMMUNE, 2024, lang="en")["result"]["failed_conditions"]
    assert en == ["A head of the commune's Party committee or government was disciplined or prosecuted during the year"]


def test_qd25_86_points_but_one_criterion_below_half(db):
    # No records at all: every auto indicator gets a manual value (a manual value overrides the auto one).
    #   TC1 = 8 + 6 + 6                                              = 20
    #   TC2 = 100 % → 6 + 4 + 100 % → 6 + 4                          = 20
    #   TC3 = C3.1 No 0 + C3.2 1 + C3.3 50 % → 0 (below 70) + C3.4 12 → 3 + C3.5 1 + C3.6 1 → 1 = 6  (< 10)
    #   TC4 = 100 % → 5 + 95 % → 5 + 85 % → 5 + 100 % → 5            = 20
    #   TC5 = 7 + 7 + 6                                              = 20
    #   total 86 ≥ 80, yet TC3 has 6/20 < 50 % → not recognised, and that is the only failing condition.
    values = {"C1.1": 8, "C1.2": True, "C1.3": 6, "C2.1": 100, "C2.2": 4, "C2.3": 100, "C2.4": 4,
              "C3.1": False, "C3.2": 1, "C3.3": 50, "C3.4": 12, "C3.5": 1, "C3.6": 1,
              "C4.1": 100, "C4.2": 95, "C4.3": 85, "C4.4": 100, "C5.1": 7, "C5.2": 7, "C5.3": 6, "DK3": "không"}
    card = set_values(COMMUNE, 2024, values)
    assert points_of(card) == {"TC1": 20, "TC2": 20, "TC3": 6, "TC4": 20, "TC5": 20}
    r = card["result"]
    assert r["total_points"] == 86 and r["recognised"] is False
    assert [(f["code"], f["id"]) for f in r["failed_detail"]] == [("criterion_below_min", "TC3")]
    assert "TC3" in r["failed_conditions"][0] and "6/20" in r["failed_conditions"][0] and "50%" in r["failed_conditions"][0]
    c4 = card["criteria"][3]["indicators"]
    assert all(i["source"] == "manual" and i["overrides_auto"] for i in c4)


def test_qd25_total_below_80_and_missing_values_are_named(db):
    # Only TC1 entered: 8 + 6 + 6 = 20; TC4's auto indicators with no records: C4.1 no teams → 0 (when_empty
    # not_met), C4.2/C4.3/C4.4 nothing to count → full 5 each = 15; total 35 < 80.
    card = set_values(COMMUNE, 2024, {"C1.1": 8, "C1.2": True, "C1.3": 6})
    r = card["result"]
    assert r["total_points"] == 35 and r["recognised"] is False
    codes = [f["code"] for f in r["failed_detail"]]
    assert codes[0] == "total_below_min" and r["failed_conditions"][0] == "Tổng điểm 35 dưới 80 điểm"
    missing = {f["id"] for f in r["failed_detail"] if f["code"] == "missing_value"}
    assert {"C2.1", "C5.3", "DK3"} <= missing and "C1.1" not in missing
    below = {f["id"] for f in r["failed_detail"] if f["code"] == "criterion_below_min"}
    assert below == {"TC2", "TC3", "TC5"}


# ----------------------------------------------------------------------------------------------- QĐ 27/2025
def records_2026():
    team("Tổ hòa giải khu 1", ["nam", "nu", "nam"])                  # compliant → C3.1 100 %
    for month in (2, 4, 6, 8):
        event(D(2026, month, 10))                                     # 4 sessions → C2.5 meets (min 4)
    # no mediation cases, no legal-aid requests → C2.8, C3.2, C3.3 "nothing to count" → met (when_empty)


QD27_ALL_MET = {"C1.1": "có", "C1.2": "có", "C1.3": "có", "C2.1": "có", "C2.2": "đạt", "C2.3": 100, "C2.4": 95,
                "C2.6": "yes", "C2.7": True, "C3.4": "có", "C3.5": "có", "DK_KY_LUAT": "không"}


def test_qd27_all_indicators_met_recognised(db):
    records_2026()
    card = set_values(COMMUNE, 2026, QD27_ALL_MET)
    assert card["framework"] == "QĐ 27/2025/QĐ-TTg" and card["style"] == "meets"
    assert [c["result"] for c in card["criteria"]] == ["met", "met", "met"]
    assert card["result"] == {**card["result"], "recognised": True, "failed_conditions": []}
    ind = {i["id"]: i for c in card["criteria"] for i in c["indicators"]}
    assert ind["C2.5"]["source"] == "auto" and ind["C2.5"]["value"] == 4 and ind["C2.5"]["result"] == "met"
    assert ind["C3.1"]["value"] == 100.0 and ind["C3.1"]["result"] == "met"
    assert ind["C3.3"]["value"] is None and ind["C3.3"]["result"] == "met"        # no closed cases: met


def test_qd27_one_indicator_not_met_fails_its_criterion(db):
    records_2026()
    # C2.4 plan completion 85 % < 90 % → C2.4 not met → TC2 (all indicators required) not met → not recognised.
    card = set_values(COMMUNE, 2026, {**QD27_ALL_MET, "C2.4": "85"})
    assert [c["result"] for c in card["criteria"]] == ["met", "not_met", "met"]
    r = card["result"]
    assert r["recognised"] is False
    assert [(f["code"], f["id"]) for f in r["failed_detail"]] == [("indicator_not_met", "C2.4"),
                                                                  ("criterion_not_met", "TC2")]
    assert "C2.4" in r["failed_conditions"][0] and "85%" in r["failed_conditions"][0] and "90%" in r["failed_conditions"][0]


def test_qd27_team_without_a_woman_fails_mediation_criterion(db):
    records_2026()
    team("Tổ hòa giải khu 2", ["nam", "nam", "nam"])                  # no woman → 1/2 = 50 % < 100 %
    card = set_values(COMMUNE, 2026, QD27_ALL_MET)
    ind = {i["id"]: i for c in card["criteria"] for i in c["indicators"]}
    assert ind["C3.1"]["value"] == 50.0 and ind["C3.1"]["result"] == "not_met"
    assert card["criteria"][2]["result"] == "not_met" and card["result"]["recognised"] is False
    bad = [r for r in ind["C3.1"]["auto"]["records"] if r["group"] == "not_compliant"]
    assert [(r["number"], r["problems"]) for r in bad] == [("Tổ hòa giải khu 2", ["no_woman"])]


# ----------------------------------------------------------------------------------------------- auto sources
def test_auto_values_return_figures_and_records_used(db):
    records_2024()
    m = auto.compute("mediation.assigned_in_time_rate", COMMUNE, 2024)
    assert m.value == 75.0
    assert m.figures == {"cases": 4, "counted": 4, "in_time": 3, "late": 1, "pending": 0}
    assert {r["number"]: r["group"] for r in m.records} == {"HG-1": "in_time", "HG-2": "in_time", "HG-3": "late",
                                                           "HG-4": "in_time"}
    s = auto.compute("mediation.success_rate", COMMUNE, 2024)
    assert (s.value, s.figures) == (75.0, {"success": 3, "failed": 1, "closed": 4})
    assert sorted(r["number"] for r in s.records) == ["HG-1", "HG-2", "HG-3", "HG-4"]
    assert "thành / (thành + không thành)" in s.text("vi")
    d = auto.compute("dissemination.sessions", COMMUNE, 2024)
    assert d.value == 6 and d.figures["participants"] == 180 and len(d.records) == 6
    e = auto.compute("dissemination.ethnic_minority_sessions", COMMUNE, 2024)
    assert e.value == 2 and sorted(r["date"] for r in e.records) == ["2024-09-09", "2024-10-09"]
    t = auto.compute("mediation.teams_compliant_rate", COMMUNE, 2024)
    assert t.value == 100.0 and t.figures == {"teams": 2, "compliant": 2, "not_compliant": 0}
    la = auto.compute("legal_aid.handled_rate", COMMUNE, 2024)
    assert la.value == 100.0 and la.figures["received"] == 2 and la.figures["referred"] == 1
    assert sorted(r["number"] for r in la.records) == ["TG-1", "TG-2"]


def test_auto_in_year_pending_and_overdue(db):
    # as of 01/06/2026: HG-A received 30/05 with no mediator is still inside its 3 days (pending, not counted);
    # HG-B received 01/05 with no mediator is overdue (late); HG-C assigned in 1 day (in time) → 1/2 = 50 %.
    mediation("HG-A", D(2026, 5, 30))
    mediation("HG-B", D(2026, 5, 1))
    mediation("HG-C", D(2026, 4, 1), D(2026, 4, 2))
    m = auto.compute("mediation.assigned_in_time_rate", COMMUNE, 2026, as_of=D(2026, 6, 1))
    assert m.figures == {"cases": 3, "counted": 2, "in_time": 1, "late": 1, "pending": 1} and m.value == 50.0
    # a legal-aid request still "received" after its 3-day window counts as not handled
    p = _person()
    legal_aid("TG-A", D(2026, 5, 1), status="received", referred_to="", person=p)
    legal_aid("TG-B", D(2026, 5, 2), person=p)
    la = auto.compute("legal_aid.handled_rate", COMMUNE, 2026, as_of=D(2026, 6, 1))
    assert la.value == 50.0 and la.figures["not_handled"] == 1


def test_in_year_warning_projects_counts_to_year_end(db):
    event(D(2026, 2, 1))
    # 30/06/2026 is day 181 of 365: 1 session so far → projected 1 / (181/365) ≈ 2.0 < 4 required → warning.
    card = assess(COMMUNE, 2026, as_of=D(2026, 6, 30))
    w = {x["id"]: x for x in card["warnings"]}
    assert w["C2.5"]["kind"] == "at_risk" and w["C2.5"]["projected"] == 2.0
    assert w["C1.1"]["kind"] == "missing"
    # 31/03/2026 is day 90: projected 1 / (90/365) ≈ 4.1 ≥ 4 → no warning for C2.5.
    card = assess(COMMUNE, 2026, as_of=D(2026, 3, 31))
    assert "C2.5" not in {x["id"] for x in card["warnings"]}
    assert assess(COMMUNE, 2025, as_of=D(2026, 3, 31))["warnings"] == []      # a past year has no warnings


# ----------------------------------------------------------------------------------------------- manual values
def test_out_of_range_manual_values_rejected_and_nothing_stored(db):
    with pytest.raises(ValidationError) as err:
        set_values(COMMUNE, 2024, {"C1.1": 9, "C2.1": "120%", "C1.2": "có lẽ", "C9.9": 1})
    by_field = err.value.by_field("vi")
    assert by_field["C1.1"].startswith("Chỉ tiêu C1.1") and "0–8 điểm" in by_field["C1.1"]
    assert "nằm ngoài phạm vi cho phép 0–100%" in by_field["C2.1"]
    assert "Có/Không" in by_field["C1.2"]
    assert "C9.9" in by_field["indicator_id"]
    assert "value 9 is outside the allowed range 0–8 points" in err.value.message("en")
    assert Assessment.select().count() == 0 and AuditEntry.select().count() == 0


def test_save_is_audited_and_queued_for_sync(db):
    set_values(COMMUNE, 2024, {"C1.1": {"value": "7,5", "evidence": "Báo cáo 12/BC-UBND"}})
    a = Assessment.get()
    assert a.values == {"C1.1": {"value": 7.5, "evidence": "Báo cáo 12/BC-UBND"}} and a.year == 2024
    set_values(COMMUNE, 2024, {"C1.1": None})                        # clearing removes the value
    assert Assessment.get().values == {}
    actions = [e.action for e in AuditEntry.select().where(AuditEntry.record_id == a.id).order_by(AuditEntry.at)]
    assert actions == ["create", "update"]
    assert Outbox.select().where((Outbox.kind == "assessment") & (Outbox.record_id == a.id)).exists()


def test_import_values_all_or_nothing(db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("indicator_id;value;evidence\nC1.1;8;Báo cáo\nC2.1;150;\nC1.2;có;\nC1.1;7;\n", encoding="utf-8-sig")
    with pytest.raises(ValidationError) as err:
        import_values(COMMUNE, 2024, bad)
    assert {(e.row, e.field) for e in err.value.errors} == {(5, "indicator_id")}    # duplicate C1.1 on row 5
    bad.write_text("indicator_id,value,evidence\nC1.1,8,Báo cáo\nC2.1,150,\nC1.2,có,\n", encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        import_values(COMMUNE, 2024, bad)
    assert [(e.row, e.field) for e in err.value.errors] == [(3, "C2.1")]
    assert Assessment.select().count() == 0

    import xlsxwriter
    good = tmp_path / "good.xlsx"
    wb = xlsxwriter.Workbook(str(good))
    ws = wb.add_worksheet()
    for r, row in enumerate([["indicator_id", "value", "evidence"], ["C1.1", 8, "Báo cáo số 3"],
                             ["C2.1", "96,5%", ""], ["DK3", "Không", "Xác nhận của Đảng ủy"]]):
        ws.write_row(r, 0, row)
    wb.close()
    res = import_values(COMMUNE, 2024, good)
    assert res["imported"] == 3
    ind = {i["id"]: i for c in res["card"]["criteria"] for i in c["indicators"]}
    assert ind["C1.1"]["points"] == 8 and ind["C1.1"]["evidence"] == "Báo cáo số 3"
    assert ind["C2.1"]["value"] == 96.5 and ind["C2.1"]["points"] == 4            # ≥ 90 → 4
    assert res["card"]["conditions"][0]["met"] is True


# ----------------------------------------------------------------------------------------------- province + previous
def test_province_view_and_previous_year(db):
    records_2024()
    set_values(COMMUNE, 2024, EXAMPLE_A)
    set_values(OTHER, 2024, {**EXAMPLE_A, "DK3": True})
    ov = province_overview("22", 2024)
    rows = {r["commune"]: r for r in ov["communes"]}
    assert ov["counts"]["communes"] == len(rows) > 50 and ov["counts"]["assessed"] == 2
    assert ov["counts"]["recognised"] == 1
    assert rows[COMMUNE]["recognised"] is True and rows[COMMUNE]["total_points"] == 85
    assert rows[OTHER]["recognised"] is False and rows[OTHER]["assessed"] is True
    assert rows["06661"]["assessed"] is False and rows["06661"]["recognised"] is False
    only = province_overview("22", 2024, only_assessed=True)
    assert [r["commune"] for r in only["communes"]] == sorted([COMMUNE, OTHER])
    prev = assess(COMMUNE, 2025)["previous"]
    assert prev["year"] == 2024 and prev["recognised"] is True and prev["total_points"] == 85
    assert prev["framework"] == "QĐ 25/2021/QĐ-TTg"


def test_scorecard_pdf_and_xlsx(db, tmp_path):
    from openpyxl import load_workbook

    from services.assessment.pdf import province_pdf, scorecard_pdf
    from services.assessment.xlsx import province_xlsx, scorecard_xlsx
    records_2024()
    card = set_values(COMMUNE, 2024, {**EXAMPLE_A, "DK3": True})
    scorecard_pdf(card, tmp_path / "card.pdf")
    text = subprocess.run(["pdftotext", str(tmp_path / "card.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    text = " ".join(text.split())                                     # wrapped lines joined
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Phường Hà Tu" in text
    assert "CHƯA ĐẠT CHUẨN" in text and "85/100" in text and "bị truy cứu trách nhiệm hình sự" in text
    scorecard_xlsx(card, tmp_path / "card.xlsx")
    ws = load_workbook(tmp_path / "card.xlsx").active
    cells = [c for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert "CHƯA ĐẠT CHUẨN" in cells and 85 in cells
    ov = province_overview("22", 2024, only_assessed=True)
    province_pdf(ov, tmp_path / "list.pdf")
    text = subprocess.run(["pdftotext", str(tmp_path / "list.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "DANH SÁCH XÃ, PHƯỜNG, ĐẶC KHU ĐẠT CHUẨN" in text and "Phường Hà Tu" in text
    province_xlsx(ov, tmp_path / "list.xlsx")
    assert load_workbook(tmp_path / "list.xlsx").active["C5"].value == "Phường Hà Tu"


# ----------------------------------------------------------------------------------------------- CLI
def _cli(data_dir, *args):
    env = {**os.environ, "PLCS_DATA_DIR": str(data_dir)}
    env.pop("PLCS_PASSPHRASE", None)
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120)


def test_cli_json_shape_set_and_bad_value(data_dir):
    r = _cli(data_dir, "assess-set", COMMUNE, "--year", "2024", "--set", "C1.1=8", "C1.2=có", "DK3=không",
             "--evidence", "C1.1=Báo cáo 12/BC-UBND")
    assert r.returncode == 0, r.stderr
    r = _cli(data_dir, "assess-set", COMMUNE, "--year", "2024", "--set", "C1.1=9")
    assert r.returncode == 2 and "C1.1" in r.stderr and "0–8" in r.stderr
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
    assert first["result"] == 8 and first["evidence"] == "Báo cáo 12/BC-UBND"
    assert isinstance(out["result"]["recognised"], bool) and isinstance(out["result"]["failed_conditions"], list)
    r = _cli(data_dir, "assess", COMMUNE, "--year", "2026", "--framework", "QD27_2025", "--format", "json")
    assert json.loads(r.stdout)["framework"] == "QĐ 27/2025/QĐ-TTg"
    r = _cli(data_dir, "assess", "99999", "--year", "2024", "--format", "json")
    assert r.returncode == 2 and r.stdout == ""
