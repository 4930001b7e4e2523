"""The daily job and its schedule: yesterday plus a trailing window, because usage and cost land late
and can be restated."""

import os
from datetime import timedelta

import dagster as dg

TRAILING_DAYS_ENV_VAR = "PUMP_COSTS_TRAILING_DAYS"
DEFAULT_TRAILING_DAYS = 3

daily_spend_job = dg.define_asset_job(
    "daily_spend_job",
    selection=dg.AssetSelection.all(),
    description="Pull the Anthropic reports for a window of days and rebuild everything downstream.",
)


def trailing_days() -> int:
    return int(os.environ.get(TRAILING_DAYS_ENV_VAR) or DEFAULT_TRAILING_DAYS)


def partition_range_tags(first: str, last: str) -> dict[str, str]:
    """Tags that make one run cover partitions first..last (inclusive), as a UI range backfill does."""
    return {
        "dagster/asset_partition_range_start": first,
        "dagster/asset_partition_range_end": last,
    }


@dg.schedule(
    job=daily_spend_job,
    cron_schedule="0 3 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
def daily_spend_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    """At 03:00 UTC: re-pull the last N completed days (yesterday included) in one run."""
    yesterday = context.scheduled_execution_time.date() - timedelta(days=1)
    first = yesterday - timedelta(days=trailing_days() - 1)
    first_key, last_key = first.isoformat(), yesterday.isoformat()
    return dg.RunRequest(run_key=last_key, tags=partition_range_tags(first_key, last_key))
