"""Raw Anthropic assets: daily usage and cost reports, and the organization's workspaces and API keys.

The report assets are daily-partitioned with a single-run backfill policy: a backfill of N days is one
run that asks for its whole window with as few pages as the API allows, then replaces exactly that
window in DuckDB in one transaction.
"""

from datetime import UTC, datetime

import dagster as dg
import pyarrow as pa
import pyarrow.compute as pc
from dagster_duckdb import DuckDBResource

from pump_costs.defs.anthropic import rows
from pump_costs.defs.anthropic.models import Workspace
from pump_costs.defs.anthropic.resource import AnthropicAdminResource
from pump_costs.defs.partitions import daily_partitions
from pump_costs.raw import tables
from pump_costs.warehouse import replace_rows

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
    start, end = context.partition_time_window
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    end = min(end, today)
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
