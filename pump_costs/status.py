"""`pump-costs status`: is yesterday's spend there, and is the machinery that brings it running?

Everything comes from what a BI reader and the UI see: the published DuckDB file (never the working
warehouse, which a run may hold) and Dagster's instance (runs, check results, schedule state, daemon
heartbeats). The exit code says whether the data is stale, so cron or a monitoring system can alert on it.
"""

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb

# Dagster offers no public API for stored schedule state, check execution records or cron iteration;
# tests/test_status.py and tests/test_production.py fail if an upgrade moves them.
from dagster._core.scheduler.instigation import InstigatorStatus, InstigatorType
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus
from dagster._utils.schedules import cron_string_iterator

from pump_costs.defs.anthropic.checks import LEFT_OUT
from pump_costs.defs.housekeeping import housekeeping_job
from pump_costs.defs.publish.assets import PUBLISHED_DATABASE
from pump_costs.warehouse import published_dir

ANTHROPIC_SOURCE = "anthropic_admin_api"
EVALUATED = (AssetCheckExecutionRecordStatus.SUCCEEDED, AssetCheckExecutionRecordStatus.FAILED)
# A daemon that has not written a heartbeat for this long is not running (it writes one every 30 s or so).
DAEMON_SILENT_AFTER = timedelta(minutes=5)


@dataclass
class SourceStatus:
    source: str
    provider: str
    organization: str | None  # for Anthropic, each organization pulled (BillingAccountName) on its own
    first_day: date | None
    last_day: date | None  # in the published fct_spend; None: nothing yet
    days_behind: int | None  # after yesterday, the last complete UTC day
    stale: bool | None  # None: not checked (no threshold for this source, or no key for Anthropic)


@dataclass
class RunStatus:
    run_id: str
    job: str
    status: str
    started: datetime | None
    ended: datetime | None


@dataclass
class FailingCheck:
    asset: str
    check: str
    severity: str
    run_id: str
    description: str
    organizations_left_out: list[str] = field(default_factory=list)  # every_organization_pulled's only


@dataclass
class ScheduleStatus:
    name: str
    running: bool
    next_tick: datetime | None


@dataclass
class Status:
    checked_at: datetime
    published: str
    stale: bool
    sources: list[SourceStatus] = field(default_factory=list)
    # Organizations the last pull left out (a key refused, for one): their data is not arriving.
    organizations_left_out: list[str] = field(default_factory=list)
    last_run: RunStatus | None = None
    last_successful_run: RunStatus | None = None
    failing_checks: list[FailingCheck] = field(default_factory=list)
    schedules: list[ScheduleStatus] = field(default_factory=list)
    daemon_last_heartbeat: datetime | None = None
    daemon_running: bool = False


def collect_status(
    instance: dg.DagsterInstance,
    defs: dg.Definitions,
    stale_after_days: int,
    exports_stale_after_days: int | None,
    expect_anthropic: bool,
) -> Status:
    now = datetime.now(UTC)
    database = published_dir() / PUBLISHED_DATABASE
    yesterday = now.date() - timedelta(days=1)
    sources = published_sources(database, yesterday, stale_after_days, exports_stale_after_days)
    if not any(s.source == ANTHROPIC_SOURCE for s in sources):
        sources.insert(0, SourceStatus(ANTHROPIC_SOURCE, "Anthropic", None, None, None, None, expect_anthropic or None))
    failing = failing_checks(instance, defs)
    left_out = sorted({name for check in failing for name in check.organizations_left_out})
    status = Status(
        checked_at=now,
        published=str(database),
        stale=not database.exists() or any(s.stale for s in sources) or bool(left_out),
        sources=sources,
        organizations_left_out=left_out,
        last_run=latest_run(instance),
        last_successful_run=latest_run(instance, dg.DagsterRunStatus.SUCCESS),
        failing_checks=failing,
        schedules=schedule_statuses(instance, defs, now),
    )
    heartbeats = [h.timestamp for h in instance.get_daemon_heartbeats().values()]
    if heartbeats:
        status.daemon_last_heartbeat = datetime.fromtimestamp(max(heartbeats), UTC)
        status.daemon_running = now - status.daemon_last_heartbeat < DAEMON_SILENT_AFTER
    return status


def published_sources(
    database: Path, yesterday: date, stale_after_days: int, exports_stale_after_days: int | None
) -> list[SourceStatus]:
    if not database.exists():
        return []
    with duckdb.connect(str(database), read_only=True) as conn:
        rows = conn.execute(
            f"""
            select
                x_Source,
                ProviderName,
                case when x_Source = '{ANTHROPIC_SOURCE}' then coalesce(BillingAccountName, BillingAccountId) end,
                min(cast(ChargePeriodStart as date)),
                max(cast(ChargePeriodStart as date))
            from marts.fct_spend
            group by all
            order by 1, 2, 3
            """
        ).fetchall()
    statuses = []
    for source, provider, organization, first, last in rows:
        threshold = stale_after_days if source == ANTHROPIC_SOURCE else exports_stale_after_days
        behind = (yesterday - last).days
        stale = None if threshold is None else behind > threshold
        statuses.append(SourceStatus(source, provider, organization, first, last, behind, stale))
    return statuses


