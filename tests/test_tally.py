"""Tallies against totals computed independently in the test from the inserted records (with the previous year,
soft deletes, scopes), report periods, and the PDF/XLSX renderings carrying the same numbers as the JSON."""
from __future__ import annotations

import datetime as dt
import io
import json
import random
from collections import Counter

import openpyxl
import pdfplumber
import pytest

from models.db import database
from services.errors import ValidationError
from services.formatting import change_pct, fmt_change, fmt_change_pct
from services.records import store
from services.reports import periods, tally
from services.reports.tally import TALLY_INDEXES
from services.reports.tally import renderers as tally_report
from tests.factories import COMMUNE, OTHER_COMMUNE

THIS = periods.custom("2026-01-01", "2026-10-31")
CATEGORIES = ["1", "2", "3", "4"]
FIELDS = ["dat_dai", "hon_nhan_gia_dinh", "khac"]
AID_FIELDS = ["dat_dai", "dan_su", "hinh_su"]
FORMS = ["tu_van", "to_tung", "dai_dien"]
OUTCOMES = ["thanh", "khong_thanh", "in_progress", "rut_yeu_cau", "chuyen_co_quan"]
DFORMS = ["hoi_nghi", "loa_truyen_thanh", "tuyen_truyen_mieng"]
LANGS = ["vi", "09", "04"]


def _day(rnd, year):
    return dt.date(year, rnd.randint(1, 10), rnd.randint(1, 28))


@pytest.fixture
def inserted(db):
    """Records in 2026 and 2025, two communes, some soft-deleted; returns what was inserted (the expectations
    are computed from these plain lists, never through services.reports.tally)."""
    rnd = random.Random(7)
    la, me, di = [], [], []
    requester = store.save("person", {"full_name": "Lý Thị Mai", "commune_code": COMMUNE})
    party_a = store.save("person", {"full_name": "Nông Văn Bảy", "commune_code": COMMUNE})
    party_b = store.save("person", {"full_name": "Hà Thị Tám", "commune_code": COMMUNE})
    for year in (2025, 2026):
        for i in range(18):
            form = rnd.choice(FORMS)
            spec = dict(received_date=_day(rnd, year), commune_code=rnd.choice([COMMUNE, OTHER_COMMUNE]),
                        beneficiary_category=rnd.choice(CATEGORIES), legal_field=rnd.choice(AID_FIELDS),
                        aid_form=form, outcome=rnd.choice(["success", "not_success", ""]) if form == "to_tung" else "")
            data = {**spec, "received_date": spec["received_date"].isoformat(), "requester_id": requester.id}
            if spec["outcome"]:
                data.update(status="received")
            case = store.save("legal-aid", data)
            spec["deleted"] = i % 7 == 3
            if spec["deleted"]:
                store.delete("legal-aid", case.id)
            la.append(spec)
        for i in range(20):
            outcome = rnd.choice(OUTCOMES)
            spec = dict(received_date=_day(rnd, year), commune_code=rnd.choice([COMMUNE, OTHER_COMMUNE]),
                        dispute_field=rnd.choice(FIELDS), outcome=outcome)
            data = {**spec, "received_date": spec["received_date"].isoformat(), "parties": [party_a.id, party_b.id]}
            if outcome != "in_progress":
                data["closed_date"] = data["received_date"]
            case = store.save("mediation", data)
            spec["deleted"] = i % 6 == 2
            if spec["deleted"]:
                store.delete("mediation", case.id)
            me.append(spec)
        for i in range(15):
            people = rnd.randint(20, 900)
            spec = dict(date=_day(rnd, year), commune_code=rnd.choice([COMMUNE, OTHER_COMMUNE]),
                        form=rnd.choice(DFORMS), language=rnd.choice(LANGS), participants=people,
                        participants_women=people // 2, participants_ethnic_minority=people // 3,
                        materials_distributed=rnd.randint(0, 50))
            ev = store.save("dissemination", {**spec, "date": spec["date"].isoformat(), "topic": "Luật Đất đai"})
            spec["deleted"] = i % 5 == 1
            if spec["deleted"]:
                store.delete("dissemination", ev.id)
            di.append(spec)
    return la, me, di


