"""The Admin API client against the fake server: key checks, retries, pagination, exact money."""

import json
import logging
from datetime import date, timedelta
from decimal import Decimal

import pytest

from pump_costs.defs.anthropic import client as client_module
from pump_costs.defs.anthropic import rows
from pump_costs.defs.anthropic.client import (
    AdminKeyError,
    AnalyticsAnswer,
    AnthropicAdminClient,
    AnthropicAdminError,
    MalformedResponseError,
    analytics_complete_until,
    utc_midnight,
)
from pump_costs.defs.anthropic.models import AnalyticsCostRow
from pump_costs.fake_anthropic import FAKE_ADMIN_KEY, Fault, ground_truth

START = date(2026, 3, 1)


def client_for(api, waits: list[float] | None = None, **kwargs) -> AnthropicAdminClient:
    sleep = waits.append if waits is not None else (lambda seconds: None)
    return AnthropicAdminClient(FAKE_ADMIN_KEY, base_url=api.base_url, sleep=sleep, **kwargs)


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (None, "No Anthropic Admin API key: set ANTHROPIC_ADMIN_API_KEY to an Admin key (sk-ant-admin...)"),
        (
            "sk-ant-api03-fake-standard-key",
            "holds a standard API key (sk-ant-api...), which can call models but cannot read usage or cost",
        ),
        ("not-a-key", "is not an Anthropic Admin key: Admin keys start with 'sk-ant-admin'"),
    ],
)
def test_wrong_keys_are_refused_before_any_request(fake_api, key, message):
    with pytest.raises(AdminKeyError) as raised:
        AnthropicAdminClient(key, base_url=fake_api.base_url)
    assert message in str(raised.value)
    assert "console.anthropic.com/settings/admin-keys" in str(raised.value)
    assert fake_api.requests == []


def test_missing_key_points_to_the_demo():
    with pytest.raises(AdminKeyError) as raised:
        AnthropicAdminClient("  ")
    assert "run `make demo`" in str(raised.value)


def test_revoked_key_gives_one_clear_error_and_is_not_retried(fake_api):
    client = AnthropicAdminClient("sk-ant-admin01-fake-revoked-key", base_url=fake_api.base_url)
    with pytest.raises(AdminKeyError) as raised:
        client.organization()
    message = str(raised.value)
    assert message.startswith("The Admin API refused the key (401 authentication_error: invalid x-api-key")
    assert "invalid, revoked, or not an Admin key" in message
    assert "sk-ant-admin01-fake-revoked-key" not in message
    assert len(fake_api.requests) == 1


def test_403_is_not_retried_either(fake_api):
    fake_api.faults.queue.append(Fault(403))
    with pytest.raises(AdminKeyError, match="refused the key \\(403 permission_error"):
        client_for(fake_api).organization()
    assert len(fake_api.requests) == 1


def test_429_and_529_are_retried_honouring_retry_after(fake_api, caplog):
    fake_api.faults.queue.extend(
        [
            Fault(429, retry_after="2"),
            Fault(529),
            Fault(500, retry_after_ms="1500"),
        ]
    )
    waits: list[float] = []
    with caplog.at_level(logging.WARNING):
        organization = client_for(fake_api, waits).organization()
    assert organization.name == "Synthetic Demo Org (fake data)"
    assert waits[0] == 2.0 and waits[2] == 1.5
    assert 0.5 * 0.75 <= waits[1] <= 1.0  # backoff with jitter for the second attempt
    assert [r.status for r in fake_api.requests] == [429, 529, 500, 200]
    assert "failed (429); retrying in 2.00s (retry 1 of 6)" in caplog.text
    assert FAKE_ADMIN_KEY not in caplog.text


def test_retries_are_bounded_in_count_and_in_time(fake_api):
    fake_api.faults.queue.extend([Fault(503)] * 3)
    with pytest.raises(AnthropicAdminError, match="failed \\(503\\) after 2 retries"):
        client_for(fake_api, max_retries=2).organization()
    fake_api.faults.queue.clear()
    fake_api.faults.queue.append(Fault(429, retry_after="600"))
    with pytest.raises(AnthropicAdminError, match=r"would wait 600\.0s, past the 300s retry budget"):
        client_for(fake_api).organization()


def test_x_should_retry_false_stops_retries(fake_api):
    fake_api.faults.queue.append(Fault(500, should_retry="false"))
    with pytest.raises(AnthropicAdminError, match=r"failed with 500 api_error: Injected 500"):
        client_for(fake_api).organization()


def test_a_backfill_window_is_fetched_with_the_fewest_pages(fake_api):
    client = client_for(fake_api)
    buckets = client.usage_report(utc_midnight(START), utc_midnight(START + timedelta(days=70)))
    assert len(buckets) == 70
    assert client.requests_made == 3  # ceil(70 / 31)
    queries = [r.query for r in fake_api.requests]
    assert all(q["limit"] == ["31"] and q["bucket_width"] == ["1d"] for q in queries)
    assert queries[0]["group_by[]"] == [
        "api_key_id",
        "workspace_id",
        "model",
        "service_tier",
        "context_window",
        "inference_geo",
    ]
    assert "page" not in queries[0] and queries[1]["page"][0].startswith("page_")


