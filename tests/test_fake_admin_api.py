"""The fake Admin API behaves as the reference describes, over real HTTP."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import requests

from pump_costs.fake_anthropic import FAKE_ADMIN_KEY, FakeAdminApi, ground_truth
from pump_costs.fake_anthropic import organization as org
from pump_costs.fake_anthropic.organization import DEFAULT_WORKSPACE_ID

HEADERS = {"x-api-key": FAKE_ADMIN_KEY, "anthropic-version": "2023-06-01"}
DAY = date(2026, 5, 4)  # a weekday with traffic in the synthetic organization


def get(api: FakeAdminApi, path: str, headers: dict | None = None, **params) -> requests.Response:
    return requests.get(
        f"{api.base_url}/v1/organizations/{path}",
        params=params,
        headers=HEADERS if headers is None else headers,
        timeout=10,
    )


def test_auth_errors_have_the_documented_shape(fake_api):
    for headers in ({}, {"x-api-key": "sk-ant-admin01-wrong", "anthropic-version": "2023-06-01"}):
        response = get(fake_api, "me", headers=headers)
        assert response.status_code == 401
        body = response.json()
        assert body["type"] == "error"
        assert body["error"] == {"type": "authentication_error", "message": "invalid x-api-key"}
        assert body["request_id"] == response.headers["request-id"]
    bearer = get(
        fake_api, "me", headers={"authorization": f"Bearer {FAKE_ADMIN_KEY}", "anthropic-version": "2023-06-01"}
    )
    assert bearer.json()["name"] == "Synthetic Demo Org (fake data)"


def test_standard_key_is_refused_with_401_or_configured_403(fake_api):
    standard = {"x-api-key": "sk-ant-api03-fake-standard-key", "anthropic-version": "2023-06-01"}
    assert get(fake_api, "me", headers=standard).status_code == 401
    fake_api.faults.standard_key_status = 403
    response = get(fake_api, "me", headers=standard)
    assert response.status_code == 403
    assert response.json()["error"]["type"] == "permission_error"


@pytest.mark.parametrize(
    ("path", "params", "message"),
    [
        ("usage_report/messages", {}, "starting_at: Field required"),
        (
            "usage_report/messages",
            {"starting_at": "2026-05-01T00:00:00Z", "limit": 32},
            "limit: Input should be between 1 and 31 for this bucket width, got 32",
        ),
        (
            "usage_report/messages",
            {"starting_at": "2026-05-01T00:00:00Z", "bucket_width": "1w"},
            "bucket_width: Input should be '1d', '1h' or '1m', got '1w'",
        ),
        (
            "usage_report/messages",
            {"starting_at": "2026-05-01T00:00:00Z", "group_by[]": "cost_type"},
            "group_by[]: Input should be one of api_key_id, workspace_id, model, service_tier, context_window, "
            "inference_geo, speed, account_id, service_account_id, got 'cost_type'",
        ),
        (
            "cost_report",
            {"starting_at": "2026-05-01T00:00:00Z", "bucket_width": "1h"},
            "bucket_width: Input should be '1d', got '1h'",
        ),
        (
            "cost_report",
            {"starting_at": "2026-05-01T00:00:00Z", "group_by[]": "model"},
            "group_by[]: Input should be 'workspace_id' or 'description', got 'model'",
        ),
        (
            "cost_report",
            {"starting_at": "2026-05-01T00:00:00Z", "ending_at": "2026-05-01T23:59:59Z"},
            "Invalid date range: ending date must be after starting date",
        ),
    ],
)
def test_parameter_validation_returns_400(fake_api, path, params, message):
    response = get(fake_api, path, **params)
    assert response.status_code == 400
    assert response.json()["error"] == {"type": "invalid_request_error", "message": message}


def test_usage_buckets_snap_to_days_and_ending_at_is_exclusive(fake_api):
    body = get(
        fake_api,
        "usage_report/messages",
        starting_at="2026-05-04T13:00:00Z",
        ending_at="2026-05-10T23:59:59Z",
        limit=31,
    ).json()
    starts = [bucket["starting_at"] for bucket in body["data"]]
    assert starts == [f"2026-05-{d:02d}T00:00:00Z" for d in range(4, 10)]  # 10th not complete: excluded
    assert body["has_more"] is False and body["next_page"] is None


def test_usage_pagination_uses_an_opaque_cursor_and_the_default_limit_of_7(fake_api):
    first = get(
        fake_api, "usage_report/messages", starting_at="2026-05-01T00:00:00Z", ending_at="2026-05-11T00:00:00Z"
    ).json()
    assert len(first["data"]) == 7 and first["has_more"] is True
    assert first["next_page"] == "page_MjAyNi0wNS0wOFQwMDowMDowMFo="  # base64 of 2026-05-08T00:00:00Z
    second = get(
        fake_api,
        "usage_report/messages",
        starting_at="2026-05-01T00:00:00Z",
        ending_at="2026-05-11T00:00:00Z",
        page=first["next_page"],
    ).json()
    assert [b["starting_at"][:10] for b in second["data"]] == ["2026-05-08", "2026-05-09", "2026-05-10"]
    assert second["has_more"] is False


def test_ungrouped_usage_has_every_grouping_key_null(fake_api):
    bucket = get(
        fake_api, "usage_report/messages", starting_at="2026-05-04T00:00:00Z", ending_at="2026-05-05T00:00:00Z"
    ).json()["data"][0]
    (row,) = bucket["results"]
    for key in ("api_key_id", "workspace_id", "model", "service_tier", "context_window", "inference_geo"):
        assert row[key] is None
    truth = ground_truth(DAY, DAY + timedelta(days=1))
    assert row["uncached_input_tokens"] == truth.tokens_by_type["uncached_input_tokens"]
    assert (
        row["cache_creation"]["ephemeral_1h_input_tokens"]
        == truth.tokens_by_type["cache_creation.ephemeral_1h_input_tokens"]
    )
    assert row["server_tool_use"]["web_search_requests"] == truth.web_search_requests


def test_grouped_usage_shows_default_workspace_and_console_as_null(fake_api):
    results = get(
        fake_api,
        "usage_report/messages",
        starting_at="2026-05-04T00:00:00Z",
        ending_at="2026-05-05T00:00:00Z",
        **{"group_by[]": ["api_key_id", "workspace_id"]},
    ).json()["data"][0]["results"]
    pairs = {(r["api_key_id"], r["workspace_id"]) for r in results}
    assert (None, None) in pairs  # Console usage in the Default workspace
    assert ("apikey_01DefaultSandbox000000", None) in pairs
    assert all(r["model"] is None for r in results)


def test_hourly_buckets_add_up_to_the_day(fake_api):
    daily = get(
        fake_api, "usage_report/messages", starting_at="2026-05-04T00:00:00Z", ending_at="2026-05-05T00:00:00Z"
    ).json()["data"][0]["results"][0]
    hourly = get(
        fake_api,
        "usage_report/messages",
        starting_at="2026-05-04T00:00:00Z",
        ending_at="2026-05-05T00:00:00Z",
        bucket_width="1h",
    ).json()
    assert len(hourly["data"]) == 24
    assert sum(r["output_tokens"] for b in hourly["data"] for r in b["results"]) == daily["output_tokens"]
    assert any(b["results"] == [] for b in hourly["data"])


def test_cost_grouped_equals_ungrouped_and_never_has_priority(fake_api):
    params = {"starting_at": "2026-05-01T00:00:00Z", "ending_at": "2026-05-08T00:00:00Z"}
    ungrouped = get(fake_api, "cost_report", **params).json()
    grouped = get(fake_api, "cost_report", **params, **{"group_by[]": ["workspace_id", "description"]}).json()
    for plain, detailed in zip(ungrouped["data"], grouped["data"], strict=True):
        (total,) = plain["results"]
        assert set(total) >= {"amount", "currency"} and total["workspace_id"] is None
        assert Decimal(total["amount"]) == sum(Decimal(r["amount"]) for r in detailed["results"])
        assert all(r["service_tier"] != "priority" for r in detailed["results"])
    cost_types = {r["cost_type"] for b in grouped["data"] for r in b["results"]}
    assert cost_types == {"tokens", "web_search", "code_execution"}
    truth = ground_truth(date(2026, 5, 1), date(2026, 5, 8))
    assert sum(Decimal(r["amount"]) for b in ungrouped["data"] for r in b["results"]) / 100 == truth.total_cost_usd


def test_cost_report_serves_completed_days_only(fake_api):
    today = fake_api.today
    response = get(
        fake_api,
        "cost_report",
        starting_at=f"{today - timedelta(days=2)}T00:00:00Z",
        ending_at=f"{today + timedelta(days=3)}T00:00:00Z",
    )
    assert [b["starting_at"][:10] for b in response.json()["data"]] == [
        str(today - timedelta(days=2)),
        str(today - timedelta(days=1)),
    ]
    today_only = get(
        fake_api, "cost_report", starting_at=f"{today}T00:00:00Z", ending_at=f"{today + timedelta(days=1)}T00:00:00Z"
    )
    assert today_only.status_code == 400


def test_workspaces_list_omits_default_and_archived_unless_asked(fake_api):
    names = [w["name"] for w in get(fake_api, "workspaces").json()["data"]]
    assert names == ["Production", "Research", "Claude Code"]
    with_archived = get(fake_api, "workspaces", include_archived="true").json()["data"]
    assert [w["name"] for w in with_archived][-1] == "Legacy Prototype"
    assert with_archived[-1]["archived_at"] == "2026-03-31T17:00:00Z"
    assert get(fake_api, f"workspaces/{DEFAULT_WORKSPACE_ID}").json()["name"] == "Default"


def test_lists_page_by_after_id(fake_api):
    first = get(fake_api, "api_keys", limit=4).json()
    assert len(first["data"]) == 4 and first["has_more"] is True
    second = get(fake_api, "api_keys", limit=4, after_id=first["last_id"]).json()
    assert [k["name"] for k in second["data"]] == [
        "claude_code_key_alice",
        "legacy-prototype",
        "claude-code-ci",
        "claude_code_key_dana",
    ]
    assert second["has_more"] is False
    sandbox = next(k for k in first["data"] if k["name"] == "default-sandbox")
    assert sandbox["workspace_id"] is None


def test_claude_code_report_has_integer_cents_and_remote_rows(fake_api):
    body = get(fake_api, "usage_report/claude_code", starting_at="2026-05-04").json()
    assert {r["is_remote"] for r in body["data"]} == {True, False}
    assert all(isinstance(m["estimated_cost"]["amount"], int) for r in body["data"] for m in r["model_breakdown"])


def test_claude_code_report_pages_through_its_ground_truth_and_splits_tokens_exactly(fake_api):
    day = date(2026, 5, 4)
    pages = [get(fake_api, "usage_report/claude_code", starting_at=day.isoformat(), limit=1).json()]
    while pages[-1]["has_more"]:
        pages.append(
            get(
                fake_api, "usage_report/claude_code", starting_at=day.isoformat(), limit=1, page=pages[-1]["next_page"]
            ).json()
        )
    records = [record for page in pages for record in page["data"]]
    users = [f for f in org.usage_facts(day) if f.stream.product == "claude_code"]
    assert records == org.claude_code_records(day) and len(records) == 2 * len(users) > 2
    alice = users[0]
    split = [r["model_breakdown"][0]["tokens"]["output"] for r in records[:2]]  # Alice's local and remote rows
    assert sum(split) == alice.tokens["output_tokens"] and split[0] == alice.tokens["output_tokens"] * 4 // 5
    assert records[0]["actor"] == {"type": "user_actor", "email_address": "alice@example.com"}
    assert {"type": "api_actor", "api_key_name": "claude-code-ci"} in [r["actor"] for r in records]
    other_day = org.claude_code_records(day + timedelta(days=1))
    assert other_day[0]["core_metrics"] != records[0]["core_metrics"]  # activity varies by day


def test_only_get_is_allowed_and_every_request_is_recorded(fake_api):
    response = requests.post(f"{fake_api.base_url}/v1/organizations/me", headers=HEADERS, timeout=10)
    assert response.status_code == 405
    assert response.headers["request-id"].startswith("req_")
    assert [(r.method, r.path, r.status) for r in fake_api.requests] == [("POST", "/v1/organizations/me", 405)]
