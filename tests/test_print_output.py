"""Print output plumbing: file names that never collide, the one-time download link of web mode (single use,
bound to its session, expiring), the page images of the preview, the per-platform print plan, and the preview
state the UI renders."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pdfplumber
import pytest

from services import printing
from services.printing import system
from services.printing.downloads import DownloadStore, download_path
from services.printing.output import PrintJob, output_path, safe_name
from services.records import store as records
from tests import factories


@pytest.fixture
def file_app(tmp_path):
    """The app state on a data folder (the preview caches page images under <data dir>/cache)."""
    from services import admin_units
    from services.data_dir import app as app_service
    from ui.state import AppState
    ctx = app_service.open_data_dir(tmp_path / "data")
    app_service.save_profile({"full_name": "Nguyễn Thị Lan", "role": "officer", "province_code": "22",
                              "communes": [c.code for c in admin_units.communes("22")[:2]]})
    state = AppState(ctx)
    state.needs_setup = False
    yield state
    app_service.close()


def _text(path: Path) -> str:
    with pdfplumber.open(io.BytesIO(path.read_bytes())) as doc:
        return "\n".join(p.extract_text() or "" for p in doc.pages)


# ---- file names ----------------------------------------------------------------------------------------------
def test_two_events_on_the_same_day_print_to_two_files(db, tmp_path):
    """Event records used to be named by date: the second event of a day overwrote the first."""
    a = records.save("dissemination", factories.dissemination(topic="Luật Đất đai 2024"))
    b = records.save("dissemination", factories.dissemination(topic="Luật Hôn nhân và gia đình"))
    assert a.date == b.date
    now = dt.datetime(2026, 12, 3, 9, 30, 0)
    pa = output_path(tmp_path, "event-record", a.id, now=now)
    printing.print_documents("event-record", [a.id], out=pa)
    pb = output_path(tmp_path, "event-record", b.id, now=now)
    printing.print_documents("event-record", [b.id], out=pb)
    assert pa != pb and pa.exists() and pb.exists()
    assert "Luật Đất đai 2024" in _text(pa) and "Hôn nhân" in _text(pb)
    assert a.id in pa.name and "20261203-093000" in pa.name


def test_same_record_twice_in_one_second_gets_a_suffix_never_an_overwrite(tmp_path):
    now = dt.datetime(2026, 12, 3, 9, 30, 0)
    names = [output_path(tmp_path, "case-slip", "TG-06652-2026-3FA2-0007", now=now).name for _ in range(3)]
    assert names == ["case-slip_TG-06652-2026-3FA2-0007_20261203-093000.pdf",
                     "case-slip_TG-06652-2026-3FA2-0007_20261203-093000-2.pdf",
                     "case-slip_TG-06652-2026-3FA2-0007_20261203-093000-3.pdf"]
    assert safe_name("../../etc/passwd") == "etc_passwd" and safe_name("Biên bản 1/2") == "Bi_n_b_n_1_2"


def test_ui_prints_of_two_events_of_one_day_do_not_collide(file_app):
    from ui.state import exports
    a = records.save("dissemination", factories.dissemination(topic="Chủ đề A"))
    b = records.save("dissemination", factories.dissemination(topic="Chủ đề B"))
    pa = exports.print_record(file_app, "event-record", a.id)
    pb = exports.print_record(file_app, "event-record", b.id)
    assert pa != pb and "Chủ đề A" in _text(pa) and "Chủ đề B" in _text(pb)


# ---- one-time download links ---------------------------------------------------------------------------------
def test_download_link_is_single_use_session_bound_and_expires(tmp_path):
    pdf = tmp_path / "slip.pdf"
    pdf.write_bytes(b"%PDF-1.4 test")
    clock = [1000.0]
    store = DownloadStore(ttl=60, clock=lambda: clock[0])
    token = store.issue("session-a", pdf, "slip.pdf")
    assert len(token) >= 40                                    # secrets.token_urlsafe(32): 256 random bits
    assert store.take("session-b", token) is None              # another session: nothing (and the link survives)
    item = store.take("session-a", token)
    assert item is not None and item.path == pdf
    assert store.take("session-a", token) is None              # second use: gone
    late = store.issue("session-a", pdf, "slip.pdf")
    clock[0] += 61
    assert store.take("session-a", late) is None               # expired
    kept = store.issue("session-a", pdf, "slip.pdf")
    store.forget_session("session-a")
    assert store.take("session-a", kept) is None and len(store) == 0


def test_download_route_serves_once_then_404_and_404_for_another_session(tmp_path):
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from ui.web_server import download_route
    pdf = tmp_path / "case-slip_TG-1.pdf"
    pdf.write_bytes(b"%PDF-1.4 one")
    store = DownloadStore()
    client = TestClient(Starlette(routes=[download_route(store)]))
    token = store.issue("sess-1", pdf, "Phiếu TG-1.pdf")
    assert client.get(download_path("sess-2", token)).status_code == 404
    first = client.get(download_path("sess-1", token))
    assert first.status_code == 200 and first.content == b"%PDF-1.4 one"
    assert first.headers["content-type"] == "application/pdf"
    assert first.headers["content-disposition"].startswith("attachment;")
    assert "filename*=UTF-8''Phi%E1%BA%BFu%20TG-1.pdf" in first.headers["content-disposition"]
    assert first.headers["cache-control"] == "no-store"
    assert client.get(download_path("sess-1", token)).status_code == 404
    assert client.get(download_path("sess-1", "guess")).status_code == 404


# ---- preview pages -------------------------------------------------------------------------------------------
def test_print_job_renders_pages_lazily_and_caches_them(db, tmp_path):
    ids = [records.save("legal-aid", factories.legal_aid(requester={"full_name": f"Người {i}"})).id
           for i in range(3)]
    pdf = tmp_path / "batch.pdf"
    printing.print_documents("case-slip", ids, out=pdf)
    job = PrintJob.open(pdf, title="Phiếu", cache_root=tmp_path / "cache")
    assert job.page_count >= 3
    assert list(job.cache_dir.iterdir()) == []                 # nothing rendered before it is asked for
    png = job.page_png(1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in job.cache_dir.iterdir()] == ["page-0002.png"]
    mtime = job.page_file(1).stat().st_mtime_ns
    assert job.page_file(1).stat().st_mtime_ns == mtime         # cached, not rendered again
    with pytest.raises(IndexError):
        job.page_file(job.page_count)
    job.close()
    assert not job.cache_dir.exists()


def test_old_preview_caches_are_pruned(tmp_path):
    from services.printing import output
    pdf = tmp_path / "x.pdf"
    from reportlab.pdfgen import canvas
    c = canvas.Canvas(str(pdf))
    c.drawString(100, 700, "x")
    c.save()
    jobs = [PrintJob.open(pdf, cache_root=tmp_path / "cache") for _ in range(output.KEEP_JOBS + 4)]
    assert len(list((tmp_path / "cache").iterdir())) <= output.KEEP_JOBS
    assert jobs[-1].cache_dir.exists()


# ---- per-platform print ----------------------------------------------------------------------------------------
def test_print_plan_per_platform(tmp_path):
    f = tmp_path / "a.pdf"
    assert system.print_plan(f, "win32") == ("startfile-print", None)
    assert system.print_plan(f, "darwin") == ("viewer", ["open", str(f)])
    assert system.print_plan(f, "linux", display=True) == ("viewer", ["xdg-open", str(f)])
    assert system.print_plan(f, "linux", display=False, have_lp=True) == ("printing", ["lp", str(f)])
    assert system.print_plan(f, "linux", display=False, have_lp=False) == ("unavailable", None)


# ---- the preview state -----------------------------------------------------------------------------------------
def test_preview_state_navigates_pages_and_saves_a_copy(file_app, tmp_path):
    from ui.state import exports
    ids = [records.save("legal-aid", factories.legal_aid(requester={"full_name": f"Người {i}"})).id
           for i in range(2)]
    path = exports.print_records(file_app, "case-slip", ids)
    file_app.show_print(path, "Phiếu")
    pv = file_app.preview
    assert pv is not None and pv.page_count >= 2 and pv.page_label == f"Trang 1/{pv.page_count}"
    first = pv.image
    pv.prev()
    assert pv.index == 0
    pv.next()
    assert pv.index == 1 and pv.image != first and pv.page_label.startswith("Trang 2/")
    pv.go_to(99)
    assert pv.index == pv.page_count - 1
    copy = pv.save_copy(str(tmp_path / "ban-sao"))
    assert copy.endswith("ban-sao.pdf") and Path(copy).read_bytes() == path.read_bytes()
    url = pv.download_url("sess-x", "http://127.0.0.1:8550")
    assert url.startswith("http://127.0.0.1:8550/_print/sess-x/")
    cache = pv._job.cache_dir
    file_app.close_preview()
    assert file_app.preview is None and not cache.exists()


# ---- printed content fixes -------------------------------------------------------------------------------------
def _pages(pdf: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return [p.extract_text() or "" for p in doc.pages]


def test_case_slip_names_the_receiving_officer_and_keeps_the_qr_caption_on_one_line(db):
    from services.data_dir import app as app_service
    app_service.save_profile({"full_name": "Hoàng Thị Thu", "role": "officer", "province_code": "22",
                              "communes": [factories.COMMUNE]})
    case = records.save("legal-aid", factories.legal_aid(), actor="Nguyễn Thị Lan")
    pdf = printing.print_documents("case-slip", [case.id])
    text = "\n".join(_pages(pdf))
    lines = text.splitlines()
    i = next(n for n, line in enumerate(lines) if "NGƯỜI TIẾP NHẬN" in line)
    assert any("Nguyễn Thị Lan" in line for line in lines[i:]), "officer who saved the case signs as receiver"
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[0]
        words = page.extract_words()
        caption = [w["text"] for w in words if w["x0"] > page.width * 0.7 and w["text"].startswith(case.number[:6])]
        tails = [w["text"] for w in words if w["x0"] > page.width * 0.7 and w["text"] == case.number[-1:]]
    assert caption == [case.number] and not tails                       # one line, the whole number
    form = "\n".join(_pages(printing.print_documents("legal-aid-request", [case.id])))
    assert "Nguyễn Thị Lan" in form.split("NGƯỜI TIẾP NHẬN", 1)[1]


def test_receiving_officer_falls_back_to_the_officer_profile(db):
    from services.data_dir import app as app_service
    from services.printing.context import receiving_officer
    app_service.save_profile({"full_name": "Hoàng Thị Thu", "role": "officer", "province_code": "22",
                              "communes": [factories.COMMUNE]})
    case = records.save("legal-aid", factories.legal_aid())
    case.status_history = [{"status": "received", "date": "2026-11-10", "reason": "", "by": "demo"}]
    assert receiving_officer(case) == "Hoàng Thị Thu"
    case.status_history = [{"status": "received", "date": "2026-11-10", "reason": "", "by": "Lê Văn Nam"}]
    assert receiving_officer(case) == "Lê Văn Nam"


@pytest.mark.parametrize("words", [250, 330, 380, 420, 470, 520, 600])
def test_agreement_signatures_never_stand_alone_on_a_page(db, words):
    """Văn bản hòa giải thành (Điều 24 Luật Hòa giải ở cơ sở 2013): the signatures of the parties and mediators
    stay on the page of the last item, whatever the length of the text before them."""
    team = records.save("mediation-team", {"name": "Tổ hòa giải thôn Khe Lánh", "commune_code": factories.COMMUNE})
    case = records.save("mediation", factories.mediation(
        team_id=team.id, outcome="thanh", closed_date="2026-11-05",
        summary=" ".join(["tranh chấp lối đi chung giữa hai hộ liền kề"] * (words // 10)),
        agreement="Hộ ông Bình tháo dỡ hàng rào lấn lối đi", implementation="Thực hiện trước ngày 30/11/2026"))
    pages = _pages(printing.print_documents("mediation-agreement", [case.id]))
    sign_page = next(t for t in pages if "HÒA GIẢI VIÊN" in t)
    assert "Thực hiện trước ngày 30/11/2026" in sign_page


def test_team_book_prints_into_the_preview(file_app):
    from tests.conftest import run_coroutine
    from ui.state.teams import TeamsState
    team = records.save("mediation-team", {"name": "Tổ hòa giải thôn Khe Lánh", "commune_code": factories.COMMUNE})
    st = TeamsState(file_app)
    st.open_detail(team.id)
    path = run_coroutine(st.print_book(2026))
    assert path.endswith(".pdf") and "mediation-book_" in path
    assert file_app.preview is not None and file_app.preview.page_count >= 1
    assert "Sổ theo dõi" in file_app.preview.title
    file_app.close_preview()


def test_list_selection_across_pages_prints_one_pdf(file_app):
    from tests.conftest import run_coroutine
    commune = file_app.communes[0]
    cases = [records.save("legal-aid", factories.legal_aid(commune_code=commune,
                                                            requester={"full_name": f"Người số {i}"}))
             for i in range(4)]
    lst = file_app.list_state("legal-aid")
    lst.page_size = 2
    lst.load()
    lst.select_page(True)
    assert lst.page_selected is True and lst.selected_count == 2
    lst.next_page()
    assert lst.page_selected is False
    lst.toggle(lst.rows[0]["id"])
    assert lst.page_selected is None and lst.selected_count == 3       # kept across pages
    path = run_coroutine(lst.print_selected("case-slip"))
    pages = _pages(Path(path).read_bytes())
    assert len(pages) == 3 and all("Trang" in t for t in pages)
    chosen = [c.number for c in cases if c.id in lst.selected]
    assert all(any(n in t for t in pages) for n in chosen)
    assert file_app.preview is not None and file_app.preview.page_count == 3
    lst.clear_selection()
    assert lst.selected_count == 0 and run_coroutine(lst.print_selected()) == ""
    file_app.close_preview()


def test_ctrl_p_on_a_case_opens_the_slip_in_the_preview(file_app):
    from tests.conftest import run_coroutine
    from ui.app import handle_key
    case = records.save("legal-aid", factories.legal_aid(commune_code=file_app.communes[0]))
    file_app.open_detail("legal-aid", case.id)
    run_coroutine(handle_key(file_app, "p", ctrl=True))
    pv = file_app.preview
    assert pv is not None and pv.file_name.startswith(f"case-slip_{case.number}_")
    assert case.number in pv.title and pv.image[:4] == b"\x89PNG"
    file_app.close_preview()


def test_report_batch_and_tally_pdf_open_in_the_preview(file_app):
    from tests.conftest import run_coroutine
    from ui.state.reports import ReportsState
    for day in ("10/11/2026", "12/11/2026"):
        records.save("legal-aid", factories.legal_aid(commune_code=file_app.communes[0], received_date=day))
    r = ReportsState(file_app)
    r.set("start", "01/11/2026")
    r.set("end", "30/11/2026")
    path = run_coroutine(r.batch("case-slip"))
    assert path and file_app.preview is not None and file_app.preview.page_count == 2
    tally = run_coroutine(r.export("pdf"))
    assert tally != path and file_app.preview.path == Path(tally)
    file_app.close_preview()
