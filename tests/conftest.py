"""Shared fixtures: one fake Admin API on a loopback port for the session, a fresh warehouse per test."""

import csv
import os
import subprocess
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from pump_costs.defs.dbt.project import DBT_PROJECT_DIR
from pump_costs.defs.resources import dbt_executable
from pump_costs.fake_anthropic import FAKE_ADMIN_KEY, FakeAdminApi, FaultPlan
from pump_costs.settings import ADMIN_API_KEY, ADMIN_API_KEY_FILE, BASE_URL, ENGINE, PROJECT_ROOT
from pump_costs.warehouse import warehouse_path
from tests.dagster_dev import dagster_dev  # noqa: F401 (a fixture for the end-to-end tests)

# Test modules whose tests share a module-scoped build go to one xdist worker as a unit, so the build is made
# once, not once per worker; every other test is scheduled on its own, as `--dist load` does. (`--dist
# loadgroup` would do this with marks, but xdist 3.8's grouping has no effect under pytest 9.)
SHARED_BUILD_MODULES = ("tests/test_spend_mart_totals.py", "tests/test_spend_report.py")
# The tests that start `dagster dev` and wait on its daemon run back to back on one worker. Each keeps about one
# core busy (webserver, daemon, code server and the run processes they start: 40-70 CPU-seconds each) while
# the other two workers share the rest; started together on two workers they slowed the suite (242-254 s
# against 222 s here).
WAITING_ON_THE_DAEMON = ("tests/test_backfill_from_the_ui.py", "tests/test_recovery.py")

# The unpartitioned models a change to the CUR 2.0 rows rebuilds, and no other (as `<schema>/<model>` asset keys).
MODELS_OVER_CUR2_ROWS = {
    "staging/stg_aws__cur2_line_items",
    "intermediate/int_aws__spend_focus",
    "intermediate/int_cloud__spend_focus",
    "marts/fct_cloud_spend",
    "intermediate/int_cloud__daily_spend",
    "marts/fct_spend",
    "marts/fct_anthropic_daily_cost_by_key",
    "marts/fct_daily_spend",
    "marts/fct_daily_spend_by_scope",
    "marts/fct_budget_status",
    "marts/fct_spend_anomalies",
}


# Test folders in memory where the machine has a tmpfs: what the suite tests does not depend on the disk, and
# its thousands of commits to Dagster's SQLite storage and DuckDB files each wait for an fsync there (about a
# quarter of the suite's time on this machine's disk). `--basetemp` chooses a folder of one's own.
TMPFS = Path("/dev/shm")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if not config.option.basetemp and TMPFS.is_dir() and os.access(TMPFS, os.W_OK):
        tempfile.tempdir = str(TMPFS)


def another_file_system(than: Path) -> Path:
    """A new folder on a file system other than `than`'s: memory or the project's disk."""
    root = next(place for place in (TMPFS, PROJECT_ROOT) if place.stat().st_dev != than.stat().st_dev)
    return Path(tempfile.mkdtemp(dir=root, prefix=".pump-costs-test-"))


# xdist hands out the groups of several tests first (the shared builds, the tests waiting on the daemon); of
# the tests scheduled alone, the longest (20-60 s here) go first, so the workers end together rather than one
# running a long test started last.
LONGEST_FIRST = ("tests/test_production.py", "tests/test_status.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.nodeid.split("::", 1)[0] not in LONGEST_FIRST)


def pytest_xdist_make_scheduler(config: pytest.Config, log):
    from xdist.scheduler import LoadScopeScheduling

    class SharedBuildScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            if module in WAITING_ON_THE_DAEMON:
                return "waiting on the daemon"
            return module if module in SHARED_BUILD_MODULES else nodeid

    return SharedBuildScheduling(config, log)


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


@pytest.fixture(params=["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def engine_name(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The engine the test's runs model on (set before any run or `dagster dev` starts): DuckDB in `make test`,
    Spark in `make test-spark`."""
    monkeypatch.setenv(ENGINE.name, request.param)
    return request.param


@pytest.fixture
def yesterday() -> date:
    return datetime.now(UTC).date() - timedelta(days=1)


def query(sql: str, params: list | None = None) -> list[tuple]:
    """Read the test's warehouse (read-only, after the run has closed it)."""
    with duckdb.connect(str(warehouse_path()), read_only=True) as conn:
        return conn.execute(sql, params or []).fetchall()


def decimal_sums(path: Path, amount: str, *keys: str, where=lambda row: True) -> dict[tuple, Decimal]:
    """Exact sums of a CSV column, read with Python's csv and Decimal: an oracle independent of DuckDB."""
    totals: dict[tuple, Decimal] = defaultdict(Decimal)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            if where(row) and row[amount] not in ("", "NULL"):
                totals[tuple(row[k] for k in keys)] += Decimal(row[amount])
    return dict(totals)


def totals(sql: str) -> dict[tuple, Decimal]:
    return {tuple(row[:-1]): row[-1] for row in query(sql)}


def run_dbt(*args: str, target_path: Path, timeout: float) -> subprocess.CompletedProcess:
    """The dbt command line on the project, as a user runs it, its artifacts in `target_path`."""
    return subprocess.run(
        [dbt_executable(), *args, "--target-path", str(target_path)],
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR)},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
