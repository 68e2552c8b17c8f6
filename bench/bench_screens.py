"""Screen times from the officer's side (issue 17 §6): click → content shown, for every main screen of the app
served in web mode (`main.py --web`) and driven in the system Chromium through Playwright, beside the time the
same work takes in the services (no UI), so the UI overhead is a visible ratio.

    .venv/bin/python -m bench.run --quick --only screens@10k --out /tmp/screens/quick
    .venv/bin/python -m bench.run --full --only screens@100k --out /tmp/screens/full

Set-up: a copy of the cached demo database (bench/datasets.py) with a **province supervisor** profile (every
commune of province 22: the heaviest scope), today's daily backup marked done, and a sync server configured at a
closed loopback port (a sync run then fails at once as "offline", which is what it does in the field without a
connection). One app process serves every session of a run; its peak RSS (VmHWM in /proc/<pid>/status) is
recorded.

Each round opens a fresh browser session (a new Flet session: a new AppState, so every screen loads cold, as on
the officer's first visit), then:

- `list.legal_aid`, `list.mediation`, `list.dissemination`: navigation rail click → the first row of page 1;
- `next_page`: "Trang sau" → the page label "Trang k/N" (a new page each sample);
- `search`: Enter in the search box (accent-free text) → the first row of the results;
- `detail`: a click on a row → the legal-aid detail (its timeline card); "Quay lại" between samples;
- `reports`: rail click → the tally card; `assessment`: the supervisor's province view (54 communes) → its counts
  line; `coverage`: rail click → the coverage summary; `sync_screen`: rail click → the outbox card;
- `sync_run`: "Bắt đầu đồng bộ" in the password dialog → the offline reason shown (no server);
- `overview`: rail click after the sync run → the overview's "Cùng kỳ:" figures. The sync run bumps the app's
  revision, so the overview recomputes (year to date vs last year, by month and by field) as after any change.

A supervisor edits nothing, so `save` runs in a second app process on the same copy with an officer profile that
holds the same 54 communes: open a legal-aid case, "Sửa", change the summary, "Lưu" → the detail shown again.

The services figure of each action (`<action>.services_p50_ms`) is measured in this process on the same database
before the app starts: `services.records.listing.list_page` with the query the list state builds, `records.get` + the
detail's fields/timeline/history, `records.save` with the form's payload, and the state objects' loads for the
overview, reports, coverage and sync screens (they only call services), `services.assessment.province_overview`
for the assessment. `<action>.ui_over_services` is the ratio of the p50s.

Markers are texts only the new content has (message catalog texts formatted with the figures the services
return, or record numbers), waited for in Flutter's semantics tree polled on every animation frame.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import signal
import statistics
import subprocess
import time
import unicodedata
import urllib.request
from pathlib import Path

from bench.bench_window import CHROMIUM
from bench.common import PYTHON, ROOT, NotAvailable, benchmark, fig, latency_figures, project_env, scale_label
from bench.datasets import PROVINCE, demo_data_dir
from bench.kinto_server import free_port

VIEWPORT = {"width": 1366, "height": 768}
# timed actions, in report order; the ones without a services figure are UI-only (navigation, a failing sync)
ACTIONS = ("overview", "list.legal_aid", "list.mediation", "list.dissemination", "next_page", "search", "detail",
           "save", "reports", "assessment", "coverage", "sync_screen", "sync_run")
KIND_OF = {"list.legal_aid": "legal-aid", "list.mediation": "mediation", "list.dissemination": "dissemination"}
# (quick, full): rounds (fresh sessions), next-page / search / detail / save samples per round
PLAN = {"quick": dict(rounds=2, per_round=2, after_sync=1, saves=4, services_samples=3),
        "full": dict(rounds=3, per_round=3, after_sync=2, saves=6, services_samples=3)}

# Every text found in Flutter's semantics tree (text nodes and aria-labels); polled on each animation frame so
# that the measured time is not rounded up to Playwright's polling steps.
SHOWN_JS = """({texts, min}) => {
  const host = document.querySelector('flt-semantics-host') || document.body;
  const count = (hay) => texts.reduce((n, t) => n + hay.split(t).length - 1, 0);
  let n = count(host.textContent);
  if (n >= min) return true;
  for (const e of host.querySelectorAll('[aria-label]')) {
    n += count(e.getAttribute('aria-label'));
    if (n >= min) return true;
  }
  return false;
}"""
SHOWN_TEXT_JS = """() => {
  const host = document.querySelector('flt-semantics-host') || document.body;
  const labels = [...host.querySelectorAll('[aria-label]')].map(e => e.getAttribute('aria-label'));
  return (host.innerText + ' | ' + labels.join(' · ')).replace(/\\s+/g, ' ');
}"""


def T(key: str, **kw) -> str:
    from services import i18n
    return i18n.t(key, "vi", **kw)


class _StubApp:
    """The parts of ui.state.AppState the state objects read, without a Flet page: lets this process run the
    screens' state loads (which only call services) on the same database."""
    lang = "vi"
    web = True

    def __init__(self, ctx):
        self._ctx = ctx
        self.revision = 0

    @property
    def ctx(self):
        return self._ctx

    @property
    def profile(self) -> dict:
        return self._ctx.profile or {}

    @property
    def communes(self) -> list:
        return list(self.profile.get("communes") or [])

    @property
    def role(self) -> str:
        return self.profile.get("role") or "officer"

    def t(self, key: str, **kw) -> str:
        return T("ui." + key, **kw)

    def t_raw(self, key: str, **kw) -> str:
        return T(key, **kw)

    def may_write(self, kind=None) -> bool:
        from services import security
        return security.may_write(self.role, kind)

    def may_reveal(self) -> bool:
        return False

    def say(self, *a, **kw) -> None:
        pass

    def changed(self) -> None:
        self.revision += 1


