"""Admin API payloads as Arrow tables shaped like their raw tables (pump_costs/raw/tables.py): one row per
report row, every field kept. Timestamps are UTC without a zone, as the tables store them."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa

from pump_costs.defs.anthropic.models import (
    COST_GROUP_BY,
    USAGE_GROUP_BY,
    ApiKey,
    Bucket,
    CostResult,
    Organization,
    UsageResult,
    Workspace,
)
from pump_costs.raw import tables


def naive_utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment else None


def loaded_now() -> datetime:
    """The loaded_at stamp: now, in UTC, as the tables store it."""
    return naive_utc(datetime.now(UTC))


def _table(rows: list[dict], table: tables.RawTable) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=table.arrow_schema())


def _raw(payload) -> str:
    """The row as received (unknown fields included), so later API additions are not lost."""
    return payload.model_dump_json(exclude_unset=True)


def usage_rows(buckets: list[Bucket[UsageResult]], loaded_at: datetime) -> pa.Table:
    rows = [
        {
            "bucket_start": naive_utc(bucket.starting_at),
            "bucket_end": naive_utc(bucket.ending_at),
            "api_key_id": r.api_key_id,
            "workspace_id": r.workspace_id,
            "model": r.model,
            "service_tier": r.service_tier,
            "context_window": r.context_window,
            "inference_geo": r.inference_geo,
            "uncached_input_tokens": r.uncached_input_tokens,
            "cache_read_input_tokens": r.cache_read_input_tokens,
            "cache_creation_5m_input_tokens": r.cache_creation.ephemeral_5m_input_tokens,
            "cache_creation_1h_input_tokens": r.cache_creation.ephemeral_1h_input_tokens,
            "output_tokens": r.output_tokens,
            "web_search_requests": r.server_tool_use.web_search_requests,
            "group_by": ",".join(USAGE_GROUP_BY),
            "raw_json": _raw(r),
            "loaded_at": loaded_at,
        }
        for bucket in buckets
        for r in bucket.results
    ]
    return _table(rows, tables.USAGE_REPORT)


def cost_rows(buckets: list[Bucket[CostResult]], loaded_at: datetime) -> pa.Table:
    rows = [
        {
            "bucket_start": naive_utc(bucket.starting_at),
            "bucket_end": naive_utc(bucket.ending_at),
            "workspace_id": r.workspace_id,
            "description": r.description,
            "cost_type": r.cost_type,
            "model": r.model,
            "service_tier": r.service_tier,
            "context_window": r.context_window,
            "token_type": r.token_type,
            "inference_geo": r.inference_geo,
            "currency": r.currency,
            "amount_cents": r.amount,
            "amount_usd": r.amount_usd,
            "group_by": ",".join(COST_GROUP_BY),
            "raw_json": _raw(r),
            "loaded_at": loaded_at,
        }
        for bucket in buckets
        for r in bucket.results
    ]
    return _table(rows, tables.COST_REPORT)


def organization_rows(organization: Organization, loaded_at: datetime) -> pa.Table:
    return _table(
        [
            {
                "organization_id": organization.id,
                "organization_name": organization.name,
                "raw_json": _raw(organization),
                "loaded_at": loaded_at,
            }
        ],
        tables.ORGANIZATION,
    )


def workspace_rows(workspaces: list[Workspace], loaded_at: datetime) -> pa.Table:
    return _table(
        [
            {
                "workspace_id": w.id,
                "workspace_name": w.name,
                "created_at": naive_utc(w.created_at),
                "archived_at": naive_utc(w.archived_at),
                "display_color": w.display_color,
                "raw_json": _raw(w),
                "loaded_at": loaded_at,
            }
            for w in workspaces
        ],
        tables.WORKSPACES,
    )


def api_key_rows(api_keys: list[ApiKey], loaded_at: datetime) -> pa.Table:
    return _table(
        [
            {
                "api_key_id": k.id,
                "api_key_name": k.name,
                "workspace_id": k.effective_workspace_id,
                "status": k.status,
                "created_at": naive_utc(k.created_at),
                "raw_json": _raw(k),
                "loaded_at": loaded_at,
            }
            for k in api_keys
        ],
        tables.API_KEYS,
    )
