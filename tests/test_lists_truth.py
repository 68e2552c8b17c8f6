"""Lists, counts and status that tell the truth (issue 17 §4): search counts beyond the cap ("hơn …" and the
exact count on demand), filters over every match, the order its label says also when searching, the
dissemination language filter, records (not audit entries) waiting to be sent in the overview and the header
badge, "Chưa đánh giá" for a commune never assessed, and the coverage screen's cached, shared computation."""
from __future__ import annotations

import pytest

from services.records import listing, store
from tests import factories
from tests.conftest import run_coroutine
from ui.state import AppState

COMMUNE, OTHER = factories.COMMUNE, factories.OTHER_COMMUNE


@pytest.fixture
def app(db):
    from services.data_dir import app as app_service
    app_service.save_profile({"full_name": "Nguyễn Thị Lan", "role": "officer", "province_code": "22",
                              "communes": [COMMUNE, OTHER]})
    state = AppState(db)
    state.needs_setup = False
    return state


@pytest.fixture
def file_app(tmp_path):
    """A data folder on disk: worker threads open their own connection to it (an in-memory database is one
    connection's only)."""
    from services.data_dir import app as app_service
    ctx = app_service.open_data_dir(tmp_path / "data")
    app_service.save_profile({"full_name": "Nguyễn Thị Lan", "role": "officer", "province_code": "22",
                              "communes": [COMMUNE, OTHER]})
    state = AppState(ctx)
    state.needs_setup = False
    yield state
    app_service.close()


def _event(day: str, **kw):
    return store.save("dissemination", factories.dissemination(date=day, **kw))


@pytest.fixture
def small_cap(monkeypatch):
    """The count cap is 1.000 in the app; 5 here, so that a test needs a handful of records, not a thousand."""
    monkeypatch.setattr(listing, "SEARCH_COUNT_CAP", 5)
    listing._count_cache.clear()
    return 5


def test_search_beyond_the_cap_says_more_than_and_counts_exactly_on_demand(app, small_cap):
    for i in range(8):
        _event(f"2026-10-{i + 1:02d}", topic=f"Luật Đất đai buổi {i}", language="Tiếng Việt")
    lst = app.list_state("dissemination")
    lst.page_size = 2
    lst.set_text("dat dai")
    assert lst.total_capped and lst.total == 5
    assert lst.range_label() == "1–2 / hơn 5"
    lst.count_exactly()
    assert not lst.total_capped and lst.total == 8 and lst.range_label() == "1–2 / 8"
    lst.next_page()                                   # the exact count stays while paging, also past the cap
    lst.page = 4
    lst.load()
    assert lst.total == 8 and lst.range_label() == "7–8 / 8" and len(lst.rows) == 2
    lst.set_text("buoi")                              # a new search is capped again until asked
    assert lst.total_capped and lst.range_label().endswith("hơn 5")
    app.set_language("en")
    assert lst.range_label() == "1–2 / more than 5"


def test_filters_apply_to_every_match_not_only_to_the_first_ones(app, small_cap):
    """Counting the newest cap+1 matches and filtering afterwards lost the older matches of a commune."""
    for i in range(3):
        _event(f"2026-09-{i + 1:02d}", commune_code=OTHER, topic="Luật Đất đai", village="Thôn Đồng Tâm")
    for i in range(8):                                # entered later: the newest matches are all in COMMUNE
        _event(f"2026-10-{i + 1:02d}", topic="Luật Đất đai")
    page = listing.list_page(listing.ListQuery(kind="dissemination", text="dat dai", communes=[OTHER]))
    assert (page.total, page.total_capped, len(page.rows)) == (3, False, 3)


def test_search_results_follow_the_sort_label(app):
    """ "Mới nhất trước" is the record's date, newest first, with or without search text."""
    for day in ("2026-03-05", "2026-11-20", "2026-01-02", "2026-07-14"):   # entered out of date order
        _event(day, topic="Phòng chống bạo lực gia đình")
    lst = app.list_state("dissemination")
    lst.set_text("bao luc")
    assert [r["date"] for r in lst.rows] == ["20/11/2026", "14/07/2026", "05/03/2026", "02/01/2026"]
    lst.set_sort("date_asc")
    assert [r["date"] for r in lst.rows] == ["02/01/2026", "05/03/2026", "14/07/2026", "20/11/2026"]
    lst.set_text("")
    assert [r["date"] for r in lst.rows][0] == "02/01/2026"
    lst.set_sort("date_desc")
    assert [r["date"] for r in lst.rows][0] == "20/11/2026"