def test_cost_amounts_stay_exact(fake_api):
    client = client_for(fake_api)
    buckets = client.cost_report(utc_midnight(START), utc_midnight(START + timedelta(days=40)))
    total_usd = sum((r.amount_usd for b in buckets for r in b.results), Decimal(0))
    assert total_usd == ground_truth(START, START + timedelta(days=40)).total_cost_usd
    assert fake_api.requests[0].query["group_by[]"] == ["workspace_id", "description"]


def test_cost_window_with_no_completed_day_means_no_data(fake_api):
    today = utc_midnight(fake_api.today)
    assert client_for(fake_api).cost_report(today, today + timedelta(days=1)) == []


def test_has_more_without_a_cursor_fails_the_whole_pull(fake_api):
    fake_api.faults.drop_next_page_token = True
    with pytest.raises(MalformedResponseError) as raised:
        client_for(fake_api).usage_report(utc_midnight(START), utc_midnight(START + timedelta(days=40)))
    assert str(raised.value) == (
        "GET /v1/organizations/usage_report/messages ([2026-03-01T00:00:00Z, 2026-04-10T00:00:00Z)) said "
        "has_more=true but gave no next_page, so the rest of the window cannot be fetched. Nothing was stored "
        "and the stored days are unchanged; run the partitions again later."
    )
    assert len(fake_api.requests) == 1


def test_malformed_amount_is_a_clear_error(fake_api):
    fake_api.faults.malformed_amount = True
    with pytest.raises(MalformedResponseError) as raised:
        client_for(fake_api).cost_report(utc_midnight(START), utc_midnight(START + timedelta(days=2)))
    assert "cost amount '12,34' is not a decimal string of cents" in str(raised.value)
    assert "data.[2026-03-01T00:00:00Z].results.0.amount" in str(raised.value)


def test_sends_identifying_headers_and_only_gets(fake_api):
    client_for(fake_api).workspaces()
    assert {(r.method, r.path) for r in fake_api.requests} == {("GET", "/v1/organizations/workspaces")}
    assert fake_api.requests[0].query["include_archived"] == ["true"]


def test_slow_responses_time_out_and_are_retried_within_bounds(fake_api):
    fake_api.faults.delay_seconds = 1.0
    waits: list[float] = []
    client = AnthropicAdminClient(
        FAKE_ADMIN_KEY, base_url=fake_api.base_url, read_timeout=0.2, max_retries=2, sleep=waits.append
    )
    with pytest.raises(AnthropicAdminError, match=r"failed \(ReadTimeout: .*read timeout=0.2\)\) after 2 retries"):
        client.organization()
    assert len(waits) == 2 and client.requests_made == 3


def test_analytics_report_asks_each_window_once_per_query_and_follows_pages(fake_api, monkeypatch):
    """40 days are two windows (31 + 9 days). Each window: by_price, by_key, then by_key once per tier x
    window x geo that by_price found, every one followed through its pages (of 1,000 rows; 200 here, as the
    fake organization is small), with the beta header."""
    monkeypatch.setattr(client_module, "ANALYTICS_PAGE_ROWS", 200)
    client = client_for(fake_api)
    start, end = utc_midnight(START), utc_midnight(START + timedelta(days=40))
    answers = client.analytics_report("cost", start, end)
    requests = [r for r in fake_api.requests if r.path.endswith("/analytics/cost")]
    windows = sorted({(r.query["starting_at"][0], r.query["ending_at"][0]) for r in requests})
    assert windows == [
        ("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"),
        ("2026-04-01T00:00:00Z", "2026-04-10T00:00:00Z"),
    ]
    assert {r.query["limit"][0] for r in requests} == {"200"}
    assert {r.query["time_bucket_width"][0] for r in requests} == {"1d"}
    second_window = [i for i, a in enumerate(answers) if a.query == "by_price"][1]
    first_window, by_price = answers[:second_window], answers[0]
    assert [a.query for a in first_window[:2]] == ["by_price", "by_key"]
    assert [r.query.get("page") is not None for r in requests[:3]] == [False, True, False]  # by_price: 2 pages
    prices = {
        (g.service_tier, g.context_window, g.inference_geo or "not_available")
        for g in (r.group for r in by_price.rows)
        if g.service_tier and g.context_window
    }
    filters = {tuple(a.filters.values()) for a in first_window[2:]}
    assert {a.query for a in first_window[2:]} == {"by_key_and_price"} and filters == prices
    assert len(requests) == len(answers) + sum(1 for r in requests if "page" in r.query)
    # one organization, one truth: each grouping of a window sums to the same cost
    total = {
        q: sum(r.cost.amount for a in first_window if a.query == q for r in a.rows) for q in ("by_price", "by_key")
    }
    assert total["by_price"] == total["by_key"] > 0


