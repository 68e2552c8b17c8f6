"""Dissemination reach (issue 10): coverage, effectiveness and plan figures against records saved in the test,
with the expected values computed by hand in the comments; CLI JSON shape; PDF/XLSX text."""
from __future__ import annotations

import datetime as dt
import io
import json
import re

import openpyxl
import pdfplumber
import pytest
from playhouse.test_utils import count_queries

from services.errors import ValidationError
from services.records import store, villages
from services.reports import coverage
from services.reports.coverage import plan as plan_suggestion
from services.reports.coverage import renderers as coverage_report

C = "06652"        # Phường Hà Tu, Quảng Ninh (province 22)
OTHER = "06931"    # another commune of Quảng Ninh
D = dt.date


def _event(date, village, form, participants, groups=(), language="vi", commune=C, **feedback):
    data = {"date": date, "commune_code": commune, "village": village, "form": form, "topic": "Luật Đất đai 2024",
            "target_groups": list(groups), "language": language, "participants": participants}
    data.update(feedback)
    return store.save("dissemination", data)


def _populate():
    """The scenario every test uses (period = year 2025, previous = year 2024):

    Commune C
      E1 2025-03-10 Thôn Khe Lánh  hội nghị         40 people  [dtts, phu_nu]  Tiếng Dao
                    feedback: 20 answered, 15 useful, 6 questions, 2 follow-up requests
      E2 2025-06-20 Thôn Khe Lánh  tuyên truyền miệng 60 people [thanh_nien]
                    feedback: 30 answered, 27 useful, 4 questions, 6 follow-up requests
      E3 2025-09-05 bản nà pá      hội nghị         80 people  [nguoi_dan]   (no feedback; lower-case spelling)
      E4 2019-04-02 Thôn Cũ        hội nghị         30 people               (reached once, long ago)
      E5 2025-11-01 (no village)   loa truyền thanh  0 people  [nguoi_dan]   (commune-wide)
      E6 2025-07-07 Bản Mới        hội nghị        999 people  — deleted, must not count
      P1 2024-05-05 Thôn Khe Lánh  hội nghị         50 people  [nguoi_cao_tuoi]
                    feedback: 10 answered, 5 useful, 1 follow-up request
      P2 2024-08-08 BẢN NÀ PÁ      tuyên truyền miệng 20 people (no feedback)
      village list: "Bản Nà Pá" added by hand before any session; "Bản Mới" stays never reached
      persons: one Hmông (08) and one Kinh (01) resident
    Commune OTHER
      X1 2025-02-02 Thôn Đông      hội nghị         25 people  [nguoi_khuyet_tat]
    """
    villages.remember(C, "Bản Nà Pá")
    _event("2025-03-10", "Thôn Khe Lánh", "hoi_nghi", 40, ["dtts", "phu_nu"], "Tiếng Dao",
           feedback_respondents=20, feedback_useful=15, questions_asked=6, followup_requests=2)
    _event("2025-06-20", "Thôn Khe Lánh", "tuyen_truyen_mieng", 60, ["thanh_nien"],
           feedback_respondents=30, feedback_useful=27, questions_asked=4, followup_requests=6)
    _event("2025-09-05", "bản nà pá", "hoi_nghi", 80, ["nguoi_dan"])
    _event("2019-04-02", "Thôn Cũ", "hoi_nghi", 30)
    _event("2025-11-01", "", "loa_truyen_thanh", 0, ["nguoi_dan"])
    gone = _event("2025-07-07", "Bản Mới", "hoi_nghi", 999, ["nguoi_khuyet_tat"], "Tiếng Hoa")
    store.delete("dissemination", gone.id)
    _event("2024-05-05", "Thôn Khe Lánh", "hoi_nghi", 50, ["nguoi_cao_tuoi"],
           feedback_respondents=10, feedback_useful=5, followup_requests=1)
    _event("2024-08-08", "BẢN NÀ PÁ", "tuyen_truyen_mieng", 20)
    store.save("person", {"full_name": "Giàng A Páo", "commune_code": C, "ethnicity": "08"})
    store.save("person", {"full_name": "Nguyễn Văn An", "commune_code": C, "ethnicity": "01"})
    _event("2025-02-02", "Thôn Đông", "hoi_nghi", 25, ["nguoi_khuyet_tat"], commune=OTHER)