def latest_run(instance: dg.DagsterInstance, status: dg.DagsterRunStatus | None = None) -> RunStatus | None:
    """The latest run that pulls, lands or models spend: housekeeping_job's daily run says nothing about the
    data, and would hide a failed pull that ran before it."""
    records = instance.get_run_records(dg.RunsFilter(statuses=[status]) if status else None, limit=20)
    record = next((r for r in records if r.dagster_run.job_name != housekeeping_job.name), None)
    if record is None:
        return None
    run = record.dagster_run
    return RunStatus(run.run_id, run.job_name, run.status.value, utc(record.start_time), utc(record.end_time))


def utc(timestamp: float | None) -> datetime | None:
    return None if timestamp is None else datetime.fromtimestamp(timestamp, UTC)


def failing_checks(instance: dg.DagsterInstance, defs: dg.Definitions) -> list[FailingCheck]:
    """Checks whose latest evaluation did not pass (a WARN check that fails does not fail its run). A check
    planned in a run that failed before reaching it keeps its evaluation from before."""
    storage = instance.event_log_storage
    keys = list(defs.resolve_asset_graph().asset_check_keys)
    failing = []
    for key, latest in sorted(storage.get_latest_asset_check_execution_by_key(keys).items()):
        history = [latest] if latest.status in EVALUATED else storage.get_asset_check_execution_history(key, limit=50)
        record = next((r for r in history if r.status in EVALUATED), None)
        if record is None or record.status == AssetCheckExecutionRecordStatus.SUCCEEDED:
            continue
        evaluation = record.evaluation  # a FAILED record always carries its evaluation
        failing.append(
            FailingCheck(
                key.asset_key.to_user_string(),
                key.name,
                evaluation.severity.value,
                record.run_id,
                (evaluation.description or "").strip(),
                list(evaluation.metadata[LEFT_OUT].value) if LEFT_OUT in evaluation.metadata else [],
            )
        )
    return failing


def schedule_statuses(instance: dg.DagsterInstance, defs: dg.Definitions, now: datetime) -> list[ScheduleStatus]:
    """Each schedule: running unless stopped in the UI (or off by default and never started), and its next
    tick, which only a running daemon takes."""
    stored = {s.name: s.status for s in instance.all_instigator_state(instigator_type=InstigatorType.SCHEDULE)}
    statuses = []
    for schedule in defs.schedules or []:
        state = stored.get(schedule.name, InstigatorStatus.DECLARED_IN_CODE)
        running = state == InstigatorStatus.RUNNING or (
            state == InstigatorStatus.DECLARED_IN_CODE and schedule.default_status == dg.DefaultScheduleStatus.RUNNING
        )
        ticks = cron_string_iterator(now.timestamp(), schedule.cron_schedule, schedule.execution_timezone or "UTC")
        statuses.append(ScheduleStatus(schedule.name, running, next(ticks) if running else None))
    return statuses


def as_json(status: Status) -> str:
    return json.dumps(asdict(status), default=lambda value: value.isoformat(), indent=2)


def as_text(status: Status) -> str:
    def when(moment: datetime | None) -> str:
        return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "-"

    verdict = "STALE" if status.stale else "OK"
    lines = [f"{verdict}: as of {when(status.checked_at)}, published mart {status.published}", "", "Data (UTC days):"]
    for s in status.sources:
        state = {True: "STALE", False: "ok", None: "not checked"}[s.stale]
        name = f"{s.source} ({s.provider}{f', {s.organization}' if s.organization else ''})"
        if s.last_day is None:
            lines.append(f"  {name}: no data published yet [{state}]")
        else:
            behind = "up to yesterday" if s.days_behind == 0 else f"{s.days_behind} days behind yesterday"
            lines.append(f"  {name}: {s.first_day} to {s.last_day}, {behind} [{state}]")
    if status.organizations_left_out:
        lines.append(
            f"  Left out of the last pull (see failing checks) [STALE]: {', '.join(status.organizations_left_out)}"
        )
    lines += ["", "Runs:"]
    for label, run in (("last run", status.last_run), ("last successful run", status.last_successful_run)):
        described = f"{run.status} {run.job} {run.run_id}, started {when(run.started)}" if run else "none"
        lines.append(f"  {label}: {described}")
    lines += ["", f"Failing checks: {len(status.failing_checks) or 'none'}"]
    for c in status.failing_checks:
        # The first line, without the Slack emoji code alerts start with.
        first_line = re.sub(r"^:[a-z_]+:\s*", "", c.description.splitlines()[0]) if c.description else ""
        lines.append(f"  {c.asset} {c.check} ({c.severity}, run {c.run_id}): {first_line}")
    lines += ["", "Schedules:"]
    for schedule in status.schedules:
        tick = f"next tick {when(schedule.next_tick)}" if schedule.running else "stopped"
        lines.append(f"  {schedule.name}: {tick}")
    daemon = "running" if status.daemon_running else "NOT running: no schedule or sensor ticks"
    lines.append(f"  dagster-daemon: {daemon} (last heartbeat {when(status.daemon_last_heartbeat)})")
    return "\n".join(lines)
