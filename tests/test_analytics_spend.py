"""Anthropic spend from the Usage and Cost Analytics API, the legacy reports, or both: real Dagster and
dbt runs against the fake Admin API, compared with the fake organization's ground truth to the digit."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import dagster as dg

from pump_costs.fake_anthropic import Fault, analytics, organization
from pump_costs.runs import materialize_days
from pump_costs.settings import ANTHROPIC_REPORTS
from pump_costs.warehouse import published_dir
from tests.conftest import query

ANTHROPIC = "from marts.fct_spend where x_Source = 'anthropic_admin_api'"
DEFAULT_WORKSPACE = organization.DEFAULT_WORKSPACE_ID


def by(dimension: str, measure: str = "BilledCost") -> dict:
    return dict(query(f"select {dimension}, sum({measure}) {ANTHROPIC} group by all"))


def in_usd(cents: dict) -> dict:
    return {key: amount / 100 for key, amount in cents.items()}


def legacy_lines(first: date, last: date) -> dict[tuple, Decimal]:
    """The legacy cost report's dollars per day x workspace x model (the default workspace 'default')."""
    truth = organization.ground_truth(first, last + timedelta(days=1))
    lines: dict[tuple, Decimal] = defaultdict(Decimal)
    for (day, workspace, model), cents in truth.cost_cents_by_day_workspace_model.items():
        lines[(day, "default" if workspace == DEFAULT_WORKSPACE else workspace, model)] += cents / 100
    return dict(lines)


def mart_lines(where: str = "true") -> dict[tuple, Decimal]:
    """The mart's dollars per day x workspace x model of a token line (the analytics API also gives a web
    search line its model; the legacy report does not)."""
    rows = query(
        f"""select cast(ChargePeriodStart as date), SubAccountId, case when x_CostType = 'tokens' then x_Model end,
                   sum(BilledCost)
            {ANTHROPIC} and {where}
            group by all having sum(BilledCost) <> 0"""
    )
    return {(day, workspace, model): usd for day, workspace, model, usd in rows}


def test_analytics_days_give_exact_cost_per_key_actor_and_product(fake_api, yesterday):
    """Days the analytics API serves: cost, list cost and requests per API key, per actor and per product
    equal the fake organization's truth. Here the analytics cost prices Priority Tier (one choice for what
    the reference leaves open): every other line equals the legacy cost report's, which the reconciliation
    check confirms. The Claude Code mart equals the report."""
    first = yesterday - timedelta(days=2)
    fake_api.analytics_prices_priority = True
    try:
        result = materialize_days(first, yesterday)
    finally:
        fake_api.analytics_prices_priority = False
    truth = analytics.truth(first, yesterday + timedelta(days=1), prices_priority=True)

    assert by("x_ApiKeyId") == in_usd(truth.cost_cents["api_key_id"])
    assert by("x_ActorId") == in_usd(truth.cost_cents["actor_id"])
    assert by("x_Product") == in_usd(truth.cost_cents["product"])
    assert by("x_ApiKeyId", "ListCost") == in_usd(truth.list_cents["api_key_id"])
    unit_prices = f"""select count(*), count(*) filter (where ListUnitPrice * PricingQuantity = ListCost)
                      {ANTHROPIC} and x_CostType = 'tokens' and x_CostReported"""
    priced, exact = query(unit_prices)[0]
    assert exact == priced > 0  # the list price per token, exactly
    requests = {k: v for k, v in by("x_ActorId", "x_Requests").items() if k is not None}
    assert requests == {k: v for k, v in truth.requests["actor_id"].items() if k is not None}
    assert query(f"select distinct x_CostAllocation {ANTHROPIC}") == [("reported",)]
    assert mart_lines("x_ServiceTier is distinct from 'priority'") == legacy_lines(first, yesterday)
    assert query(f"select bool_and(x_CostReported), sum(BilledCost) > 0 {ANTHROPIC} and x_ServiceTier = 'priority'")[
        0
    ] == (True, True)

    (check,) = [c for c in result.get_asset_check_evaluations() if c.check_name == "analytics_cost_matches_cost_report"]
    assert check.passed
    assert check.metadata["days_compared"].value == 3
    assert check.metadata["lines_differing"].value == 0

    actors = query("select actor_id, actor_type, actor_name, is_deleted from marts.dim_actors order by 1")
    assert ("user_01BobSynthetic00000000", "user_actor", "Deleted User", True) in actors
    assert ("svac_01ProdBackendSynth0000", "service_account_actor", None, False) in actors

    records = [
        r
        for day in organization.days(first, yesterday + timedelta(days=1))
        for r in organization.claude_code_records(day)
    ]
    expected = defaultdict(lambda: [0, 0, 0, Decimal(0)])
    for r in records:
        actor = r["actor"].get("email_address") or r["actor"]["api_key_name"]
        row = expected[(actor, "remote" if r["is_remote"] else "local")]
        row[0] += r["core_metrics"]["num_sessions"]
        row[1] += r["core_metrics"]["lines_of_code"]["added"]
        row[2] += r["model_breakdown"][0]["tokens"]["output"]
        row[3] += Decimal(r["model_breakdown"][0]["estimated_cost"]["amount"]) / 100
    stored = query(
        """select actor, environment, sum(sessions), sum(lines_added), sum(output_tokens), sum(estimated_cost_usd)
           from marts.fct_claude_code_usage group by all"""
    )
    assert {(a, e): [s, la, o, c] for a, e, s, la, o, c in stored} == dict(expected)
    assert {a for a, _ in expected} == {"alice@example.com", "dana@example.com", "claude-code-ci"}


