"""Raw Anthropic assets: daily usage and cost reports, and each organization's workspaces and API keys.

The report assets are daily-partitioned with a single-run backfill policy: a backfill of N days is one
run that asks, for each organization, for its whole window with as few pages as the API allows, then
replaces exactly that organization's window in DuckDB in one transaction.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import dagster as dg
import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from dagster_duckdb import DuckDBResource

from pump_costs import settings
from pump_costs.defs.anthropic import rows
from pump_costs.defs.anthropic.client import (
    AnthropicAdminClient,
    AnthropicAdminError,
    analytics_complete_until,
    analytics_first_day,
    utc_midnight,
)
from pump_costs.defs.anthropic.models import Workspace
from pump_costs.defs.anthropic.resource import AnthropicAdminResource
from pump_costs.defs.partitions import daily_partitions
from pump_costs.raw import lake, tables

# Reports show the default workspace as null; the workspace list omits it. One synthetic row names it.
DEFAULT_WORKSPACE = Workspace(id="default", name="Default")
# The materialization metadata naming each organization a pull left out, and why, as {name: error}
# (checks.py fails on it).
FAILED_ORGANIZATIONS = "failed_organizations"

REPORT_ASSET_ARGS = dict(
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="raw_anthropic",
    kinds={"anthropic", "duckdb"},
)


Pull = Callable[[AnthropicAdminClient], dict[tables.RawTable, dict]]


def _pull_each_organization(
    context: dg.AssetExecutionContext, anthropic: AnthropicAdminResource, pull: Pull
) -> dict[tables.RawTable, dict]:
    """`pull` once per organization, each with its own key, requests and transaction; each table's metadata
    summed over them. An organization whose pull fails keeps what it stored and is named in the metadata:
    the others' rows go on to the marts, and the asset's every_organization_pulled check then fails the run.
    When no organization could be pulled, the step fails (with one organization, with its own error)."""
    organizations = anthropic.organizations()
    pulled: list[dict[tables.RawTable, dict]] = []
    failed: dict[str, str] = {}
    for organization in organizations:
        try:
            pulled.append(pull(anthropic.get_client(organization, context.log)))
        except AnthropicAdminError as error:
            if len(organizations) == 1:
                raise
            failed[organization.name] = str(error)
            context.log.error(f"Organization {organization.name!r} was not pulled: {error}")
    named_failures = "\n".join(f"{name}: {message}" for name, message in failed.items())
    if not pulled:
        raise AnthropicAdminError(f"No organization could be pulled:\n{named_failures}")
    metadata = {table: _summed([each[table] for each in pulled]) for table in pulled[0]}
    for table_metadata in metadata.values():
        table_metadata["organizations_pulled"] = len(pulled)
        if failed:
            table_metadata[FAILED_ORGANIZATIONS] = dg.MetadataValue.json(failed)
    return metadata


def _summed(metadata: list[dict]) -> dict:
    """Counts and amounts added up over organizations; the rest (the window) is the same for each."""
    combined = {}
    for name, value in metadata[0].items():
        values = [each[name] for each in metadata]
        if isinstance(value, int | Decimal) and not isinstance(value, bool):
            total = sum(values)
            combined[name] = f"{total:.2f}" if isinstance(total, Decimal) else total  # shown rounded; stored exactly
        else:
            combined[name] = ", ".join(sorted({str(v) for v in values}))
    return combined


def _replace_window(
    duckdb: DuckDBResource,
    client: AnthropicAdminClient,
    batches: dict[tables.RawTable, pa.Table],
    start: datetime,
    end: datetime,
) -> dict[tables.RawTable, int]:
    """Replace the client's organization's rows of [start, end) in each table, all in one transaction."""
    organization_id = client.organization_id()
    window = "organization_id = ? and bucket_start >= ? and bucket_start < ?"
    params = [organization_id, rows.naive_utc(start), rows.naive_utc(end)]
    with duckdb.get_connection() as conn:
        lake.create_raw_layer(conn)
        pulled = {
            table: _unchanged_days_keep_their_stamp(conn, table, rows.for_organization(batch, organization_id))
            for table, batch in batches.items()
        }
        return lake.replace_rows(conn, pulled, window, params)


def _unchanged_days_keep_their_stamp(
    conn: duckdb.DuckDBPyConnection, table: tables.RawTable, batch: pa.Table
) -> pa.Table:
    """The batch, its rows of a day that came back exactly as stored (every column but loaded_at) with the
    loaded_at they were stored with: loaded_at, the marts' x_LandedAt, says since when a day's rows are as they
    are (as an export file's landing time does), and a day pulled again unchanged is not published again."""
    columns = ", ".join(name for name, _ in table.columns if name != "loaded_at")
    conn.register("pulled_batch", batch)
    try:
        return conn.sql(
            f"""
            with stored as (
                select * from {table.qualified}
                where (organization_id, cast(bucket_start as date)) in (
                    select distinct organization_id, cast(bucket_start as date) from pulled_batch
                )
            ),

            changed_days as (
                select distinct organization_id, cast(bucket_start as date) as day from (
                    (select {columns} from pulled_batch except all select {columns} from stored)
                    union all
                    (select {columns} from stored except all select {columns} from pulled_batch)
                )
            ),

            kept_stamps as (
                select organization_id, cast(bucket_start as date) as day, max(loaded_at) as loaded_at
                from stored
                where (organization_id, cast(bucket_start as date)) not in (select * from changed_days)
                group by all
            )

            select pulled_batch.* replace (coalesce(kept_stamps.loaded_at, pulled_batch.loaded_at) as loaded_at)
            from pulled_batch
            left join kept_stamps
                on pulled_batch.organization_id = kept_stamps.organization_id
                and cast(pulled_batch.bucket_start as date) = kept_stamps.day
            """
        ).to_arrow_table()
    finally:
        conn.unregister("pulled_batch")


def _today() -> datetime:
    return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _turned_off(context: dg.AssetExecutionContext, report: str) -> dg.MaterializeResult | None:
    """A report left out of PUMP_COSTS_ANTHROPIC_REPORTS is not pulled, and what it stored stays."""
    if report in settings.anthropic_reports():
        return None
    context.log.info(f"{settings.ANTHROPIC_REPORTS.name} leaves out {report!r}: nothing pulled, nothing replaced")
    return dg.MaterializeResult(metadata={"pulled": False, "rows_written": 0, "requests_made": 0})


@contextmanager
def _optional_report(report: str) -> Iterator[None]:
    """The newer reports are not open to every organization (the analytics API refuses HIPAA-enabled ones,
    for one): a failure says how to run without the report."""
    try:
        yield
    except AnthropicAdminError as error:
        others = ",".join(name for name in settings.ANTHROPIC_REPORT_NAMES if name != report)
        raise type(error)(
            f"{str(error).rstrip('.')}. If your organization cannot use this report, leave it out: "
            f"{settings.ANTHROPIC_REPORTS.name}={others}."
        ) from None


def _result(metadata: dict[tables.RawTable, dict], table: tables.RawTable) -> dg.MaterializeResult:
    return dg.MaterializeResult(asset_key=table.asset_key, metadata=metadata[table])


def _window_metadata(start: datetime, end: datetime, written: int, requests: int) -> dict:
    return {
        "window_start": start.isoformat(),
        "window_end": end.isoformat(),
        "rows_written": written,
        "requests_made": requests,
    }


@dg.asset(key=tables.USAGE_REPORT.asset_key, **REPORT_ASSET_ARGS)
def usage_report(
    context: dg.AssetExecutionContext, anthropic: AnthropicAdminResource, duckdb: DuckDBResource
) -> dg.MaterializeResult:
    """Daily token usage by API key, workspace, model, service tier, context window and inference geo."""
    if skipped := _turned_off(context, "legacy"):
        return skipped
    start, end = context.partition_time_window
    token_columns = [
        "uncached_input_tokens",
        "output_tokens",
        "cache_read_input_tokens",
        "cache_creation_5m_input_tokens",
        "cache_creation_1h_input_tokens",
    ]

    def pull(client: AnthropicAdminClient) -> dict[tables.RawTable, dict]:
        batch = rows.usage_rows(client.usage_report(start, end), rows.loaded_now())
        written = _replace_window(duckdb, client, {tables.USAGE_REPORT: batch}, start, end)[tables.USAGE_REPORT]
        tokens = sum(pc.sum(batch[c]).as_py() or 0 for c in token_columns)
        return {tables.USAGE_REPORT: {**_window_metadata(start, end, written, client.requests_made), "tokens": tokens}}

    return _result(_pull_each_organization(context, anthropic, pull), tables.USAGE_REPORT)


@dg.asset(key=tables.COST_REPORT.asset_key, **REPORT_ASSET_ARGS)
def cost_report(
    context: dg.AssetExecutionContext, anthropic: AnthropicAdminResource, duckdb: DuckDBResource
) -> dg.MaterializeResult:
    """Daily billed cost by workspace and line item (model x token type, web search, code execution).

    The report only has completed UTC days, so the window is cut at today 00:00Z and a window with no
    completed day is left untouched.
    """
    if skipped := _turned_off(context, "legacy"):
        return skipped
    start, end = context.partition_time_window
    end = min(end, _today())
    if end <= start:
        context.log.info("No completed UTC day in this window yet; the cost report has nothing to give")
        return dg.MaterializeResult(metadata={**_window_metadata(start, end, 0, 0), "billed_usd": "0.00"})

    def pull(client: AnthropicAdminClient) -> dict[tables.RawTable, dict]:
        buckets = client.cost_report(start, end)
        batch = rows.cost_rows(buckets, rows.loaded_now())
        written = _replace_window(duckdb, client, {tables.COST_REPORT: batch}, start, end)[tables.COST_REPORT]
        billed = sum((r.amount_usd for b in buckets for r in b.results), start=Decimal(0))
        metadata = _window_metadata(start, end, written, client.requests_made)
        return {tables.COST_REPORT: {**metadata, "billed_usd": billed}}

    return _result(_pull_each_organization(context, anthropic, pull), tables.COST_REPORT)


def _analytics_window(context: dg.AssetExecutionContext) -> tuple[datetime, datetime]:
    """The part of the run's window the analytics API serves: completed UTC days from 2026-01-01 and at
    most 365 days back. Days outside it keep whatever was stored for them."""
    start, end = context.partition_time_window
    today = _today()
    return max(start, utc_midnight(analytics_first_day(today.date()))), min(end, today)


def _pull_analytics(
    context: dg.AssetExecutionContext, anthropic: AnthropicAdminResource, duckdb: DuckDBResource, report: str
) -> dict[tables.RawTable, dict]:
    """Pull the analytics `usage` or `cost` report for the served part of the run's window and replace
    that part in one transaction (with, for cost, the days it covered). Returns each table's metadata."""
    table = tables.ANALYTICS_COST if report == "cost" else tables.ANALYTICS_USAGE
    outputs = [table, tables.ANALYTICS_COST_DAYS] if report == "cost" else [table]
    if skipped := _turned_off(context, "analytics"):
        return {output: skipped.metadata for output in outputs}
    start, end = _analytics_window(context)
    if end <= start:
        context.log.info("The analytics API serves no day of this window; the legacy reports count for it")
        return {output: {**_window_metadata(start, start, 0, 0), "pulled": False} for output in outputs}
    make_rows = rows.analytics_cost_rows if report == "cost" else rows.analytics_usage_rows

    def pull(client: AnthropicAdminClient) -> dict[tables.RawTable, dict]:
        with _optional_report("analytics"):
            answers = client.analytics_report(report, start, end)
        loaded_at = rows.loaded_now()
        batches = {table: make_rows(answers, loaded_at)}
        if report == "cost":
            covered_until = analytics_complete_until(answers, end)
            if covered_until < end:
                context.log.warning(
                    f"The analytics API's data is complete until {covered_until:%Y-%m-%d} (data_refreshed_at): "
                    "the days after keep the legacy cost report until a later run pulls them again"
                )
            batches[tables.ANALYTICS_COST_DAYS] = rows.covered_days(start, covered_until, loaded_at)
        written = _replace_window(duckdb, client, batches, start, end)
        metadata = {output: _window_metadata(start, end, written[output], client.requests_made) for output in outputs}
        metadata[table]["queries"] = ", ".join(sorted({a.query for a in answers}))
        if report == "cost":
            by_price = (row.cost.amount for a in answers if a.query == "by_price" for row in a.rows)
            metadata[table]["billed_usd"] = sum(by_price, start=Decimal(0)) / 100
        return metadata

    return _pull_each_organization(context, anthropic, pull)


@dg.asset(key=tables.ANALYTICS_USAGE.asset_key, **REPORT_ASSET_ARGS)
def analytics_usage(
    context: dg.AssetExecutionContext, anthropic: AnthropicAdminResource, duckdb: DuckDBResource
) -> dg.MaterializeResult:
    """Daily tokens and requests from the Usage and Cost Analytics API, by workspace, API key, actor,
    product, model, service tier, context window and inference geo."""
    return _result(_pull_analytics(context, anthropic, duckdb, "usage"), tables.ANALYTICS_USAGE)


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            tables.ANALYTICS_COST.asset_key,
            description="Daily cost and list-price cost from the Usage and Cost Analytics API, at the grain of "
            "analytics_usage, by token type and cost type.",
            kinds={"anthropic", "duckdb"},
        ),
        dg.AssetSpec(
            tables.ANALYTICS_COST_DAYS.asset_key,
            description="The days an analytics cost pull covered: they take their cost from it, the others "
            "keep the legacy cost report's.",
            kinds={"duckdb"},
        ),
    ],
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="raw_anthropic",
    can_subset=False,
)
def analytics_cost(context: dg.AssetExecutionContext, anthropic: AnthropicAdminResource, duckdb: DuckDBResource):
    """Analytics cost and the days it covers, replaced together."""
    for table, metadata in _pull_analytics(context, anthropic, duckdb, "cost").items():
        yield dg.MaterializeResult(asset_key=table.asset_key, metadata=metadata)