@pytest.fixture
def scenario(db):
    _populate()
    return db


def _by_village(rep):
    return {v["village"]: v for v in rep.villages}


def test_villages_last_reached_and_days_since(scenario):
    rep = coverage.coverage("2025-01-01", "31/12/2025", communes=[C])
    assert rep.as_of == D(2025, 12, 31)          # the period's end (it is in the past)
    v = _by_village(rep)
    # "bản nà pá" / "BẢN NÀ PÁ" are the listed "Bản Nà Pá"; the deleted E6 does not reach "Bản Mới".
    assert sorted(v) == ["Bản Mới", "Bản Nà Pá", "Thôn Cũ", "Thôn Khe Lánh"]
    # Never reached: listed by hand (the deleted session still put the name on the list), no date.
    assert v["Bản Mới"]["last_reached"] is None and v["Bản Mới"]["days_since"] is None
    assert v["Bản Mới"]["reached_in_period"] is False
    # Reached once long ago: 2019-04-02 → 2025-04-02 is 6×365 + 2 leap days (2020, 2024) = 2192 days;
    # 2025-04-02 → 2025-12-31 is 28 (rest of April) + 31+30+31+31+30+31+30+31 = 273; total 2465.
    assert v["Thôn Cũ"]["last_reached"] == D(2019, 4, 2)
    assert v["Thôn Cũ"]["days_since"] == 2465
    assert v["Thôn Cũ"]["sessions"] == 0 and not v["Thôn Cũ"]["reached_in_period"]
    # Khe Lánh: E1 + E2 in the period = 2 sessions, 40 + 60 = 100 people; last 20/06 → 10 + 31+31+30+31+30+31 = 194.
    assert (v["Thôn Khe Lánh"]["sessions"], v["Thôn Khe Lánh"]["participants"]) == (2, 100)
    assert v["Thôn Khe Lánh"]["last_reached"] == D(2025, 6, 20) and v["Thôn Khe Lánh"]["days_since"] == 194
    # Nà Pá: E3 only (P2 is before the period but P2 < E3 anyway); 05/09 → 25 + 31+30+31 = 117 days.
    assert (v["Bản Nà Pá"]["sessions"], v["Bản Nà Pá"]["participants"]) == (1, 80)
    assert v["Bản Nà Pá"]["last_reached"] == D(2025, 9, 5) and v["Bản Nà Pá"]["days_since"] == 117
    assert v["Bản Nà Pá"]["listed"] is True
    # Not reached: never-reached first, then the oldest.
    assert [x["village"] for x in rep.villages_not_reached] == ["Bản Mới", "Thôn Cũ"]
    s = rep.summary
    # 4 villages, 2 reached (Khe Lánh, Nà Pá) = 50 %; sessions E1, E2, E3, E5 = 4 with 40+60+80+0 = 180 people;
    # E5 has no village: 1 commune-wide session.
    assert (s["villages_total"], s["villages_reached"], s["villages_not_reached"], s["villages_never_reached"]) == \
        (4, 2, 2, 1)
    assert s["village_reach_rate"] == 50.0
    assert (s["sessions"], s["participants"], s["commune_wide_sessions"]) == (4, 180, 1)


def test_last_reached_looks_before_the_period_only_up_to_its_end(scenario):
    # Period 2024: Khe Lánh last reached by P1 (05/05/2024) — the 2025 sessions are after the period's end.
    rep = coverage.coverage("2024-01-01", "2024-12-31", communes=[C])
    v = _by_village(rep)
    assert v["Thôn Khe Lánh"]["last_reached"] == D(2024, 5, 5)
    assert v["Thôn Cũ"]["last_reached"] == D(2019, 4, 2)
    assert v["Bản Nà Pá"]["last_reached"] == D(2024, 8, 8)


