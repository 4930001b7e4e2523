"""The fake's Usage and Cost Analytics API against the reference's rules, over real HTTP, and against the
legacy reports of the same organization: one truth, to the last digit."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
import requests

from pump_costs.fake_anthropic import FAKE_ADMIN_KEY, FakeAdminApi, analytics
from pump_costs.fake_anthropic import organization as org

HEADERS = {"x-api-key": FAKE_ADMIN_KEY, "anthropic-version": "2023-06-01", "anthropic-beta": analytics.BETA}


def get(api: FakeAdminApi, endpoint: str, headers: dict | None = None, **params) -> requests.Response:
    return requests.get(
        f"{api.base_url}/v1/organizations/analytics/{endpoint}", params=params, headers=headers or HEADERS, timeout=10
    )


def every_row(api: FakeAdminApi, endpoint: str, **params) -> list[dict]:
    rows, page = [], None
    while True:
        body = get(api, endpoint, **params, **({"page": page} if page else {})).json()
        rows += body["data"]
        if not body["has_more"]:
            return rows
        page = body["next_page"]


def window(api: FakeAdminApi, days: int) -> tuple[date, dict]:
    first = api.today - timedelta(days=days)
    return first, {
        "starting_at": f"{first}T00:00:00Z",
        "ending_at": f"{api.today}T00:00:00Z",
        "time_bucket_width": "1d",
    }


def legacy_cost_lines(first: date, last: date) -> dict[tuple, Decimal]:
    lines: dict[tuple, Decimal] = defaultdict(Decimal)
    for day in org.days(first, last):
        for line in org.cost_facts(day):
            lines[(day, line.workspace_id, line.cost_type, line.token_type, line.model)] += line.amount_cents
    return dict(lines)


def analytics_cost_lines(rows: list[dict]) -> dict[tuple, Decimal]:
    lines: dict[tuple, Decimal] = defaultdict(Decimal)
    for row in rows:
        group = row["group"]
        model = group["model"] if group["cost_type"] == "tokens" else None  # legacy: web search has no model
        day = date.fromisoformat(row["starting_at"][:10])
        lines[(day, group["workspace_id"], group["cost_type"], group["token_type"], model)] += Decimal(
            row["cost"]["amount"]
        )
    return dict(lines)


COST_LINE = {"group_by[]": ["workspace_id", "model", "cost_type", "token_type"], "limit": 1000}


def test_cost_by_any_grouping_equals_the_legacy_cost_lines_to_the_last_digit(fake_api):
    first, params = window(fake_api, 10)
    legacy = legacy_cost_lines(first, fake_api.today)
    assert analytics_cost_lines(every_row(fake_api, "cost", **params, **COST_LINE)) == legacy
    by_actor = every_row(fake_api, "cost", **params, **{"group_by[]": ["actor", "product"], "limit": 1000})
    assert sum(Decimal(row["cost"]["amount"]) for row in by_actor) == sum(legacy.values())

    # Priority Tier when the analytics cost prices it (the other choice): the only lines it adds.
    fake_api.analytics_prices_priority = True
    try:
        by_tier = {**COST_LINE, "group_by[]": [*COST_LINE["group_by[]"], "service_tier"]}
        every = every_row(fake_api, "cost", **params, **by_tier)
    finally:
        fake_api.analytics_prices_priority = False
    priority = [row for row in every if row["group"]["service_tier"] == "priority"]
    assert priority and analytics_cost_lines([row for row in every if row not in priority]) == legacy
    assert {row["group"]["cost_type"] for row in every} == {"tokens", "web_search", "code_execution"}


def test_tokens_equal_the_legacy_usage_report(fake_api):
    first, params = window(fake_api, 5)
    rows = every_row(fake_api, "usage", **params, **{"group_by[]": ["api_key_id", "model"], "limit": 1000})
    tokens: dict[tuple, int] = defaultdict(int)
    for row in rows:
        usage = row["usage"]
        tokens[(row["starting_at"][:10], row["group"]["api_key_id"], row["group"]["model"])] += usage["output_tokens"]
    expected: dict[tuple, int] = defaultdict(int)
    for day in org.days(first, fake_api.today):
        for fact in org.usage_facts(day):
            expected[(day.isoformat(), fact.stream.api_key_id, fact.stream.model)] += fact.tokens["output_tokens"]
    assert {k: v for k, v in tokens.items() if k[2]} == dict(expected)  # model None: code execution spans
    spans = [row for row in rows if row["group"]["model"] is None]
    assert all(row["usage"]["total_tokens"] == 0 and row["usage"]["requests"] > 0 for row in spans)


def test_rows_carry_every_group_key_and_requests_only_where_not_fanned_out(fake_api):
    _, params = window(fake_api, 3)
    body = get(fake_api, "cost", **params, **{"group_by[]": ["workspace_id", "token_type"], "limit": 1}).json()
    keys = {key for row in body["data"] for key in row["group"]}
    assert keys == {*analytics.DIMENSIONS, "cost_type", "token_type"}
    assert len({row["group"]["workspace_id"] for row in body["data"]}) == 1 < len(body["data"])  # fan-out beyond limit
    assert all(row["cost"]["requests"] is None for row in body["data"])
    plain = get(fake_api, "cost", **params, **{"group_by[]": ["workspace_id"]}).json()["data"]
    assert all(isinstance(row["cost"]["requests"], int) for row in plain)
    usage = get(fake_api, "usage", **params).json()["data"]
    assert set(usage[0]["group"]) == set(analytics.DIMENSIONS) and all(v is None for v in usage[0]["group"].values())


def test_pages_follow_one_query_and_cover_every_row_once(fake_api):
    _, params = window(fake_api, 4)
    grouping = {"group_by[]": ["api_key_id", "model", "service_tier"]}
    paged = every_row(fake_api, "usage", **params, **grouping, limit=3)
    whole = get(fake_api, "usage", **params, **grouping, limit=1000).json()["data"]
    assert len(paged) == len(whole) > 3
    assert sorted(map(str, paged)) == sorted(map(str, whole))
    first = get(fake_api, "usage", **params, **grouping, limit=3).json()
    other_query = get(fake_api, "usage", **params, limit=3, page=first["next_page"])
    assert other_query.status_code == 400
    assert other_query.json()["error"]["message"] == "page: the cursor belongs to a query with other parameters"


def test_deleted_users_can_be_left_out_and_keyless_console_usage_has_no_key(fake_api):
    _, params = window(fake_api, 7)
    by_actor = {"group_by[]": ["actor", "api_key_id"], "limit": 1000}
    every = every_row(fake_api, "usage", **params, **by_actor)
    kept = every_row(fake_api, "usage", **params, **by_actor, exclude_deleted_users="true")
    deleted = [row for row in every if row["group"]["actor"] and row["group"]["actor"].get("deleted")]
    assert deleted and len(kept) == len(every) - len(deleted)
    console = [row for row in every if row["group"]["actor"] and row["group"]["actor"].get("name") == "Carol Console"]
    assert console and all(row["group"]["api_key_id"] is None for row in console)


def test_the_skew_switch_moves_one_line_by_its_amount(fake_api):
    first, params = window(fake_api, 3)
    before = analytics_cost_lines(every_row(fake_api, "cost", **params, **COST_LINE))
    fake_api.faults.skew_analytics_cost = (first, Decimal("0.0001"))
    after = analytics_cost_lines(every_row(fake_api, "cost", **params, **COST_LINE))
    changed = {key: after[key] - before[key] for key in before if after[key] != before[key]}
    assert list(changed.values()) == [Decimal("0.0001")] and next(iter(changed))[0] == first


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"starting_at": "2025-12-31T00:00:00Z"}, "starting_at: must be on or after 2026-01-01T00:00:00Z"),
        (
            {"starting_at": "2026-05-01T00:00:00Z", "today": date(2027, 6, 1)},
            "starting_at: must be within the last 365 days",
        ),
        (
            {"starting_at": "2026-09-01T00:00:00Z", "ending_at": "2026-10-03T00:00:00Z"},
            "ending_at: the range may not exceed 31 days",
        ),
        (
            {
                "starting_at": "2026-09-01T00:00:00+02:00",
                "group_by[]": ["model", "actor", "product", "speed", "workspace_id", "api_key_id"],
            },
            "group_by[]: at most 5 dimensions, got 6",
        ),
        (
            {"starting_at": "2026-09-01T00:00:00Z", "group_by[]": ["description"]},
            "group_by[]: unknown dimension 'description'",
        ),
        (
            {"starting_at": "2026-09-01T00:00:00Z", "limit": "1001"},
            "limit: Input should be between 1 and 1000, got '1001'",
        ),
        (
            {"starting_at": "2026-09-01T00:00:00Z", "time_bucket_width": "1d"},
            "ending_at: Field required when time_bucket_width is set",
        ),
        (
            {"starting_at": "2026-09-01T00:00:00Z", "exclude_deleted_users": "true"},
            "exclude_deleted_users: requires group_by[]=actor",
        ),
    ],
)
def test_requests_the_api_refuses_get_its_400(params, message):
    today = params.pop("today", date(2026, 11, 26))
    with FakeAdminApi(today=today) as api:
        response = get(api, "usage", **params)
    assert (response.status_code, response.json()["error"]) == (
        400,
        {"type": "invalid_request_error", "message": message},
    )


def test_the_beta_header_is_required_in_either_form(fake_api):
    _, params = window(fake_api, 1)
    without = {k: v for k, v in HEADERS.items() if k != "anthropic-beta"}
    assert get(fake_api, "cost", headers=without, **params).status_code == 400
    joined = {**without, "anthropic-beta": f"files-api-2025-04-14,{analytics.BETA}"}
    assert get(fake_api, "cost", headers=joined, **params).status_code == 200
    bearer = {**joined, "authorization": f"Bearer {FAKE_ADMIN_KEY}"}
    del bearer["x-api-key"]
    assert get(fake_api, "cost", headers=bearer, **params).status_code == 200
