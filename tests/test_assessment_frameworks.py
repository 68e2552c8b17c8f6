"""Assessment frameworks against the verified texts (../shared/domain/verified-2026-12.md, December 2026), the
points / indicator table a province loads, and the years the frameworks cover.

- QĐ 25/2021/QĐ-TTg Điều 3: 5 criteria in this order, 2 + 6 + 3 + 5 + 4 = 20 indicators, texts word for word
  (Bộ pháp điển, verified-2026-12.md §1.1); Điều 3 khoản 6: 100 points in total.
- QĐ 25/2021/QĐ-TTg Điều 8 and TT 09/2021/TT-BTP Điều 7–8: in force from 01/01/2022; 2021 is assessed under
  QĐ 619/QĐ-TTg (2017) → the app refuses 2021 with a message naming it.
- QĐ 27/2025/QĐ-TTg: 3 criteria and 14 indicators; TC1 "Ban hành văn bản quy phạm pháp luật" and its two
  indicators verified (verified-2026-12.md §2); everything else is a flagged placeholder.
- TT 09/2021/TT-BTP Phụ lục I (points) is not verified: flagged, replaceable by a loaded table.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from services.assessment import assess, get_framework, set_values
from services.errors import ValidationError

ROOT = Path(__file__).resolve().parents[1]
COMMUNE = "06652"

# verified-2026-12.md §1.1 — QĐ 25/2021/QĐ-TTg Điều 3, word for word
QD25_CRITERIA = [
    ("Ban hành văn bản theo thẩm quyền để tổ chức và bảo đảm thi hành Hiến pháp và pháp luật trên địa bàn", [
        "Ban hành đầy đủ, đúng quy định pháp luật các văn bản quy phạm pháp luật được cơ quan có thẩm quyền giao.",
        "Ban hành đúng quy định pháp luật các văn bản hành chính có nội dung liên quan trực tiếp đến quyền, lợi ích "
        "của tổ chức, cá nhân."]),
    ("Tiếp cận thông tin, phổ biến, giáo dục pháp luật", [
        "Công khai các thông tin kịp thời, chính xác, đầy đủ theo đúng quy định pháp luật về tiếp cận thông tin và "
        "thực hiện dân chủ ở xã, phường, thị trấn.",
        "Cung cấp thông tin theo yêu cầu kịp thời, chính xác, đầy đủ theo đúng quy định pháp luật về tiếp cận "
        "thông tin.",
        "Ban hành và tổ chức thực hiện kế hoạch phổ biến, giáo dục pháp luật hàng năm theo đúng quy định pháp luật "
        "về phổ biến, giáo dục pháp luật.",
        "Triển khai các hình thức, mô hình thông tin, phổ biến, giáo dục pháp luật hiệu quả tại cơ sở.",
        "Tổ chức bồi dưỡng, tập huấn kiến thức, kỹ năng phổ biến, giáo dục pháp luật cho tuyên truyền viên pháp "
        "luật theo đúng quy định pháp luật về phổ biến, giáo dục pháp luật.",
        "Bảo đảm kinh phí, cơ sở vật chất, phương tiện để thực hiện nhiệm vụ phổ biến, giáo dục pháp luật theo "
        "đúng quy định pháp luật về phổ biến, giáo dục pháp luật."]),
    ("Hòa giải ở cơ sở, trợ giúp pháp lý", [
        "Các mâu thuẫn, tranh chấp, vi phạm pháp luật thuộc phạm vi hòa giải ở cơ sở được hòa giải kịp thời, hiệu "
        "quả theo đúng quy định pháp luật về hòa giải ở cơ sở.",
        "Hỗ trợ kinh phí cho hoạt động hòa giải ở cơ sở theo đúng quy định pháp luật về hòa giải ở cơ sở.",
        "Thông tin, giới thiệu về trợ giúp pháp lý theo đúng quy định pháp luật về trợ giúp pháp lý."]),
    ("Thực hiện dân chủ ở xã, phường, thị trấn", [
        "Tổ chức trao đổi, đối thoại với Nhân dân theo đúng quy định pháp luật về tổ chức chính quyền địa phương.",
        "Tổ chức để Nhân dân bàn, quyết định trực tiếp các nội dung theo đúng quy định pháp luật về thực hiện dân "
        "chủ ở xã, phường, thị trấn.",
        "Tổ chức để Nhân dân bàn, biểu quyết các nội dung theo đúng quy định pháp luật về thực hiện dân chủ ở xã, "
        "phường, thị trấn.",
        "Tổ chức để Nhân dân tham gia ý kiến các nội dung theo đúng quy định pháp luật về thực hiện dân chủ ở xã, "
        "phường, thị trấn.",
        "Tổ chức để Nhân dân trực tiếp hoặc thông qua Ban Thanh tra nhân dân, Ban giám sát đầu tư của cộng đồng "
        "thực hiện giám sát các nội dung theo đúng quy định pháp luật về thực hiện dân chủ ở xã, phường, thị trấn."]),
    ("Tổ chức tiếp công dân, giải quyết kiến nghị, phản ánh, khiếu nại, tố cáo, thủ tục hành chính; bảo đảm an "
     "ninh quốc gia, trật tự, an toàn xã hội", [
        "Tổ chức tiếp công dân, tiếp nhận, giải quyết kiến nghị, phản ánh, khiếu nại, tố cáo theo đúng quy định "
        "pháp luật về tiếp công dân, khiếu nại, tố cáo.",
        "Tiếp nhận, giải quyết thủ tục hành chính theo đúng quy định pháp luật về giải quyết thủ tục hành chính.",
        "Không có cán bộ, công chức bị xử lý kỷ luật hành chính hoặc bị truy cứu trách nhiệm hình sự.",
        "Đạt tiêu chuẩn \"An toàn về an ninh, trật tự\" theo đúng quy định pháp luật về an ninh quốc gia, trật tự, "
        "an toàn xã hội."]),
]
# verified-2026-12.md §2 — QĐ 27/2025/QĐ-TTg Tiêu chí 1 (Báo Chính phủ via vietnam.vn, 06/08/2025)
QD27_TC1 = ("Ban hành văn bản quy phạm pháp luật", [
    "Văn bản quy phạm pháp luật của Hội đồng nhân dân, Ủy ban nhân dân cấp xã được ban hành đúng thời hạn, đúng quy "
    "định của pháp luật về ban hành văn bản quy phạm pháp luật",
    "Dự thảo văn bản quy phạm pháp luật của Hội đồng nhân dân, Ủy ban nhân dân cấp xã được truyền thông trong quá "
    "trình soạn thảo theo quy định"])


# ----------------------------------------------------------------------------------------------- structure
def test_qd25_criteria_and_indicators_word_for_word():
    """QĐ 25/2021/QĐ-TTg Điều 3 khoản 1–5: criteria in this order, 2/6/3/5/4 indicators, exact texts."""
    fw = get_framework("QD25_2021")
    assert [c["name_vi"] for c in fw.criteria] == [name for name, _ in QD25_CRITERIA]
    assert [len(c["indicators"]) for c in fw.criteria] == [2, 6, 3, 5, 4]
    for crit, (_, texts) in zip(fw.criteria, QD25_CRITERIA, strict=True):
        assert [i["name_vi"] for i in crit["indicators"]] == texts
        assert not crit["unverified"] and not any(i["unverified"] for i in crit["indicators"])
    assert [i["id"] for i in fw.indicators()][:3] == ["1.1", "1.2", "2.1"]


def test_qd25_years_recognition_and_flagged_points():
    """Điều 8: years 2022–2024. Điều 4: ≥ 80 points, each criterion ≥ 50 %, the "kỷ luật hành chính" condition.
    Điều 3 khoản 6: 100 points; the split per criterion/indicator (TT 09/2021 Phụ lục I) is flagged."""
    fw = get_framework("QD25_2021")
    assert (fw.valid_from_year, fw.valid_to_year) == (2022, 2024)
    rec = fw.recognition
    assert rec["total_min"] == 80 and rec["criterion_min_ratio"] == 0.5 and rec["unverified"] is False
    (cond,) = fw.conditions
    assert cond["name_vi"] == ("Trong năm đánh giá, không có cán bộ, công chức là người đứng đầu cấp ủy, chính quyền "
                               "cấp xã bị xử lý kỷ luật hành chính do vi phạm pháp luật trong thi hành công vụ hoặc "
                               "bị truy cứu trách nhiệm hình sự")
    assert fw.data["total_max"] == 100 and sum(c["max_points"] for c in fw.criteria) == 100
    assert all(c["points_unverified"] for c in fw.criteria)
    assert all(i["points_unverified"] for i in fw.indicators())
    assert fw.data_source()["verified"] is False and "cần xác nhận" in fw.data_source()["source"]


def test_qd27_three_criteria_fourteen_indicators_tc1_verified():
    """QĐ 27/2025/QĐ-TTg: 03 criteria, 14 indicators; TC1 and its 2 indicators verbatim; the rest flagged."""
    fw = get_framework("QD27_2025")
    assert len(fw.criteria) == 3 and len(fw.indicators()) == 14
    tc1 = fw.criteria[0]
    assert tc1["name_vi"] == QD27_TC1[0] and tc1["unverified"] is False
    assert [i["name_vi"] for i in tc1["indicators"]] == QD27_TC1[1]
    assert all(i["unverified"] is False and i["threshold_unverified"] for i in tc1["indicators"])
    rest = [i for c in fw.criteria[1:] for i in c["indicators"]]
    assert len(rest) == 12 and all(i["unverified"] and "cần xác nhận" in i["name_vi"] for i in rest)
    assert fw.criteria[1]["unverified"] and fw.criteria[2]["unverified"]
    assert fw.recognition["unverified"] is True
    assert fw.valid_from_year == 2025 and fw.year_note(2025) and not fw.year_note(2026)


def test_year_2021_gets_a_clear_message_not_a_scorecard(db):
    """QĐ 25/2021 Điều 8: the year 2021 is assessed under QĐ 619/QĐ-TTg, which the app does not have."""
    with pytest.raises(ValidationError) as err:
        assess(COMMUNE, 2021)
    msg = err.value.message("vi")
    assert "Năm 2021 được đánh giá theo QĐ 619/QĐ-TTg (2017)" in msg and "TT 07/2017/TT-BTP" in msg
    assert "QĐ 25/2021/QĐ-TTg (2022–2024)" in msg
    with pytest.raises(ValidationError, match="2022–2024"):
        assess(COMMUNE, 2026, "QD25_2021")
    assert "2025" in assess(COMMUNE, 2025)["year_note"]


# ----------------------------------------------------------------------------------------------- points table
@pytest.fixture
def folder(tmp_path):
    """A real data folder: the loaded table is stored in it."""
    from services.data_dir import app
    ctx = app.open_data_dir(tmp_path / "data")
    yield ctx
    app.close()


def _table(fw_id="QD25_2021", **override) -> list[dict]:
    from services.assessment.points import template_rows
    rows = template_rows(fw_id)
    for r in rows:
        if r["id"] in override:
            r.update(override[r["id"]])
    return rows


def _write_csv(path, rows, columns=("id", "max_points", "name_vi", "threshold")):
    import csv
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    return path


# TC1 10 → 20 (1.1 12, 1.2 8); TC2 30 → 20 (2.1–2.6: 5,3,3,3,3,3): still 100 in total.
CORRECTED = {"TC1": {"max_points": 20}, "1.1": {"max_points": 12}, "1.2": {"max_points": 8},
             "TC2": {"max_points": 20}, **{f"2.{n}": {"max_points": 3} for n in range(2, 7)}}


def test_points_table_round_trip(folder, tmp_path):
    from services.assessment.overlay import current_table
    from services.assessment.points import load_table
    path = _write_csv(tmp_path / "bang-diem.csv", _table(**CORRECTED))
    table = load_table("QD25_2021", path, source="TT 09/2021/TT-BTP Phụ lục I (bản Sở Tư pháp)")
    stored = current_table("QD25_2021")
    assert stored == table and (folder.data_dir / "frameworks" / "QD25_2021.points.json").is_file()
    fw = get_framework("QD25_2021")
    assert [c["max_points"] for c in fw.criteria] == [20, 20, 15, 25, 20]
    assert fw.indicator("1.1")["max_points"] == 12 and fw.indicator("1.1")["value"]["max"] == 12
    assert not fw.indicator("1.1")["points_unverified"]
    card = set_values(COMMUNE, 2024, {"1.1": 12, "1.2": 3})
    assert card["criteria"][0]["points"] == 15 and card["criteria"][0]["max_points"] == 20
    assert card["criteria"][0]["to_confirm"] == [] and card["criteria"][0]["indicators"][0]["to_confirm"] == []
    ps = card["data_source"]["points"]
    assert ps["source"] == "TT 09/2021/TT-BTP Phụ lục I (bản Sở Tư pháp)" and ps["verified"] is True
    assert ps["loaded_at"] == table["loaded_at"] and ps["file"] == "bang-diem.csv"
    assert card["framework_unverified"] is False                      # points were its only unverified part
    with pytest.raises(ValidationError, match="0–12"):
        set_values(COMMUNE, 2024, {"1.1": 13})
    # the scorecard PDF names the loaded table and its date
    from services.assessment.pdf import scorecard_pdf
    scorecard_pdf(card, tmp_path / "card.pdf")
    text = " ".join(subprocess.run(["pdftotext", str(tmp_path / "card.pdf"), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    assert "Nguồn bảng điểm/chỉ tiêu: TT 09/2021/TT-BTP Phụ lục I (bản Sở Tư pháp) — nạp ngày" in text
    assert "bang-diem.csv" in text and "cần xác nhận: điểm" not in text


def test_bad_points_table_names_rows_and_stores_nothing(folder, tmp_path):
    from services.assessment.overlay import current_table
    from services.assessment.points import load_table
    good = _write_csv(tmp_path / "good.csv", _table(**CORRECTED))
    first = load_table("QD25_2021", good, source="Bảng 1")
    rows = _table(**CORRECTED)
    rows[1]["max_points"] = "mười"                                    # row 3: 1.1 not a number
    rows[2]["name_vi"] = "Tên khác"                                   # row 4: 1.2's verified text changed
    rows.append({"id": "9.9", "max_points": 1})                       # unknown id
    rows.append({"id": "2.1", "max_points": 5})                       # duplicate
    del rows[-3]                                                      # 5.4 left out
    bad = _write_csv(tmp_path / "bad.csv", rows)
    with pytest.raises(ValidationError) as err:
        load_table("QD25_2021", bad)
    got = {(e.row, e.field) for e in err.value.errors}
    assert {(3, "max_points"), (4, "name_vi"), (None, "id")} <= got
    assert any(e.field == "id" and "9.9" in e.vi for e in err.value.errors)
    assert any("xuất hiện nhiều lần" in e.vi for e in err.value.errors)
    assert any("5.4" in e.vi and "thiếu" in e.vi for e in err.value.errors)
    assert current_table("QD25_2021") == first                        # nothing stored
    # totals: indicators ≠ criterion, criteria ≠ 100 (CORRECTED has TC1 = 20 = 1.1 12 + 1.2 8)
    rows = _table(**{**CORRECTED, "1.1": {"max_points": 6}})
    with pytest.raises(ValidationError) as err:
        load_table("QD25_2021", _write_csv(tmp_path / "sum.csv", rows))
    assert err.value.message("vi").endswith("TC1: tổng điểm các chỉ tiêu 14 khác điểm tối đa của tiêu chí 20")
    assert err.value.errors[0].row == 2
    rows = _table(**{**CORRECTED, "TC1": {"max_points": 21}, "1.1": {"max_points": 13}})
    with pytest.raises(ValidationError) as err:
        load_table("QD25_2021", _write_csv(tmp_path / "total.csv", rows))
    assert "Tổng điểm các tiêu chí là 101, phải bằng 100" in err.value.message("vi")
    assert current_table("QD25_2021") == first
    assert get_framework("QD25_2021").data_source()["source"] == "Bảng 1"


def test_points_table_json_and_xlsx_formats(folder, tmp_path):
    from services.assessment.points import load_table, write_template
    xlsx = write_template("QD25_2021", tmp_path / "mau.xlsx")
    table = load_table("QD25_2021", xlsx)                             # the template itself loads
    assert table["source"] == "mau.xlsx" and len(table["rows"]) == 25
    doc = {"framework": "QD25_2021", "source": "TT 09/2021/TT-BTP Phụ lục I",
           "rows": [{"id": r["id"], "max_points": r["max_points"]} for r in _table(**CORRECTED)]}
    (tmp_path / "t.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    table = load_table("QD25_2021", tmp_path / "t.json")
    assert (table["source"] == "TT 09/2021/TT-BTP Phụ lục I"
            and get_framework("QD25_2021").criteria[0]["max_points"] == 20)
    doc["framework"] = "QD27_2025"
    (tmp_path / "t.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValidationError, match="QD27_2025"):
        load_table("QD25_2021", tmp_path / "t.json")


def test_qd27_table_replaces_placeholder_names_and_thresholds(folder, tmp_path):
    from services.assessment.points import load_table
    names = {f"{c}.{n}": {"name_vi": f"Chỉ tiêu chính thức {c}.{n}", "threshold": "có"}
             for c, k in ((2, 6), (3, 6)) for n in range(1, k + 1)}
    names["2.1"]["threshold"] = "≥ 90%"
    rows = _table("QD27_2025", **names, TC2={"name_vi": "Tên tiêu chí 2 chính thức"})
    bad = [dict(r) for r in rows]
    bad[4]["threshold"] = "khoảng 90"                                  # row 6: 2.2 unreadable
    with pytest.raises(ValidationError) as err:
        load_table("QD27_2025", _write_csv(tmp_path / "bad27.csv", bad))
    assert [(e.row, e.field) for e in err.value.errors] == [(6, "threshold")]
    load_table("QD27_2025", _write_csv(tmp_path / "qd27.csv", rows), source="TT 15/2025/TT-BTP")
    fw = get_framework("QD27_2025")
    assert fw.criteria[1]["name_vi"] == "Tên tiêu chí 2 chính thức" and not fw.criteria[1]["unverified"]
    assert fw.indicator("2.1")["rule"] == {"kind": "meets_min", "min": 90}
    assert fw.indicator("2.1")["value"]["type"] == "percent" and not fw.indicator("2.1")["unverified"]
    card = set_values(COMMUNE, 2026, {"2.1": "85%"})
    ind = card["criteria"][1]["indicators"][0]
    assert ind["name"] == "Chỉ tiêu chính thức 2.1" and ind["result"] == "not_met"
    assert card["data_source"]["points"]["source"] == "TT 15/2025/TT-BTP"
    assert card["framework_unverified"] is True                       # grouping, recognition, dates still unverified
    assert fw.data["unverified_parts"] == ["grouping", "recognition", "effective_date"]


# ----------------------------------------------------------------------------------------------- CLI
def _cli(data_dir, *args):
    env = {**os.environ, "PLCS_DATA_DIR": str(data_dir)}
    env.pop("PLCS_PASSPHRASE", None)
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120)


def test_cli_year_2021_and_points_table(data_dir, tmp_path):
    r = _cli(data_dir, "assess", COMMUNE, "--year", "2021", "--format", "json")
    assert r.returncode == 2 and r.stdout == "" and "QĐ 619/QĐ-TTg" in r.stderr
    r = _cli(data_dir, "assess-points", "--framework", "QD25_2021", "--out", str(tmp_path / "mau.csv"))
    assert r.returncode == 0, r.stderr
    lines = (tmp_path / "mau.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "id,max_points,name_vi,name_en,threshold" and len(lines) == 26
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")       # 5.4 left out
    r = _cli(data_dir, "assess-load-points", str(bad), "--framework", "QD25_2021")
    assert r.returncode == 2 and "5.4" in r.stderr
    assert not (data_dir / "frameworks" / "QD25_2021.points.json").exists()
    good = _write_csv(tmp_path / "good.csv", _table(**CORRECTED))
    r = _cli(data_dir, "assess-load-points", str(good), "--framework", "QD25_2021", "--source", "Phụ lục I", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["source"] == "Phụ lục I"
    r = _cli(data_dir, "assess", COMMUNE, "--year", "2024", "--format", "json")
    out = json.loads(r.stdout)
    assert {"framework", "commune", "year", "criteria", "result"} <= set(out)
    ps = out["data_source"]["points"]
    assert ps["source"] == "Phụ lục I" and ps["verified"] is True and ps["loaded_at"]
    assert out["criteria"][0]["max_points"] == 20