def _fold(text: str) -> str:
    """Accent-free lower case, as an officer types a name into the search box."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in text if unicodedata.category(c) != "Mn").lower()


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


# --- set-up -------------------------------------------------------------------------------------------------

def _set_profile(role: str) -> None:
    from services import admin_units
    from services.data_dir import app
    communes = [] if role == "supervisor" else [c.code for c in admin_units.communes(PROVINCE)]
    app.save_profile({"full_name": "Bench " + role.title(), "role": role, "province_code": PROVINCE,
                      "communes": communes})


def _prepare(ctx, n: int) -> Path:
    """A copy of the demo database: supervisor profile, daily backup done, sync server at a closed port."""
    from services.data_dir import app, settings
    src = demo_data_dir(n)
    data = ctx.workdir / f"screens-{scale_label(n)}-{ctx.run_index}"
    data.mkdir()
    shutil.copy2(src / "plcs.db", data / "plcs.db")
    app.open_data_dir(data)
    _set_profile("supervisor")
    closed = free_port()           # nothing listens there: a sync run fails at once with "offline"
    settings.put("sync.server_url", f"http://127.0.0.1:{closed}/v1")
    settings.put("sync.user", "bench-supervisor")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    (data / "backups").mkdir(exist_ok=True)
    (data / "backups" / f"plcs-{stamp}-daily.plcsbak").touch()
    return data


def _reopen_profile(role: str):
    from services.data_dir import app
    _set_profile(role)
    ctx = app.current()
    return _StubApp(ctx)


# --- services side (this process, same database) ------------------------------------------------------------

def _time_samples(func, k: int) -> list[float]:
    out = []
    for _ in range(k):
        t0 = time.perf_counter()
        func()
        out.append(time.perf_counter() - t0)
    return out


def _services_read(stub, k: int, plan: dict) -> tuple[dict, dict]:
    """Per action: services seconds (samples); and what the browser side needs (markers, search terms, rows)."""
    from services import assessment
    from services.records import listing, outbox
    from ui.state.dashboard import DashboardState
    from ui.state.details import DetailState
    from ui.state.lists import ListState
    from ui.state.reports import ReportsState
    from ui.state.sync import SyncState
    from ui.views.coverage_view import CoverageState

    times: dict[str, list[float]] = {}
    info: dict = {}
    queries = {}
    for action, kind in KIND_OF.items():
        q = ListState(stub, kind).query()
        queries[kind] = q
        times[action] = _time_samples(lambda q=q: listing.list_page(q), k)
        first = listing.list_page(q)
        info[action] = {"total": first.total, "pages": first.pages,
                        "first": [r.get("number") or r.get("title") for r in first.rows[:1]]}
    q = queries["legal-aid"]
    pages = info["list.legal_aid"]["pages"]
    next_pages = list(range(2, 2 + plan["per_round"]))
    times["next_page"] = _time_samples(lambda: listing.list_page(_with(q, page=next_pages[0])), k)
    info["next_page"] = {"pages": pages}

    # search terms: requester names from across the list (accent-free), whose first result is not on the page
    # shown before the search (so the marker cannot be there already)
    n_terms = plan["rounds"] * plan["per_round"]
    step = max(1, min(info["list.legal_aid"]["total"], 5000) // (n_terms * 2 + 1))
    terms, results = [], []
    offset = step
    while len(terms) < n_terms and offset < info["list.legal_aid"]["total"]:
        page_no = offset // q.page_size + 1
        row = listing.list_page(_with(q, page=page_no)).rows[offset % q.page_size]
        name = (row.get("title") or "").strip()
        offset += step
        if not name:
            continue
        term = _fold(name)
        res = listing.list_page(_with(q, text=term))
        if not res.rows or term in terms:
            continue
        terms.append(term)
        results.append([r.get("number") for r in res.rows[:3]])
    if not terms:
        raise RuntimeError("no search terms found in the demo data")
    times["search"] = _time_samples(lambda: listing.list_page(_with(q, text=terms[0])), k)
    info["search"] = {"terms": terms, "results": results}

    rid = listing.list_page(_with(q, text=terms[0])).rows[0]["id"]

    def detail():
        d = DetailState(stub, "legal-aid", rid)
        d.fields(), d.timeline(), d.history()
    times["detail"] = _time_samples(detail, k)

    def overview():
        DashboardState(stub).load()
    times["overview"] = _time_samples(overview, k)
    dash = DashboardState(stub)
    dash.load()
    info["overview"] = {"prev": [T("ui.overview.prev", n=c["prev"]) for c in dash.cards]}

    def reports():
        ReportsState(stub).compute()
    times["reports"] = _time_samples(reports, k)

    year = dt.date.today().year
    times["assessment"] = _time_samples(lambda: assessment.province_overview(PROVINCE, year, lang="vi"), k)
    o = assessment.province_overview(PROVINCE, year, lang="vi")
    c = o["counts"]
    info["assessment"] = {"counts": T("ui.assessment.counts", communes=c["communes"], assessed=c["assessed"],
                                      recognised=c["recognised"])}

    def coverage():
        CoverageState(stub).compute()
    times["coverage"] = _time_samples(coverage, k)

    def sync_screen():
        SyncState(stub).load()
    times["sync_screen"] = _time_samples(sync_screen, k)
    info["pending"] = outbox.pending_total()
    return times, info


def _with(q, **changes):
    import dataclasses
    return dataclasses.replace(q, **changes)


def _services_save(stub, record_id: str, k: int) -> list[float]:
    """records.save with the payload the edit form builds (summary changed), as the officer's "Lưu" does."""
    from services.records import store
    from ui.state.forms import FormState
    out = []
    for i in range(k):
        form = FormState(stub, "legal-aid", record_id)
        form.set("summary", f"Bench services save {i}")
        t0 = time.perf_counter()
        store.save("legal-aid", form.payload(), record_id=record_id)
        out.append(time.perf_counter() - t0)
    return out


