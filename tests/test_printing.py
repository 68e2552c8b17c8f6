"""Printed documents: the text of every PDF (pdfplumber) holds the real values with their diacritics, the NĐ 30/2020
heading and page numbering, long tables repeat their header across pages, batches carry "Trang x/y", prints are
audited, and the CLI follows the contract."""
from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pdfplumber
import pytest
import segno

from models.records import AuditEntry
from services import printing
from services.errors import NotFoundError, ValidationError
from services.printing.qr import QRFlowable, parse_payload, qr_payload
from services.records import store
from tests import factories

ROOT = Path(__file__).resolve().parent.parent


def pages_text(pdf: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return [page.extract_text() or "" for page in doc.pages]


def text_of(pdf: bytes) -> str:
    return "\n".join(pages_text(pdf))


@pytest.fixture
def case(db):
    return store.save("legal-aid", factories.legal_aid(
        referred_to="Trung tâm Trợ giúp pháp lý nhà nước tỉnh Quảng Ninh"))


@pytest.fixture
def mediation(db):
    team = store.save("mediation-team", {"name": "Tổ hòa giải thôn Khe Lánh", "commune_code": factories.COMMUNE,
                                           "village": "Thôn Khe Lánh", "leader": "Lê Văn Cường"})
    return store.save("mediation", factories.mediation(
        team_id=team.id, outcome="thanh", closed_date="2026-11-05",
        agreement="Hộ ông Bình tháo dỡ hàng rào lấn lối đi, trả lại lối đi rộng 2 mét",
        implementation="Thực hiện trước ngày 30/11/2026; tổ hòa giải theo dõi, đôn đốc"))


@pytest.fixture
def event(db):
    return store.save("dissemination", factories.dissemination(participants=1234, participants_women=611,
                                                                 participants_ethnic_minority=900))


HEADING = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


def test_case_slip_and_request_form(case):
    slip = printing.print_documents("case-slip", [case.number])
    text = text_of(slip)
    for expected in (*HEADING, "TỈNH QUẢNG NINH", "ỦY BAN NHÂN DÂN", "PHƯỜNG HÀ TU", f"Số: {case.number}",
                     "Hà Tu, ngày 10 tháng 11 năm 2026", "PHIẾU TIẾP NHẬN YÊU CẦU TRỢ GIÚP PHÁP LÝ",
                     "Đặng Văn Đức", "Người thuộc hộ nghèo", "Đất đai", "Tư vấn pháp luật", "10/11/2026",
                     "Trung tâm Trợ giúp pháp lý nhà nước tỉnh Quảng Ninh", "NGƯỜI TIẾP NHẬN", "NGƯỜI YÊU CẦU"):
        assert expected in text, expected
    assert b"LiberationSerif" in slip                  # the font is embedded
    form = text_of(printing.print_documents("legal-aid-request", [case.id]))
    for expected in (*HEADING, "Mẫu số 02-TP-TGPL", "ĐƠN YÊU CẦU TRỢ GIÚP PHÁP LÝ", "Đặng Văn Đức",
                     "Tranh chấp ranh giới đất với hộ liền kề", "■ 2. Người thuộc hộ nghèo", "□ 3. Trẻ em",
                     "Điểm chỉ", "ngày 10 tháng 11 năm 2026", "Kính gửi: Trung tâm Trợ giúp pháp lý"):
        assert expected in form, expected
    actions = [(a.record_id, a.action, a.changes.get("document")) for a in AuditEntry.select()
               .where(AuditEntry.action == "print")]
    assert (case.id, "print", "case-slip") in actions and (case.id, "print", "legal-aid-request") in actions


def test_qr_payload_holds_id_and_number(case):
    payload = qr_payload(case)
    assert parse_payload(payload) == {"id": case.id, "number": case.number}
    flow = QRFlowable(payload)
    expected = segno.make(payload, error="m", micro=False, mask=0)
    assert [list(r) for r in expected.matrix_iter(border=2)] == flow.rows


def test_mediation_minutes_and_agreement(mediation):
    """Văn bản hòa giải thành: the eight items a)–h) of Điều 24 Luật Hòa giải ở cơ sở 2013."""
    minutes = text_of(printing.print_documents("mediation-minutes", [mediation.number]))
    for expected in (*HEADING, "BIÊN BẢN HÒA GIẢI", "TỔ HÒA GIẢI THÔN KHE LÁNH", "Nguyễn Thị Hoa", "Trần Văn Bình",
                     "Lê Văn Cường", "Phạm Thị Dung", "Tranh chấp lối đi chung giữa hai hộ", "Hòa giải thành",
                     "HÒA GIẢI VIÊN"):
        assert expected in minutes, expected
    agreement = text_of(printing.print_documents("mediation-agreement", [mediation.id]))
    for expected in ("VĂN BẢN HÒA GIẢI THÀNH", "a) Căn cứ tiến hành hòa giải", "b) Thông tin cơ bản về các bên",
                     "c) Nội dung chủ yếu của vụ, việc", "d) Diễn biến của quá trình hòa giải",
                     "đ) Thỏa thuận đạt được và giải pháp thực hiện", "e) Quyền và nghĩa vụ của các bên",
                     "g) Phương thức, thời hạn thực hiện thỏa thuận",
                     "h) Chữ ký hoặc điểm chỉ của các bên và của hòa giải viên", "trả lại lối đi rộng 2 mét",
                     "Thực hiện trước ngày 30/11/2026", "ngày 05 tháng 11 năm 2026"):
        assert expected in agreement, expected
    other = store.save("mediation", factories.mediation())          # still in progress
    with pytest.raises(ValidationError):
        printing.print_documents("mediation-agreement", [other.id])


def test_event_record_and_attendance_sheet_page_numbers(event):
    record = text_of(printing.print_documents("event-record", [event.id]))
    for expected in ("BIÊN BẢN", "Tổ chức phổ biến, giáo dục pháp luật", "Luật Đất đai 2024", "Hội nghị",
                     "Tiếng Dao", "1.234 người (nữ: 611; dân tộc thiểu số: 900)", "Hoàng Thị Lan",
                     "ngày 15 tháng 10 năm 2026"):
        assert expected in record, expected
    sheet = printing.print_documents("attendance-sheet", [event.id])
    pages = pages_text(sheet)
    assert len(pages) > 2 and "DANH SÁCH NGƯỜI THAM DỰ" in pages[0]
    # NĐ 30/2020: no number on page 1, then "2", "3", … centred at the top; the header row repeats
    assert pages[1].lstrip().startswith("2") and pages[2].lstrip().startswith("3")
    assert not pages[0].lstrip().startswith("1")
    for page in pages:
        assert "STT Họ và tên" in page and "Chữ ký" in page
    rows = [line.split()[0] for line in "\n".join(pages).splitlines() if line.strip().isdigit()]
    assert str(1358) in rows                            # participants + 10% numbered blank rows
    out = Path(os.environ.get("PRINT_PREVIEW_DIR", "/tmp/print-previews"))
    out.mkdir(parents=True, exist_ok=True)
    (out / "attendance-test.pdf").write_bytes(sheet)
    subprocess.run(["pdftoppm", "-r", "40", "-f", "1", "-l", "2", "-png", str(out / "attendance-test.pdf"),
                    str(out / "attendance-test")], check=True)
    pngs = sorted(out.glob("attendance-test-*.png"))
    assert len(pngs) == 2 and all(p.stat().st_size > 2000 for p in pngs)


def test_batch_of_slips_with_page_x_of_y_and_unknown_ids(db):
    made = [store.save("legal-aid", factories.legal_aid(received_date=f"2026-10-{d:02d}")) for d in (3, 9, 21)]
    store.save("legal-aid", factories.legal_aid(received_date="2026-09-30"))
    gone = store.save("legal-aid", factories.legal_aid(received_date="2026-10-12"))
    store.delete("legal-aid", gone.id)
    pdf, n = printing.print_batch("case-slip", dt.date(2026, 10, 1), dt.date(2026, 10, 31),
                                  communes=[factories.COMMUNE])
    pages = pages_text(pdf)
    assert n == 3 and len(pages) == 3
    for i, (page, case) in enumerate(zip(pages, made, strict=True), 1):
        assert f"Trang {i}/3" in page and case.number in page
    assert gone.number not in "".join(pages)
    with pytest.raises(NotFoundError):
        printing.print_documents("case-slip", ["TG-khong-co"])
    with pytest.raises(NotFoundError):
        printing.print_documents("case-slip", [gone.number])
    with pytest.raises(NotFoundError):
        printing.print_batch("case-slip", dt.date(2020, 1, 1), dt.date(2020, 1, 31))


def test_mediation_book_300_rows_spans_pages_with_repeated_header(db):
    team = store.save("mediation-team", {"name": "Khe Lánh", "commune_code": factories.COMMUNE,
                                           "leader": "Lê Văn Cường"})
    a = store.save("person", {"full_name": "Nguyễn Thị Hoa", "birth_year": 1980, "commune_code": factories.COMMUNE})
    b = store.save("person", {"full_name": "Trần Văn Bình", "commune_code": factories.COMMUNE})
    outcomes = ["thanh", "khong_thanh", "in_progress"]
    for i in range(300):
        day = dt.date(2026, 1, 1) + dt.timedelta(days=i)
        data = factories.mediation(received_date=day.isoformat(), team_id=team.id, parties=[a.id, b.id],
                                   outcome=outcomes[i % 3], summary=f"Vụ việc thứ {i + 1}: tranh chấp ranh giới đất"
                                   + (" giữa hai hộ liền kề, cần đo đạc lại và xác minh nguồn gốc đất" if i % 50 == 7
                                      else ""))
        if data["outcome"] != "in_progress":
            data["closed_date"] = day.isoformat()
        store.save("mediation", data)
    pdf = printing.print_mediation_book(team.id, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    pages = pages_text(pdf)
    total = len(pages)
    assert total > 10 and all(f"Trang {i}/{total}" in p for i, p in enumerate(pages, 1))
    assert "SỔ THEO DÕI HOẠT ĐỘNG HÒA GIẢI Ở CƠ SỞ" in pages[0] and "Tổ hòa giải Khe Lánh" in pages[0]
    part1 = [p for p in pages if "(1) (2) (3) (4) (5) (6) (7) (8) (9) (10)" in p]
    assert len(part1) > 5                               # the header rows repeat on every page of Part I
    assert "PHẦN I – GHI CHÉP CỦA HÒA GIẢI VIÊN" in part1[0] and "PHẦN I" not in part1[1]
    for page in part1:
        assert "STT" in page and "Ghi chú" in page and "Kết quả hòa" in page
    joined = "\n".join(pages)
    assert "Vụ việc thứ 1:" in joined and "Vụ việc thứ 300:" in joined
    part2 = "\n".join(p for p in pages if "PHẦN II" in p or "Tổng cộng" in p)
    assert "Tổng cộng (số vụ," in part2
    # Part II team total: 300 cases (all đất đai), 100 thành, 100 không thành, 100 đang hòa giải
    assert any("300 0 0 0 0 0 300 100 100 100" in line for line in part2.splitlines()), part2


def run_cli(*args, data_dir, check=True):
    env = {**os.environ, "PLCS_DATA_DIR": str(data_dir)}
    env.pop("PLCS_PASSPHRASE", None)
    proc = subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=300)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def test_cli_print_and_report_tally(data_dir, tmp_path):
    run_cli("demo", "--province", "22", "--records", "300", "--seed", "3", data_dir=data_dir)
    from models.records import LegalAidCase, MediationTeam
    from services.data_dir import app
    app.open_data_dir(data_dir)
    number = LegalAidCase.select().where(LegalAidCase.deleted == False).first().number  # noqa: E712
    team = MediationTeam.select().first().id
    app.close()
    slip = tmp_path / "slip.pdf"
    run_cli("print", "case-slip", number, "--out", slip, data_dir=data_dir)
    assert number in text_of(slip.read_bytes())
    batch = tmp_path / "batch.pdf"
    proc = run_cli("print", "case-slip", "--from", "01/01/2020", "--to", "2026-11-24", "--out", batch,
                   data_dir=data_dir)
    assert "Trang 1/" in text_of(batch.read_bytes()) and "Printed" in proc.stderr
    run_cli("print", "mediation-book", "--team", team, "--from", "2020-01-01", "--to", "2026-12-31",
            "--out", tmp_path / "book.pdf", data_dir=data_dir)
    proc = run_cli("report", "tally", "--from", "2026-01-01", "--to", "2026-12-31", "--province", "22",
                   "--format", "json", data_dir=data_dir)
    data = json.loads(proc.stdout)
    for key in ("period", "previous", "scope", "legal_aid", "mediation", "dissemination"):
        assert key in data
    assert {"total", "previous_total", "by_category"} <= set(data["legal_aid"])
    assert {"total", "previous_total", "by_outcome"} <= set(data["mediation"])
    assert {"sessions", "previous_sessions", "participants", "previous_participants", "women", "ethnic_minority",
            "by_form"} <= set(data["dissemination"])
    proc = run_cli("report", "tally", "--from", "2026-01-01", "--to", "2026-12-31", "--no-compare-previous-year",
                   "--format", "json", data_dir=data_dir)
    assert json.loads(proc.stdout)["previous"] is None
    for fmt in ("pdf", "xlsx"):
        out = tmp_path / f"tally.{fmt}"
        run_cli("report", "tally", "--from", "2026-01-01", "--to", "2026-12-31", "--province", "22",
                "--compare-previous-year", "--format", fmt, "--out", out, data_dir=data_dir)
        assert out.stat().st_size > 1000
    assert run_cli("print", "case-slip", "KHONG-CO", "--out", tmp_path / "x.pdf", data_dir=data_dir,
                   check=False).returncode == 3
    assert run_cli("report", "tally", "--from", "31/02/2026", "--to", "2026-12-31", "--format", "json",
                   data_dir=data_dir, check=False).returncode == 2
    assert run_cli("print", "no-such-doc", "x", "--out", tmp_path / "x.pdf", data_dir=data_dir,
                   check=False).returncode == 2
