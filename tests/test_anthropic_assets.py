"""Real Dagster runs of the raw Anthropic assets against the fake server, into real DuckDB files."""

import logging
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import dagster as dg
import pytest

from pump_costs.fake_anthropic import FAKE_ADMIN_KEY, Fault, ground_truth
from pump_costs.fake_anthropic.organization import DEFAULT_WORKSPACE_ID
from pump_costs.runs import materialize_days
from pump_costs.settings import ADMIN_API_KEY, ADMIN_API_KEY_FILE
from tests.conftest import query

ANTHROPIC_RAW = [
    dg.AssetKey(["raw_anthropic", name])
    for name in ("usage_report", "cost_report", "organization", "workspaces", "api_keys")
]
RAW_COUNTS = """select (select count(*) from raw_anthropic.usage_report),
                       (select count(*) from raw_anthropic.cost_report),
                       (select sum(amount_cents) from raw_anthropic.cost_report)"""


def step_errors(result: dg.ExecuteInProcessResult) -> list[str]:
    """The full text (causes included) of every failed step's error."""
    return [e.step_failure_data.error.to_string() for e in result.all_events if e.event_type_value == "STEP_FAILURE"]


def report_requests(api) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for request in api.requests:
        counts[request.path.removeprefix("/v1/organizations/")] += 1
    return dict(counts)


def test_single_run_backfill_matches_ground_truth_to_the_last_digit(fake_api, yesterday):
    first = yesterday - timedelta(days=44)
    result = materialize_days(first, yesterday, selection=ANTHROPIC_RAW)
    assert result.success
    truth = ground_truth(first, yesterday + timedelta(days=1))

    cost_rows = query("""select cast(bucket_start as date), workspace_id, model, sum(amount_cents)
                         from raw_anthropic.cost_report group by all""")
    stored = {(day, workspace or DEFAULT_WORKSPACE_ID, model): cents for day, workspace, model, cents in cost_rows}
    assert stored == truth.cost_cents_by_day_workspace_model
    (usd,) = query("select sum(amount_usd) from raw_anthropic.cost_report")[0]
    assert usd == truth.total_cost_usd

    tokens = query("""select sum(uncached_input_tokens), sum(output_tokens), sum(cache_read_input_tokens),
                             sum(cache_creation_5m_input_tokens), sum(cache_creation_1h_input_tokens),
                             sum(web_search_requests) from raw_anthropic.usage_report""")[0]
    assert tokens == (
        truth.tokens_by_type["uncached_input_tokens"],
        truth.tokens_by_type["output_tokens"],
        truth.tokens_by_type["cache_read_input_tokens"],
        truth.tokens_by_type["cache_creation.ephemeral_5m_input_tokens"],
        truth.tokens_by_type["cache_creation.ephemeral_1h_input_tokens"],
        truth.web_search_requests,
    )
    # 45 days is ceil(45 / 31) = 2 pages per report, and one call each for the organization, workspaces and keys.
    assert report_requests(fake_api) == {
        "usage_report/messages": 2,
        "cost_report": 2,
        "me": 1,
        "workspaces": 1,
        "api_keys": 1,
    }
    assert {r.method for r in fake_api.requests} == {"GET"}

    usage_materialization = result.asset_materializations_for_node("raw_anthropic__usage_report")[0]
    cost_materialization = result.asset_materializations_for_node("raw_anthropic__cost_report")[0]
    assert (
        usage_materialization.metadata["rows_written"].value
        == query("select count(*) from raw_anthropic.usage_report")[0][0]
    )
    assert cost_materialization.metadata["requests_made"].value == 2
    assert cost_materialization.metadata["billed_usd"].value == f"{truth.total_cost_usd:.2f}"


def test_rerunning_a_partition_and_a_range_is_idempotent(fake_api, yesterday):
    first = yesterday - timedelta(days=9)
    materialize_days(first, yesterday, selection=ANTHROPIC_RAW)
    before = query(RAW_COUNTS)[0]
    materialize_days(yesterday - timedelta(days=3), yesterday - timedelta(days=3), selection=ANTHROPIC_RAW)
    materialize_days(first + timedelta(days=2), yesterday, selection=ANTHROPIC_RAW)
    assert query(RAW_COUNTS)[0] == before
    assert before[2] == ground_truth(first, yesterday + timedelta(days=1)).total_cost_usd * 100


