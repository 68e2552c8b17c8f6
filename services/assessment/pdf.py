"""PDF of the commune scorecard and of the province list, in the printing feature's NĐ 30/2020 document style.

    from services.assessment import assess, province_overview
    from services.assessment.pdf import scorecard_pdf, province_pdf
    scorecard_pdf(assess("07090", 2024), "bang-diem.pdf")
    province_pdf(province_overview("22", 2024), "danh-sach.pdf")

Layout: administrative heading of the commune People's Committee (or the provincial Sở Tư pháp for the list),
title, a table per criterion (indicator, value, result, source, evidence), the recognition conditions and the
overall conclusion with every failing condition, signature block. Items flagged unverified print
"(cần xác nhận: …)" naming what is unverified; the points table's source and load date are printed under the title.
"""
from __future__ import annotations

import datetime as dt

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether

from services.formatting import fmt_decimal
from services.printing.context import commune_issuer, province_issuer, units_of
from services.printing.document import (
    Signer,
    admin_heading,
    build_pdf,
    data_table,
    esc,
    frame_width,
    p,
    section,
    signature_block,
    title_block,
)


def _pts(x) -> str:
    if x is None:
        return "—"
    return str(int(x)) if float(x) == int(x) else fmt_decimal(x, "vi", 1)


FLAG_WORDS = {"name": "tên", "points": "điểm", "threshold": "mức đạt", "rule": "quy tắc"}


def flag_text(item: dict) -> str:
    """" (cần xác nhận: điểm)" for an item with unverified parts, "" otherwise."""
    flags = item.get("to_confirm") or (["name"] if item.get("unverified") else [])
    if not flags:
        return ""
    return " (cần xác nhận: " + ", ".join(FLAG_WORDS.get(f, f) for f in flags) + ")"


def points_source_text(card: dict) -> str:
    """The line every printed scorecard carries: where the points / indicator table comes from, and its date."""
    ps = (card.get("data_source") or {}).get("points") or {}
    if not ps:
        return ""
    text = f"Nguồn bảng điểm/chỉ tiêu: {ps.get('source', '')}"
    if ps.get("loaded_at"):
        text += f" — nạp ngày {_date_vi(ps['loaded_at'])}"
        if ps.get("file"):
            text += f" từ tệp {ps['file']}"
    if not ps.get("verified"):
        text += " — cần xác nhận"
    return text


def _date_vi(iso: str) -> str:
    try:
        d = dt.datetime.fromisoformat(str(iso).replace("Z", "+00:00"))
    except ValueError:
        return str(iso)
    return d.strftime("%d/%m/%Y %H:%M") + (" UTC" if d.tzinfo else "")


def _ind_result(style: str, ind: dict) -> str:
    if style == "points":
        return f"{_pts(ind['points'])}/{_pts(ind['max_points'])}"
    return {"met": "Đạt", "not_met": "Không đạt"}.get(ind["result"], "chưa có số liệu")


def _src(ind: dict) -> str:
    return "Tự động" if ind["source"] == "auto" else "Nhập tay"