def test_legal_aid_search_is_newest_by_received_date(app):
    for day, name in (("01/02/2026", "Lò Văn Một"), ("03/11/2026", "Lò Văn Hai"), ("15/06/2026", "Lò Văn Ba")):
        store.save("legal-aid", factories.legal_aid(received_date=day, requester={
            **factories.legal_aid()["requester"], "full_name": name, "id_number": None, "phone": None}))
    lst = app.list_state("legal-aid")
    lst.set_text("lo van")
    assert [r["title"] for r in lst.rows] == ["Lò Văn Hai", "Lò Văn Ba", "Lò Văn Một"]


def test_dissemination_language_filter_and_search_by_language(app):
    _event("2026-10-01", language="Tiếng Dao", topic="Luật Hôn nhân và gia đình")
    _event("2026-10-02", language="Tiếng Dao", topic="Luật Đất đai")
    _event("2026-10-03", language="Tiếng Việt", topic="Luật Đất đai")
    _event("2026-10-04", language="Tiếng Tày", topic="Luật Đất đai")
    lst = app.list_state("dissemination")
    options = dict(lst.filter_options()["language"])
    assert options["vi"] == "Tiếng Việt" and options["09"] == "Tiếng Dao"
    assert list(options)[0] == "vi"
    lst.set_filter("language", "09")
    assert lst.total == 2 and {r["language"] for r in lst.rows} == {"Tiếng Dao"}
    lst.set_filter("language", "vi")
    assert lst.total == 1 and lst.rows[0]["language"] == "Tiếng Việt"
    lst.clear_filters()
    lst.set_text("tieng dao")                          # search finds the events held in Tiếng Dao
    assert lst.total == 2 and {r["language"] for r in lst.rows} == {"Tiếng Dao"}


def test_demo_events_are_found_by_their_language(db):
    from services.data_dir import demo
    demo.generate("22", 300, seed=7)
    from models.records import DisseminationEvent
    dao = {e.id for e in DisseminationEvent.select().where(DisseminationEvent.language == "09")}
    page = listing.list_page(listing.ListQuery(kind="dissemination", text="tieng dao", page_size=500))
    assert dao and dao <= {r["id"] for r in page.rows}     # (words match anywhere: "Đào" names too)


def test_unsynced_counts_records_not_change_log_entries(app):
    """6 records with their audit entries: "6 hồ sơ chưa gửi", never the records + audit entries."""
    from services.sync import pending
    from ui.state.dashboard import DashboardState
    from ui.state.status import HeaderStatus
    for i in range(3):
        ev = _event(f"2026-10-{i + 1:02d}")
        store.save("dissemination", {**factories.dissemination(date=f"2026-10-{i + 1:02d}"), "participants": 99},
                     record_id=ev.id)                  # an edit: one more audit entry, still one record
    s = pending.summary("vi")
    records_waiting = sum(s["pending"].values())
    assert s["pending"]["dissemination"] == 3 and s["pending_change_log"] >= 6
    d = DashboardState(app)
    d.load()
    assert d.unsynced == records_waiting
    badge = HeaderStatus(app)
    badge.refresh()
    assert badge.records == records_waiting and badge.change_log == s["pending_change_log"]
    assert badge.label() == f"{records_waiting} hồ sơ chưa gửi"
    assert str(s["pending_change_log"]) in badge.tooltip()


def test_header_badge_refreshes_after_writes_and_on_its_timer_only(file_app):
    app = file_app
    """The badge never queries while rendering: counts after a write (app.revision) or every COUNT_SECONDS."""
    from ui.state import status
    badge = status.HeaderStatus(app)
    run_coroutine(badge.tick(force=True))
    assert badge.records == 0 and badge.connection == "no_server" and badge.label() == "Đã gửi hết"
    count, probe = badge.due()
    assert not count and not probe                     # nothing due right after a refresh
    _event("2026-10-01")
    app.changed()
    assert badge.due()[0]
    run_coroutine(badge.tick())
    assert badge.records >= 1 and badge.label().endswith("hồ sơ chưa gửi")
    assert badge.due(now=badge._counted_at + status.COUNT_SECONDS)[0]


def test_header_badge_online_offline(file_app, monkeypatch):
    app = file_app
    from services.data_dir import settings
    from ui.state import status
    settings.put("sync.server_url", "http://127.0.0.1:9/v1")     # nothing listens on port 9: offline
    badge = status.HeaderStatus(app)
    run_coroutine(badge.tick(force=True))
    assert badge.connection == "offline" and badge.connection_label() == "Ngoại tuyến"
    monkeypatch.setattr(status, "probe", lambda url, timeout=status.PROBE_TIMEOUT: True)
    run_coroutine(badge.tick(force=True))
    assert badge.connection == "online" and badge.connection_label() == "Trực tuyến"


