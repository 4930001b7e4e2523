"""The daily schedule: yesterday plus a trailing window, because usage and cost land late
and can be restated."""

from datetime import timedelta

import dagster as dg

from pump_costs import settings
from pump_costs.defs.jobs import daily_spend_job
from pump_costs.defs.partitions import partition_range_tags


@dg.schedule(
    job=daily_spend_job,
    cron_schedule="0 3 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
def daily_spend_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    """At 03:00 UTC: re-pull the last N completed days (yesterday included) in one run."""
    yesterday = context.scheduled_execution_time.date() - timedelta(days=1)
    first = yesterday - timedelta(days=settings.TRAILING_DAYS.number() - 1)
    first_key, last_key = first.isoformat(), yesterday.isoformat()
    return dg.RunRequest(run_key=last_key, tags=partition_range_tags(first_key, last_key))
