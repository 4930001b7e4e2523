"""Raw Anthropic assets: daily usage and cost reports, and the organization's workspaces and API keys.

The report assets are daily-partitioned with a single-run backfill policy: a backfill of N days is one
run that asks for its whole window with as few pages as the API allows, then replaces exactly that
window in DuckDB in one transaction.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import dagster as dg
import pyarrow as pa
import pyarrow.compute as pc
from dagster_duckdb import DuckDBResource

from pump_costs import settings
from pump_costs.defs.anthropic import rows
from pump_costs.defs.anthropic.client import (
    AnthropicAdminError,
    analytics_complete_until,
    analytics_first_day,
    utc_midnight,
)
from pump_costs.defs.anthropic.models import Workspace
from pump_costs.defs.anthropic.resource import AnthropicAdminResource
from pump_costs.defs.partitions import daily_partitions
from pump_costs.raw import tables
from pump_costs.warehouse import replace_rows, replace_tables_rows

# Reports show the default workspace as null; the workspace list omits it. One synthetic row names it.
DEFAULT_WORKSPACE = Workspace(id="default", name="Default")

REPORT_ASSET_ARGS = dict(
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="raw_anthropic",
    kinds={"anthropic", "duckdb"},
)


def _replace_window(
    duckdb: DuckDBResource, table: tables.RawTable, batch: pa.Table, start: datetime, end: datetime
) -> int:
    with duckdb.get_connection() as conn:
        tables.create_raw_layer(conn)
        return replace_rows(
            conn,
            table.qualified,
            batch,
            where="bucket_start >= ? and bucket_start < ?",
            params=[rows.naive_utc(start), rows.naive_utc(end)],
        )


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
    client = anthropic.get_client(context.log)
    buckets = client.usage_report(start, end)
    batch = rows.usage_rows(buckets, rows.loaded_now())
    written = _replace_window(duckdb, tables.USAGE_REPORT, batch, start, end)
    token_columns = [
        "uncached_input_tokens",
        "output_tokens",
        "cache_read_input_tokens",
        "cache_creation_5m_input_tokens",
        "cache_creation_1h_input_tokens",
    ]
    tokens = sum(pc.sum(batch[c]).as_py() or 0 for c in token_columns)
    return dg.MaterializeResult(
        metadata={**_window_metadata(start, end, written, client.requests_made), "tokens": tokens}
    )


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
    client = anthropic.get_client(context.log)
    buckets = client.cost_report(start, end)
    batch = rows.cost_rows(buckets, rows.loaded_now())
    written = _replace_window(duckdb, tables.COST_REPORT, batch, start, end)
    billed = sum((r.amount_usd for b in buckets for r in b.results), start=0)
    return dg.MaterializeResult(
        metadata={
            **_window_metadata(start, end, written, client.requests_made),
            # Shown rounded in the UI; the table holds the exact amount.
            "billed_usd": f"{billed:.2f}",
        }
    )


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
    client = anthropic.get_client(context.log)
    with _optional_report("analytics"):
        answers = client.analytics_report(report, start, end)
    loaded_at = rows.loaded_now()
    make_rows = rows.analytics_cost_rows if report == "cost" else rows.analytics_usage_rows
    batches = {table.qualified: make_rows(answers, loaded_at)}
    if report == "cost":
        covered_until = analytics_complete_until(answers, end)
        if covered_until < end:
            context.log.warning(
                f"The analytics API's data is complete until {covered_until:%Y-%m-%d} (data_refreshed_at): the "
                "days after keep the legacy cost report until a later run pulls them again"
            )
        batches[tables.ANALYTICS_COST_DAYS.qualified] = rows.covered_days(start, covered_until, loaded_at)
    with duckdb.get_connection() as conn:
        tables.create_raw_layer(conn)
        written = replace_tables_rows(
            conn, batches, "bucket_start >= ? and bucket_start < ?", [rows.naive_utc(start), rows.naive_utc(end)]
        )
    metadata = {}
    for output in outputs:
        metadata[output] = _window_metadata(start, end, written[output.qualified], client.requests_made)
    metadata[table]["queries"] = ", ".join(sorted({a.query for a in answers}))
    if report == "cost":
        by_price = (row.cost.amount for a in answers if a.query == "by_price" for row in a.rows)
        metadata[table]["billed_usd"] = f"{sum(by_price, start=0) / 100:.2f}"  # shown rounded; stored exactly
    return metadata


@dg.asset(key=tables.ANALYTICS_USAGE.asset_key, **REPORT_ASSET_ARGS)
def analytics_usage(
    context: dg.AssetExecutionContext, anthropic: AnthropicAdminResource, duckdb: DuckDBResource
) -> dg.MaterializeResult:
    """Daily tokens and requests from the Usage and Cost Analytics API, by workspace, API key, actor,
    product, model, service tier, context window and inference geo."""
    return dg.MaterializeResult(metadata=_pull_analytics(context, anthropic, duckdb, "usage")[tables.ANALYTICS_USAGE])


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
    client = anthropic.get_client(context.log)
    records = []
    day = start
    with _optional_report("claude_code"):
        while day < end:
            records += client.claude_code_report(day.date())
            day += timedelta(days=1)
    batch = rows.claude_code_rows(records, rows.loaded_now())
    written = _replace_window(duckdb, tables.CLAUDE_CODE, batch, start, end)
    return dg.MaterializeResult(metadata=_window_metadata(start, end, written, client.requests_made))


@dg.multi_asset(
    specs=[
        dg.AssetSpec(tables.ORGANIZATION.asset_key, description="The organization (billing account)."),
        dg.AssetSpec(tables.WORKSPACES.asset_key, description="Workspaces, archived ones and Default included."),
        dg.AssetSpec(tables.API_KEYS.asset_key, description="API keys with their names and workspaces."),
    ],
    group_name="raw_anthropic",
    can_subset=False,
)
def organization_snapshot(anthropic: AnthropicAdminResource, duckdb: DuckDBResource):
    """The current organization, workspaces and API keys. The API only has the present state, so each
    run replaces the whole tables."""
    client = anthropic.get_client()
    loaded_at = rows.loaded_now()
    organization = client.organization()
    workspaces = [DEFAULT_WORKSPACE, *client.workspaces()]
    api_keys = client.api_keys()
    batches = {
        tables.ORGANIZATION: rows.organization_rows(organization, loaded_at),
        tables.WORKSPACES: rows.workspace_rows(workspaces, loaded_at),
        tables.API_KEYS: rows.api_key_rows(api_keys, loaded_at),
    }
    with duckdb.get_connection() as conn:
        tables.create_raw_layer(conn)
        for table, batch in batches.items():
            written = replace_rows(conn, table.qualified, batch)
            yield dg.MaterializeResult(
                asset_key=table.asset_key,
                metadata={"rows_written": written, "requests_made": client.requests_made},
            )
