"""XLSX (xlsxwriter) of the commune scorecard and of the province list — same figures as the PDFs.

    from services.assessment.xlsx import scorecard_xlsx, province_xlsx
    scorecard_xlsx(assess("07090", 2024), "bang-diem.xlsx")
    province_xlsx(province_overview("22", 2024), "danh-sach.xlsx")
"""
from __future__ import annotations

import xlsxwriter


def _formats(wb):
    return {
        "title": wb.add_format({"bold": True, "font_size": 14, "font_name": "Times New Roman"}),
        "note": wb.add_format({"italic": True, "font_name": "Times New Roman"}),
        "head": wb.add_format({"bold": True, "bg_color": "#EDEDED", "border": 1, "text_wrap": True,
                               "valign": "vcenter", "align": "center", "font_name": "Times New Roman"}),
        "cell": wb.add_format({"border": 1, "text_wrap": True, "valign": "top", "font_name": "Times New Roman"}),
        "num": wb.add_format({"border": 1, "valign": "top", "num_format": "#,##0.##", "font_name": "Times New Roman"}),
        "crit": wb.add_format({"bold": True, "border": 1, "bg_color": "#F7F7F7", "text_wrap": True,
                               "font_name": "Times New Roman"}),
        "ok": wb.add_format({"bold": True, "font_color": "#1B5E20", "font_name": "Times New Roman"}),
        "bad": wb.add_format({"bold": True, "font_color": "#B71C1C", "font_name": "Times New Roman"}),
        "text": wb.add_format({"font_name": "Times New Roman", "text_wrap": True}),
    }


def _num_or_text(ws, r, c, v, f):
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        ws.write_number(r, c, v, f["num"])
    else:
        ws.write(r, c, "" if v is None else str(v), f["cell"])


def scorecard_xlsx(card: dict, out) -> None:
    points = card["style"] == "points"
    wb = xlsxwriter.Workbook(str(out))
    f = _formats(wb)
    ws = wb.add_worksheet("Bảng điểm" if points else "Mức độ đạt chuẩn")
    ws.write(0, 0, f"{card['commune_name']} ({card['commune']}) — đánh giá chuẩn tiếp cận pháp luật năm {card['year']}",
             f["title"])
    from services.assessment.pdf import flag_text, points_source_text
    ws.write(1, 0, f"{card['framework']} + {card['guidance']} (dữ liệu {card['framework_version']})", f["note"])
    ws.write(2, 0, points_source_text(card) + (f" · {card['year_note']}" if card.get("year_note") else ""), f["note"])
    head = ["Mã", "Tiêu chí / chỉ tiêu", "Giá trị", "Điểm" if points else "Kết quả", "Tối đa" if points else "Yêu cầu",
            "Nguồn", "Minh chứng / số liệu", "Cần xác nhận"]
    ws.write_row(3, 0, head, f["head"])
    r = 4
    for crit in card["criteria"]:
        ws.write(r, 0, crit["id"], f["crit"])
        ws.write(r, 1, crit["name"], f["crit"])
        ws.write(r, 2, "", f["crit"])
        if points:
            ws.write_number(r, 3, crit["points"], f["crit"])
            ws.write_number(r, 4, crit["max_points"], f["crit"])
        else:
            ws.write(r, 3, "Đạt" if crit["result"] == "met" else "Không đạt", f["crit"])
            ws.write(r, 4, f"{crit['required']}/{crit['indicator_count']} chỉ tiêu", f["crit"])
        ws.write(r, 5, "", f["crit"])
        ws.write(r, 6, "", f["crit"])
        ws.write(r, 7, flag_text(crit).strip(" ()"), f["crit"])
        r += 1
        for ind in crit["indicators"]:
            ws.write(r, 0, ind["id"], f["cell"])
            ws.write(r, 1, ind["name"], f["cell"])
            v = ind["value"]
            _num_or_text(ws, r, 2, ind["value_text"] if isinstance(v, bool) or v is None else v, f)
            if points:
                _num_or_text(ws, r, 3, ind["points"], f)
                ws.write_number(r, 4, ind["max_points"], f["num"])
            else:
                ws.write(r, 3, {"met": "Đạt", "not_met": "Không đạt"}.get(ind["result"], "chưa có số liệu"), f["cell"])
                ws.write(r, 4, ind["threshold"], f["cell"])
            ws.write(r, 5, "Tự động" if ind["source"] == "auto" else "Nhập tay", f["cell"])
            ws.write(r, 6, ind["evidence"] or "", f["cell"])
            ws.write(r, 7, flag_text(ind).strip(" ()"), f["cell"])
            r += 1
    r += 1
    for cond in card["conditions"]:
        ws.write(r, 1, cond["name"], f["text"])
        ws.write(r, 3, {True: "Đạt", False: "Không đạt", None: "chưa có số liệu"}[cond["met"]], f["text"])
        r += 1
    res = card["result"]
    if points:
        ws.write(r, 1, "Tổng số điểm", f["ok"])
        ws.write_number(r, 3, res["total_points"])
        ws.write_number(r, 4, res["max_points"])
        r += 1
    ws.write(r, 1, "ĐẠT CHUẨN" if res["recognised"] else "CHƯA ĐẠT CHUẨN", f["ok"] if res["recognised"] else f["bad"])
    r += 1
    for text in res["failed_conditions"]:
        ws.write(r, 1, f"– {text}", f["text"])
        r += 1
    ws.set_column(0, 0, 8)
    ws.set_column(1, 1, 60)
    ws.set_column(2, 5, 11)
    ws.set_column(6, 6, 50)
    ws.set_column(7, 7, 10)
    ws.freeze_panes(4, 0)
    wb.close()


