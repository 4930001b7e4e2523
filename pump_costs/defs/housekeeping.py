"""Keep Dagster's run history bounded: runs older than the retention go, with their events and logs.

Dagster keeps every run, its event log and its compute logs for ever. Which partitions are materialized
is cached per asset apart from the events; the cache is brought up to date before any run is deleted, so
pruning old runs never makes old days look missing (and "backfill missing" never pulls them again).
"""

import os
from datetime import UTC, datetime, timedelta

import dagster as dg
from dagster._core.storage.partition_status_cache import get_and_update_asset_status_cache_value

from pump_costs import settings

FINISHED = [dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED]


def prune_runs(instance: dg.DagsterInstance, older_than: datetime) -> int:
    """Delete finished runs created before `older_than`, with their events and compute logs."""
    from pump_costs.definitions import defs  # at run time: the definitions hold this module

    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        if graph.get(key).partitions_def:
            get_and_update_asset_status_cache_value(instance, key, graph.get(key).partitions_def)
    runs = instance.get_run_records(dg.RunsFilter(statuses=FINISHED, created_before=older_than))
    for record in runs:
        run_id = record.dagster_run.run_id
        instance.delete_run(run_id)
        instance.compute_log_manager.delete_logs(prefix=[run_id])
    return len(runs)


@dg.op
def prune_run_history(context: dg.OpExecutionContext) -> None:
    days = settings.RUN_RETENTION_DAYS.number()
    pruned = prune_runs(context.instance, datetime.now(UTC) - timedelta(days=days))
    context.log.info(f"Deleted {pruned} finished runs older than {days} days ({settings.RUN_RETENTION_DAYS.name})")


@dg.job(description="Delete finished runs older than PUMP_COSTS_RUN_RETENTION_DAYS (90 by default).")
def housekeeping_job():
    prune_run_history()


housekeeping_schedule = dg.ScheduleDefinition(
    name="housekeeping_schedule",
    job=housekeeping_job,
    cron_schedule="30 4 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def fail_orphaned_runs(instance: dg.DagsterInstance) -> list[str]:
    """Mark failed the started runs whose process is gone (killed, out of memory, machine restarted).

    Dagster's run monitoring cannot check the health of runs started by the default run launcher, so such
    a run stays STARTED for ever and, with one run at a time, nothing else is ever launched. A run's
    process is the one that logged its start; this works for runs on this machine, which is where
    pump-costs runs.
    """
    failed = []
    for record in instance.get_run_records(dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED])):
        run = record.dagster_run
        started = instance.get_records_for_run(run.run_id, of_type=dg.DagsterEventType.RUN_START, limit=1).records
        pid = started[0].event_log_entry.dagster_event.pid if started else None
        if pid is None or process_alive(pid):
            continue
        instance.report_run_failed(
            run,
            f"The process running this run (pid {pid}) is gone: it was killed or the machine restarted. Its "
            "writes were each atomic, so nothing half-written was kept; launch the run again (or let the "
            "schedule do it) to finish the work.",
        )
        failed.append(run.run_id)
    return failed


@dg.sensor(minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING)
def orphaned_runs_sensor(context: dg.SensorEvaluationContext) -> dg.SkipReason:
    """Keep the queue moving: a run whose process died is marked failed within a minute."""
    failed = fail_orphaned_runs(context.instance)
    return dg.SkipReason(f"Marked {len(failed)} orphaned runs failed: {', '.join(failed)}" if failed else "None")