def test_groups_and_languages_not_served(scenario):
    rep = coverage.coverage("2025-01-01", "2025-12-31", communes=[C])
    # Expected: the 13 catalog groups minus "khac" = 12. Served in 2025 in C: dtts, phu_nu (E1), thanh_nien (E2),
    # nguoi_dan (E3, E5). Not served: 12 − 4 = 8 — including people with disabilities (only in commune OTHER, and
    # the deleted E6) and the elderly (only P1, in 2024).
    missing = {g["code"]: g for g in rep.groups_not_served}
    assert len(missing) == 8 and rep.summary["groups_expected"] == 12
    assert {"nguoi_khuyet_tat", "nguoi_cao_tuoi", "tre_em"} <= set(missing)
    assert not {"dtts", "phu_nu", "thanh_nien", "nguoi_dan", "khac"} & set(missing)
    assert missing["nguoi_cao_tuoi"]["last_served"] == D(2024, 5, 5)
    assert missing["nguoi_khuyet_tat"]["last_served"] is None
    assert missing["nguoi_khuyet_tat"]["label"] == "Người khuyết tật"
    groups = {g["code"]: g for g in rep.groups}
    assert (groups["nguoi_dan"]["sessions"], groups["nguoi_dan"]["participants"]) == (2, 80)   # E3 80 + E5 0
    # Expected languages in C: Hmông (a resident) and Dao (used by E1). Kinh is not a minority; Hoa only appears
    # in the deleted E6. Dao was used in 2025, Hmông never.
    langs = {x["code"]: x for x in rep.languages}
    assert set(langs) == {"08", "09"}
    assert langs["09"]["served"] and langs["09"]["sessions"] == 1 and langs["09"]["label"] == "Tiếng Dao"
    assert [x["code"] for x in rep.languages_not_served] == ["08"]
    assert rep.languages_not_served[0]["label"] == "Tiếng Hmông"
    assert rep.languages_not_served[0]["people"] == 1
    assert rep.languages_not_served[0]["communes_not_served"] == [C]
    assert rep.summary["languages_not_served"] == 1


def test_effectiveness_per_form_this_year_against_last(scenario):
    eff = coverage.coverage("2025-01-01", "2025-12-31", communes=[C]).effectiveness
    assert eff["previous"] == {"from": D(2024, 1, 1), "to": D(2024, 12, 31)}
    forms = {f["form"]: f for f in eff["by_form"]}
    # Listed in catalog order, only forms used in either year.
    assert [f["form"] for f in eff["by_form"]] == ["hoi_nghi", "tuyen_truyen_mieng", "loa_truyen_thanh"]
    hn = forms["hoi_nghi"]["current"]
    # Hội nghị 2025: E1 + E3 = 2 sessions, 40 + 80 = 120 people → 60.0 per session.
    # Feedback only on E1: 15 useful / 20 answered = 75.0 %; 6 questions in 1 session = 6.0;
    # follow-ups 2 per the 40 people of E1 (E3 recorded none, so it is left out) = 5.0 per 100.
    assert (hn["sessions"], hn["participants"], hn["participants_per_session"]) == (2, 120, 60.0)
    assert (hn["useful_share"], hn["questions_per_session"], hn["followups_per_100"]) == (75.0, 6.0, 5.0)
    assert (hn["followup_requests"], hn["followup_participants"]) == (2, 40)
    # Hội nghị 2024: P1 only: 50 people; 5/10 useful = 50.0 %; 1 follow-up / 50 people = 2.0 per 100.
    hp = forms["hoi_nghi"]["previous"]
    assert (hp["sessions"], hp["participants_per_session"], hp["useful_share"], hp["followups_per_100"]) == \
        (1, 50.0, 50.0, 2.0)
    # Tuyên truyền miệng 2025: E2: 60 people; 27/30 = 90.0 %; 6 follow-ups / 60 people = 10.0 per 100.
    tm = forms["tuyen_truyen_mieng"]["current"]
    assert (tm["sessions"], tm["participants_per_session"], tm["useful_share"], tm["followups_per_100"]) == \
        (1, 60.0, 90.0, 10.0)
    # 2024: P2, 20 people, no feedback: rates are unknown (None), not 0.
    tp = forms["tuyen_truyen_mieng"]["previous"]
    assert (tp["sessions"], tp["participants_per_session"], tp["useful_share"], tp["followups_per_100"]) == \
        (1, 20.0, None, None)
    # Loa truyền thanh 2025: E5, 0 people; nothing in 2024.
    lt = forms["loa_truyen_thanh"]
    assert (lt["current"]["sessions"], lt["current"]["participants_per_session"]) == (1, 0.0)
    assert lt["previous"]["sessions"] == 0 and lt["previous"]["participants_per_session"] is None
    # Totals 2025: 4 sessions, 180 people → 45.0; useful (15+27)/(20+30) = 42/50 = 84.0 %;
    # follow-ups (2+6)/(40+60) = 8.0 per 100; questions (6+4)/2 = 5.0.
    t = eff["total"]["current"]
    assert (t["sessions"], t["participants_per_session"], t["useful_share"], t["followups_per_100"],
            t["questions_per_session"]) == (4, 45.0, 84.0, 8.0, 5.0)
    # Totals 2024: 2 sessions, 70 people → 35.0; 5/10 = 50.0 %; 1/50 = 2.0.
    tp = eff["total"]["previous"]
    assert (tp["sessions"], tp["participants_per_session"], tp["useful_share"], tp["followups_per_100"]) == \
        (2, 35.0, 50.0, 2.0)


