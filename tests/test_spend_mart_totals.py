"""Totals of the unified FOCUS mart against their sources, on one shared build: five Anthropic days from the
fake Admin API and every sample export, through real dbt runs on real DuckDB files."""

import os
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from pump_costs.defs.publish.assets import PUBLISHED_DATABASE
from pump_costs.fake_anthropic import FAKE_ADMIN_KEY, ground_truth
from pump_costs.runs import materialize_days
from pump_costs.sample_exports.generate import (
    REAL_SAMPLES,
    WrittenTotals,
    write_demo_exports,
)
from pump_costs.settings import ADMIN_API_KEY, BASE_URL, PROJECT_ROOT, data_dir
from pump_costs.warehouse import published_dir, warehouse_path
from tests.conftest import decimal_sums, query, run_dbt, totals

PERIODS = ["2026-09", "2026-10"]
FOCUS_VALIDATE = PROJECT_ROOT.parent / "shared" / "tools" / "focus-validate"


@pytest.fixture(scope="module")
def built_mart(tmp_path_factory, fake_api) -> tuple[Path, dict[str, WrittenTotals], date, date]:
    """One full pipeline run: five Anthropic days from the fake API plus every sample export."""
    folder = tmp_path_factory.mktemp("mart")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PUMP_COSTS_DATA_DIR", str(folder))
        patch.setenv(BASE_URL.name, fake_api.base_url)
        patch.setenv(ADMIN_API_KEY.name, FAKE_ADMIN_KEY)
        written = write_demo_exports(data_dir() / "exports", PERIODS)
        reexport_gcp_in_shards(data_dir() / "exports" / "gcp")
        last = datetime.now(UTC).date() - timedelta(days=1)
        first = last - timedelta(days=4)
        assert materialize_days(first, last).success
        yield folder, written, first, last


def reexport_gcp_in_shards(gcp: Path) -> None:
    """The user exports the whole BigQuery table again (its JSON-lines extracts here), and EXPORT DATA shards
    it into two files of one extract: every row is in the folder twice, and must count once."""
    lines = [line for extract in sorted(gcp.glob("*.jsonl")) for line in extract.read_text().splitlines()]
    (gcp / "re-export").mkdir()
    half = len(lines) // 2
    for shard, part in enumerate((lines[:half], lines[half:])):
        (gcp / "re-export" / f"billing-{shard:012d}.json").write_text("".join(line + "\n" for line in part))


@pytest.fixture
def mart(built_mart, monkeypatch):
    monkeypatch.setenv("PUMP_COSTS_DATA_DIR", str(built_mart[0]))
    return built_mart


def test_anthropic_rows_equal_the_raw_reports_to_the_last_digit(mart):
    (raw_usd,) = query("select sum(amount_usd) from raw_anthropic.cost_report")[0]
    (mart_usd,) = query("select sum(BilledCost) from marts.fct_spend where ProviderName = 'Anthropic'")[0]
    assert mart_usd == raw_usd and raw_usd > 0
    by_token_type = totals("""select x_TokenType, sum(ConsumedQuantity) from marts.fct_spend
                              where x_CostType = 'tokens' group by all""")
    raw = query("""select sum(uncached_input_tokens), sum(output_tokens), sum(cache_read_input_tokens),
                          sum(cache_creation_5m_input_tokens), sum(cache_creation_1h_input_tokens),
                          sum(web_search_requests) from raw_anthropic.usage_report""")[0]
    assert [
        by_token_type[(t,)]
        for t in (
            "uncached_input_tokens",
            "output_tokens",
            "cache_read_input_tokens",
            "cache_creation.ephemeral_5m_input_tokens",
            "cache_creation.ephemeral_1h_input_tokens",
        )
    ] == list(raw[:5])
    assert query("select sum(ConsumedQuantity) from marts.fct_spend where x_CostType = 'web_search'")[0][0] == raw[5]
    # Priority Tier has usage but no cost line: zero-cost rows, flagged.
    priority = query("""select sum(ConsumedQuantity) filter (where x_TokenType = 'uncached_input_tokens'),
                               sum(BilledCost), bool_and(not x_CostReported)
                        from marts.fct_spend where x_ServiceTier = 'priority'""")[0]
    _, _, first, last = mart
    truth = ground_truth(first, last + timedelta(days=1))
    assert priority == (truth.priority_input_tokens, 0, True)
    names = {
        r[0] for r in query("select distinct SubAccountName from marts.fct_spend where ProviderName = 'Anthropic'")
    }
    assert {"Default", "Production", "Research", "Claude Code"} <= names
    # Each day's rows carry when the day was pulled: the latest of its analytics pulls (the fake API serves them).
    landed = query("""select distinct cast(ChargePeriodStart as date), x_LandedAt from marts.fct_spend
                      where ProviderName = 'Anthropic' order by all""")
    pulled = query("""select cast(bucket_start as date), max(loaded_at) from (
                          select bucket_start, loaded_at from raw_anthropic.analytics_cost_days
                          union all select bucket_start, loaded_at from raw_anthropic.analytics_cost
                          union all select bucket_start, loaded_at from raw_anthropic.analytics_usage
                      ) group by 1 order by 1""")
    assert landed == pulled and len(pulled) == 5


