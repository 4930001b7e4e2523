"""Shared fixtures: one fake Admin API on a loopback port for the session, a fresh warehouse per test."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from pump_costs.fake_anthropic import FAKE_ADMIN_KEY, FakeAdminApi, FaultPlan
from pump_costs.settings import ADMIN_API_KEY, ADMIN_API_KEY_FILE, BASE_URL
from pump_costs.warehouse import warehouse_path
from tests.dagster_dev import dagster_dev  # noqa: F401 (a fixture for the end-to-end tests)


@pytest.fixture(scope="session")
def fake_api() -> Iterator[FakeAdminApi]:
    with FakeAdminApi() as api:
        yield api


@pytest.fixture(autouse=True)
def pipeline_env(fake_api: FakeAdminApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the pipeline at the fake API and a warehouse of this test's own; reset faults and the log."""
    monkeypatch.setenv(BASE_URL.name, fake_api.base_url)
    monkeypatch.setenv(ADMIN_API_KEY.name, FAKE_ADMIN_KEY)
    monkeypatch.setenv("PUMP_COSTS_DATA_DIR", str(tmp_path / "data"))
    # No key from this machine's own keyring or key file: tests that want one set their own.
    monkeypatch.delenv(ADMIN_API_KEY_FILE.name, raising=False)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    fake_api.faults = FaultPlan()
    fake_api.requests.clear()
    yield tmp_path / "data"
    fake_api.faults = FaultPlan()
    fake_api.wait_idle()


@pytest.fixture
def yesterday() -> date:
    return datetime.now(UTC).date() - timedelta(days=1)


def query(sql: str, params: list | None = None) -> list[tuple]:
    """Read the test's warehouse (read-only, after the run has closed it)."""
    with duckdb.connect(str(warehouse_path()), read_only=True) as conn:
        return conn.execute(sql, params or []).fetchall()
