"""E2E fixtures (../shared/testing/e2e.md): the real app served in web mode (`main.py --web`) on a fresh
temporary data folder per test, driven by the system Chromium (headless) through Playwright at 1366×768 with
Flutter's semantics tree turned on. Only 127.0.0.1 is reachable from the page (proves the app works offline).

    def test_x(launch):
        page, srv = launch()                       # officer profile seeded; launch(profile=False) = first run
        page.get_by_role("button", name="Lưu").click()
        services_stats(srv.data_dir)["legal-aid"]  # what was stored, read through the services

One browser per session; each test's server and browser context are stopped by the fixture.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/lib/chromium/chromium"
ARTIFACTS = ROOT / "test-artifacts"
VIEWPORT = {"width": 1366, "height": 768}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AppServer:
    """`python main.py --web --port P --data-dir D` in its own process group; stop() ends only that PID."""

    def __init__(self, data_dir: Path, log: Path, no_encryption: bool = True):
        self.data_dir, self.port, self.log_path = data_dir, _free_port(), log
        # PLCS_NO_ENCRYPTION=1: the first-run screen lets the passphrase be left empty (the default requires one;
        # no_encryption=False tests that default)
        env = {**os.environ, "FLET_FORCE_WEB_SERVER": "1", "FLET_WEB_NO_CDN": "1", "PYTHONUNBUFFERED": "1",
               "PLCS_NO_ENCRYPTION": "1"}
        if not no_encryption:
            env.pop("PLCS_NO_ENCRYPTION")
        self._log = open(log, "wb")  # noqa: SIM115 -- the server process writes to it until stop() closes it
        self.proc = subprocess.Popen([sys.executable, "main.py", "--web", "--port", str(self.port),
                                      "--data-dir", str(data_dir)], cwd=ROOT, env=env, stdout=self._log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self.url = f"http://127.0.0.1:{self.port}/"
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                urllib.request.urlopen(self.url, timeout=1).read(64)
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"app server did not start:\n{log.read_text(errors='replace')[-4000:]}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._log.close()


def seed_profile(data_dir: Path, communes=("06652",), province="22", name="Nguyễn Thị Lan") -> None:
    """Write the officer profile through the services (what the first-run screen saves)."""
    code = (
        "import sys; from services.data_dir import app; ctx = app.open_data_dir(sys.argv[1]); "
        "app.save_profile({'full_name': sys.argv[2], 'role': 'officer', 'province_code': sys.argv[3], "
        "'communes': sys.argv[4].split(',')}); app.close()")
    subprocess.run([sys.executable, "-c", code, str(data_dir), name, province, ",".join(communes)],
                   cwd=ROOT, check=True)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    pw = sync_playwright().start()
    b = pw.chromium.launch(executable_path=CHROMIUM,
                           args=["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
    yield b
    b.close()
    pw.stop()


@pytest.fixture
def launch(browser, tmp_path):
    """launch(profile=True, seed=None) -> (page, server) on a fresh data folder; stops both afterwards.
    `seed(data_dir)` may write records through the services before the server starts."""
    started = []

    def _launch(profile: bool = True, seed=None):
        data = tmp_path / f"data{len(started)}"
        data.mkdir()
        communes = [c.code for c in _communes()[:3]]
        if profile:
            seed_profile(data, communes)
        if seed is not None:
            seed(data)
        ARTIFACTS.mkdir(exist_ok=True)
        srv = AppServer(data, ARTIFACTS / f"e2e-server-{os.getpid()}-{len(started)}.log")
        srv.communes = communes
        started.append(srv)
        context, page = open_page(browser, srv.url)
        started.append(context)
        first = "Chào mừng" if not profile else "Tổng quan"
        page.get_by_text(first).first.wait_for(timeout=30000)
        return page, srv

    yield _launch
    for item in reversed(started):
        item.close() if hasattr(item, "close") and not isinstance(item, AppServer) else item.stop()


def _communes():
    from services import admin_units
    return admin_units.communes("22")


def open_page(browser, url: str):
    context = browser.new_context(viewport=VIEWPORT, locale="vi-VN")
    page = context.new_page()

    def only_local(route):
        if route.request.url.startswith("http://127.0.0.1"):
            return route.continue_()
        return route.abort()

    page.route("**/*", only_local)
    page.goto(url)
    page.locator("flt-semantics-placeholder").wait_for(state="attached", timeout=30000)
    page.locator("flt-semantics-placeholder").evaluate("e => e.click()")
    return context, page


def shot(page, name: str) -> Path:
    page.wait_for_timeout(600)
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


DOCS_SHOTS = ROOT / "docs" / "screenshots"


def doc_shot(page, name: str) -> Path:
    """A screenshot for the README: always to test-artifacts/; copied over the committed one in docs/screenshots/
    only when `make screenshots` asks for it (PLCS_REFRESH_SCREENSHOTS=1), so a test run never changes a tracked
    file."""
    path = shot(page, name)
    if os.environ.get("PLCS_REFRESH_SCREENSHOTS") == "1":
        DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, DOCS_SHOTS / path.name)
    return path


def services_stats(data_dir: Path) -> dict:
    """Record counts from the data folder, through the services (the same numbers as `main.py stats`)."""
    import json
    code = ("import sys, json; from services.data_dir import app; from services.records import stats; "
            "app.open_data_dir(sys.argv[1]); "
            "print(json.dumps(stats.counts())); app.close()")
    out = subprocess.run([sys.executable, "-c", code, str(data_dir)], cwd=ROOT, check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out.strip().splitlines()[-1])