@dg.asset(key=tables.CLAUDE_CODE.asset_key, **REPORT_ASSET_ARGS)
def claude_code_report(
    context: dg.AssetExecutionContext, anthropic: AnthropicAdminResource, duckdb: DuckDBResource
) -> dg.MaterializeResult:
    """Claude Code per user (or API key) and day, local and remote: sessions, lines, commits, pull
    requests, tool actions, tokens and estimated cost. Completed UTC days only, one request a day."""
    if skipped := _turned_off(context, "claude_code"):
        return skipped
    start, end = context.partition_time_window
    end = min(end, _today())
    if end <= start:
        return dg.MaterializeResult(metadata=_window_metadata(start, start, 0, 0))

    def pull(client: AnthropicAdminClient) -> dict[tables.RawTable, dict]:
        records = []
        day = start
        with _optional_report("claude_code"):
            while day < end:
                records += client.claude_code_report(day.date())
                day += timedelta(days=1)
        batch = rows.claude_code_rows(records, rows.loaded_now())
        written = _replace_window(duckdb, client, {tables.CLAUDE_CODE: batch}, start, end)[tables.CLAUDE_CODE]
        return {tables.CLAUDE_CODE: _window_metadata(start, end, written, client.requests_made)}

    return _result(_pull_each_organization(context, anthropic, pull), tables.CLAUDE_CODE)


