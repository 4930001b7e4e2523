"""Admin API payloads as Arrow tables shaped like their raw tables (pump_costs/raw/tables.py): one row per
report row, every field kept. Timestamps are UTC without a zone, as the tables store them."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pyarrow as pa

from pump_costs.defs.anthropic.client import UNSET_GEO, AnalyticsAnswer
from pump_costs.defs.anthropic.models import (
    COST_GROUP_BY,
    USAGE_GROUP_BY,
    AnalyticsCostRow,
    AnalyticsRow,
    AnalyticsUsageRow,
    ApiKey,
    Bucket,
    ClaudeCodeRecord,
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


def for_organization(batch: pa.Table, organization_id: str) -> pa.Table:
    """The batch's rows marked as pulled from `organization_id` (the raw tables hold every organization's)."""
    index = batch.schema.get_field_index("organization_id")
    return batch.set_column(index, "organization_id", pa.array([organization_id] * batch.num_rows, pa.string()))


def _raw(payload) -> str:
    """The row as received (unknown fields included), so later API additions are not lost."""
    return payload.model_dump_json(exclude_unset=True)


def _token_counts(usage: UsageResult) -> dict:
    """A usage row's counters as the raw tables name them (the legacy and analytics usage share them)."""
    return {
        "uncached_input_tokens": usage.uncached_input_tokens,
        "cache_read_input_tokens": usage.cache_read_input_tokens,
        "cache_creation_5m_input_tokens": usage.cache_creation.ephemeral_5m_input_tokens,
        "cache_creation_1h_input_tokens": usage.cache_creation.ephemeral_1h_input_tokens,
        "output_tokens": usage.output_tokens,
        "web_search_requests": usage.server_tool_use.web_search_requests,
    }


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
            **_token_counts(r),
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


def _analytics_dimensions(row: AnalyticsRow, answer: AnalyticsAnswer) -> dict:
    group, actor = row.group, row.group.actor
    price = answer.filters  # by_key_and_price rows stand for the tier, window and geo they were filtered to
    geo = price.get("inference_geos[]", group.inference_geo)
    return {
        "bucket_start": naive_utc(row.starting_at),
        "bucket_end": naive_utc(row.ending_at),
        "query": answer.query,
        "workspace_id": group.workspace_id,
        "api_key_id": group.api_key_id,
        "actor_type": actor.type if actor else group.actor_type,
        "actor_id": actor.id if actor else None,
        "actor_name": actor.name if actor else None,
        "actor_email": actor.email_address if actor else None,
        "actor_deleted": actor.deleted if actor else None,
        "product": group.product,
        "model": group.model,
        "service_tier": price.get("service_tiers[]", group.service_tier),
        "context_window": price.get("context_windows[]", group.context_window),
        "inference_geo": None if geo == UNSET_GEO else geo,
        "speed": group.speed,
        "group_by": ",".join(answer.group_by),
        "filters": json.dumps(answer.filters, sort_keys=True),
        "raw_json": _raw(row),
    }


def _analytics_table(
    answers: list[AnalyticsAnswer],
    loaded_at: datetime,
    table: tables.RawTable,
    measures: Callable[[AnalyticsRow], dict],
) -> pa.Table:
    rows = [
        {**_analytics_dimensions(row, answer), **measures(row), "loaded_at": loaded_at}
        for answer in answers
        for row in answer.rows
    ]
    return _table(rows, table)


def analytics_usage_rows(answers: list[AnalyticsAnswer], loaded_at: datetime) -> pa.Table:
    def measures(row: AnalyticsUsageRow) -> dict:
        return {**_token_counts(row.usage), "requests": row.usage.requests}

    return _analytics_table(answers, loaded_at, tables.ANALYTICS_USAGE, measures)


def analytics_cost_rows(answers: list[AnalyticsAnswer], loaded_at: datetime) -> pa.Table:
    def measures(row: AnalyticsCostRow) -> dict:
        return {
            "cost_type": row.group.cost_type,
            "token_type": row.group.token_type,
            "currency": row.cost.currency,
            "amount_cents": row.cost.amount,
            "list_amount_cents": row.cost.list_amount,
            "requests": row.cost.requests,
        }

    return _analytics_table(answers, loaded_at, tables.ANALYTICS_COST, measures)


def covered_days(start: datetime, end: datetime, loaded_at: datetime) -> pa.Table:
    """One row per UTC day of [start, end): the days a pull answered for, empty ones included."""
    days = []
    day = naive_utc(start)
    while day < naive_utc(end):
        days.append({"bucket_start": day, "bucket_end": day + timedelta(days=1), "loaded_at": loaded_at})
        day += timedelta(days=1)
    return _table(days, tables.ANALYTICS_COST_DAYS)


def claude_code_rows(records: list[ClaudeCodeRecord], loaded_at: datetime) -> pa.Table:
    rows = []
    for record in records:
        metrics, actions = record.core_metrics, record.tool_actions.values()
        shared = {
            "bucket_start": naive_utc(record.date),
            "actor_type": record.actor.type,
            "actor_email": record.actor.email_address,
            "actor_api_key_name": record.actor.api_key_name,
            "organization_id": record.organization_id,
            "customer_type": record.customer_type,
            "subscription_type": record.subscription_type,
            "terminal_type": record.terminal_type,
            "is_remote": record.is_remote,
            "num_sessions": metrics.num_sessions,
            "lines_added": metrics.lines_of_code.added,
            "lines_removed": metrics.lines_of_code.removed,
            "commits": metrics.commits_by_claude_code,
            "pull_requests": metrics.pull_requests_by_claude_code,
            "tool_actions_accepted": sum(a.accepted for a in actions),
            "tool_actions_rejected": sum(a.rejected for a in actions),
            "raw_json": _raw(record),
            "loaded_at": loaded_at,
        }
        for index, item in enumerate(record.model_breakdown or [None]):
            cost = item.estimated_cost if item else None
            rows.append(
                {
                    **shared,
                    "model_index": index,
                    "model": item.model if item else None,
                    "input_tokens": item.tokens.input if item else 0,
                    "output_tokens": item.tokens.output if item else 0,
                    "cache_read_tokens": item.tokens.cache_read if item else 0,
                    "cache_creation_tokens": item.tokens.cache_creation if item else 0,
                    "estimated_cost_cents": cost.amount if cost else None,
                    "currency": cost.currency if cost else None,
                }
            )
    return _table(rows, tables.CLAUDE_CODE)
