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


@pytest.fixture
def db():
    """The full schema in memory, as the current app context."""
    from services import app
    ctx = app.use_memory_database()
    yield ctx
    app.close()


@pytest.fixture
def data_dir(tmp_path):
    """A fresh data folder (file database) for CLI and crash tests."""
    path = tmp_path / "data"
    path.mkdir()
    return path