def scorecard_story(card: dict, on: dt.date | None = None) -> list:
    fw_points = card["style"] == "points"
    # a year ≤ 2024 is headed by the unit of that year (old commune under its district), see printing.context
    with units_of(commune_code=card["commune"], historic_code=card.get("historic_commune_code"),
                  on=dt.date(int(card["year"]), 12, 31)):
        issuer = commune_issuer(card["commune"])
    story = admin_heading(issuer, number="", on=on)
    story += title_block("BẢNG TỰ ĐÁNH GIÁ, CHẤM ĐIỂM" if fw_points else "BẢNG TỰ ĐÁNH GIÁ MỨC ĐỘ ĐẠT CHUẨN",
                         f"{card['commune_name']} — chuẩn tiếp cận pháp luật năm {card['year']}")
    story.append(p(esc(f"Theo {card['framework']} và {card['guidance']} (phiên bản dữ liệu {card['framework_version']})"
                       + (" — một số nội dung cần xác nhận với văn bản gốc"
                          if card.get("framework_unverified") else "")),
                   "note"))
    if points_source_text(card):
        story.append(p(esc(points_source_text(card)), "note"))
    if card.get("year_note"):
        story.append(p(esc(card["year_note"]), "note"))
    width = frame_width()
    cols = [12 * mm, width - 12 * mm - 18 * mm - 16 * mm - 18 * mm - 42 * mm, 18 * mm, 16 * mm, 18 * mm, 42 * mm]
    for crit in card["criteria"]:
        head = f"{crit['id']}. {crit['name']}" + flag_text(crit)
        if fw_points:
            head += f" — {_pts(crit['points'])}/{_pts(crit['max_points'])} điểm"
        head += " — " + ("Đạt" if crit["result"] == "met" else "Không đạt")
        story.append(section(head))
        rows = []
        for ind in crit["indicators"]:
            name = ind["name"] + flag_text(ind)
            rows.append([ind["id"], name, ind["value_text"], _ind_result(card["style"], ind), _src(ind),
                         ind["evidence"] or ""])
        story.append(data_table([["Mã", "Chỉ tiêu", "Giá trị", "Điểm" if fw_points else "Kết quả", "Nguồn",
                                  "Minh chứng"]], rows, cols, align=["c", "l", "c", "c", "c", "l"]))
    if card["conditions"]:
        block = [section("Điều kiện công nhận khác")]
        for cond in card["conditions"]:
            state = {True: "Đạt", False: "Không đạt", None: "chưa có số liệu"}[cond["met"]]
            block.append(p(esc(f"– {cond['name']}{flag_text(cond)}: {state}"), "field"))
        story.append(KeepTogether(block))
    r = card["result"]
    story.append(section("Kết luận"))
    if fw_points:
        story.append(p(esc(f"Tổng số điểm: {_pts(r['total_points'])}/{_pts(r['max_points'])} "
                           f"(yêu cầu từ {_pts(r['total_min'])} điểm)."), "field"))
    story.append(p("<b>" + esc("ĐẠT CHUẨN tiếp cận pháp luật" if r["recognised"]
                               else "CHƯA ĐẠT CHUẨN tiếp cận pháp luật") + "</b>", "field"))
    for f in r["failed_conditions"]:
        story.append(p(esc(f"– {f}"), "field"))
    prev = card.get("previous")
    if prev:
        txt = (f"Năm {prev['year']} ({prev['framework']}): "
               + ("đạt chuẩn" if prev["recognised"] else "chưa đạt chuẩn")
               + (f", {_pts(prev['total_points'])} điểm" if prev.get("total_points") is not None else "")
               + ("" if prev["assessed"] else " (chưa có bản đánh giá)"))
        story.append(p(esc(txt), "note"))
    story.append(signature_block([Signer("NGƯỜI LẬP BẢNG"),
                                  Signer("CHỦ TỊCH", note="(Ký, ghi rõ họ tên, đóng dấu)",
                                         above="TM. ỦY BAN NHÂN DÂN")],
                                 per_row=2))
    return story


def scorecard_pdf(card: dict, out=None, on: dt.date | None = None) -> bytes:
    return build_pdf(scorecard_story(card, on), out, title=f"Bảng đánh giá {card['commune_name']} {card['year']}")


def province_story(overview: dict, on: dt.date | None = None) -> list:
    story = admin_heading(province_issuer(overview["province"]), number="", on=on)
    story += title_block("DANH SÁCH XÃ, PHƯỜNG, ĐẶC KHU ĐẠT CHUẨN TIẾP CẬN PHÁP LUẬT",
                         f"{overview['province_name']} — năm {overview['year']}")
    c = overview["counts"]
    story.append(p(esc(f"Tổng số {c['communes']} đơn vị; đã đánh giá {c['assessed']}; đạt chuẩn {c['recognised']}; "
                       f"chưa đạt {c['not_recognised']}; chưa đánh giá {c['communes'] - c['assessed']}."), "field"))
    if points_source_text(overview):
        story.append(p(esc(points_source_text(overview)), "note"))
    width = frame_width(landscape=True)
    cols = [12 * mm, 18 * mm, 50 * mm, 20 * mm, 20 * mm, 52 * mm]
    cols.append(width - sum(cols))
    rows = []
    for i, r in enumerate(overview["communes"], start=1):
        crit = ", ".join(f"{x['id']}: {_pts(x['points'])}" if x.get("points") is not None
                         else f"{x['id']}: {'Đạt' if x['result'] == 'met' else 'Không'}" for x in r["criteria"])
        result = "Đạt" if r["recognised"] else "Chưa đạt" if r["assessed"] else "Chưa đánh giá"
        rows.append([str(i), r.get("historic_commune_code") or r["commune"], r["commune_name"], result,
                     _pts(r["total_points"]) if r["total_points"] is not None else "—", crit,
                     "; ".join(r["failed_conditions"][:6]) + (" …" if len(r["failed_conditions"]) > 6 else "")
                     if r["assessed"] else "Chưa đánh giá"])
    story.append(data_table([["STT", "Mã", "Tên đơn vị", "Kết quả", "Tổng điểm", "Theo tiêu chí",
                              "Điều kiện chưa đạt"]], rows, cols, align=["c", "c", "l", "c", "c", "l", "l"]))
    story.append(signature_block([Signer("NGƯỜI LẬP"), Signer("GIÁM ĐỐC", note="(Ký, ghi rõ họ tên, đóng dấu)")],
                                 width=width, per_row=2))
    return story


def province_pdf(overview: dict, out=None, on: dt.date | None = None) -> bytes:
    return build_pdf(province_story(overview, on), out, landscape=True, numbering="total",
                     title=f"Danh sách đạt chuẩn {overview['province_name']} {overview['year']}")
