"""Legal-aid documents: the request form (Mẫu số 02-TP-TGPL, pre-filled) and the case slip (phiếu tiếp nhận /
thụ lý) with its QR code.

    story = request_form_story(case)       # list of flowables; services.printing.render() builds the PDF
    story = case_slip_story(case)
"""
from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from services import catalogs
from services.formatting import fmt_date
from services.printing.context import (
    commune_issuer,
    commune_name,
    label,
    person_address,
    person_line,
    receiving_officer,
)
from services.printing.document import (
    Signer,
    admin_heading,
    date_line,
    esc,
    field_line,
    frame_width,
    national_heading,
    p,
    signature_block,
    title_block,
)
from services.printing.qr import OneLineCaption, QRFlowable, qr_payload

CENTRE = "Trung tâm Trợ giúp pháp lý nhà nước"
GAP = "&nbsp;" * 6


def _addressee(case) -> str:
    if case.referred_to:
        return case.referred_to
    c = commune_issuer(case.commune_code)
    return f"{CENTRE} {c.province_type.lower()} {c.province}" if c.province else CENTRE


def _with_phone(person) -> str:
    address = person_address(person) or "……………………………"
    return f"{address}; Số điện thoại: {person.phone}" if person.phone else address


def tick_list(case) -> list[dict]:
    """Categories of Luật TGPL Điều 7 valid on the case's received date (plus the case's own category, which a
    record keeps even after the law changed)."""
    shown = catalogs.entries("beneficiary_categories", case.received_date)
    if case.beneficiary_category and all(e["code"] != case.beneficiary_category for e in shown):
        own = catalogs.get("beneficiary_categories", case.beneficiary_category)
        if own:
            shown = [e for e in catalogs.entries("beneficiary_categories") if e in shown or e is own]
    return shown


def _birth(person) -> str:
    """Mẫu 02 asks for the date of birth: the full date when known, else the year."""
    if getattr(person, "birth_date", None):
        return f"Ngày, tháng, năm sinh: {fmt_date(person.birth_date)}"
    return f"Năm sinh: {esc(person.birth_year or '……')}"


def request_form_story(case) -> list:
    """Đơn yêu cầu trợ giúp pháp lý (Mẫu số 02-TP-TGPL, TT 12/2018/TT-BTP), filled from the case; the requester
    signs or puts a fingerprint in the box."""
    requester, beneficiary = case.requester, case.beneficiary or case.requester
    story = national_heading(form_no="Mẫu số 02-TP-TGPL")
    story += title_block("ĐƠN YÊU CẦU TRỢ GIÚP PHÁP LÝ")
    story.append(p(f"Kính gửi: <b>{esc(_addressee(case))}</b>", "field"))
    story.append(Spacer(1, 2 * mm))
    story += [
        field_line("Họ và tên người yêu cầu trợ giúp pháp lý", requester.full_name),
        field_line("Địa chỉ liên hệ", _with_phone(requester)),
        field_line("Họ và tên người được trợ giúp pháp lý", beneficiary.full_name),
        p(f"{_birth(beneficiary)}{GAP}Giới tính: "
          f"{esc(label('genders', beneficiary.gender) or '……')}{GAP}"
          f"Dân tộc: {esc(label('ethnic_groups', beneficiary.ethnicity) or '……')}", "field"),
        field_line("Số định danh cá nhân / CCCD", beneficiary.id_number),
        field_line("Địa chỉ liên hệ", _with_phone(beneficiary)),
        p("Thuộc diện người được trợ giúp pháp lý <i>(đánh dấu vào ô tương ứng)</i>:", "field"),
    ]
    for entry in tick_list(case):
        mark = "■" if entry["code"] == case.beneficiary_category else "□"
        story.append(p(f"{mark} {esc(entry.get('point') or entry['code'])}. {esc(entry['vi'])}", "checklist"))
    story.append(Spacer(1, 2 * mm))
    story.append(p(f"Lĩnh vực pháp luật: {esc(label('legal_fields', case.legal_field))}{GAP}"
                   f"Hình thức trợ giúp pháp lý đề nghị: {esc(label('aid_forms', case.aid_form))}", "field"))
    story.append(p("Nội dung yêu cầu trợ giúp pháp lý:", "field"))
    story.append(p(esc(case.request_content) if case.request_content else "." * 150, "body"))
    story.append(p("Giấy tờ kèm theo: " + "." * 100, "field"))
    story.append(p("Tôi xin cam đoan những thông tin nêu trên là đúng sự thật và chịu trách nhiệm về lời khai của "
                   "mình.", "body"))
    place = commune_issuer(case.commune_code).place
    story.append(p(esc(date_line(place, case.received_date)), "dateline_right"))
    story.append(signature_block([
        Signer("NGƯỜI TIẾP NHẬN", "(Ký, ghi rõ họ tên)", name=receiving_officer(case)),
        Signer("NGƯỜI YÊU CẦU", "(Ký, ghi rõ họ tên hoặc điểm chỉ)", name=requester.full_name, fingerprint=True),
    ], frame_width(), space=20 * mm, gap=1 * mm))
    return story


