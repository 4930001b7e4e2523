"""A run killed with `kill -9`: the orphan is marked failed and the next scheduled run goes through the
one-run-at-a-time queue, with nothing lost or counted twice.

Dagster's code server already fails a run whose worker process it started and saw die; what stays STARTED
for ever is a run whose process nobody watches any more: a `pump-costs backfill` killed in the terminal,
or a run of a `dagster dev` that was itself killed. The first is what this test kills.
"""

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime

import dagster as dg

from pump_costs.defs.schedules import daily_spend_schedule
from tests.conftest import query

LAUNCH_RUN = """
mutation ($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message }
  }
}"""


def launch_scheduled_run(server, now: datetime) -> str:
    """What the daily schedule submits at `now`: its job with its partition range, through the queue."""
    request = daily_spend_schedule(dg.build_schedule_context(scheduled_execution_time=now))
    params = {
        "selector": {
            "repositoryLocationName": "pump_costs",
            "repositoryName": "__repository__",
            "jobName": "daily_spend_job",
        },
        "executionMetadata": {"tags": [{"key": k, "value": v} for k, v in request.tags.items()]},
        "runConfigData": {},
    }
    launched = server.graphql(LAUNCH_RUN, params=params)["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    return launched["run"]["runId"]


def wait_for(instance: dg.DagsterInstance, run_id: str, statuses: set, timeout: float = 240) -> dg.DagsterRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = instance.get_run_by_id(run_id)
        if run and run.status in statuses:
            return run
        time.sleep(1)
    raise TimeoutError(f"run {run_id} is still {run and run.status}, not one of {statuses}")


def test_a_killed_run_is_marked_failed_and_the_next_scheduled_run_goes_through(dagster_dev, fake_api):
    server, home = dagster_dev
    fake_api.faults.delay_seconds = 2.0  # slow enough to kill the run in the middle of its pulls
    now = datetime.now(UTC)
    backfill = subprocess.Popen(
        [sys.executable, "-m", "pump_costs.cli", "backfill", "--days", "2"],
        env={**os.environ, "DAGSTER_HOME": str(home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    with dg.DagsterInstance.from_config(str(home)) as instance:
        deadline = time.monotonic() + 120
        started = dg.RunsFilter(job_name="__ephemeral_asset_job__", statuses=[dg.DagsterRunStatus.STARTED])
        while not (runs := instance.get_runs(started)):
            assert time.monotonic() < deadline and backfill.poll() is None, "the backfill never started"
            time.sleep(0.5)
        killed = runs[0].run_id
        os.kill(backfill.pid, signal.SIGKILL)
        backfill.wait()
        fake_api.faults.delay_seconds = 0.0

        # The next day's run is queued behind the orphan until it is found, then runs.
        following = launch_scheduled_run(server, now)
        finished = wait_for(instance, following, {dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE})
        assert finished.status == dg.DagsterRunStatus.SUCCESS
        orphan = instance.get_run_by_id(killed)
        assert orphan.status == dg.DagsterRunStatus.FAILURE
        messages = [entry.message for entry in instance.all_logs(killed)]
        pid = backfill.pid
        assert any(f"The process running this run (pid {pid}) is gone" in message for message in messages), messages
    server.stop()
    assert query("select sum(BilledCost) from marts.fct_spend where ProviderName = 'Anthropic'") == query(
        "select sum(amount_usd) from raw_anthropic.cost_report"
    )
    assert query("select count(*) from raw_anthropic.cost_report") == query(
        "select count(*) from (select distinct bucket_start, workspace_id, description from raw_anthropic.cost_report)"
    )
