"""The beta Usage and Cost Analytics API (`/v1/organizations/analytics/usage` and `/cost`) of the same
synthetic organization the legacy reports describe, as ../shared/docs/anthropic-analytics-api.md sets out.

One organization, one truth: a cost row is one stream's cost for one day, token type and cost type,
computed exactly as the legacy cost report's lines are, so any grouping sums to the legacy lines to the
last digit, and usage rows carry the legacy usage report's tokens. Where the reference does not know, the
fake picks, and says so:
- Priority Tier is left out of the cost, as the legacy cost report leaves it out, so the two reports agree
  line for line; `FakeAdminApi.analytics_prices_priority = True` prices it (the filter enum suggests the real
  API may), and the pipeline is tested both ways.
- `list_amount` is the price before the batch discount; the US-inference premium is part of the list price.
- `amount` strings keep every digit the cost has (no fixed number of decimals).
- A missing beta header is a 400.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from pump_costs.fake_anthropic import organization as org
from pump_costs.fake_anthropic.errors import invalid, parse_time

BETA = "analytics-usage-cost-2026-08-24"
FIRST_DAY = datetime(2026, 1, 1, tzinfo=UTC)
MAX_RANGE = timedelta(days=31)
LOOKBACK = timedelta(days=365)
MAX_GROUP_BY = 5
DIMENSIONS = (
    "actor",
    "actor_type",
    "agent_id",
    "api_key_id",
    "claude_tag_category",
    "claude_tag_user_id",
    "context_window",
    "deployment_id",
    "environment_id",
    "inference_geo",
    "model",
    "organization_id",
    "product",
    "rbac_group_id",
    "service_tier",
    "session_id",
    "slack_channel_id",
    "speed",
    "user_profile_id",
    "workspace_id",
)
COST_FAN_OUT = ("cost_type", "token_type")  # cost only; they do not count toward `limit` or the 5
# filter parameter -> the dimension it matches (actor_ids[] matches the actor's own id)
FILTERS = {
    "api_key_ids[]": "api_key_id",
    "workspace_ids[]": "workspace_id",
    "models[]": "model",
    "products[]": "product",
    "service_tiers[]": "service_tier",
    "context_windows[]": "context_window",
    "inference_geos[]": "inference_geo",
    "actor_types[]": "actor_type",
    "speeds[]": "speed",
    "organization_ids[]": "organization_id",
    "rbac_group_ids[]": "rbac_group_id",
}
BUCKETS = {"1d": timedelta(days=1), "1h": timedelta(hours=1), "1m": timedelta(minutes=1)}
USAGE_ORDER = ("total_tokens", "output_tokens", "uncached_input_tokens", "requests", "time")
COST_ORDER = ("amount", "list_amount", "time")


@dataclass(frozen=True)
class Fact:
    """The finest grain: one stream's usage or cost at one moment of one day."""

    moment: datetime
    group: dict  # every dimension (and, for cost, cost_type and token_type)
    metrics: dict  # usage: token counts, web searches, requests; cost: amount, list_amount, requests


def _stream_group(stream: org.Stream) -> dict:
    actor = org.stream_actor(stream)
    return {
        **dict.fromkeys(DIMENSIONS),
        "actor": actor,
        "actor_type": actor["type"],
        "api_key_id": stream.api_key_id,
        "context_window": stream.context_window,
        "inference_geo": None if stream.inference_geo == "not_available" else stream.inference_geo,
        "model": stream.model,
        "product": stream.product,
        "service_tier": stream.service_tier,
        "speed": "standard",
        "workspace_id": stream.workspace_id,
    }