def test_province_scope_and_commune_breakdown(scenario):
    rep = coverage.coverage("2025-01-01", "2025-12-31", province="22")
    assert rep.scope["province"] == "22" and C in rep.scope["communes"] and OTHER in rep.scope["communes"]
    # C's 4 sessions (180 people) + X1 in OTHER (25) = 5 sessions, 205 people; villages 4 in C + Thôn Đông in OTHER.
    s = rep.summary
    assert (s["sessions"], s["participants"], s["villages_total"], s["villages_reached"]) == (5, 205, 5, 3)
    # People with disabilities were served in OTHER, so not "not served" in the province …
    assert "nguoi_khuyet_tat" not in {g["code"] for g in rep.groups_not_served}
    communes = {c["code"]: c for c in rep.communes}
    # … but they are among C's own gaps.
    assert "nguoi_khuyet_tat" in communes[C]["groups_not_served"]
    other = communes[OTHER]
    assert (other["sessions"], other["villages_total"], other["villages_reached"]) == (1, 1, 1)
    assert communes[C]["languages_not_served"] == ["08"]


def test_inactive_village_is_left_out_and_rules_are_data(scenario):
    villages.set_active(C, "thôn cũ", False)
    rep = coverage.coverage("2025-01-01", "2025-12-31", communes=[C])
    assert "Thôn Cũ" not in _by_village(rep)
    from services.data_dir import settings
    settings.put("coverage.rules", {"groups_not_expected": ["khac", "ngu_dan", "can_bo"]})
    rep = coverage.coverage("2025-01-01", "2025-12-31", communes=[C])
    assert rep.summary["groups_expected"] == 10
    assert not {"ngu_dan", "can_bo"} & {g["code"] for g in rep.groups_not_served}


def test_query_count_does_not_grow_with_the_data(scenario):
    with count_queries() as before:
        coverage.coverage("2025-01-01", "2025-12-31", province="22")
    for i in range(6):
        _event(f"2025-10-0{i + 1}", f"Thôn Mới {i}", "hoi_nghi", 10 + i, ["tre_em"], "Tiếng Tày")
    with count_queries() as after:
        coverage.coverage("2025-01-01", "2025-12-31", province="22")
    assert after.count == before.count


def test_bad_scope_and_period_are_validation_errors(scenario):
    with pytest.raises(ValidationError) as e:
        coverage.coverage("2025-12-31", "2025-01-01", communes=[C])
    assert e.value.errors[0].field == "from"
    with pytest.raises(ValidationError):
        coverage.coverage("2025-01-01", "2025-12-31", province="22", communes=[C])
    with pytest.raises(ValidationError):
        coverage.coverage("2025-01-01", "2025-12-31", communes=["99999"])
    with pytest.raises(ValidationError):
        plan_suggestion.suggest("2025-13", communes=[C])


