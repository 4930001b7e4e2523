"""The path the README recommends: `dagster dev`, then an asset backfill of every asset over a range of days,
launched through the webserver's GraphQL API as the UI's launch dialog does, and run by the daemon."""

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import dagster as dg
import pytest
import requests

from pump_costs.defs.dbt.assets import dbt_models
from pump_costs.instance import INSTANCE_CONFIG
from pump_costs.warehouse import PROJECT_ROOT
from tests.conftest import query

FCT_SPEND = dg.AssetKey(["marts", "fct_spend"])

LAUNCH_BACKFILL = """
mutation ($params: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $params) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on PythonError { message }
  }
}"""

BACKFILL_STATUS = """
query ($id: String!) {
  partitionBackfillOrError(backfillId: $id) { ... on PartitionBackfill { status } }
}"""

ASSET_KEYS = "query { assetNodes { assetKey { path } isMaterializable } }"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class DagsterDev:
    """`dagster dev` in its own process group, stopped the way it listens to: SIGINT to the group."""

    def __init__(self, home: Path, log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/graphql"
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "dagster", "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(self.port)],
            cwd=PROJECT_ROOT,
            env={**os.environ, "DAGSTER_HOME": str(home)},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def graphql(self, document: str, **variables) -> dict:
        response = requests.post(self.url, json={"query": document, "variables": variables}, timeout=60)
        response.raise_for_status()
        return response.json()["data"]

    def wait_until_up(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "dagster dev exited; see its log"
            try:
                if self.graphql(ASSET_KEYS)["assetNodes"]:
                    return
            except requests.RequestException:
                pass
            time.sleep(1)
        raise TimeoutError("dagster dev did not answer")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


@pytest.fixture
def dagster_dev(tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(INSTANCE_CONFIG)  # as pump-costs writes it for `make dev`
    server = DagsterDev(home, tmp_path / "dagster-dev.log")
    try:
        server.wait_until_up()
        yield server, home
    finally:
        server.stop()


def test_ui_asset_backfill_evaluates_every_check_on_fct_spend(dagster_dev, yesterday):
    server, home = dagster_dev
    first = yesterday - timedelta(days=6)
    days = [(first + timedelta(days=n)).isoformat() for n in range(7)]
    # What "Materialize all" selects: every asset that can be materialized (not the external landing record).
    every_asset = [node["assetKey"] for node in server.graphql(ASSET_KEYS)["assetNodes"] if node["isMaterializable"]]
    launched = server.graphql(
        LAUNCH_BACKFILL, params={"assetSelection": every_asset, "partitionNames": days, "fromFailure": False}
    )["launchPartitionBackfill"]
    assert launched["__typename"] == "LaunchBackfillSuccess", launched
    backfill_id = launched["backfillId"]

    deadline = time.monotonic() + 600
    status = None
    while time.monotonic() < deadline:
        status = server.graphql(BACKFILL_STATUS, id=backfill_id)["partitionBackfillOrError"]["status"]
        if status not in ("REQUESTED", "CANCELING"):
            break
        time.sleep(2)
    server.stop()
    assert status == "COMPLETED_SUCCESS", status

    with dg.DagsterInstance.from_config(str(home)) as instance:
        runs = instance.get_runs(filters=dg.RunsFilter(tags={"dagster/backfill": backfill_id}))
        assert runs and all(run.status == dg.DagsterRunStatus.SUCCESS for run in runs)
        backfill_runs = {run.run_id for run in runs}
        checks = [spec.key for spec in dbt_models.check_specs if spec.asset_key == FCT_SPEND]
        assert "assert_anthropic_spend_matches_cost_report" in {check.name for check in checks}
        latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(checks)
        outcomes = {
            check.name: (record.status.value if record else None, record and record.run_id in backfill_runs)
            for check, record in ((c, latest.get(c)) for c in checks)
        }
    assert outcomes == {check.name: ("SUCCEEDED", True) for check in checks}
    assert query(
        "select min(cast(ChargePeriodStart as date)), max(cast(ChargePeriodStart as date)), sum(BilledCost) "
        "from marts.fct_spend where ProviderName = 'Anthropic'"
    ) == [(first, yesterday, query("select sum(amount_usd) from raw_anthropic.cost_report")[0][0])]
