"""Raw Admin API tables in DuckDB (schema raw_anthropic): one row per report row, every field kept.

Timestamps are UTC stored as TIMESTAMP. Money is DECIMAL: cents exactly as the API sent them, and USD
as cents / 100 with two more decimal places so the division is exact.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa

from pump_costs.defs.anthropic.client import COST_GROUP_BY, USAGE_GROUP_BY
from pump_costs.defs.anthropic.models import ApiKey, Bucket, CostResult, Organization, UsageResult, Workspace

SCHEMA = "raw_anthropic"

DDL = f"""
create schema if not exists {SCHEMA};
create table if not exists {SCHEMA}.usage_report (
    bucket_start timestamp not null,
    bucket_end timestamp not null,
    api_key_id varchar,
    workspace_id varchar,
    model varchar,
    service_tier varchar,
    context_window varchar,
    inference_geo varchar,
    uncached_input_tokens bigint not null,
    cache_read_input_tokens bigint not null,
    cache_creation_5m_input_tokens bigint not null,
    cache_creation_1h_input_tokens bigint not null,
    output_tokens bigint not null,
    web_search_requests bigint not null,
    group_by varchar not null,
    raw_json json not null,
    loaded_at timestamp not null
);
create table if not exists {SCHEMA}.cost_report (
    bucket_start timestamp not null,
    bucket_end timestamp not null,
    workspace_id varchar,
    description varchar,
    cost_type varchar,
    model varchar,
    service_tier varchar,
    context_window varchar,
    token_type varchar,
    inference_geo varchar,
    currency varchar not null,
    amount_cents decimal(38, 16) not null,
    amount_usd decimal(38, 18) not null,
    group_by varchar not null,
    raw_json json not null,
    loaded_at timestamp not null
);
create table if not exists {SCHEMA}.organization (
    organization_id varchar not null,
    organization_name varchar,
    raw_json json not null,
    loaded_at timestamp not null
);
create table if not exists {SCHEMA}.workspaces (
    workspace_id varchar not null,
    workspace_name varchar,
    created_at timestamp,
    archived_at timestamp,
    display_color varchar,
    raw_json json not null,
    loaded_at timestamp not null
);
create table if not exists {SCHEMA}.api_keys (
    api_key_id varchar not null,
    api_key_name varchar,
    workspace_id varchar,
    status varchar,
    created_at timestamp,
    raw_json json not null,
    loaded_at timestamp not null
);
"""


def naive_utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment else None


def loaded_now() -> datetime:
    """The loaded_at stamp: now, in UTC, as the tables store it."""
    return naive_utc(datetime.now(UTC))


def _table(rows: list[dict], schema: pa.Schema) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=schema)


def _raw(payload) -> str:
    """The row as received (unknown fields included), so later API additions are not lost."""
    return payload.model_dump_json(exclude_unset=True)


USAGE_SCHEMA = pa.schema(
    [
        ("bucket_start", pa.timestamp("us")),
        ("bucket_end", pa.timestamp("us")),
        ("api_key_id", pa.string()),
        ("workspace_id", pa.string()),
        ("model", pa.string()),
        ("service_tier", pa.string()),
        ("context_window", pa.string()),
        ("inference_geo", pa.string()),
        ("uncached_input_tokens", pa.int64()),
        ("cache_read_input_tokens", pa.int64()),
        ("cache_creation_5m_input_tokens", pa.int64()),
        ("cache_creation_1h_input_tokens", pa.int64()),
        ("output_tokens", pa.int64()),
        ("web_search_requests", pa.int64()),
        ("group_by", pa.string()),
        ("raw_json", pa.string()),
        ("loaded_at", pa.timestamp("us")),
    ]
)


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
    return _table(rows, USAGE_SCHEMA)


COST_SCHEMA = pa.schema(
    [
        ("bucket_start", pa.timestamp("us")),
        ("bucket_end", pa.timestamp("us")),
        ("workspace_id", pa.string()),
        ("description", pa.string()),
        ("cost_type", pa.string()),
        ("model", pa.string()),
        ("service_tier", pa.string()),
        ("context_window", pa.string()),
        ("token_type", pa.string()),
        ("inference_geo", pa.string()),
        ("currency", pa.string()),
        ("amount_cents", pa.decimal128(38, 16)),
        ("amount_usd", pa.decimal128(38, 18)),
        ("group_by", pa.string()),
        ("raw_json", pa.string()),
        ("loaded_at", pa.timestamp("us")),
    ]
)


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
    return _table(rows, COST_SCHEMA)


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
        pa.schema(
            [
                ("organization_id", pa.string()),
                ("organization_name", pa.string()),
                ("raw_json", pa.string()),
                ("loaded_at", pa.timestamp("us")),
            ]
        ),
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
        pa.schema(
            [
                ("workspace_id", pa.string()),
                ("workspace_name", pa.string()),
                ("created_at", pa.timestamp("us")),
                ("archived_at", pa.timestamp("us")),
                ("display_color", pa.string()),
                ("raw_json", pa.string()),
                ("loaded_at", pa.timestamp("us")),
            ]
        ),
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
        pa.schema(
            [
                ("api_key_id", pa.string()),
                ("api_key_name", pa.string()),
                ("workspace_id", pa.string()),
                ("status", pa.string()),
                ("created_at", pa.timestamp("us")),
                ("raw_json", pa.string()),
                ("loaded_at", pa.timestamp("us")),
            ]
        ),
    )
