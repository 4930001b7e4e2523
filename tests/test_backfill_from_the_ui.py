"""The path the README recommends: `dagster dev`, then an asset backfill of every asset over a range of days,
launched through the webserver's GraphQL API as the UI's launch dialog does, and run by the daemon; on DuckDB
and (`make test-spark`) on Spark."""

import time
from datetime import timedelta

import dagster as dg

from pump_costs.defs.anthropic.checks import analytics_cost_matches_cost_report
from pump_costs.defs.dbt.assets import dbt_daily_models, dbt_models
from pump_costs.defs.publish.assets import published_connection
from pump_costs.defs.report.assets import no_new_spend_anomalies, spend_within_budgets
from tests.conftest import query
from tests.dagster_dev import ASSET_KEYS

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


def test_ui_asset_backfill_evaluates_every_check(engine_name, dagster_dev, yesterday):
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
        # Every dbt test, on the models built by day and on the rest, and the blocking reconciliation in Python.
        checks = [*dbt_daily_models.check_keys, *dbt_models.check_keys, *analytics_cost_matches_cost_report.check_keys]
        assert {
            "assert_anthropic_spend_matches_cost_report",
            "assert_daily_spend_matches_fct_spend",
            "analytics_cost_matches_cost_report",
        } <= {check.name for check in checks}
        assert {check.name for check in checks if check.asset_key == FCT_SPEND} > {
            "assert_anthropic_spend_matches_cost_report",
            "analytics_cost_matches_cost_report",
        }
        # The report's checks too (no budgets file, and 7 days are too few for anomalies: both pass).
        checks += [*spend_within_budgets.check_keys, *no_new_spend_anomalies.check_keys]
        latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(checks)
        outcomes = {
            check.name: (record.status.value if record else None, record and record.run_id in backfill_runs)
            for check, record in ((c, latest.get(c)) for c in checks)
        }
        report = instance.get_latest_materialization_event(dg.AssetKey("spend_report"))
        assert report and report.run_id in backfill_runs
    assert outcomes == {check.name: ("SUCCEEDED", True) for check in checks}
    # What BI tools read, whichever engine built it: every day of the range, the cost report's total exactly.
    with published_connection() as conn:
        published = conn.execute(
            "select min(cast(ChargePeriodStart as date)), max(cast(ChargePeriodStart as date)), sum(BilledCost) "
            "from marts.fct_spend where ProviderName = 'Anthropic'"
        ).fetchall()
    assert published == [(first, yesterday, query("select sum(amount_usd) from raw_anthropic.cost_report")[0][0])]