def test_plan_ranks_least_recently_reached(scenario):
    plan = plan_suggestion.suggest("2026-01", communes=[C])
    assert (plan.period.start, plan.period.end) == (D(2026, 1, 1), D(2026, 1, 31))
    assert plan.as_of == D(2025, 12, 31)
    # Never reached, then oldest last session: Bản Mới (never), Thôn Cũ (2019), Khe Lánh (20/06/2025),
    # Nà Pá (05/09/2025).
    assert [(v["rank"], v["village"]) for v in plan.villages] == [
        (1, "Bản Mới"), (2, "Thôn Cũ"), (3, "Thôn Khe Lánh"), (4, "Bản Nà Pá")]
    assert plan.villages[0]["reason"] == "Chưa từng được phổ biến"
    assert plan.villages[1]["reason"] == "Lần cuối 02/04/2019 (2.465 ngày trước)"
    # Groups: the 7 never served (catalog order), then the elderly (2024-05-05), dtts and phu_nu (2025-03-10,
    # catalog order on the tie), thanh_nien (2025-06-20), nguoi_dan (2025-11-01, E5).
    codes = [g["code"] for g in plan.groups]
    assert codes[:7] == ["hoc_sinh", "tre_em", "nguoi_khuyet_tat", "nguoi_lao_dong", "nan_nhan_blgd", "ngu_dan",
                         "can_bo"]
    assert codes[7:] == ["nguoi_cao_tuoi", "dtts", "phu_nu", "thanh_nien", "nguoi_dan"]
    assert [x["code"] for x in plan.languages] == ["08", "09"]     # Hmông never, Dao on 10/03/2025
    assert len(plan_suggestion.suggest("2026-01", communes=[C], limit=2).villages) == 2


def _pdf_text(data: bytes) -> str:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def test_pdf_report_shows_the_vietnamese_values(scenario):
    rep = coverage.coverage("2025-01-01", "2025-12-31", communes=[C])
    text = _pdf_text(coverage_report.coverage_pdf(rep, on=D(2026, 1, 5)))
    assert "BÁO CÁO BAO PHỦ VÀ HIỆU QUẢ PHỔ BIẾN, GIÁO DỤC PHÁP LUẬT" in text
    assert "Từ ngày 01/01/2025 đến ngày 31/12/2025" in text
    assert "ỦY BAN NHÂN DÂN" in text and "PHƯỜNG HÀ TU" in text
    for expected in ("Bản Mới", "Chưa từng", "Thôn Cũ", "02/04/2019", "2.465", "Thôn Khe Lánh", "20/06/2025",
                     "Người khuyết tật", "Tiếng Hmông", "Hội nghị", "60,0", "75,0%", "84,0%", "45,0", "8,0",
                     "Cùng kỳ", "Trang 1/"):
        assert expected in text, expected
    assert "Số thôn/bản/khu: 4; đã được phổ biến trong kỳ: 2; chưa được phổ biến: 2 (chưa từng: 1)." in \
        text.replace("\n", " ")


def test_plan_pdf_and_xlsx(scenario, tmp_path):
    plan = plan_suggestion.suggest("2026-01", communes=[C])
    text = _pdf_text(coverage_report.plan_pdf(plan, on=D(2025, 12, 20)))
    assert "DANH SÁCH ĐỀ XUẤT PHỔ BIẾN PHÁP LUẬT THÁNG 01/2026" in text
    assert "Bản Mới" in text and "Chưa từng được phổ biến" in text and "Trẻ em" in text
    out = tmp_path / "plan.xlsx"
    coverage_report.plan_xlsx(plan, out)
    ws = openpyxl.load_workbook(out).worksheets[0]
    assert [c.value for c in ws[5]][:3] == [1, "Phường Hà Tu", "Bản Mới"]


def test_xlsx_report_has_dates_and_numbers(scenario, tmp_path):
    rep = coverage.coverage("2025-01-01", "2025-12-31", communes=[C])
    out = tmp_path / "cov.xlsx"
    coverage_report.coverage_xlsx(rep, out)
    wb = openpyxl.load_workbook(out)
    rows = {r[2]: r for r in wb.worksheets[0].iter_rows(min_row=5, values_only=True)}
    assert rows["Thôn Cũ"][3] == dt.datetime(2019, 4, 2) and rows["Thôn Cũ"][4] == 2465
    assert rows["Bản Mới"][3] == "Chưa từng"
    eff = {r[1]: r for r in wb["Hiệu quả"].iter_rows(min_row=5, values_only=True)}
    # sessions this year / last, participants per session this year / last (see the effectiveness test)
    assert eff["Hội nghị"][2:6] == (2, 1, 60.0, 50.0)
    assert eff["Tổng cộng"][2] == 4