def test_days_the_analytics_api_cannot_serve_keep_the_legacy_report(fake_api):
    """A backfill across 2026-01-01: the days before take the legacy report, each cost line split across the
    keys that used its tokens (one price per token, so each key's share is its true cost exactly, also where
    two keys share a line: Alice's and the CI's Claude Code keys); the days from it take the analytics API,
    which is never asked for a day before it. The analytics cost here leaves Priority Tier out (the fake's
    default), as the legacy report does: every total by day, workspace and model equals the legacy report's."""
    first, last = date(2025, 12, 30), date(2026, 1, 2)
    materialize_days(first, last)
    allocations = f"""
        select cast(ChargePeriodStart as date), string_agg(distinct x_CostAllocation, ',' order by x_CostAllocation)
        {ANTHROPIC} group by 1
    """
    # Code execution has no key: its line is reported whole on the legacy days too.
    by_day = dict(query(allocations))
    assert by_day == {
        date(2025, 12, 30): "reported,usage_share",
        date(2025, 12, 31): "reported,usage_share",
        date(2026, 1, 1): "reported",
        date(2026, 1, 2): "reported",
    }
    assert query(
        f"select count(*) {ANTHROPIC} and x_CostAllocation = 'reported' and x_CostType <> 'code_execution' "
        "and ChargePeriodStart < '2026-01-01'"
    ) == [(0,)]
    starts = {r.query["starting_at"][0] for r in fake_api.requests if "/analytics/" in r.path}
    assert starts == {"2026-01-01T00:00:00Z"}
    assert mart_lines() == legacy_lines(first, last)
    assert by("x_ApiKeyId") == in_usd(analytics.truth(first, last + timedelta(days=1)).cost_cents["api_key_id"])
    shared = f"""select count(distinct x_ApiKeyId) {ANTHROPIC} and x_CostType = 'tokens'
                 and x_CostAllocation = 'usage_share'
                 group by ChargePeriodStart, SubAccountId, x_Model, x_TokenType, x_ServiceTier order by 1 desc"""
    assert query(shared)[0] == (2,)
    assert query(f"select sum(BilledCost), bool_or(x_CostReported) {ANTHROPIC} and x_ServiceTier = 'priority'") == [
        (0, False)
    ]


def test_with_the_analytics_api_turned_off_it_is_never_asked(fake_api, monkeypatch, yesterday):
    """PUMP_COSTS_ANTHROPIC_REPORTS=legacy: every day takes the legacy report, as the days before 2026 do."""
    monkeypatch.setenv(ANTHROPIC_REPORTS.name, "legacy")
    assert materialize_days(yesterday, yesterday, selection=dg.AssetSelection.groups("raw_anthropic")).success
    assert not [r for r in fake_api.requests if "/analytics/" in r.path]
    assert query("select count(*) from raw_anthropic.analytics_cost") == [(0,)]
    assert query("select count(*) > 0 from raw_anthropic.cost_report") == [(True,)]


def test_a_skewed_analytics_line_fails_reconciliation_naming_it_and_nothing_is_published(fake_api, yesterday):
    fake_api.faults.skew_analytics_cost = (yesterday, Decimal("0.0000001"))
    result = materialize_days(yesterday, yesterday, raise_on_error=False)
    (check,) = [c for c in result.get_asset_check_evaluations() if c.check_name == "analytics_cost_matches_cost_report"]
    assert not check.passed
    assert check.metadata["lines_differing"].value == 1
    description = check.description
    assert description.startswith("The analytics API and the legacy cost report disagree on 1 of ")
    line = description.splitlines()[1]
    assert line.startswith(f"{yesterday} ") and ": analytics " in line and ", cost report " in line
    analytics_cents, legacy_cents = (
        Decimal(x) for x in line.replace(", cost report ", " ").split(": analytics ")[1].split()
    )
    assert analytics_cents - legacy_cents == Decimal("0.0000001")
    assert not (published_dir() / "parquet").exists()
    assert not result.success


def test_an_unknown_report_name_is_refused(monkeypatch, yesterday):
    monkeypatch.setenv(ANTHROPIC_REPORTS.name, "analytics,costs")
    result = materialize_days(yesterday, yesterday, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert (
        "PUMP_COSTS_ANTHROPIC_REPORTS names 'costs', which is not a report pump-costs pulls; use any of "
        "analytics, legacy, claude_code (`,`-separated), or unset it for all three."
    ) in failure.step_failure_data.error.to_string()


def test_an_organization_the_analytics_api_refuses_is_told_how_to_leave_it_out(fake_api, yesterday):
    """The analytics API refuses some organizations (HIPAA readiness): the run fails, naming the refusal
    and the setting that leaves the report out."""
    fake_api.faults.queue.append(Fault(400, path="/v1/organizations/analytics/cost"))
    result = materialize_days(yesterday, yesterday, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure and e.step_key == "analytics_cost")
    message = failure.step_failure_data.error.to_string()
    assert "/v1/organizations/analytics/cost failed with 400 " in message
    assert (
        "). If your organization cannot use this report, leave it out: PUMP_COSTS_ANTHROPIC_REPORTS=legacy,claude_code."
    ) in message
