"""Run history stays bounded without old days looking missing."""

from datetime import timedelta

import dagster as dg
from dagster._core.storage.partition_status_cache import get_and_update_asset_status_cache_value

from pump_costs.definitions import defs
from pump_costs.defs.partitions import daily_partitions
from pump_costs.runs import materialize_days

USAGE = dg.AssetKey(["raw_anthropic", "usage_report"])


def test_pruning_runs_keeps_which_days_are_materialized(fake_api, yesterday, tmp_path, monkeypatch):
    (tmp_path / "dagster_home").mkdir()
    with dg.DagsterInstance.local_temp(str(tmp_path / "dagster_home")) as instance:
        for day in (yesterday - timedelta(days=1), yesterday):
            assert materialize_days(day, day, instance=instance, selection=[USAGE]).success
        assert len(instance.get_runs()) == 2
        monkeypatch.setenv("PUMP_COSTS_RUN_RETENTION_DAYS", "0")
        result = defs.resolve_job_def("housekeeping_job").execute_in_process(instance=instance)
        assert result.success
        assert [run.run_id for run in instance.get_runs()] == [result.run_id]
        status = get_and_update_asset_status_cache_value(instance, USAGE, daily_partitions)
        materialized = status.deserialize_materialized_partition_subsets(daily_partitions).get_partition_keys()
        assert set(materialized) == {(yesterday - timedelta(days=1)).isoformat(), yesterday.isoformat()}