def test_analytics_rows_outside_the_window_are_refused(fake_api):
    fake_api.faults.rewrite = lambda path, body: (
        {
            **body,
            "data": [{**body["data"][0], "starting_at": "2026-02-27T00:00:00Z", "ending_at": "2026-02-28T00:00:00Z"}],
        }
        if "/analytics/" in path and body.get("data")
        else body
    )
    with pytest.raises(MalformedResponseError) as raised:
        client_for(fake_api).analytics_report("usage", utc_midnight(START), utc_midnight(START + timedelta(days=2)))
    assert str(raised.value) == (
        "GET /v1/organizations/analytics/usage ([2026-03-01T00:00:00Z, 2026-03-03T00:00:00Z)) returned the row "
        "[2026-02-27T00:00:00Z, 2026-02-28T00:00:00Z), which is not one UTC day inside the window. Nothing was "
        "stored and the stored days are unchanged; run the partitions again later."
    )


def test_claude_code_report_is_one_request_a_day_with_its_records(fake_api):
    records = client_for(fake_api).claude_code_report(START + timedelta(days=1))
    assert [r.path for r in fake_api.requests] == ["/v1/organizations/usage_report/claude_code"]
    assert fake_api.requests[0].query["starting_at"] == ["2026-03-02"]
    assert [(r.actor.type, r.actor.email_address or r.actor.api_key_name, r.is_remote) for r in records] == [
        ("user_actor", "alice@example.com", False),
        ("user_actor", "alice@example.com", True),
        ("api_actor", "claude-code-ci", False),
        ("api_actor", "claude-code-ci", True),
        ("user_actor", "dana@example.com", False),
        ("user_actor", "dana@example.com", True),
    ]


def test_analytics_days_after_the_watermark_are_not_complete():
    """Data past an answer's data_refreshed_at may still be filling in: only whole days before the
    earliest watermark count as covered."""
    end = utc_midnight(START + timedelta(days=5))
    answer = lambda refreshed: AnalyticsAnswer("by_price", (), {}, [], refreshed)  # noqa: E731
    watermark = utc_midnight(START + timedelta(days=3)) + timedelta(hours=4)
    assert analytics_complete_until([answer(None), answer(watermark)], end) == utc_midnight(START + timedelta(days=3))
    assert analytics_complete_until([answer(None)], end) == end
    assert analytics_complete_until([answer(end + timedelta(hours=6))], end) == end


def test_unknown_analytics_fields_are_ignored_and_kept_in_the_raw_json():
    row = AnalyticsCostRow.model_validate(
        {
            "starting_at": "2026-03-01T00:00:00Z",
            "ending_at": "2026-03-02T00:00:00Z",
            "group": {"workspace_id": "wrkspc_a", "actor": {"type": "user_actor", "user_id": "user_a", "team": "x"}},
            "cost": {"amount": "12.3456789", "list_amount": "20", "currency": "USD", "requests": None, "tax": "1"},
            "region_label": "eu",
        }
    )
    (stored,) = rows.analytics_cost_rows(
        [AnalyticsAnswer("by_key", (), {}, [row], None)], rows.loaded_now()
    ).to_pylist()
    assert stored["amount_cents"] == Decimal("12.3456789") and stored["actor_id"] == "user_a"
    raw = json.loads(stored["raw_json"])
    assert raw["region_label"] == "eu" and raw["cost"]["tax"] == "1" and raw["group"]["actor"]["team"] == "x"


def test_analytics_and_claude_code_requests_are_retried_like_the_legacy_reports(fake_api):
    """A 429 with retry-after and a 529 on the analytics API, a 500 on the Claude Code report: waited
    out and retried; a 403 is not retried."""
    fake_api.faults.queue.extend(
        [
            Fault(429, path="/v1/organizations/analytics/cost", retry_after="2", after=1),
            Fault(529, path="/v1/organizations/analytics/cost"),
            Fault(500, path="/v1/organizations/usage_report/claude_code"),
        ]
    )
    waits: list[float] = []
    client = client_for(fake_api, waits)
    answers = client.analytics_report("cost", utc_midnight(START), utc_midnight(START + timedelta(days=2)))
    assert answers[0].query == "by_price" and answers[0].rows
    assert client.claude_code_report(START)
    assert waits[0] == 2.0 and len(waits) == 3
    assert [r.status for r in fake_api.requests if r.status != 200] == [429, 529, 500]
    fake_api.faults.queue.append(Fault(403, path="/v1/organizations/analytics/usage"))
    with pytest.raises(AdminKeyError):
        client.analytics_report("usage", utc_midnight(START), utc_midnight(START + timedelta(days=1)))
    assert fake_api.requests[-1].status == 403 and fake_api.requests[-2].path.endswith("/claude_code")