def slip_title(case) -> str:
    return ("PHIẾU THỤ LÝ VỤ VIỆC TRỢ GIÚP PHÁP LÝ" if case.status in ("accepted", "in_progress", "completed")
            else "PHIẾU TIẾP NHẬN YÊU CẦU TRỢ GIÚP PHÁP LÝ")


def case_slip_story(case) -> list:
    """Phiếu tiếp nhận / thụ lý: number, dates, requester and beneficiary, category, field, form, provider or
    referral, signature blocks and a QR code with {"id", "number"}."""
    issuer = commune_issuer(case.commune_code)
    story = admin_heading(issuer, number=case.number, on=case.received_date)
    story += title_block(slip_title(case))
    beneficiary = case.beneficiary or case.requester
    rows = [
        ("Số vụ việc", case.number),
        ("Ngày tiếp nhận", fmt_date(case.received_date)),
        ("Nơi tiếp nhận", commune_name(case.commune_code)),
        ("Người yêu cầu", person_line(case.requester)),
        ("Số điện thoại", case.requester.phone),
        ("Người được trợ giúp pháp lý", person_line(beneficiary)),
        ("Diện người được TGPL", catalogs.display_label("beneficiary_categories", case.beneficiary_category)),
        ("Lĩnh vực", label("legal_fields", case.legal_field)),
        ("Hình thức trợ giúp", label("aid_forms", case.aid_form)),
        ("Nội dung yêu cầu", case.request_content),
        ("Người thực hiện TGPL", case.provider),
        ("Chuyển đến", case.referred_to),
        ("Tình trạng", label("legal_aid_statuses", case.status) +
         (f" (ngày {fmt_date(case.status_date)})" if case.status_date else "")),
    ]
    if case.closed_date:
        rows.append(("Ngày kết thúc", fmt_date(case.closed_date)))
    if case.outcome:
        rows.append(("Kết quả", label("legal_aid_outcomes", case.outcome)))
    width = frame_width()
    qr_w = 32 * mm
    info = Table([[p(f"<b>{esc(k)}:</b>", "cell"), p(esc(v) if v else "—", "cell")] for k, v in rows],
                 colWidths=[45 * mm, width - qr_w - 45 * mm])
    info.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("BOTTOMPADDING", (0, 0), (-1, -1), 2), ("TOPPADDING", (0, 0), (-1, -1), 1)]))
    qr_cell = [QRFlowable(qr_payload(case), size=28 * mm), OneLineCaption(case.number, qr_w)]
    outer = Table([[info, qr_cell]], colWidths=[width - qr_w, qr_w])
    outer.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    story.append(outer)
    story.append(Spacer(1, 3 * mm))
    story.append(p("Người yêu cầu giữ phiếu này và xuất trình khi liên hệ về vụ việc.", "note"))
    story.append(signature_block([
        Signer("NGƯỜI YÊU CẦU", "(Ký, ghi rõ họ tên hoặc điểm chỉ)", name=case.requester.full_name),
        Signer("NGƯỜI TIẾP NHẬN", "(Ký, ghi rõ họ tên)", name=receiving_officer(case)),
    ], width))
    return story