def _in(spec, period, communes=None, date_key="received_date"):
    return (not spec["deleted"] and period.start <= spec[date_key] <= period.end
            and (communes is None or spec["commune_code"] in communes))


def _expected(la, me, di, period, communes=None):
    a = [s for s in la if _in(s, period, communes)]
    m = [s for s in me if _in(s, period, communes)]
    d = [s for s in di if _in(s, period, communes, "date")]
    return {
        "la_total": len(a), "la_cat": Counter(s["beneficiary_category"] for s in a),
        "la_field": Counter(s["legal_field"] for s in a), "la_form": Counter(s["aid_form"] for s in a),
        "la_success": sum(s["outcome"] == "success" for s in a),
        "me_total": len(m), "me_outcome": Counter(s["outcome"] for s in m),
        "me_field": Counter(s["dispute_field"] for s in m),
        "sessions": len(d), "participants": sum(s["participants"] for s in d),
        "women": sum(s["participants_women"] for s in d),
        "minority": sum(s["participants_ethnic_minority"] for s in d),
        "by_form": Counter(s["form"] for s in d), "by_language": Counter(s["language"] for s in d),
    }


def _nonzero(mapping):
    return {k: v for k, v in mapping.items() if v}


def _check(result, exp, prev):
    la, me, di = result["legal_aid"], result["mediation"], result["dissemination"]
    assert la["total"] == exp["la_total"] and la["previous_total"] == prev["la_total"]
    assert _nonzero(la["by_category"]) == dict(exp["la_cat"])
    assert _nonzero(la["previous_by_category"]) == dict(prev["la_cat"])
    assert _nonzero(la["by_field"]) == dict(exp["la_field"])
    assert _nonzero(la["by_form"]) == dict(exp["la_form"])
    assert la["success"] == exp["la_success"] and la["previous_success"] == prev["la_success"]
    assert sum(la["by_status"].values()) == exp["la_total"]
    assert me["total"] == exp["me_total"] and me["previous_total"] == prev["me_total"]
    assert _nonzero(me["by_outcome"]) == dict(exp["me_outcome"])
    assert _nonzero(me["previous_by_outcome"]) == dict(prev["me_outcome"])
    assert _nonzero(me["by_field"]) == dict(exp["me_field"])
    assert list(me["by_outcome"])[:3] == ["thanh", "khong_thanh", "in_progress"]
    done = exp["me_outcome"]["thanh"] + exp["me_outcome"]["khong_thanh"]
    assert me["success_rate"] == (round(exp["me_outcome"]["thanh"] * 100 / done, 1) if done else None)
    assert "không thành" in me["success_rate_definition"]["vi"]
    assert di["sessions"] == exp["sessions"] and di["previous_sessions"] == prev["sessions"]
    assert di["participants"] == exp["participants"] and di["previous_participants"] == prev["participants"]
    assert di["women"] == exp["women"] and di["ethnic_minority"] == exp["minority"]
    assert _nonzero(di["by_form"]) == dict(exp["by_form"])
    assert _nonzero(di["by_language"]) == dict(exp["by_language"])
    if prev["la_total"]:
        assert la["total_change_pct"] == round((exp["la_total"] - prev["la_total"]) * 100 / prev["la_total"], 1)