def test_real_legacy_cur_sample_totals(mart):
    sample = REAL_SAMPLES / "aws" / "legacy_cur_sample_anonymous_focus_converters.csv"
    expected = decimal_sums(sample, "lineItem/UnblendedCost", "lineItem/LineItemType")
    stored = totals("""select ChargeCategory, sum(BilledCost) from marts.fct_spend
                       where x_Source = 'aws_cur_legacy' group by all""")
    assert stored == {("Usage",): expected[("Usage",)], ("Tax",): expected[("Tax",)]}
    assert query("select distinct BillingPeriodStart from marts.fct_spend where x_Source = 'aws_cur_legacy'") == [
        (datetime(2023, 11, 1),)
    ]


def test_real_focus_sample_totals_by_provider_and_period(mart):
    sample = REAL_SAMPLES / "focus" / "focus_1.0_sample_1000rows.csv"
    expected = decimal_sums(sample, "BilledCost", "ProviderName", "BillingPeriodStart")
    stored = totals("""select ProviderName, strftime(BillingPeriodStart, '%Y-%m-%d %H:%M:%S'), sum(BilledCost)
                       from marts.fct_spend where x_Source = 'focus_cost_and_usage' group by all""")
    assert stored == expected
    assert query("select count(*) from marts.fct_spend where x_Source = 'focus_cost_and_usage'")[0][0] == 1000


def test_real_azure_ea_samples_count_actual_cost_only(mart):
    folder = REAL_SAMPLES / "azure"
    actual = decimal_sums(folder / "EA_ActualCost_Small_finops_toolkit.csv", "Cost", "BillingCurrency")
    old_api = decimal_sums(
        folder / "ea_export_sample_anonymous_focus_converters.csv", "CostInBillingCurrency", "BillingCurrencyCode"
    )
    stored = totals("""select BillingCurrency, sum(BilledCost) from marts.fct_spend
                       where x_SourceFile like '%/azure/samples/%' group by all""")
    assert stored == {("USD",): actual[("USD",)], ("CAD",): old_api[("CAD",)]}
    # The reservation purchase is billed, but its effective cost is spread over the usage it covers.
    purchase = query("""select BilledCost, EffectiveCost from marts.fct_spend
                        where x_SourceFile like '%EA_ActualCost%' and ChargeCategory = 'Purchase'""")
    assert purchase == [(Decimal("3.25"), Decimal(0))]
    (amortized_rows,) = query("select count(*) from staging.stg_azure__cost_details where dataset = 'AmortizedCost'")[0]
    assert amortized_rows == 28


def test_generated_exports_totals_per_provider_and_period(mart):
    _, written, _, _ = mart
    for source, provider in (("aws_cur2", "aws"), ("gcp_billing", "gcp"), ("azure_cost_details", "azure")):
        stored = totals(f"""select strftime(BillingPeriodStart, '%Y-%m'), sum(BilledCost) from marts.fct_spend
                            where x_Source = '{source}' and x_SourceFile not like '%/samples/%' group by all""")
        assert stored == {(p,): written[provider].cost_by_period[p] for p in PERIODS}, source