@dg.multi_asset(
    specs=[
        dg.AssetSpec(tables.ORGANIZATION.asset_key, description="The organization (billing account)."),
        dg.AssetSpec(tables.WORKSPACES.asset_key, description="Workspaces, archived ones and Default included."),
        dg.AssetSpec(tables.API_KEYS.asset_key, description="API keys with their names and workspaces."),
    ],
    group_name="raw_anthropic",
    can_subset=False,
)
def organization_snapshot(context: dg.AssetExecutionContext, anthropic: AnthropicAdminResource, duckdb: DuckDBResource):
    """Each organization's current name, workspaces and API keys. The API only has the present state, so
    each run replaces all of an organization's rows, in one transaction."""

    def pull(client: AnthropicAdminClient) -> dict[tables.RawTable, dict]:
        loaded_at = rows.loaded_now()
        organization = client.organization()
        workspaces = [DEFAULT_WORKSPACE, *client.workspaces()]
        batches = {
            tables.ORGANIZATION: rows.organization_rows(organization, loaded_at),
            tables.WORKSPACES: rows.for_organization(rows.workspace_rows(workspaces, loaded_at), organization.id),
            tables.API_KEYS: rows.for_organization(rows.api_key_rows(client.api_keys(), loaded_at), organization.id),
        }
        with duckdb.get_connection() as conn:
            lake.create_raw_layer(conn)
            written = lake.replace_rows(conn, batches, "organization_id = ?", [organization.id])
        return {t: {"rows_written": written[t], "requests_made": client.requests_made} for t in batches}

    for table, metadata in _pull_each_organization(context, anthropic, pull).items():
        yield dg.MaterializeResult(asset_key=table.asset_key, metadata=metadata)