def test_tally_matches_independent_totals_for_each_scope(inserted):
    la, me, di = inserted
    prev_period = periods.previous_year(THIS)
    for communes in (None, [COMMUNE], [COMMUNE, OTHER_COMMUNE]):
        result = tally.compute(THIS, communes=communes).to_json()
        assert result["period"]["from"] == "2026-01-01" and result["previous"] == {"from": "2025-01-01",
                                                                                    "to": "2025-10-31"}
        _check(result, _expected(la, me, di, THIS, communes), _expected(la, me, di, prev_period, communes))
    province = tally.compute(THIS, province="22").to_json()
    _check(province, _expected(la, me, di, THIS), _expected(la, me, di, prev_period))
    assert province["scope"]["province"] == "22"
    per_commune = province["by_commune"]
    assert sum(v["legal_aid"] for v in per_commune.values()) == province["legal_aid"]["total"]
    assert sum(v["participants"] for v in per_commune.values()) == province["dissemination"]["participants"]


def test_covering_indexes_give_the_same_numbers(inserted):
    """The fast path (ordered scans of the proposed covering indexes) and the plain path agree."""
    before = tally.compute(THIS, province="22").to_json()
    ddl = {
        "legalaidcase_tally": "legal_aid_case (deleted, beneficiary_category, legal_field, aid_form, status, outcome, "
                              "received_date, commune_code)",
        "legalaidcase_tally_commune": "legal_aid_case (deleted, commune_code, received_date)",
        "mediationcase_tally": "mediation_case (deleted, outcome, dispute_field, received_date, commune_code)",
        "mediationcase_tally_commune": "mediation_case (deleted, commune_code, outcome, received_date)",
        "disseminationevent_tally": "dissemination_event (deleted, form, language, date, commune_code, participants, "
                                    "participants_women, participants_ethnic_minority, materials_distributed)",
        "disseminationevent_tally_commune": "dissemination_event (deleted, commune_code, date, participants)",
    }
    assert set(ddl) == {n for pair in TALLY_INDEXES.values() for n in pair}
    for name, target in ddl.items():
        database.execute_sql(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")
    after = tally.compute(THIS, province="22").to_json()
    before.pop("generated_at"), after.pop("generated_at")
    assert after == before


def test_result_keeps_dates_until_json_and_renders_every_format(inserted, tmp_path):
    """compute → TallyResult (dates are dates) → render(format, out); the JSON file is the contract's dict."""
    result = tally.compute(THIS, communes=[COMMUNE])
    assert isinstance(result, tally.TallyResult)
    assert (result.period.start, result.previous.end) == (dt.date(2026, 1, 1), dt.date(2025, 10, 31))
    assert isinstance(result.generated_at, dt.datetime)
    doc = result.to_json()
    assert list(doc) == ["period", "previous", "scope", "legal_aid", "mediation", "dissemination", "generated_at",
                         "rollup_note"]
    assert doc["period"]["from"] == "2026-01-01" and isinstance(doc["generated_at"], str)
    tally.render(result, "json", tmp_path / "t.json")
    assert json.loads((tmp_path / "t.json").read_text(encoding="utf-8")) == json.loads(json.dumps(doc))
    for fmt in ("pdf", "xlsx"):
        assert tally.render(result, fmt, tmp_path / f"t.{fmt}") == (tmp_path / f"t.{fmt}").read_bytes()
    with pytest.raises(ValidationError):
        tally.render(result, "docx", tmp_path / "t.docx")


def test_one_percent_change_and_one_text():
    """The tally's *_change_pct, its report rows and the screens share services.formatting's two functions."""
    assert change_pct(120, 100) == 20.0 and change_pct(75, 100) == -25.0 and change_pct(5, 0) is None
    assert change_pct(None, 3) is None and change_pct(4, 3) == 33.3
    assert fmt_change_pct(20.0) == "+20,0%" and fmt_change_pct(-12.5) == "-12,5%" and fmt_change_pct(0.0) == "0,0%"
    assert fmt_change_pct(1234.5) == "+1.234,5%" and fmt_change_pct(1234.5, "en") == "+1,234.5%"
    assert fmt_change_pct(None) == "—" and fmt_change(120, 100) == "+20,0%" and fmt_change(3, 0) == "—"


def test_no_comparison_and_bad_scope(inserted):
    result = tally.compute(THIS, communes=[COMMUNE], compare_previous_year=False).to_json()
    assert result["previous"] is None and result["legal_aid"]["previous_total"] is None
    with pytest.raises(ValidationError):
        tally.compute(THIS, communes=["99999"])
    with pytest.raises(ValidationError):
        tally.compute(THIS, province="22", communes=[COMMUNE])


def test_report_periods_from_data():
    q2 = periods.resolve("calendar", "quarter", 2026, 2)
    assert (q2.start, q2.end, q2.label) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30), "Quý 2 năm 2026")
    assert periods.resolve("calendar", "month", 2028, 2).end == dt.date(2028, 2, 29)
    h2 = periods.resolve("calendar", "half", 2026, 2)
    assert (h2.start, h2.end) == (dt.date(2026, 7, 1), dt.date(2026, 12, 31))
    assert periods.resolve("calendar", "year", 2026).label == "Năm 2026"
    admin = periods.resolve("admin_cutoff", "year", 2026)
    assert (admin.start, admin.end) == (dt.date(2025, 12, 15), dt.date(2026, 12, 14))
    assert periods.resolve("admin_cutoff", "half", 2026).end == dt.date(2026, 6, 14)
    leap = periods.previous_year(periods.custom("29/02/2028", "2028-03-31"))
    assert (leap.start, leap.end) == (dt.date(2027, 2, 28), dt.date(2027, 3, 31))
    with pytest.raises(periods.ValidationError):
        periods.custom("2026-05-01", "2026-04-01")