def test_a_day_pulled_again_unchanged_keeps_its_stamp_and_a_changed_day_takes_a_new_one(fake_api, yesterday):
    """loaded_at, the marts' x_LandedAt, says since when a day's rows are as stored: a window pulled again
    keeps the stamps of the days that came back the same, in every report, and stamps the day that changed."""
    reports = ("usage_report", "cost_report", "analytics_usage", "analytics_cost", "analytics_cost_days", "claude_code")
    selection = [dg.AssetKey(["raw_anthropic", name]) for name in reports]
    first = yesterday - timedelta(days=2)

    def stamps() -> dict[tuple[str, date], list]:
        return {
            (report, day): stamps
            for report in reports
            for day, stamps in query(
                f"select cast(bucket_start as date), list(distinct loaded_at) from raw_anthropic.{report} group by 1"
            )
        }

    assert materialize_days(first, yesterday, selection=selection).success
    before = stamps()
    assert len(before) == 6 * 3 and all(len(day_stamps) == 1 for day_stamps in before.values())
    fake_api.faults.skew_analytics_cost = (yesterday, Decimal("1"))  # one cost line of yesterday changed upstream
    assert materialize_days(first, yesterday, selection=selection).success
    after = stamps()
    changed = {key for key in before if after[key] != before[key]}
    assert changed == {("analytics_cost", yesterday)}
    assert after[("analytics_cost", yesterday)][0] > before[("analytics_cost", yesterday)][0]


def test_workspaces_and_keys_have_names_and_default_is_named(fake_api, yesterday):
    materialize_days(yesterday, yesterday, selection=ANTHROPIC_RAW)
    workspaces = dict(query("select workspace_id, workspace_name from raw_anthropic.workspaces"))
    assert workspaces == {
        "default": "Default",
        "wrkspc_01ProductionSynthetic00": "Production",
        "wrkspc_01ResearchSynthetic0000": "Research",
        "wrkspc_01ClaudeCodeSynthetic00": "Claude Code",
        "wrkspc_01LegacyPrototypeSynth0": "Legacy Prototype",
    }
    keys = query("select api_key_name, workspace_id, status from raw_anthropic.api_keys order by api_key_name")
    assert len(keys) == 8 and ("claude-code-ci", "wrkspc_01ClaudeCodeSynthetic00", "active") in keys
    assert ("default-sandbox", None, "active") in keys
    assert query("select organization_name from raw_anthropic.organization") == [("Synthetic Demo Org (fake data)",)]


def test_retries_on_429_and_529_then_succeeds(fake_api, yesterday, caplog):
    fake_api.faults.queue.extend(
        [
            Fault(429, path="/v1/organizations/usage_report", retry_after_ms="50"),
            Fault(529, path="/v1/organizations/cost_report", retry_after_ms="50"),
        ]
    )
    with caplog.at_level(logging.WARNING):
        result = materialize_days(yesterday - timedelta(days=2), yesterday, selection=ANTHROPIC_RAW)
    assert result.success
    assert sorted(r.status for r in fake_api.requests if r.status != 200) == [429, 529]
    assert (
        query(RAW_COUNTS)[0][2]
        == ground_truth(yesterday - timedelta(days=2), yesterday + timedelta(days=1)).total_cost_usd * 100
    )


def test_401_mid_run_fails_clearly_and_keeps_what_was_stored(fake_api, yesterday):
    first = yesterday - timedelta(days=5)
    materialize_days(first, yesterday, selection=ANTHROPIC_RAW)
    before = query(RAW_COUNTS)[0]
    fake_api.faults.queue.append(Fault(401, path="/v1/organizations/cost_report"))
    result = materialize_days(first, yesterday, raise_on_error=False, selection=ANTHROPIC_RAW)
    assert not result.success
    (error,) = step_errors(result)
    assert "refused the key (401 authentication_error" in error
    assert "invalid, revoked, or not an Admin key" in error
    assert query(RAW_COUNTS)[0] == before
    assert [r.status for r in fake_api.requests].count(401) == 1  # never retried