# --- the app and the browser --------------------------------------------------------------------------------

class AppProcess:
    """`main.py --web` on the data folder, in its own process group; stopped by PID only."""

    def __init__(self, ctx, data: Path, tag: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        env = project_env(FLET_FORCE_WEB_SERVER=1, FLET_WEB_NO_CDN=1, PYTHONUNBUFFERED=1)
        self.log_path = ctx.workdir / f"screens-app-{tag}.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 — the app's log for its whole life; closed in stop()
        cmd = [PYTHON, "main.py", "--web", "--port", str(self.port), "--data-dir", str(data)]
        if os.environ.get("PLCS_BENCH_PROFILE_APP"):      # cProfile of the app process (see bench/README.md)
            cmd = [PYTHON, "-m", "cProfile", "-o", os.environ["PLCS_BENCH_PROFILE_APP"] + f".{tag}", *cmd[1:]]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        ctx.state.setdefault("_cleanup", []).append(self.stop)
        deadline = time.perf_counter() + 90
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"main.py --web exited {self.proc.returncode}: {self.log_tail()}")
            try:
                urllib.request.urlopen(self.url, timeout=1).read(64)
                return
            except OSError:
                if time.perf_counter() > deadline:
                    raise RuntimeError("main.py --web did not answer within 90 s") from None
                time.sleep(0.05)

    def log_tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-1500:]
        except OSError:
            return ""

    def memory_mb(self) -> dict:
        """VmHWM (peak resident set) and VmRSS of the app process, from /proc (psutil is not installed)."""
        out = {}
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                key, _, value = line.partition(":")
                if key in ("VmHWM", "VmRSS"):
                    out[key] = round(int(value.split()[0]) / 1024, 1)
        except OSError:
            pass
        return out

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT if os.environ.get("PLCS_BENCH_PROFILE_APP") else signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        if not self._log.closed:
            self._log.close()