def test_cli_json_shape(data_dir, capsys):
    from cli import run
    from services.data_dir import app
    app.open_data_dir(data_dir)
    try:
        _populate()
    finally:
        app.close()
    out = data_dir / "cov.json"
    code = run(["report", "coverage", "--from", "2025-01-01", "--to", "31/12/2025", "--commune", C,
                "--format", "json", "--out", str(out), "--data-dir", str(data_dir)])
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc == json.loads(out.read_text(encoding="utf-8"))
    assert doc["period"] == {"from": "2025-01-01", "to": "2025-12-31"}
    assert {"scope", "summary", "villages", "villages_not_reached", "groups_not_served", "languages_not_served",
            "effectiveness", "communes", "rules"} <= set(doc)
    by_name = {v["village"]: v for v in doc["villages"]}
    assert by_name["Bản Mới"]["last_reached"] is None
    assert by_name["Thôn Cũ"]["last_reached"] == "2019-04-02"
    assert {"code": "nguoi_khuyet_tat", "label": "Người khuyết tật", "last_served": None, "days_since": None} in \
        doc["groups_not_served"]
    assert doc["languages_not_served"][0]["code"] == "08"
    hn = next(f for f in doc["effectiveness"]["by_form"] if f["form"] == "hoi_nghi")
    assert hn["current"]["followups_per_100"] == 5.0
    code = run(["report", "plan", "--month", "2026-01", "--commune", C, "--format", "json",
                "--data-dir", str(data_dir)])
    assert code == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["villages"][0] == {"rank": 1, "commune_code": C, "commune_name": "Phường Hà Tu",
                                   "village": "Bản Mới", "last_reached": None, "days_since": None,
                                   "sessions_total": 0, "reason": "Chưa từng được phổ biến"}
    pdf = data_dir / "cov.pdf"
    assert run(["report", "coverage", "--from", "2025-01-01", "--to", "2025-12-31", "--province", "22",
                "--format", "pdf", "--out", str(pdf), "--data-dir", str(data_dir)]) == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    assert run(["report", "coverage", "--from", "2025-01-01", "--to", "2025-12-31", "--commune", "99999",
                "--format", "json", "--data-dir", str(data_dir)]) == 2
    assert run(["report", "coverage", "--from", "2025-01-01", "--to", "2025-12-31", "--commune", C,
                "--format", "pdf", "--data-dir", str(data_dir)]) == 2
    app.close()


def test_coverage_screen_state_without_a_browser(scenario, tmp_path):
    """The state behind ui/views/coverage_view.py: compute, village-list maintenance, export."""
    from tests.conftest import run_coroutine
    from ui.state import AppState
    from ui.views.coverage_view import PROVINCE, CoverageState
    scenario.profile = {"full_name": "Kiểm thử", "province_code": "22", "communes": [C]}
    scenario.data_dir = tmp_path
    app = AppState(scenario)
    app.web = True
    st = CoverageState(app)
    assert st.scope == C
    assert st.scope_options() == [(C, "Phường Hà Tu"), (PROVINCE, "Toàn tỉnh — Quảng Ninh")]
    st.set("start", "01/01/2025")
    st.set("end", "31/12/2025")
    assert st.compute() and st.report.summary["villages_total"] == 4
    st.set_tab("list")
    assert ("Bản Mới", True) in st.village_rows
    st.set("new_village", "Bản Thêm")
    st.add_village()                                    # a new village: 5 villages, still 2 reached
    assert ("Bản Thêm", True) in st.village_rows
    assert (st.report.summary["villages_total"], st.report.summary["villages_reached"]) == (5, 2)
    st.set_active("Bản Thêm", False)                    # deactivated: back to 4
    assert st.report.summary["villages_total"] == 4
    st.start_rename("Bản Mới")
    st.set("rename_to", "Bản Mới Lập")
    st.finish_rename()
    assert "Bản Mới Lập" in {v["village"] for v in st.report.villages}
    st.set("end", "không phải ngày")
    assert not st.compute() and "to" in st.errors
    st.set("end", "31/12/2025")
    path = run_coroutine(st.export("coverage", "pdf"))
    assert re.search(r"bao-phu_2025-01-01_2025-12-31_\d{8}-\d{6}(-\d+)?\.pdf$", path)    # never overwrites
    with open(path, "rb") as f:
        assert f.read(4) == b"%PDF"
    path = run_coroutine(st.export("plan", "xlsx"))
    assert path.endswith(".xlsx")