def test_a_gcp_table_exported_again_in_shards_counts_each_row_once(mart):
    landed = query("""select count(*) filter (where _source_file like '%/re-export/%'),
                             count(*) filter (where _source_file like '%.jsonl') from raw_exports.gcp_billing""")
    (copies, originals), *_ = landed
    assert copies == originals > 0
    # Every row twice in raw, once in the mart (the period totals are in the test above).
    assert query("""select count(*) from marts.fct_spend
                    where x_Source = 'gcp_billing' and x_SourceFile like '%/re-export/%'""") == [(0,)]
    (mart_rows,) = query("select count(*) from marts.fct_spend where x_Source = 'gcp_billing'")[0]
    (raw_rows,) = query("select count(*) from raw_exports.gcp_billing")[0]
    assert mart_rows == raw_rows - copies


def test_gcp_credits_are_netted_into_effective_cost(mart):
    _, written, _, _ = mart
    billed, effective = query("""select sum(BilledCost), sum(EffectiveCost) from marts.fct_spend
                                 where x_Source = 'gcp_billing'""")[0]
    assert written["gcp"].credits < 0
    assert effective == billed + written["gcp"].credits


def test_azure_counts_only_the_latest_run_per_scope_and_month(mart):
    (files,) = query("""select count(distinct _source_file) from raw_exports.azure_cost_details
                        where _source_file like '%/mca/%'""")[0]
    assert files == len(PERIODS)  # one of the two runs per month
    assert all(
        "202601020600" in r[0]
        for r in query(
            "select distinct _source_file from raw_exports.azure_cost_details where _source_file like '%/mca/%'"
        )
    )


def test_claude_across_channels_without_double_counting(mart):
    _, written, _, _ = mart
    by_channel = totals("""select x_AiChannel, sum(BilledCost) from marts.fct_spend
                           where x_AiModelFamily = 'Claude' group by all""")
    (anthropic,) = query("select sum(amount_usd) from raw_anthropic.cost_report")[0]
    assert by_channel == {
        ("anthropic_api",): anthropic,
        ("aws_bedrock",): written["aws"].claude_cost,
        ("gcp_vertex",): written["gcp"].claude_cost,
        ("azure",): written["azure"].claude_cost,
    }


def test_daily_spend_mart_adds_up_to_fct_spend(mart):
    assert query("select sum(billed_cost) from marts.fct_daily_spend") == query(
        "select sum(BilledCost) from marts.fct_spend"
    )
    (unique,) = query("""select count(*) = count(distinct (charge_date, provider_name, service_name, sub_account_id,
                                model, api_key_name, billing_currency, service_category, sub_account_name,
                                ai_model_family, ai_channel)) from marts.fct_daily_spend""")[0]
    assert unique


PUBLISHED_SPEND = "parquet/fct_spend/*/*/*.parquet"


def test_published_copy_matches_the_working_marts(mart):
    published = published_dir() / PUBLISHED_DATABASE
    with duckdb.connect(str(published), read_only=True) as conn:
        for mart_name in ("fct_spend", "fct_daily_spend", "fct_anthropic_token_usage", "dim_workspaces"):
            assert conn.execute(f"select count(*) from marts.{mart_name}").fetchall() == query(
                f"select count(*) from marts.{mart_name}"
            )
        assert conn.execute("select sum(BilledCost), count(*) from marts.fct_spend").fetchall() == query(
            "select sum(BilledCost), count(*) from marts.fct_spend"
        )
    units = {
        p.relative_to(published_dir() / "parquet" / "fct_spend").parent.as_posix()
        for p in published_dir().glob(PUBLISHED_SPEND)
    }
    assert units == {
        f"source={source}/month={month}"
        for source, month in query(
            "select distinct x_Source, strftime(ChargePeriodStart, '%Y-%m') from marts.fct_spend"
        )
    }
    assert duckdb.sql(f"select sum(BilledCost) from '{published_dir() / PUBLISHED_SPEND}'").fetchall() == query(
        "select sum(BilledCost) from marts.fct_spend"
    )