def test_xlsx_and_pdf_carry_the_json_numbers(inserted):
    result = tally.compute(THIS, province="22")
    data = result.to_json()
    rows = tally_report.tally_rows(result)
    wb = openpyxl.load_workbook(io.BytesIO(tally.render(result, "xlsx")))
    ws = wb.worksheets[0]
    cells = [[c.value for c in r] for r in ws.iter_rows()]
    header = next(i for i, r in enumerate(cells) if r[:2] == ["STT", "Chỉ tiêu"])
    body = cells[header + 1: header + 1 + len(rows)]
    for row, values in zip(rows, body, strict=True):
        assert values[1].strip() == row.label
        if row.kind in ("count", "percent"):
            assert values[2] == (row.current if row.current is not None else "—")
            assert values[3] == (row.previous if row.previous is not None else "—")
    label_to_value = {v[1].strip(): v[2] for v in body}
    assert label_to_value["Tổng số vụ việc tiếp nhận"] == data["legal_aid"]["total"]
    assert label_to_value["Số lượt người tham dự"] == data["dissemination"]["participants"]
    assert label_to_value["Tỷ lệ hòa giải thành (%) (*)"] == (data["mediation"]["success_rate"] or "—")
    by_commune = wb.worksheets[1]
    commune_rows = [r for r in by_commune.iter_rows(min_row=5, values_only=True) if r[1] != "Tổng cộng"]
    assert sum(r[2] for r in commune_rows) == data["legal_aid"]["total"]
    assert sum(r[6] for r in commune_rows) == data["dissemination"]["participants"]

    pdf = tally.render(result, "pdf")
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        text = "\n".join(page.extract_text() for page in doc.pages)
        assert f"Trang 1/{len(doc.pages)}" in text
    participants = data["dissemination"]["participants"]
    assert f"{participants:,}".replace(",", ".") in text          # 2.117.503 style
    for phrase in ("TRỢ GIÚP PHÁP LÝ", "HÒA GIẢI Ở CƠ SỞ", "PHỔ BIẾN, GIÁO DỤC PHÁP LUẬT", "Hòa giải thành",
                   "Hòa giải không thành", "Đang hòa giải", "Tỷ lệ hòa giải thành", "Cùng kỳ năm trước",
                   "Tỉnh Quảng Ninh", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                   "không tính vào mẫu số"):
        assert phrase in text, phrase