def test_never_assessed_commune_is_not_also_not_recognised(db):
    from services.assessment import province_overview, set_values
    from tests.test_assessment import EXAMPLE_A
    set_values(COMMUNE, 2024, EXAMPLE_A)                           # recognised (QĐ 25/2021 example A)
    set_values(OTHER, 2024, {**EXAMPLE_A, "DK3": True})            # assessed, not recognised
    ov = province_overview("22", 2024)
    assessed = [r for r in ov["communes"] if r["assessed"]]
    never = [r for r in ov["communes"] if not r["assessed"]]
    assert sorted(r["status"] for r in assessed) == ["not_recognised", "recognised"]
    assert never and all(r["status"] == "not_assessed" and not r["recognised"] for r in never)
    c = ov["counts"]
    assert (c["recognised"], c["not_recognised"], c["not_assessed"]) == (1, 1, len(never))
    assert c["recognised"] + c["not_recognised"] + c["not_assessed"] == c["communes"]


def test_assessment_screen_labels_a_never_assessed_commune(app):
    from ui.views.assessment import _result_text
    assert _result_text(app, {"assessed": False, "result": {"recognised": False}}) == "Chưa đánh giá"
    assert _result_text(app, {"assessed": True, "result": {"recognised": False}}) == \
        "Chưa đạt chuẩn tiếp cận pháp luật"
    assert _result_text(app, {"assessed": False, "recognised": False}, short=True) == "Chưa đánh giá"
    assert _result_text(app, {"assessed": True, "recognised": True}, short=True) == "Đạt chuẩn"


def test_coverage_screen_computes_off_the_ui_thread_and_caches_by_revision(file_app):
    app = file_app
    from services.reports import coverage
    from ui.views.coverage_view import CoverageState
    _event("2026-10-01", village="Thôn Khe Lánh")
    st = CoverageState(app)
    st.set("start", "01/01/2026")
    st.set("end", "31/12/2026")
    calls = []
    real = coverage.coverage

    def counting(*a, **kw):
        calls.append(1)
        return real(*a, **kw)

    coverage.coverage = counting
    try:
        assert run_coroutine(st.load()) and not st.loading
        first = st.report
        assert run_coroutine(st.load()) and st.report is first and len(calls) == 1   # same inputs: cached
        _event("2026-10-02", village="Bản Nà Pá")
        app.changed()                                                               # new data: recomputed
        assert run_coroutine(st.load()) and len(calls) == 2
        assert st.report.summary["sessions"] == 2
    finally:
        coverage.coverage = real


def test_coverage_report_and_plan_share_their_queries(app):
    """The plan's all-time figures come from the report's queries (same scope and end day): same results as
    computed apart, fewer queries."""
    import datetime as dt

    from services.dates import today_local
    from services.reports import coverage
    _event("2025-05-01", village="Thôn Khe Lánh")
    _event("2026-10-01", village="Thôn Khe Lánh")
    _event("2026-10-02", village="Bản Nà Pá", language="Tiếng Việt")
    start, end = dt.date(today_local().year, 1, 1), today_local()
    apart = (coverage.coverage(start, end, communes=[COMMUNE]), coverage.suggest(None, communes=[COMMUNE]))
    with coverage.shared_queries():
        shared = (coverage.coverage(start, end, communes=[COMMUNE]),
                  coverage.suggest(None, communes=[COMMUNE]))
    assert [r.to_json() for r in apart] == [r.to_json() for r in shared]
    khe = next(v for v in shared[1].villages if v["village"] == "Thôn Khe Lánh")
    assert khe["sessions_total"] == 2                  # all time, not the period's count


def test_chart_axis_uses_integer_ticks_in_vietnamese_format(app):
    from ui.views.charts import nice_step, value_axis
    axis, top = value_axis(app, 166.8)
    labels = [(lbl.value, lbl.label.value) for lbl in axis.labels]
    assert top == 200 and labels == [(0, "0"), (50, "50"), (100, "100"), (150, "150"), (200, "200")]
    axis, top = value_axis(app, 4321)
    assert top == 5000 and [lbl.label.value for lbl in axis.labels][-2:] == ["4.000", "5.000"]
    assert all(isinstance(lbl.value, int) for lbl in axis.labels)
    assert nice_step(3) == 1 and value_axis(app, 0)[1] == 1