def test_a_run_that_dies_mid_window_leaves_the_stored_window_whole(fake_api, yesterday):
    first = yesterday - timedelta(days=40)
    materialize_days(first, yesterday, selection=ANTHROPIC_RAW)
    before = query(RAW_COUNTS)[0]
    fake_api.requests.clear()
    # The second page of each report fails for good: the window is half fetched when the run dies.
    fake_api.faults.queue.extend(
        [
            Fault(500, path="/v1/organizations/usage_report", should_retry="false", after=1),
            Fault(500, path="/v1/organizations/cost_report", should_retry="false", after=1),
        ]
    )
    result = materialize_days(first, yesterday, raise_on_error=False, selection=ANTHROPIC_RAW)
    assert not result.success
    assert len(step_errors(result)) == 2
    assert [r.status for r in fake_api.requests if r.path.endswith(("messages", "cost_report"))] == [200, 500] * 2
    assert query(RAW_COUNTS)[0] == before


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (None, "No Anthropic Admin API key: set ANTHROPIC_ADMIN_API_KEY"),
        ("sk-ant-api03-fake-standard-key", "holds a standard API key (sk-ant-api...)"),
    ],
)
def test_missing_or_standard_key_fails_the_run_before_any_request(fake_api, yesterday, key, message, monkeypatch):
    if key is None:
        monkeypatch.delenv(ADMIN_API_KEY.name)
    else:
        monkeypatch.setenv(ADMIN_API_KEY.name, key)
    result = materialize_days(yesterday, yesterday, raise_on_error=False, selection=ANTHROPIC_RAW)
    assert not result.success
    errors = step_errors(result)
    assert len(errors) == 3 and all(message in error for error in errors)
    assert fake_api.requests == []


def test_the_key_is_never_stored_or_logged(fake_api, yesterday, tmp_path, capfd, caplog, monkeypatch):
    """The run reads the key from a secret file (every other test uses the environment variable)."""
    secret = tmp_path.parent / f"{tmp_path.name}-secret"
    secret.write_text(FAKE_ADMIN_KEY)
    secret.chmod(0o600)
    monkeypatch.delenv(ADMIN_API_KEY.name)
    monkeypatch.setenv(ADMIN_API_KEY_FILE.name, str(secret))
    dagster_home = tmp_path / "dagster_home"
    dagster_home.mkdir()
    with caplog.at_level(logging.DEBUG), dg.DagsterInstance.local_temp(str(dagster_home)) as instance:
        fake_api.faults.queue.append(Fault(429, retry_after_ms="10"))
        # The whole pipeline (dbt, publishing) runs, so every file it writes is checked.
        result = materialize_days(yesterday - timedelta(days=1), yesterday, instance=instance)
        assert result.success
        run = instance.get_run_by_id(result.run_id)
        assert FAKE_ADMIN_KEY not in repr(run.run_config)
        assert FAKE_ADMIN_KEY not in repr(instance.all_logs(result.run_id))
    captured = capfd.readouterr()
    assert FAKE_ADMIN_KEY not in captured.out + captured.err + caplog.text
    stored = [p for p in Path(tmp_path).rglob("*") if p.is_file()]
    assert any(p.suffix == ".duckdb" for p in stored) and any("dagster_home" in str(p) for p in stored)
    for path in stored:
        assert FAKE_ADMIN_KEY.encode() not in path.read_bytes(), path
    assert {r.method for r in fake_api.requests} == {"GET"}


def test_cost_window_ending_today_is_cut_at_midnight(fake_api, yesterday):
    today = yesterday + timedelta(days=1)
    result = materialize_days(yesterday, yesterday, selection=ANTHROPIC_RAW)
    assert result.success
    (last_day,) = query("select max(cast(bucket_start as date)) from raw_anthropic.cost_report")[0]
    assert last_day == yesterday
    assert all(
        r.query.get("ending_at", [""])[0] <= f"{today}T00:00:00Z"
        for r in fake_api.requests
        if r.path.endswith("cost_report")
    )
    assert Decimal(0) < query(RAW_COUNTS)[0][2]