def _browser(ctx):
    if "browser" not in ctx.state:
        if not Path(CHROMIUM).exists():
            raise NotAvailable(f"{CHROMIUM} missing (apt-get install chromium)")
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            raise NotAvailable("playwright is not installed") from None
        pw = sync_playwright().start()
        ctx.state.setdefault("_cleanup", []).append(pw.stop)
        ctx.state["browser"] = pw.chromium.launch(
            executable_path=CHROMIUM, args=["--headless=new", "--no-sandbox", "--disable-gpu",
                                            "--disable-dev-shm-usage"])
        ctx.state["_cleanup"].append(ctx.state["browser"].close)
    return ctx.state["browser"]


class Session:
    """One browser context on the app (one Flet session), with timed actions."""

    def __init__(self, ctx, app: AppProcess, timeout_s: float, first_marker: list[str]):
        self.timeout_ms = timeout_s * 1000
        self.context = _browser(ctx).new_context(viewport=VIEWPORT, locale="vi-VN")
        self.page = self.context.new_page()
        url = app.url
        self.page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(url)
                        else route.abort())
        t0 = time.perf_counter()
        self.page.goto(url)
        self.page.locator("flt-semantics-placeholder").wait_for(state="attached", timeout=self.timeout_ms)
        self.page.locator("flt-semantics-placeholder").evaluate("e => e.click()")
        self.wait(first_marker)
        self.open_s = time.perf_counter() - t0

    def close(self) -> None:
        self.context.close()

    def wait(self, texts: list[str], at_least: int = 1) -> None:
        """Until `texts` occur at least `at_least` times in all (a text shown twice: on the screen and in the
        message bar)."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout
        texts = [t for t in texts if t]
        try:
            self.page.wait_for_function(SHOWN_JS, arg={"texts": texts, "min": at_least}, polling="raf",
                                        timeout=self.timeout_ms)
        except PlaywrightTimeout:
            shown = self.page.evaluate(SHOWN_TEXT_JS)
            if os.environ.get("PLCS_BENCH_SCREENSHOTS"):
                self.page.screenshot(path=os.environ["PLCS_BENCH_SCREENSHOTS"])
            raise RuntimeError(f"none of {texts} shown within {self.timeout_ms / 1000:.0f} s; "
                               f"the screen shows: {shown[:700]}") from None

    def timed(self, locator, texts: list[str], how: str = "click", at_least: int = 1) -> float:
        """Seconds from the click (or key) on `locator` until one of `texts` is in the semantics tree."""
        locator.wait_for(timeout=self.timeout_ms)
        if how == "click":
            # a raw mouse click at the control's centre: Locator.click's actionability checks (stable position,
            # hit target) take up to a second on a loaded machine and are not the app's time
            box = locator.bounding_box()
            x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
            t0 = time.perf_counter()
            self.page.mouse.click(x, y)
        else:
            t0 = time.perf_counter()
            self.page.keyboard.press(how)
        self.wait(texts, at_least)
        return time.perf_counter() - t0

    def row(self, number: str):
        """The tappable part of a list row: a node whose text holds the row's cells (or, when Flutter merges the
        row into a group, its aria-label; never the row's selection checkbox, labelled "Chọn …")."""
        return self.page.get_by_text(number).or_(
            self.page.locator(f'[role="group"][aria-label*="{number}"]')).first

    def button(self, name: str):
        return self.page.get_by_role("button", name=name, exact=True).first

    def nav(self, label_key: str, texts: list[str]) -> float:
        """A navigation-rail destination: a button named "<label> Tab k of 9" in the semantics tree (the rail comes
        first in the tree)."""
        name = re.compile("^" + re.escape(T(label_key)))     # "Trợ giúp pháp lý" + Flutter's "Tab 2 of 9"
        return self.timed(self.page.get_by_role("button", name=name).first, texts)

    def type_into(self, label: str, text: str) -> None:
        """Focus the field, select all, type (tests/e2e/helpers.py: fill() is unreliable on Flutter fields)."""
        field = self.page.get_by_role("textbox", name=label).first
        for _ in range(5):        # after a raw mouse click elsewhere the first click may not give it the focus
            field.click()
            self.page.wait_for_timeout(150)
            if self.page.evaluate("() => ['INPUT', 'TEXTAREA'].includes(document.activeElement?.tagName)"):
                break
        else:
            raise RuntimeError(f"the field {label!r} does not take the focus")
        self.page.keyboard.press("Control+a")
        self.page.keyboard.insert_text(text)
        self.page.wait_for_timeout(200)