def province_xlsx(overview: dict, out) -> None:
    wb = xlsxwriter.Workbook(str(out))
    f = _formats(wb)
    ws = wb.add_worksheet("Danh sách")
    ws.write(0, 0, f"Xã, phường, đặc khu đạt chuẩn tiếp cận pháp luật — {overview['province_name']} — "
                   f"năm {overview['year']}", f["title"])
    c = overview["counts"]
    ws.write(1, 0, f"Tổng {c['communes']}; đã đánh giá {c['assessed']}; đạt chuẩn {c['recognised']}; "
                   f"chưa đạt {c['not_recognised']}; chưa đánh giá {c['communes'] - c['assessed']}", f["note"])
    from services.assessment.pdf import points_source_text
    ws.write(2, 0, points_source_text(overview), f["note"])
    crit_ids = [x["id"] for x in overview["communes"][0]["criteria"]] if overview["communes"] else []
    head = ["STT", "Mã", "Tên đơn vị", "Bộ tiêu chí", "Đã đánh giá", "Kết quả", "Tổng điểm"] + crit_ids + \
           ["Điều kiện chưa đạt"]
    ws.write_row(3, 0, head, f["head"])
    for i, row in enumerate(overview["communes"], start=1):
        r = 3 + i
        ws.write_number(r, 0, i, f["num"])
        ws.write(r, 1, row.get("historic_commune_code") or row["commune"], f["cell"])
        ws.write(r, 2, row["commune_name"], f["cell"])
        ws.write(r, 3, row["framework"], f["cell"])
        ws.write(r, 4, "x" if row["assessed"] else "", f["cell"])
        ws.write(r, 5, "Đạt" if row["recognised"] else "Chưa đạt" if row["assessed"] else "Chưa đánh giá", f["cell"])
        _num_or_text(ws, r, 6, row["total_points"], f)
        by_id = {x["id"]: x for x in row["criteria"]}
        for j, cid in enumerate(crit_ids):
            x = by_id.get(cid)
            v = None if x is None else (x["points"] if x.get("points") is not None else
                                        ("Đạt" if x["result"] == "met" else "Không đạt"))
            _num_or_text(ws, r, 7 + j, v, f)
        ws.write(r, 7 + len(crit_ids), "\n".join(row["failed_conditions"]), f["cell"])
    ws.set_column(0, 1, 7)
    ws.set_column(2, 2, 28)
    ws.set_column(3, 6, 12)
    ws.set_column(7 + len(crit_ids), 7 + len(crit_ids), 70)
    ws.freeze_panes(4, 3)
    ws.autofilter(3, 0, 3 + len(overview["communes"]), len(head) - 1)
    wb.close()
