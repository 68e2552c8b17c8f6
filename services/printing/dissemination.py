"""Dissemination (PBGDPL) documents: the event record and its attendance sheet (numbered blank rows to sign).

    story = event_record_story(event);  story = attendance_sheet_story(event, rows=40)
"""
from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from services import catalogs
from services.formatting import fmt_date, fmt_int, fmt_long_date
from services.printing.context import commune_issuer, commune_name, label
from services.printing.document import (
    Signer,
    admin_heading,
    data_table,
    esc,
    field_line,
    frame_width,
    p,
    section,
    signature_block,
    title_block,
)


def _place(event) -> str:
    return ", ".join(x for x in (event.village, commune_name(event.commune_code)) if x)


def event_record_story(event) -> list:
    """Biên bản tổ chức phổ biến, giáo dục pháp luật."""
    story = admin_heading(commune_issuer(event.commune_code), number="", on=event.date)
    story += title_block("BIÊN BẢN", "Tổ chức phổ biến, giáo dục pháp luật")
    story.append(p(esc(f"Hôm nay, {fmt_long_date(event.date)}, tại {_place(event)}, tổ chức phổ biến, giáo dục pháp "
                       f"luật với nội dung sau:"), "body"))
    groups = ", ".join(label("target_groups", g) for g in (event.target_groups or []))
    story += [
        field_line("1. Hình thức", label("dissemination_forms", event.form)),
        field_line("2. Chủ đề", event.topic),
        field_line("3. Văn bản pháp luật được phổ biến", event.laws),
        field_line("4. Người trình bày (báo cáo viên, tuyên truyền viên)", event.presenter),
        field_line("5. Đối tượng", groups),
        field_line("6. Ngôn ngữ sử dụng", catalogs.language_label(event.language or "vi")),
        field_line("7. Số người tham dự", f"{fmt_int(event.participants)} người "
                   f"(nữ: {fmt_int(event.participants_women)}; "
                   f"dân tộc thiểu số: {fmt_int(event.participants_ethnic_minority)})"),
        field_line("8. Tài liệu phát", f"{fmt_int(event.materials_distributed)} bản"),
    ]
    if event.feedback_respondents is not None:
        story.append(section("Ý kiến phản hồi"))
        story.append(field_line("Số người cho ý kiến", fmt_int(event.feedback_respondents)))
        story.append(field_line("Số người thấy hữu ích", fmt_int(event.feedback_useful or 0)))
        story.append(field_line("Số câu hỏi", fmt_int(event.questions_asked or 0)))
        story.append(field_line("Yêu cầu trợ giúp pháp lý / hòa giải phát sinh", fmt_int(event.followup_requests or 0)))
    story.append(section("Ghi chú, kiến nghị"))
    story.append(p(esc(event.notes) if event.notes else "." * 150, "body"))
    story.append(p("Kèm theo biên bản này là danh sách người tham dự.", "note"))
    story.append(signature_block([Signer("ĐẠI DIỆN THÔN"), Signer("NGƯỜI TRÌNH BÀY", name=event.presenter),
                                  Signer("NGƯỜI LẬP BIÊN BẢN")], frame_width()))
    return story


def attendance_sheet_story(event, rows: int | None = None) -> list:
    """Danh sách người tham dự: numbered blank rows (at least 25, or the recorded participants + 10%)."""
    n = rows or max(25, int((event.participants or 0) * 1.1 + 0.999))
    story = admin_heading(commune_issuer(event.commune_code), number=None, on=event.date)
    story += title_block("DANH SÁCH NGƯỜI THAM DỰ",
                         f"{label('dissemination_forms', event.form)}: {event.topic}")
    story.append(p(esc(f"Thời gian: {fmt_date(event.date)}. Địa điểm: {_place(event)}."), "subtitle_i"))
    story.append(Spacer(1, 4 * mm))
    width = frame_width()
    widths = [11 * mm, 48 * mm, 15 * mm, 12 * mm, 18 * mm]
    widths += [(width - sum(widths)) * 0.5, (width - sum(widths)) * 0.5]
    header = ["STT", "Họ và tên", "Năm sinh", "Nữ (x)", "Dân tộc", "Thôn/tổ dân phố, địa chỉ", "Chữ ký"]
    body = [[str(i), "", "", "", "", "", ""] for i in range(1, n + 1)]
    table = data_table([header], body, widths, align=["c", "l", "c", "c", "l", "l", "l"])
    table.setStyle([("TOPPADDING", (0, 1), (-1, -1), 7), ("BOTTOMPADDING", (0, 1), (-1, -1), 7)])
    story.append(table)
    story.append(signature_block([Signer(""), Signer("NGƯỜI LẬP DANH SÁCH")], width))
    return story