def _supervisor_round(ctx, app: AppProcess, info: dict, r: int, per_round: int, after_sync: int, timeout_s: float,
                      samples: dict) -> float:
    """One fresh session: every screen once (cold), next page / search / detail `per_round` times each; then
    `after_sync` times a sync run and the screens that reload after it."""
    s = Session(ctx, app, timeout_s, info["overview"]["prev"])
    try:
        add = lambda action, sec: samples.setdefault(action, []).append(sec)   # noqa: E731
        add("list.legal_aid", s.nav("ui.nav.legal_aid", info["list.legal_aid"]["first"]))
        pages = info["next_page"]["pages"]
        for k in range(per_round):
            add("next_page", s.timed(s.page.get_by_label(T("ui.list.next"), exact=True).first,
                                     [T("ui.list.page", page=2 + k, pages=pages)]))
        for k in range(per_round):
            i = (r * per_round + k) % len(info["search"]["terms"])
            s.type_into(T("ui.list.search"), info["search"]["terms"][i])
            add("search", s.timed(s.page.get_by_role("textbox", name=T("ui.list.search")).first,
                                  info["search"]["results"][i][:1], how="Enter"))
        # the results of the last search: open its first rows one after the other
        i = (r * per_round + per_round - 1) % len(info["search"]["terms"])
        numbers = info["search"]["results"][i]
        for k in range(per_round):
            number = numbers[k % len(numbers)]
            add("detail", s.timed(s.row(number), [T("ui.detail.timeline")]))
            s.timed(s.page.get_by_label(T("ui.common.back"), exact=True).first, [T("ui.list.search")])
        add("list.mediation", s.nav("ui.nav.mediation", info["list.mediation"]["first"]))
        add("list.dissemination", s.nav("ui.nav.dissemination", info["list.dissemination"]["first"]))
        add("reports", s.nav("ui.nav.reports", [T("ui.reports.tally")]))
        s.nav("ui.nav.assessment", [T("ui.assessment.province")])
        add("assessment", s.timed(s.page.get_by_text(T("ui.assessment.province"), exact=True).first,
                                  [info["assessment"]["counts"]]))
        add("coverage", s.nav("ui.nav.coverage", [T("coverage.not_in_period")]))
        offline = [T("ui.sync.reason.offline"), T("ui.sync.reason.error")]
        add("sync_screen", s.nav("ui.nav.sync", [T("ui.sync.outbox")]))
        # the reason of a failed run shows on the screen and in the message bar: twice once this run failed
        # (the screen may already show the stored reason of an earlier run once)
        add("sync_run", _sync_run(s, offline, at_least=2))
        add("overview", s.nav("ui.nav.overview", info["overview"]["prev"]))
        for _ in range(after_sync):
            # a sync run changes the app's revision: lists, overview and assessment load again on their next
            # visit, as after any change (reports and coverage keep what they computed until asked again)
            s.nav("ui.nav.sync", [T("ui.sync.outbox")])
            _sync_run(s, offline, at_least=1)
            add("overview", s.nav("ui.nav.overview", info["overview"]["prev"]))
            add("list.legal_aid", s.nav("ui.nav.legal_aid", numbers[:1]))      # still showing the last search
            add("list.mediation", s.nav("ui.nav.mediation", info["list.mediation"]["first"]))
            add("list.dissemination", s.nav("ui.nav.dissemination", info["list.dissemination"]["first"]))
            add("assessment", s.nav("ui.nav.assessment", [info["assessment"]["counts"]]))   # province view kept
        return s.open_s
    finally:
        s.close()


def _sync_run(s: Session, reasons: list[str], at_least: int) -> float:
    """"Đồng bộ ngay" → the password → "Bắt đầu đồng bộ" → the failure shown (no server listens)."""
    s.button(T("ui.sync.now")).click()
    s.type_into(T("ui.sync.password"), "bench-password")
    return s.timed(s.button(T("ui.sync.start")), reasons, at_least=at_least)


