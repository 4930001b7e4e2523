"""The Definitions object: what the UI and the schedule see."""

from datetime import UTC, datetime

import dagster as dg

from pump_costs.definitions import defs
from pump_costs.defs.partitions import daily_partitions


def test_partitions_are_fixed_daily_utc_and_the_job_runs_one_step_at_a_time():
    assert daily_partitions.get_first_partition_key() == "2025-01-01"
    assert daily_partitions.timezone == "UTC"
    job = defs.resolve_job_def("daily_spend_job")
    assert job.executor_def.name == "in_process"


def test_schedule_repulls_the_trailing_three_days_in_one_run(monkeypatch):
    schedule = defs.resolve_schedule_def("daily_spend_schedule")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 3 * * *", "UTC")
    context = dg.build_schedule_context(scheduled_execution_time=datetime(2026, 11, 26, 3, tzinfo=UTC))
    (request,) = schedule.evaluate_tick(context).run_requests
    assert request.tags["dagster/asset_partition_range_start"] == "2026-11-23"
    assert request.tags["dagster/asset_partition_range_end"] == "2026-11-25"
    monkeypatch.setenv("PUMP_COSTS_TRAILING_DAYS", "7")
    (request,) = schedule.evaluate_tick(context).run_requests
    assert request.tags["dagster/asset_partition_range_start"] == "2026-11-19"
