"""Mediation documents (Luật Hòa giải ở cơ sở 2013): the minutes (biên bản hòa giải), the written agreement
(văn bản hòa giải thành, Điều 24 a–h) and the follow-up book (sổ theo dõi hoạt động hòa giải ở cơ sở).

    story = minutes_story(case);  story = agreement_story(case)
    story = book_story(team, date(2026, 1, 1), date(2026, 12, 31))      # landscape, Part I + Part II
"""
from __future__ import annotations

import datetime as dt
from collections import Counter

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, Spacer

from models.records import MediationCase, MediationSession, MediationTeam, Person
from services import catalogs
from services.errors import FieldError, ValidationError
from services.formatting import fmt_date, fmt_long_date
from services.printing.context import age, commune_issuer, commune_name, label, person_address, person_line
from services.printing.document import (
    QUOC_HIEU,
    TIEU_NGU,
    Issuer,
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
from services.text import fold

SUCCESS, FAILED, IN_PROGRESS = "thanh", "khong_thanh", "in_progress"


def team_title(team: MediationTeam | None, village: str = "") -> str:
    if team is None:
        return f"Tổ hòa giải {village}".strip()
    return team.name if fold(team.name).startswith("to hoa giai") else f"Tổ hòa giải {team.name}"


def team_issuer(case_or_team) -> Issuer:
    """Heading of a mediation team: "UBND XÃ …" (chủ quản) over "TỔ HÒA GIẢI …"."""
    team = case_or_team if isinstance(case_or_team, MediationTeam) else case_or_team.team
    commune = case_or_team.commune_code
    base = commune_issuer(commune)
    parent = f"Ủy ban nhân dân {base.unit}" if base.unit else ""
    return Issuer(province=base.province, province_type=base.province_type, body=team_title(team,
                  getattr(case_or_team, "village", "")), unit="", place=base.place, parent=parent)


def parties_of(cases: list[MediationCase]) -> dict[str, Person]:
    """All parties of these cases in one query."""
    ids = {pid for c in cases for pid in (c.parties or [])}
    if not ids:
        return {}
    return {person.id: person for person in Person.select().where(Person.id.in_(list(ids)))}


def _sessions(case) -> list[MediationSession]:
    return list(MediationSession.alive().where(MediationSession.case == case.id)
                .order_by(MediationSession.date))


def _mediators(case) -> str:
    return ", ".join(case.mediators or [])


def _course_paragraphs(case, sessions) -> list:
    if not sessions:
        return [p(f"Hòa giải viên đã gặp gỡ, trao đổi với các bên; ngày kết thúc: "
                  f"{fmt_date(case.closed_date) or '…'}.", "body")]
    out = []
    for i, s in enumerate(sessions, 1):
        text = f"Buổi {i} — ngày {fmt_date(s.date)}" + (f", tại {s.place}" if s.place else "")
        text += (f"; có mặt: {s.attendees}" if s.attendees else "") + ": "
        text += s.content or ""
        if s.result:
            text += f" Kết quả: {s.result}"
        out.append(p(esc(text), "body"))
    return out


def _party_signers(parties: list[Person], fingerprint=False) -> list[Signer]:
    return [Signer(f"BÊN THỨ {i}" if len(parties) > 1 else "CÁC BÊN", "(Ký, ghi rõ họ tên hoặc điểm chỉ)",
                   name=pp.full_name, fingerprint=fingerprint) for i, pp in enumerate(parties, 1)]


def _mediator_signers(case) -> list[Signer]:
    names = case.mediators or [""]
    return [Signer("HÒA GIẢI VIÊN", "(Ký, ghi rõ họ tên)", name=n) for n in names]


def minutes_story(case: MediationCase) -> list:
    """Biên bản hòa giải (optional under the Law; made when the parties ask or agree)."""
    people = parties_of([case])
    parties = [people[i] for i in case.parties or [] if i in people]
    sessions = _sessions(case)
    first = sessions[0] if sessions else None
    on = sessions[-1].date if sessions else (case.closed_date or case.received_date)
    story = admin_heading(team_issuer(case), number=case.number, on=on)
    story += title_block("BIÊN BẢN HÒA GIẢI", f"Về việc: {label('dispute_fields', case.dispute_field)}")
    where = (first.place if first and first.place else case.village) or commune_name(case.commune_code)
    story.append(p(esc(f"Hôm nay, {fmt_long_date(on)}, tại {where}, {team_title(case.team, case.village)} tiến hành "
                       f"hòa giải vụ, việc số {case.number}, nhận ngày {fmt_date(case.received_date)}."), "body"))
    story.append(section("I. Thành phần tham gia"))
    story.append(field_line("1. Hòa giải viên", _mediators(case)))
    story.append(p("2. Các bên:", "field"))
    for i, person in enumerate(parties, 1):
        story.append(p(esc(f"- Bên thứ {i}: {person_line(person)}"), "field"))
    # Điều 19: invited persons are third parties — never the parties or the mediators.
    story.append(field_line("3. Người được mời tham gia hòa giải", "; ".join(case.invited or []) or "Không có",
                            dots=False))
    story.append(section("II. Căn cứ tiến hành hòa giải"))
    story.append(p(esc(label("mediation_bases", case.basis) or "…"), "body"))
    story.append(section("III. Nội dung chủ yếu của vụ, việc"))
    story.append(p(esc(case.summary or "…"), "body"))
    story.append(section("IV. Diễn biến của quá trình hòa giải"))
    story += _course_paragraphs(case, sessions)
    story.append(section("V. Kết quả hòa giải"))
    story.append(field_line("Kết quả", label("mediation_outcomes", case.outcome)))
    if case.agreement:
        story.append(field_line("Thỏa thuận của các bên", case.agreement))
    if case.rights_obligations:
        story.append(field_line("Quyền và nghĩa vụ của các bên", case.rights_obligations))
    if case.implementation or case.implementation_deadline:
        story.append(field_line("Phương thức, thời hạn thực hiện", _implementation(case)))
    if case.referred_to:
        story.append(field_line("Hướng dẫn các bên đến", case.referred_to))
    story.append(p("Biên bản được đọc lại cho các bên cùng nghe, các bên nhất trí và ký tên dưới đây.", "body"))
    story.append(signature_block(_party_signers(parties), frame_width()))
    story.append(signature_block(_mediator_signers(case), frame_width()))
    return story


def _implementation(case) -> str:
    """Điều 24 g): the method, then the deadline."""
    bits = [case.implementation] if case.implementation else []
    if case.implementation_deadline:
        bits.append(f"Thời hạn thực hiện: đến {fmt_long_date(case.implementation_deadline)}.")
    return " ".join(bits)


def agreement_story(case: MediationCase) -> list:
    """Văn bản hòa giải thành with the eight contents of Điều 24 Luật Hòa giải ở cơ sở 2013, items a)–h)."""
    if case.outcome != SUCCESS:
        raise ValidationError([FieldError("outcome", "Vụ, việc chưa hòa giải thành: không lập văn bản hòa giải thành",
                                          "The case was not mediated successfully: no agreement to print")])
    people = parties_of([case])
    parties = [people[i] for i in case.parties or [] if i in people]
    sessions = _sessions(case)
    story = admin_heading(team_issuer(case), number=case.number, on=case.closed_date or case.received_date)
    story += title_block("VĂN BẢN HÒA GIẢI THÀNH", f"Vụ, việc số {case.number}")
    story.append(section("a) Căn cứ tiến hành hòa giải"))
    story.append(p(esc(label("mediation_bases", case.basis) or "…"), "body"))
    story.append(section("b) Thông tin cơ bản về các bên"))
    for i, person in enumerate(parties, 1):
        line = person_line(person, with_id=True)
        if person.phone:
            line += f", điện thoại {person.phone}"
        story.append(p(esc(f"- Bên thứ {i}: {line}"), "field"))
    story.append(section("c) Nội dung chủ yếu của vụ, việc"))
    story.append(p(esc(case.summary or "…"), "body"))
    story.append(section("d) Diễn biến của quá trình hòa giải"))
    story.append(p(esc(f"Hòa giải viên: {_mediators(case)}."), "field"))
    story += _course_paragraphs(case, sessions)
    story.append(section("đ) Thỏa thuận đạt được và giải pháp thực hiện"))
    story.append(p(esc(case.agreement or "…"), "body"))
    story.append(section("e) Quyền và nghĩa vụ của các bên"))
    story.append(p(esc(case.rights_obligations or "…"), "body"))
    last_item = len(story)      # from the last item on, one block: the signatures never stand alone on a page
    story.append(section("g) Phương thức, thời hạn thực hiện thỏa thuận"))
    story.append(p(esc(_implementation(case) or "…"), "body"))
    story.append(section("h) Chữ ký hoặc điểm chỉ của các bên và của hòa giải viên"))
    story.append(p("Các bên có trách nhiệm thực hiện thỏa thuận hòa giải thành (Điều 24, Điều 25 Luật Hòa giải ở "
                   "cơ sở năm 2013).", "note"))
    story.append(signature_block(_party_signers(parties, fingerprint=True), frame_width()))
    story.append(signature_block(_mediator_signers(case), frame_width()))
    return story[:last_item] + [KeepTogether(story[last_item:])]


# ---------------------------------------------------------------------------------------------- the book
def book_cases(team: MediationTeam, start: dt.date, end: dt.date) -> list[MediationCase]:
    return list(MediationCase.alive().where((MediationCase.team == team.id) & (MediationCase.received_date >= start)
                                            & (MediationCase.received_date <= end))
                .order_by(MediationCase.received_date, MediationCase.number))


def book_summary(cases: list[MediationCase]) -> tuple[list[str], list[dict], dict]:
    """Part II: per mediator, cases by dispute field and by result; plus the team total (distinct cases)."""
    fields = [e["code"] for e in catalogs.entries("dispute_fields")]
    per: dict[str, dict] = {}
    total = {"fields": Counter(), "results": Counter(), "count": 0}
    for c in cases:
        for name in (c.mediators or ["(chưa phân công)"]):
            row = per.setdefault(name, {"name": name, "fields": Counter(), "results": Counter(), "count": 0})
            row["fields"][c.dispute_field] += 1
            row["results"][_result_group(c.outcome)] += 1
            row["count"] += 1
        total["fields"][c.dispute_field] += 1
        total["results"][_result_group(c.outcome)] += 1
        total["count"] += 1
    return fields, sorted(per.values(), key=lambda r: fold(r["name"])), total


def _result_group(outcome: str) -> str:
    return outcome if outcome in (SUCCESS, FAILED) else "other"


def _breakable_number(number: str) -> str:
    """Long numbers (TG-02266-2026-0000-0001) broken after the middle hyphen for narrow columns."""
    parts = (number or "").split("-")
    if len(parts) < 4:
        return esc(number)
    half = 2
    return esc("-".join(parts[:half]) + "-") + "<br/>" + esc("-".join(parts[half:]))


def book_story(team: MediationTeam, start: dt.date, end: dt.date) -> list:
    """Sổ theo dõi hoạt động hòa giải ở cơ sở (BTP template): cover, Part I (columns 1–10), Part II summary."""
    cases = book_cases(team, start, end)
    people = parties_of(cases)
    issuer = commune_issuer(team.commune_code)
    # Cover of the BTP template: Quốc hiệu – Tiêu ngữ, units, book number, "Mở ngày … tháng … năm …" and
    # "Khóa ngày … tháng … năm …" (dates in the NĐ 30/2020 form). No district line after 01/07/2025.
    story = [p(QUOC_HIEU, "head_cb"), p(TIEU_NGU, "tieu_ngu"), Spacer(1, 18 * mm),
             p("SỔ THEO DÕI HOẠT ĐỘNG HÒA GIẢI Ở CƠ SỞ", "title"), Spacer(1, 10 * mm)]
    cover = [("Tỉnh/thành phố", f"{issuer.province_type} {issuer.province}" if issuer.province else ""),
             ("Xã/phường/đặc khu", commune_name(team.commune_code)), ("Thôn/tổ dân phố", team.village),
             ("Tổ hòa giải", team_title(team)), ("Tổ trưởng", team.leader), ("Quyển số", "01")]
    for k, v in cover:
        story.append(p(f"{esc(k)}: <b>{esc(v)}</b>" if v else f"{esc(k)}: " + "." * 50, "field"))
    story.append(Spacer(1, 6 * mm))
    story.append(p(esc("Mở " + fmt_long_date(start)), "field"))
    story.append(p(esc("Khóa " + fmt_long_date(end)), "field"))
    story.append(PageBreak())

    width = frame_width(landscape=True)
    story.append(p("PHẦN I – GHI CHÉP CỦA HÒA GIẢI VIÊN", "subtitle"))
    story.append(Spacer(1, 3 * mm))
    head1 = ["STT", "Ngày, tháng, năm nhận vụ, việc hòa giải",
             "Họ và tên hòa giải viên, người được mời tham gia hòa giải (nếu có)",
             "Họ tên, tuổi, địa chỉ các bên, người có quyền, nghĩa vụ liên quan đến vụ, việc hòa giải (nếu có)",
             "Nội dung chủ yếu của vụ, việc", "Thỏa thuận của các bên (hoặc yêu cầu của mỗi bên) sau khi hòa giải",
             "Kết quả hòa giải", "", "Chữ ký (hòa giải viên; người chứng kiến; người được mời tham gia, nếu có)",
             "Ghi chú"]
    head2 = ["", "", "", "", "", "", "Hòa giải thành", "Hòa giải không thành", "", ""]
    head3 = [f"({i})" for i in range(1, 11)]
    widths_mm = [10, 20, 30, 46, 40, 38, 13, 13, 20, 0]
    widths = [w * mm for w in widths_mm[:-1]]
    widths.append(width - sum(widths))
    rows = []
    for i, c in enumerate(cases, 1):
        party_text = "; ".join(
            f"{pp.full_name}" + (f", {age(pp, c.received_date)} tuổi" if pp.birth_year else "")
            + (f", {person_address(pp)}" if person_address(pp) else "")
            for pp in (people.get(pid) for pid in c.parties or []) if pp is not None)
        note_text = esc(label('mediation_outcomes', c.outcome)) if c.outcome not in (SUCCESS, FAILED) else ""
        note = p(f"{_breakable_number(c.number)}" + (f"<br/>{note_text}" if note_text else ""), "tiny8")
        people_text = _mediators(c) + (f"; người được mời: {', '.join(c.invited)}" if c.invited else "")
        rows.append([str(i), fmt_date(c.received_date), people_text, party_text, c.summary,
                     c.agreement or c.referred_to, "x" if c.outcome == SUCCESS else "",
                     "x" if c.outcome == FAILED else "", "", note])
    if not rows:
        rows.append(["", "", "", "Không có vụ, việc trong kỳ", "", "", "", "", "", ""])
    spans = [(0, 0, 0, 1), (1, 0, 1, 1), (2, 0, 2, 1), (3, 0, 3, 1), (4, 0, 4, 1), (5, 0, 5, 1), (6, 0, 7, 0),
             (8, 0, 8, 1), (9, 0, 9, 1)]
    story.append(data_table([head1, head2, head3], rows, widths, spans=[((a, b), (c, d)) for a, b, c, d in spans],
                            align=["c", "c", "l", "l", "l", "l", "c", "c", "l", "l"], small=True))
    story.append(PageBreak())

    story.append(p("PHẦN II – THEO DÕI, TỔNG HỢP CỦA TỔ TRƯỞNG TỔ HÒA GIẢI", "subtitle"))
    story.append(p(esc(f"Từ ngày {fmt_date(start)} đến ngày {fmt_date(end)}"), "subtitle_i"))
    story.append(Spacer(1, 3 * mm))
    fields, per, total = book_summary(cases)
    n_f = len(fields)
    h1 = ["STT", "Hòa giải viên tiến hành hòa giải", "Vụ, việc hòa giải chia theo phạm vi hòa giải"] + \
         [""] * (n_f - 1) + ["Tổng số", "Kết quả hòa giải", "", "", "Ghi chú"]
    h2 = ["", ""] + [label("dispute_fields", f) for f in fields] + ["", "Thành", "Không thành",
                                                                   "Trạng thái nghiệp vụ (đang hòa giải, khác)",
                                                                   ""]
    fixed = [10 * mm, 45 * mm]
    rest = width - sum(fixed) - 25 * mm
    col = rest / (n_f + 4)
    widths2 = fixed + [col] * (n_f + 4) + [25 * mm]
    body = []
    for i, r in enumerate(per, 1):
        body.append([str(i), r["name"]] + [r["fields"][f] for f in fields] + [
            r["count"], r["results"][SUCCESS], r["results"][FAILED], r["results"]["other"], ""])
    body.append(["", "Tổng cộng (số vụ, việc của tổ)"] + [total["fields"][f] for f in fields] + [
        total["count"], total["results"][SUCCESS], total["results"][FAILED], total["results"]["other"], ""])
    last = 2 + n_f
    spans2 = [((0, 0), (0, 1)), ((1, 0), (1, 1)), ((2, 0), (last - 1, 0)), ((last, 0), (last, 1)),
              ((last + 1, 0), (last + 3, 0)), ((last + 4, 0), (last + 4, 1))]
    story.append(data_table([h1, h2], body, widths2, spans=spans2, bold_rows=(len(body) - 1,),
                            align=["c", "l"] + ["r"] * (n_f + 4) + ["l"], small=True))
    story.append(p("Ghi chú: một vụ, việc do nhiều hòa giải viên cùng tiến hành được tính cho mỗi hòa giải viên; "
                   "dòng tổng cộng đếm mỗi vụ, việc một lần.", "note"))
    story.append(signature_block([Signer("TỔ TRƯỞNG TỔ HÒA GIẢI", name=team.leader)], width / 2.2))
    return story

