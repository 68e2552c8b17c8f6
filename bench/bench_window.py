"""Start-up to the window shown, where it can be measured here: the app served in web mode (`main.py --web`, the
same Flet app the desktop window shows) and opened in the system Chromium, timed from the process spawn until the
overview's figures are on screen.

    .venv/bin/python -m bench.run --quick --only 'startup.window@*'

The desktop client (Flet's Flutter runner) cannot start on this machine (it is downloaded on first start and
there is no internet), so the browser stands in for the window: the time includes the Flutter web engine booting
in headless Chromium without a GPU, which a desktop window does not pay. Each run uses a copy of the cached demo
database with a province-supervisor profile (every commune: the heaviest overview) and today's daily backup
marked done, so the figure is an ordinary start, not the day's first (that one also writes the daily backup, in
a background thread).
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from bench.common import PYTHON, ROOT, NotAvailable, benchmark, fig, project_env, scale_label
from bench.datasets import demo_data_dir
from bench.kinto_server import free_port

CHROMIUM = "/usr/lib/chromium/chromium"
SHOWN_TEXT = "Cùng kỳ:"          # ui.overview.prev: only drawn once the overview's figures are computed


def _prepare(ctx, n: int) -> Path:
    """A copy of the demo database with a supervisor profile and today's daily backup marked done."""
    if "data_dir" in ctx.state:
        return ctx.state["data_dir"]
    from services.data_dir import app
    src = demo_data_dir(n)
    data = ctx.workdir / f"window-{scale_label(n)}"
    data.mkdir()
    shutil.copy2(src / "plcs.db", data / "plcs.db")
    app.open_data_dir(data)
    app.save_profile({"full_name": "Bench Supervisor", "role": "supervisor", "province_code": "22",
                      "communes": []})
    app.close()
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    (data / "backups").mkdir(exist_ok=True)
    (data / "backups" / f"plcs-{stamp}-daily.plcsbak").touch()
    ctx.state["data_dir"] = data
    return data


def _browser(ctx):
    if "browser" not in ctx.state:
        if not Path(CHROMIUM).exists():
            raise NotAvailable(f"{CHROMIUM} missing (apt-get install chromium)")
        from playwright.sync_api import sync_playwright
        pw = sync_playwright().start()
        ctx.state.setdefault("_cleanup", []).append(pw.stop)
        ctx.state["browser"] = pw.chromium.launch(
            executable_path=CHROMIUM, args=["--headless=new", "--no-sandbox", "--disable-gpu",
                                            "--disable-dev-shm-usage"])
        ctx.state["_cleanup"].append(ctx.state["browser"].close)
    return ctx.state["browser"]


def _one_start(ctx, data: Path) -> dict:
    browser = _browser(ctx)
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    env = project_env(FLET_FORCE_WEB_SERVER=1, FLET_WEB_NO_CDN=1, PYTHONUNBUFFERED=1)
    with open(ctx.workdir / f"window-{ctx.run_index}.log", "wb") as log:
        t0 = time.perf_counter()
        proc = subprocess.Popen([PYTHON, "main.py", "--web", "--port", str(port), "--data-dir", str(data)], cwd=ROOT,
                                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.perf_counter() + 60
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"main.py --web exited {proc.returncode}")
                try:
                    urllib.request.urlopen(url, timeout=1).read(64)
                    break
                except OSError:
                    if time.perf_counter() > deadline:
                        raise RuntimeError("main.py --web did not answer within 60 s") from None
                    time.sleep(0.02)
            t_http = time.perf_counter()
            context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
            try:
                page = context.new_page()
                page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(url)
                           else route.abort())
                page.goto(url)
                # Flutter web draws on a canvas; its semantics tree (what a screen reader reads) carries the text
                page.locator("flt-semantics-placeholder").wait_for(state="attached", timeout=60000)
                t_engine = time.perf_counter()
                page.locator("flt-semantics-placeholder").evaluate("e => e.click()")
                page.get_by_text(SHOWN_TEXT).first.wait_for(timeout=60000)
                t_shown = time.perf_counter()
            finally:
                context.close()
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
    return {"http": t_http - t0, "shown": t_shown - t0, "engine": t_engine - t_http, "app": t_shown - t_engine}


def _window(ctx, n: int) -> dict:
    data = _prepare(ctx, n)
    starts = [_one_start(ctx, data) for _ in range(3)]
    med = lambda key: round(sorted(s[key] for s in starts)[1], 3)  # noqa: E731
    ctx.note(f"web mode in headless Chromium (no GPU) standing in for the desktop window; supervisor profile "
             f"(all communes) over {n:,} demo records; median of 3 starts per run")
    return {"process_to_window_shown_web_s": fig(med("shown"), "s"),
            "process_to_server_ready_s": fig(med("http"), "s"),
            "page_open_to_flutter_ready_s": fig(med("engine"), "s"),
            "flutter_ready_to_overview_shown_s": fig(med("app"), "s")}


for _n, _modes in ((10_000, ("quick",)), (1_000_000, ("full",))):
    benchmark(f"startup.window@{scale_label(_n)}", area="startup", modes=_modes, runs=(1, 3), timeout=(150, 1200),
              description=f"Process start to the overview shown (web mode in Chromium), {_n:,} records"
              )(lambda ctx, n=_n: _window(ctx, n))
