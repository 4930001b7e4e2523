"""The daily schedule: yesterday plus a trailing window, because usage and cost land late
and can be restated."""

import os
from datetime import timedelta

import dagster as dg

from pump_costs.defs.jobs import daily_spend_job
from pump_costs.defs.partitions import partition_range_tags

TRAILING_DAYS_ENV_VAR = "PUMP_COSTS_TRAILING_DAYS"
DEFAULT_TRAILING_DAYS = 3


def trailing_days() -> int:
    return int(os.environ.get(TRAILING_DAYS_ENV_VAR) or DEFAULT_TRAILING_DAYS)


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