def _officer_saves(ctx, app: AppProcess, number: str, n: int, timeout_s: float, samples: dict) -> None:
    """Officer session: open a legal-aid case, then n × ("Sửa" → change the summary → "Lưu" → detail shown)."""
    s = Session(ctx, app, timeout_s, [T("ui.nav.overview")])
    try:
        s.nav("ui.nav.legal_aid", [T("ui.list.search")])
        s.type_into(T("ui.list.search"), number)
        s.timed(s.page.get_by_role("textbox", name=T("ui.list.search")).first, [number], how="Enter")
        s.timed(s.row(number), [T("ui.detail.timeline")])
        for k in range(n):
            samples.setdefault("form_open", []).append(
                s.timed(s.button(T("ui.common.edit")), [T("ui.form.edit.legal_aid")]))
            s.type_into(T("ui.field.summary"), f"Bench screen save {k} {time.time():.0f}")
            samples.setdefault("save", []).append(
                s.timed(s.button(T("ui.common.save")), [T("ui.detail.timeline")]))
    finally:
        s.close()


# --- the benchmark ------------------------------------------------------------------------------------------

def _screens(ctx, n: int) -> dict:
    from services.data_dir import app as app_service
    from services.records import listing
    plan = PLAN[ctx.mode]
    timeout_s = 60 if ctx.quick else 240
    load_before = os.getloadavg()[0]
    data = _prepare(ctx, n)
    stub = _StubApp(app_service.current())
    services_times, info = _services_read(stub, plan["services_samples"], plan)
    # the officer's record to edit: the first legal-aid case of the list
    q = _with(listing_query(stub), page=1)
    first = listing.list_page(q).rows[0]
    officer = _reopen_profile("officer")
    services_times["save"] = _services_save(officer, first["id"], plan["services_samples"])
    _reopen_profile("supervisor")
    app_service.close()

    samples: dict[str, list[float]] = {}
    opens = []
    memory = {}
    app = AppProcess(ctx, data, f"supervisor-{ctx.run_index}")
    try:
        for r in range(plan["rounds"]):
            opens.append(_supervisor_round(ctx, app, info, r, plan["per_round"], plan["after_sync"], timeout_s,
                                          samples))
        memory["supervisor"] = app.memory_mb()
    finally:
        app.stop()
    app_service.open_data_dir(data)
    _set_profile("officer")
    app_service.close()
    app = AppProcess(ctx, data, f"officer-{ctx.run_index}")
    try:
        _officer_saves(ctx, app, first["number"], plan["saves"], timeout_s, samples)
        memory["officer"] = app.memory_mb()
    finally:
        app.stop()

    out = {}
    for action in ACTIONS + ("form_open",):
        if action not in samples:
            continue
        out.update(latency_figures(action, samples[action]))
        if action in services_times:
            svc = services_times[action]
            out[f"{action}.services_p50_ms"] = fig(_ms(statistics.median(svc)), "ms", samples=len(svc))
            out[f"{action}.ui_over_services"] = fig(None, "x", ratio_of=[f"{action}.p50_ms",
                                                                        f"{action}.services_p50_ms"])
    out["session_open_to_overview_s"] = fig(round(statistics.median(opens), 3), "s", samples=len(opens))
    hwm = max(m.get("VmHWM", 0) for m in memory.values()) if memory else None
    out["app_peak_rss_mb"] = fig(hwm, "MB", processes={k: v for k, v in memory.items()})
    ctx.note(f"load average (1 min) {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end, on "
             f"{os.cpu_count()} CPUs: screen times grow with the machine's load, the services' times much less")
    ctx.note(f"supervisor (all communes of province {PROVINCE}) over {n:,} demo records in web mode (headless "
             f"Chromium, no GPU); {plan['rounds']} fresh sessions per run, {plan['per_round']} next-page / search / "
             f"detail samples per session; save by an officer holding the same communes ({plan['saves']} per run); "
             f"services = the same service calls in the benchmark process on the same database")
    return out


def listing_query(stub):
    from ui.state.lists import ListState
    return ListState(stub, "legal-aid").query()


for _n, _modes in ((10_000, ("quick",)), (100_000, ("full",))):
    benchmark(f"screens@{scale_label(_n)}", area="screens", modes=_modes, runs=(1, 1), timeout=(480, 2400),
              description=f"Click → content shown for every main screen (web mode in Chromium), province "
                          f"supervisor, {_n:,} records, beside the services' time")(lambda ctx, n=_n: _screens(ctx, n))