def requests_of(fact: org.UsageFact) -> int:
    return max(1, fact.tokens["uncached_input_tokens"] // 3000)


def code_execution_spans(day: date, organization: org.SyntheticOrganization) -> int:
    cost = next((c for c in org.cost_facts(day, organization) if c.cost_type == "code_execution"), None)
    return 0 if cost is None else int(cost.amount_cents / org.CODE_EXECUTION_CENTS_PER_HOUR * 10)


def usage_facts(day: date, organization: org.SyntheticOrganization = org.DEMO_ORGANIZATION) -> list[Fact]:
    facts = []
    for fact in org.usage_facts(day, organization):
        moment = org.utc_midnight(day) + timedelta(hours=fact.hour, minutes=fact.minute)
        tokens = dict(fact.tokens)
        metrics = {**tokens, "web_search_requests": fact.web_search_requests, "requests": requests_of(fact)}
        facts.append(Fact(moment, _stream_group(fact.stream), metrics))
    spans = code_execution_spans(day, organization)
    if spans:  # sandbox time: no product, model or tier; `requests` counts execution spans
        group = {**dict.fromkeys(DIMENSIONS), "workspace_id": org.CODE_EXECUTION_WORKSPACE}
        facts.append(Fact(org.utc_midnight(day), group, {"requests": spans}))
    return facts


def cost_facts(
    day: date, prices_priority: bool = False, organization: org.SyntheticOrganization = org.DEMO_ORGANIZATION
) -> list[Fact]:
    """Cost at the grain of stream and token type (and web search per stream, code execution per day).
    A stream-day's requests ride on its first row, so sums over any grouping count them once."""
    facts = []
    for fact in org.usage_facts(day, organization):
        stream = fact.stream
        if stream.service_tier == "priority" and not prices_priority:
            continue
        moment = org.utc_midnight(day) + timedelta(hours=fact.hour, minutes=fact.minute)
        group = _stream_group(stream)
        requests = requests_of(fact)
        for token_type, tokens in fact.tokens.items():
            if not tokens:
                continue
            amount = org.token_cost_cents(stream, token_type, tokens)
            list_amount = amount / org.BATCH_DISCOUNT if stream.service_tier == "batch" else amount
            metrics = {"amount": amount, "list_amount": list_amount, "requests": requests}
            facts.append(Fact(moment, {**group, "cost_type": "tokens", "token_type": token_type}, metrics))
            requests = 0
        if fact.web_search_requests:
            amount = Decimal(fact.web_search_requests) * org.WEB_SEARCH_CENTS_PER_REQUEST
            metrics = {"amount": amount, "list_amount": amount, "requests": requests}
            facts.append(Fact(moment, {**group, "cost_type": "web_search", "token_type": None}, metrics))
    for cost in org.cost_facts(day, organization):
        if cost.cost_type == "code_execution":
            group = {**dict.fromkeys(DIMENSIONS), "workspace_id": cost.workspace_id}
            group |= {"cost_type": "code_execution", "token_type": None}
            metrics = {"amount": cost.amount_cents, "list_amount": cost.amount_cents, "requests": 0}
            facts.append(Fact(org.utc_midnight(day), group, metrics))
    return facts


@dataclass(frozen=True)
class Query:
    start: datetime
    end: datetime
    bucket: timedelta | None
    group_by: tuple[str, ...]
    fan_out: tuple[str, ...]
    filters: dict[str, set[str | None]]
    actor_ids: set[str]
    limit: int
    order_by: str
    descending: bool
    exclude_deleted_users: bool
    fingerprint: str  # binds a cursor to the query it came from


def parse_query(params: dict[str, list[str]], cost: bool, now: datetime) -> Query:
    start = parse_time(params, "starting_at", required=True)
    if start < FIRST_DAY:
        raise invalid("starting_at: must be on or after 2026-01-01T00:00:00Z")
    if start < now - LOOKBACK:
        raise invalid("starting_at: must be within the last 365 days")
    width = params.get("time_bucket_width", [None])[0]
    if width is not None and width not in BUCKETS:
        raise invalid(f"time_bucket_width: Input should be '1d', '1h' or '1m', got {width!r}")
    end = parse_time(params, "ending_at", required=False)
    if end is None:
        if width is not None:
            raise invalid("ending_at: Field required when time_bucket_width is set")
        end = min(now, start + MAX_RANGE)
    if end <= start:
        raise invalid("ending_at: must be after starting_at")
    if end - start > MAX_RANGE:
        raise invalid("ending_at: the range may not exceed 31 days")
    if width == "1m" and end - start > timedelta(hours=24):
        raise invalid("ending_at: the range may not exceed 24 hours with time_bucket_width=1m")
    allowed = DIMENSIONS + (COST_FAN_OUT if cost else ())
    requested = params.get("group_by[]", [])
    unknown = sorted(set(requested) - set(allowed))
    if unknown:
        raise invalid(f"group_by[]: unknown dimension {unknown[0]!r}")
    group_by = tuple(d for d in DIMENSIONS if d in requested)
    if len(group_by) > MAX_GROUP_BY:
        raise invalid(f"group_by[]: at most {MAX_GROUP_BY} dimensions, got {len(group_by)}")
    raw_limit = params.get("limit", ["20"])[0]
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= 1000:
        raise invalid(f"limit: Input should be between 1 and 1000, got {raw_limit!r}")
    orders = COST_ORDER if cost else USAGE_ORDER
    order_by = params.get("order_by", [orders[0]])[0]
    if order_by not in orders:
        raise invalid(f"order_by: Input should be one of {', '.join(orders)}, got {order_by!r}")
    order = params.get("order", ["desc"])[0]
    if order not in ("asc", "desc"):
        raise invalid(f"order: Input should be 'asc' or 'desc', got {order!r}")
    exclude_deleted = params.get("exclude_deleted_users", ["false"])[0] == "true"
    if exclude_deleted and "actor" not in group_by:
        raise invalid("exclude_deleted_users: requires group_by[]=actor")
    filters = {
        dimension: {value or None for value in params[name]} for name, dimension in FILTERS.items() if name in params
    }
    if "inference_geo" in filters:
        filters["inference_geo"] = {None if v == "not_available" else v for v in filters["inference_geo"]}
    unbound = {k: v for k, v in sorted(params.items()) if k != "page"}
    return Query(
        start=start,
        end=end,
        bucket=BUCKETS.get(width) if width else None,
        group_by=group_by,
        fan_out=tuple(d for d in COST_FAN_OUT if d in requested),
        filters=filters,
        actor_ids=set(params.get("actor_ids[]", [])),
        limit=int(raw_limit),
        order_by=order_by,
        descending=order == "desc",
        exclude_deleted_users=exclude_deleted,
        fingerprint=hashlib.sha256(json.dumps(unbound).encode()).hexdigest()[:16],
    )


def _actor_id(actor: dict | None) -> str | None:
    if actor is None:
        return None
    return actor.get("user_id") or actor.get("service_account_id") or actor.get("api_key_id")


def _matches(fact: Fact, query: Query) -> bool:
    group = fact.group
    if any(group[dimension] not in values for dimension, values in query.filters.items()):
        return False
    if query.actor_ids and _actor_id(group["actor"]) not in query.actor_ids:
        return False
    actor = group["actor"]
    return not (query.exclude_deleted_users and actor and actor.get("deleted"))


def _frozen(value: object) -> str:
    return json.dumps(value, sort_keys=True)


def report(facts: list[Fact], query: Query, cost: bool, page: str | None, refreshed_at: datetime) -> dict:
    """The page of rows `query` asks for: facts in its range and filters, summed by its groups (and
    buckets), ordered by its metric, `limit` base groups a page (cost's fan-out rows ride along)."""
    keys = (*query.group_by, *query.fan_out)
    sums: dict[tuple, dict] = {}
    for fact in facts:
        if not (query.start <= fact.moment < query.end) or not _matches(fact, query):
            continue
        if query.bucket:
            bucket_start = query.start + ((fact.moment - query.start) // query.bucket) * query.bucket
            bounds = (bucket_start, min(bucket_start + query.bucket, query.end))
        else:  # the report covers whole hours
            bounds = (query.start.replace(minute=0, second=0, microsecond=0), query.end.replace(minute=0, second=0))
        key = (bounds, tuple(_frozen(fact.group[k]) for k in keys))
        totals = sums.setdefault(key, defaultdict(int))
        for name, value in fact.metrics.items():
            totals[name] += value
    base: dict[tuple, list[tuple]] = defaultdict(list)  # (bounds, grouped values) -> its fan-out rows
    for bounds, values in sums:
        base[(bounds, values[: len(query.group_by)])].append((bounds, values))
    default = "amount" if cost else "total_tokens"
    metric = default if query.order_by == "time" else query.order_by

    def size(group_key: tuple) -> Decimal:
        rows = base[group_key]
        if metric == "total_tokens":
            return Decimal(sum(_total_tokens(sums[r]) for r in rows))
        return Decimal(sum(sums[r].get(metric) or 0 for r in rows))

    if query.order_by == "time" and query.bucket:  # buckets in `order`, rows within one by the metric, highest first
        by_size = sorted(base, key=lambda k: (size(k), k[1]), reverse=True)
        ordered = sorted(by_size, key=lambda k: k[0][0], reverse=query.descending)
    else:
        ordered = sorted(base, key=lambda k: (size(k), k[1]), reverse=query.descending)
    offset = _offset(page, query.fingerprint)
    chosen = ordered[offset : offset + query.limit]
    data = []
    for group_key in chosen:
        for row_key in sorted(base[group_key], key=lambda r: r[1]):
            data.append(_row(row_key, sums[row_key], keys, query, cost))
    has_more = offset + query.limit < len(ordered)
    return {
        "data": data,
        "has_more": has_more,
        "next_page": _cursor(offset + query.limit, query.fingerprint) if has_more else None,
        "data_refreshed_at": refreshed_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def _total_tokens(totals: dict) -> int:
    return sum(totals.get(name, 0) for name in org.TOKEN_TYPES)


def _row(row_key: tuple, totals: dict, keys: tuple, query: Query, cost: bool) -> dict:
    (start, end), values = row_key
    group = {**dict.fromkeys(DIMENSIONS + (COST_FAN_OUT if cost else ()))}
    group.update({k: json.loads(v) for k, v in zip(keys, values, strict=True)})
    row = {"starting_at": start.strftime("%Y-%m-%dT%H:%M:%SZ"), "ending_at": end.strftime("%Y-%m-%dT%H:%M:%SZ")}
    if cost:
        row["group"] = group
        row["cost"] = {
            "amount": format(totals["amount"], "f"),
            "list_amount": format(totals["list_amount"], "f"),
            "currency": "USD",
            "requests": None if query.fan_out else totals["requests"],
        }
    else:
        row["group"] = group
        row["usage"] = {
            "uncached_input_tokens": totals.get("uncached_input_tokens", 0),
            "cache_creation": {
                "ephemeral_5m_input_tokens": totals.get("cache_creation.ephemeral_5m_input_tokens", 0),
                "ephemeral_1h_input_tokens": totals.get("cache_creation.ephemeral_1h_input_tokens", 0),
            },
            "cache_read_input_tokens": totals.get("cache_read_input_tokens", 0),
            "output_tokens": totals.get("output_tokens", 0),
            "server_tool_use": {"web_search_requests": totals.get("web_search_requests", 0)},
            "total_tokens": _total_tokens(totals),
            "requests": totals.get("requests"),
        }
    return row


def _cursor(offset: int, fingerprint: str) -> str:
    return "page_" + base64.urlsafe_b64encode(f"{fingerprint}:{offset}".encode()).decode()


def _offset(page: str | None, fingerprint: str) -> int:
    if page is None:
        return 0
    try:
        bound, offset = base64.urlsafe_b64decode(page.removeprefix("page_")).decode().split(":")
        offset = int(offset)
    except ValueError:
        raise invalid("page: Invalid page token") from None
    if bound != fingerprint:
        raise invalid("page: the cursor belongs to a query with other parameters")
    return offset


@dataclass(frozen=True)
class AnalyticsTruth:
    """What the analytics API reports for [start, end), per API key, actor and product, for tests to
    compare the mart to: cost and list cost in cents, and requests (tokens' requests, not code execution
    spans). The default workspace's key is its real id here."""

    cost_cents: dict[str, dict[str | None, Decimal]]  # by dimension ("api_key_id", "actor_id", "product")
    list_cents: dict[str, dict[str | None, Decimal]]
    requests: dict[str, dict[str | None, int]]


def truth(
    start: date,
    end: date,
    prices_priority: bool = False,
    organization: org.SyntheticOrganization = org.DEMO_ORGANIZATION,
) -> AnalyticsTruth:
    cost: dict = {d: defaultdict(Decimal) for d in ("api_key_id", "actor_id", "product")}
    listed: dict = {d: defaultdict(Decimal) for d in cost}
    requests: dict = {d: defaultdict(int) for d in cost}
    for day in org.days(start, end):
        for fact in cost_facts(day, prices_priority, organization):
            keys = {"api_key_id": fact.group["api_key_id"], "actor_id": _actor_id(fact.group["actor"])}
            keys["product"] = fact.group["product"]
            for dimension, key in keys.items():
                cost[dimension][key] += fact.metrics["amount"]
                listed[dimension][key] += fact.metrics["list_amount"]
        for fact in usage_facts(day, organization):
            if fact.group["model"] is None:  # code execution spans
                continue
            keys = {"api_key_id": fact.group["api_key_id"], "actor_id": _actor_id(fact.group["actor"])}
            keys["product"] = fact.group["product"]
            for dimension, key in keys.items():
                requests[dimension][key] += fact.metrics["requests"]
    return AnalyticsTruth(
        {d: dict(v) for d, v in cost.items()},
        {d: dict(v) for d, v in listed.items()},
        {d: dict(v) for d, v in requests.items()},
    )