@pytest.mark.skipif(
    not FOCUS_VALIDATE.exists() and not os.environ.get("CI"),
    reason="the FOCUS validator ships in ../shared/tools, beside the project",
)
def test_fct_spend_passes_the_focus_validator(mart, tmp_path):
    # The validator reads one file: the published units, put together as the README shows.
    parquet = tmp_path / "fct_spend.parquet"
    duckdb.sql(f"copy (select * from '{published_dir() / PUBLISHED_SPEND}') to '{parquet}' (format parquet)")
    result = subprocess.run([str(FOCUS_VALIDATE), str(parquet)], capture_output=True, text=True, timeout=900)
    failures = [line for line in result.stdout.splitlines() if ": FAIL" in line]
    # focus-validator 2.2.1 reports both branches of InvoiceId's nullability OR (C-004: all null, C-005:
    # none null), so one always fails; the OR itself (C-003) is what the spec asks and must pass.
    assert [line.split(":")[0].split()[-1] for line in failures] == ["InvoiceId-C-005-C"], result.stdout[-3000:]
    assert "InvoiceId-C-003-C: PASS" in result.stdout
    assert "focus-validate: 136 passed, 1 failed" in result.stdout


def test_every_dbt_unit_test_passes(mart, tmp_path):
    """dbt's unit tests (`unit_tests:` in the _<dir>__models.yml files) check the mapping logic on hand-written
    rows; pipeline runs leave them out. They read their inputs' column types, so they run on a built mart."""
    # dbt parses again only what changed since the pipeline's parse (the same project, profile and settings).
    (tmp_path / "target").mkdir()
    shutil.copy(warehouse_path().parent / "dbt_target" / "partial_parse.msgpack", tmp_path / "target")
    result = run_dbt("test", "--select", "test_type:unit", target_path=tmp_path / "target", timeout=300)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "PASS=13 WARN=0 ERROR=0 SKIP=0" in result.stdout, result.stdout[-3000:]


def test_the_daily_mart_reconciliation_names_each_day_that_differs_from_fct_spend(mart, tmp_path, monkeypatch):
    """assert_daily_spend_matches_fct_spend, on a copy of the built mart whose fct_daily_spend is off by the
    last digit on one day and lacks another day's rows, as a unit summed twice or lost would leave it."""
    copy = tmp_path / "data"
    shutil.copytree(mart[0], copy, symlinks=True)
    monkeypatch.setenv("PUMP_COSTS_DATA_DIR", str(copy))
    aws_day, gcp_day = (
        query("select min(charge_date) from marts.fct_daily_spend where provider_name = ?", [provider])[0][0]
        for provider in ("AWS", "Google Cloud")
    )
    with duckdb.connect(str(warehouse_path())) as conn:
        conn.execute(
            """update marts.fct_daily_spend set billed_cost = billed_cost + 0.000000000000000001
               where rowid = (select min(rowid) from marts.fct_daily_spend
                              where provider_name = 'AWS' and charge_date = ?)""",
            [aws_day],
        )
        conn.execute(
            "delete from marts.fct_daily_spend where provider_name = 'Google Cloud' and charge_date = ?", [gcp_day]
        )
    (tmp_path / "target").mkdir()
    result = run_dbt(
        "test", "--select", "assert_daily_spend_matches_fct_spend", "--store-failures",
        target_path=tmp_path / "target", timeout=300,
    )  # fmt: skip
    assert result.returncode == 1 and "Got 2 results" in result.stdout, result.stdout[-3000:]
    spend = """select BillingCurrency, count(*), sum(BilledCost), sum(EffectiveCost) from marts.fct_spend
               where ProviderName = ? and cast(ChargePeriodStart as date) = ? group by all"""
    [(aws_currency, aws_rows, aws_billed, aws_effective)] = query(spend, ["AWS", aws_day])
    [(gcp_currency, gcp_rows, gcp_billed, gcp_effective)] = query(spend, ["Google Cloud", gcp_day])
    failures = query("select * from dbt_test__audit.assert_daily_spend_matches_fct_spend order by provider_name")
    assert failures == [
        (aws_day, "AWS", aws_currency, aws_rows, aws_rows, aws_billed, aws_billed + Decimal("1e-18"), aws_effective,
         aws_effective),
        (gcp_day, "Google Cloud", gcp_currency, gcp_rows, None, gcp_billed, None, gcp_effective, None),
    ]  # fmt: skip
