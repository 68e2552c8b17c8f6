"""Shared fixtures: a fresh in-memory database per test, hypothesis profiles, the Kinto server plugin."""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=40, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.register_profile("dev", max_examples=150, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

pytest_plugins = ["tests.kinto_server"]

# New data folders are encrypted by default (issue 14 §3): a CLI command that would create a folder without
# PLCS_PASSPHRASE exits 4. The suite opts out for its whole session (this process and every subprocess that
# inherits os.environ) so that tests of other features can create plain folders as before; the tests of the
# default itself (tests/test_encryption_default.py) remove the variable.
os.environ["PLCS_NO_ENCRYPTION"] = "1"


@pytest.fixture
def db():
    """The full schema in memory, as the current app context."""
    from services.data_dir import app
    ctx = app.use_memory_database()
    yield ctx
    app.close()


@pytest.fixture(scope="module")
def http():
    """A requests session for raw calls to the test server (no proxies from the environment)."""
    import requests
    s = requests.Session()
    s.trust_env = False
    yield s
    s.close()


@pytest.fixture
def data_dir(tmp_path):
    """A fresh data folder (file database) for CLI and crash tests."""
    path = tmp_path / "data"
    path.mkdir()
    return path


def run_coroutine(coro):
    """Run a coroutine to completion from a test, even while another event loop runs in this thread
    (Playwright's sync API keeps one running for the whole session once the browser tests have started)."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)          # the usual case: same thread, so an in-memory database is shared
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def pytest_collection_modifyitems(session, config, items):
    """Browser tests last: Playwright's sync API keeps an event loop running in the main thread from its first
    use until the session ends, which would break tests that run coroutines themselves."""
    items.sort(key=lambda item: "/e2e/" in str(item.fspath))
