"""The unified FOCUS mart, built by real dbt runs through Dagster on real DuckDB files."""

import csv
import gzip
import json
import os
import shutil
import subprocess
import threading
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pump_costs.defs.dbt.project import DBT_PROJECT_DIR
from pump_costs.defs.jobs import exports_job
from pump_costs.defs.publish.assets import PUBLISHED_DATABASE
from pump_costs.defs.resources import dbt_executable
from pump_costs.fake_anthropic import FAKE_ADMIN_KEY, ground_truth, organization
from pump_costs.runs import materialize_days
from pump_costs.sample_exports.generate import (
    REAL_SAMPLES,
    WrittenTotals,
    write_aws_cur2,
    write_demo_exports,
    write_gcp_billing,
)
from pump_costs.settings import ADMIN_API_KEY, BASE_URL, PROJECT_ROOT, data_dir
from pump_costs.warehouse import published_dir, warehouse_path
from tests.conftest import query

PERIODS = ["2026-09", "2026-10"]
EXPORT_KEYS = [
    dg.AssetKey(["raw_exports", t])
    for t in (
        "aws_cur2",
        "aws_cur_legacy",
        "gcp_billing",
        "azure_cost_details",
        "focus_cost_and_usage",
        "focus_contract_commitments",
    )
]
FOCUS_VALIDATE = PROJECT_ROOT.parent / "shared" / "tools" / "focus-validate"
SPEC_EXAMPLES = Path(__file__).parent / "fixtures" / "focus_spec_v1.2_examples"


def decimal_sums(path: Path, amount: str, *keys: str, where=lambda row: True) -> dict[tuple, Decimal]:
    """Exact sums of a CSV column, read with Python's csv and Decimal: an oracle independent of DuckDB."""
    totals: dict[tuple, Decimal] = defaultdict(Decimal)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            if where(row) and row[amount] not in ("", "NULL"):
                totals[tuple(row[k] for k in keys)] += Decimal(row[amount])
    return dict(totals)


@pytest.fixture(scope="module")
def built_mart(tmp_path_factory, fake_api) -> tuple[Path, dict[str, WrittenTotals], date, date]:
    """One full pipeline run: five Anthropic days from the fake API plus every sample export."""
    folder = tmp_path_factory.mktemp("mart")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PUMP_COSTS_DATA_DIR", str(folder))
        patch.setenv(BASE_URL.name, fake_api.base_url)
        patch.setenv(ADMIN_API_KEY.name, FAKE_ADMIN_KEY)
        written = write_demo_exports(data_dir() / "exports", PERIODS)
        last = datetime.now(UTC).date() - timedelta(days=1)
        first = last - timedelta(days=4)
        assert materialize_days(first, last).success
        yield folder, written, first, last


@pytest.fixture
def mart(built_mart, monkeypatch):
    monkeypatch.setenv("PUMP_COSTS_DATA_DIR", str(built_mart[0]))
    return built_mart


def totals(sql: str) -> dict[tuple, Decimal]:
    return {tuple(row[:-1]): row[-1] for row in query(sql)}


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


# -- runs of their own ---------------------------------------------------------------------------


def write_legacy_cur_delivery(period: Path, assembly: str, rows: list[dict]) -> str:
    """One legacy CUR delivery in the layout AWS keeps when it keeps every version: an assembly folder
    holding the gzipped CSV and a manifest listing it. Returns the file's S3 key."""
    (period / assembly).mkdir(parents=True)
    with gzip.open(period / assembly / "legacy-report-1.csv.gz", "wt", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    key = f"cur/legacy-report/{period.name}/{assembly}/legacy-report-1.csv.gz"
    manifest = {"assemblyId": assembly, "reportKeys": [key]}
    (period / assembly / "legacy-report-Manifest.json").write_text(json.dumps(manifest))
    return key


def test_legacy_cur_counts_only_the_delivery_its_manifest_names(fake_api, yesterday):
    sample = REAL_SAMPLES / "aws" / "legacy_cur_sample_anonymous_focus_converters.csv"
    with sample.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    usage = [row for row in rows if row["lineItem/LineItemType"] == "Usage"]
    period = data_dir() / "exports" / "aws" / "cur" / "legacy-report" / "20231101-20231201"
    # AWS delivered the whole sample, then restated the period without its tax lines.
    write_legacy_cur_delivery(period, "a1b2-first", rows)
    current = write_legacy_cur_delivery(period, "c3d4-restated", usage)
    (period / "legacy-report-Manifest.json").write_text(json.dumps({"reportKeys": [current]}))
    assert materialize_days(yesterday, yesterday).success
    expected = decimal_sums(sample, "lineItem/UnblendedCost", "lineItem/LineItemType")[("Usage",)]
    stored = query("""select count(*), sum(BilledCost), list(distinct ChargeCategory) from marts.fct_spend
                      where x_Source = 'aws_cur_legacy'""")
    assert stored == [(len(usage), expected, ["Usage"])]

    # Without the period's manifest nothing says which delivery is current: a clear error, rows kept.
    (period / "legacy-report-Manifest.json").unlink()
    result = materialize_days(yesterday, yesterday, selection=EXPORT_KEYS, raise_on_error=False)
    failures = [e.step_failure_data.error.message for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert len(failures) == 1
    assert (
        f"{period}: 2 deliveries of this billing period (a1b2-first, c3d4-restated) and no manifest saying which "
        "is current. Copy the period's *-Manifest.json too, or keep only the latest delivery's folder."
    ) in failures[0]
    assert query("select count(*) from raw_exports.aws_cur_legacy") == [(len(usage),)]


def test_overlapping_gcp_extracts_count_each_row_once(fake_api, yesterday):
    gcp = data_dir() / "exports" / "gcp"
    written = write_gcp_billing(gcp, ["2026-10"])
    rows = [json.loads(line) for file in sorted(gcp.glob("*.jsonl")) for line in file.read_text().splitlines()]
    # A later batch holds two identical charges; the user exports the whole table again, and EXPORT DATA
    # shards it so that the twins land in different files. Both twins count, the repeated rows once.
    twin = {**rows[0], "export_time": "2026-11-05T06:00:00Z"}
    (gcp / "re-export").mkdir()
    for shard, batch in enumerate(([*rows, twin], [twin])):
        lines = "".join(json.dumps(row) + "\n" for row in batch)
        (gcp / "re-export" / f"billing-{shard:012d}.json").write_text(lines)
    assert materialize_days(yesterday, yesterday).success
    assert query("select count(*) from raw_exports.gcp_billing") == [(2 * len(rows) + 2,)]
    expected = written.cost_by_period["2026-10"] + 2 * Decimal(str(twin["cost"]))
    stored = query("select count(*), sum(BilledCost) from marts.fct_spend where x_Source = 'gcp_billing'")
    assert stored == [(len(rows) + 2, expected)]


def test_focus_spec_examples_load_exactly_and_column_subsets_are_refused(fake_api, yesterday):
    """The FOCUS 1.2 specification's worked examples: M/D/YY dates, '$10,000.00 ' amounts, a BOM, the
    singular category 'Database'. Three hold only their scenario's columns and are not FOCUS datasets."""
    focus = data_dir() / "exports" / "focus"
    shutil.copytree(SPEC_EXAMPLES, focus)
    # A hand-edited copy of a valid file, with text where an amount belongs.
    edited = (focus / "simple_saas_agreements_a1.csv").read_text(encoding="utf-8").replace('"$10,000.00 "', "N/A", 1)
    (focus / "hand-edited.csv").write_text(edited, encoding="utf-8")
    result = materialize_days(yesterday, yesterday, selection=exports_job.selection, raise_on_error=False)
    failures = {e.step_key: e.step_failure_data.error.message for e in result.all_events if e.is_step_failure}
    assert set(failures) == {"focus_exports_loaded"}
    message = failures["focus_exports_loaded"]
    assert (
        f"{focus / 'commitment_discount_purchase_scenario_1.csv'}: rows the mart cannot use: BillingAccountId missing "
        "(1 of 1 rows); BillingCurrency missing (1 of 1 rows); ProviderName or ServiceProviderName or Provider "
        "missing (1 of 1 rows). Export the file again with these values, or move it out of this folder."
    ) in message
    assert (
        f"{focus / 'hand-edited.csv'}: rows the mart cannot use: BilledCost not a number (1 of 1 rows, e.g. 'N/A')."
        in message
    )
    assert "commitment_discount_usage_scenario_1.csv: rows the mart cannot use" in message
    assert "with_2_resources.csv: rows the mart cannot use" in message
    assert message.count(": rows the mart cannot use") == 4

    for refused in (*focus.glob("commitment_discount_*.csv"), focus / "hand-edited.csv"):
        refused.unlink()
    (focus / "one_hundred_percent_utilization_with_commitment_discount_flexibility_with_2_resources.csv").unlink()
    assert materialize_days(yesterday, yesterday, selection=exports_job.selection).success
    stored = totals("""select ProviderName, BillingPeriodStart, sum(BilledCost) from marts.fct_spend
                       where x_Source = 'focus_cost_and_usage' group by all""")
    assert stored == {
        ("Acme Co", datetime(2025, 4, 1)): Decimal("48"),
        ("Acme Co", datetime(2025, 5, 1)): Decimal("120"),
        ("Acme Co", datetime(2025, 6, 1)): Decimal("60"),
        ("Acme Co", datetime(2026, 3, 1)): Decimal("972"),
        ("ACMECORP", datetime(2025, 4, 1)): Decimal("210000.00"),
    }
    categories = query("""select distinct ServiceName, ServiceCategory, ServiceSubcategory from marts.fct_spend
                          where x_Source = 'focus_cost_and_usage' order by 1""")
    assert categories == [
        ("ACMECORP SERVICE", "Other", "Other (Other)"),
        ("ACMECORP Service", "Business Applications", "Other (Business Applications)"),
        ("AwesomeDB", "Databases", "Other (Databases)"),
    ]


def test_a_day_that_vanished_upstream_vanishes_from_the_mart(fake_api, yesterday):
    first = yesterday - timedelta(days=2)
    materialize_days(first, yesterday)
    days_before = {r[0] for r in query("select distinct cast(ChargePeriodStart as date) from marts.fct_spend")}
    assert days_before == {first, first + timedelta(days=1), yesterday}
    fake_api.faults.empty_days = {first + timedelta(days=1)}
    materialize_days(first + timedelta(days=1), first + timedelta(days=1))
    days_after = {r[0] for r in query("select distinct cast(ChargePeriodStart as date) from marts.fct_spend")}
    assert days_after == {first, yesterday}
    assert query("select sum(BilledCost) from marts.fct_spend") == query(
        "select sum(amount_usd) from raw_anthropic.cost_report"
    )


def test_an_exports_only_rebuild_keeps_every_anthropic_day_once(fake_api, yesterday):
    """The export sensor's job rebuilds the marts for one day; Anthropic days built earlier stay, once each."""
    materialize_days(yesterday - timedelta(days=3), yesterday)
    before = query("select count(*), sum(BilledCost) from marts.fct_spend")
    write_aws_cur2(data_dir() / "exports" / "aws", ["2026-10"])
    result = materialize_days(yesterday, yesterday, selection=exports_job.selection)
    assert result.success
    anthropic = query("select count(*), sum(BilledCost) from marts.fct_spend where ProviderName = 'Anthropic'")
    assert anthropic == before
    assert query("select sum(BilledCost) from marts.fct_spend where ProviderName = 'Anthropic'") == query(
        "select sum(amount_usd) from raw_anthropic.cost_report"
    )


def test_exports_only_setup_builds_without_any_anthropic_data(fake_api, yesterday):
    """A fresh warehouse, cloud exports only (no Admin key yet): the sensor's job builds and publishes."""
    write_aws_cur2(data_dir() / "exports" / "aws", ["2026-10"])
    result = materialize_days(yesterday, yesterday, selection=exports_job.selection)
    assert result.success
    assert query("select ProviderName, count(*) from marts.fct_spend group by all") == [("AWS", 10 * 4 + 1)]
    assert fake_api.requests == []
    assert (published_dir() / PUBLISHED_DATABASE).exists()


def test_bad_export_file_fails_its_source_only_and_keeps_its_rows(fake_api, yesterday):
    """One source's bad files fail the run and its `loaded` check, naming them; its last good rows stay in
    raw, mart and published copy, and Anthropic and the healthy sources are still modelled and published."""
    exports = data_dir() / "exports"
    write_demo_exports(exports, ["2026-10"])
    assert materialize_days(yesterday, yesterday).success
    aws_spend = "select count(*), sum(BilledCost) from marts.fct_spend where x_Source = 'aws_cur2'"
    before = query(aws_spend)
    (exports / "aws" / "cur2" / "broken.parquet").write_bytes(b"PAR1 this is not parquet")
    (exports / "aws" / "not-a-cur.csv").write_text("date,amount\n2026-10-01,5\n")
    (exports / "focus" / "extra.csv").write_text(
        "BilledCost,BillingAccountId,BillingCurrency,ChargeCategory,ChargePeriodStart,ChargePeriodEnd,ProviderName\n"
        "1.5,acct-1,USD,Usage,2026-10-01T00:00:00Z,2026-10-02T00:00:00Z,Example Cloud\n"
    )
    result = materialize_days(yesterday, yesterday, raise_on_error=False)
    assert not result.success
    failures = {e.step_key: e.step_failure_data.error.message for e in result.all_events if e.is_step_failure}
    assert set(failures) == {"aws_exports_loaded"}
    message = failures["aws_exports_loaded"]
    assert "aws exports were not landed (their last good rows are kept):" in message
    assert "broken.parquet: DuckDB cannot read this file" in message
    assert (
        "not-a-cur.csv: not in the AWS CUR 2.0 format (missing columns: line_item_line_item_type, "
        "line_item_unblended_cost, line_item_usage_start_date)" in message
    )
    checks = {
        (e.asset_check_evaluation_data.asset_key.path[-1], e.asset_check_evaluation_data.passed)
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION" and e.asset_check_evaluation_data.check_name == "loaded"
    }
    assert checks == {
        ("aws_cur2", False),
        ("aws_cur_legacy", False),
        ("gcp_billing", True),
        ("azure_cost_details", True),
        ("focus_cost_and_usage", True),
        ("focus_contract_commitments", True),
    }
    assert query(aws_spend) == before
    assert query("select count(*) from raw_exports.focus_cost_and_usage")[0][0] == 1001
    with duckdb.connect(str(published_dir() / PUBLISHED_DATABASE), read_only=True) as published:
        assert published.execute(aws_spend).fetchall() == before
        assert published.execute(
            "select count(*) from marts.fct_spend where x_SourceFile like '%extra.csv'"
        ).fetchall() == [(1,)]


def test_a_reader_on_the_published_file_never_blocks_or_sees_a_mix(fake_api, yesterday):
    materialize_days(yesterday, yesterday)
    published = published_dir() / PUBLISHED_DATABASE
    reader = duckdb.connect(str(published), read_only=True)
    old = reader.execute("select count(*), sum(BilledCost) from marts.fct_spend").fetchone()
    seen: list[tuple] = []
    stop = threading.Event()

    def keep_reading() -> None:
        while not stop.is_set():
            seen.append(reader.execute("select count(*), sum(BilledCost) from marts.fct_spend").fetchone())

    thread = threading.Thread(target=keep_reading)
    thread.start()
    try:
        result = materialize_days(yesterday - timedelta(days=3), yesterday)
    finally:
        stop.set()
        thread.join()
    assert result.success
    assert seen and set(seen) == {old}  # the open reader keeps the version it opened, whole
    reader.close()
    with duckdb.connect(str(published), read_only=True) as fresh:
        new = fresh.execute("select count(*), sum(BilledCost) from marts.fct_spend").fetchone()
    assert new[0] > old[0]
    assert new[1] == query("select sum(amount_usd) from raw_anthropic.cost_report")[0][0]


def test_cloud_rows_are_landed_and_modelled_again_only_for_files_that_changed(fake_api, yesterday):
    exports = data_dir() / "exports" / "aws"
    first = write_aws_cur2(exports, ["2026-09", "2026-10"])
    by_file = """select x_SourceFile, x_LandedAt, count(*), sum(BilledCost) from marts.fct_cloud_spend
                 group by all order by all"""

    def files_landed_and_units_published(result) -> tuple[int, int]:
        (landed,) = [
            m for m in result.asset_materializations_for_node("aws_exports") if m.asset_key.path[-1] == "aws_cur2"
        ]
        (published,) = result.asset_materializations_for_node("published_marts")
        return landed.metadata["files_landed"].value, published.metadata["units_written"].value

    def september_file() -> os.stat_result:
        return (published_dir() / "parquet/fct_spend/source=aws_cur2/month=2026-09/data_0.parquet").stat()

    run = materialize_days(yesterday, yesterday, selection=exports_job.selection)
    assert files_landed_and_units_published(run) == (4, 2)
    built, september_before = query(by_file), september_file()
    assert len(built) == 4 and sum(row[3] for row in built) == sum(first.cost_by_period.values())

    # Nothing changed: nothing is landed or published again, and no row of the mart is written again.
    run = materialize_days(yesterday, yesterday, selection=exports_job.selection)
    assert files_landed_and_units_published(run) == (0, 0)
    assert query(by_file) == built

    # AWS re-delivers October without its Bedrock rows: its files are replaced (a file of an earlier
    # delivery that the manifest no longer lists stays behind, and does not count), September's rows stay
    # exactly as they were built, and September's published file is the same file (linked into the new
    # version, not written again).
    stale = exports / "pump-demo" / "data" / "BILLING_PERIOD=2026-10" / "pump-demo-2026-10-00000.csv.gz"
    with gzip.open(stale, "wt") as handle:
        handle.write(
            "identity_line_item_id,line_item_unblended_cost,line_item_usage_start_date,"
            "line_item_line_item_type\nold,999,2026-10-01T00:00:00Z,Usage\n"
        )
    second = write_aws_cur2(exports, ["2026-10"], rows_dropped_in="2026-10")
    run = materialize_days(yesterday, yesterday, selection=exports_job.selection)
    assert files_landed_and_units_published(run) == (2, 1)
    bedrock = "select count(*) from marts.fct_spend where ServiceName = 'AmazonBedrock' and BillingPeriodStart = ?"
    assert query(bedrock, [datetime(2026, 10, 1)]) == [(0,)]
    assert query(bedrock, [datetime(2026, 9, 1)]) == [(10,)]
    assert september_file().st_ino == september_before.st_ino
    rebuilt = query(by_file)
    september = [row for row in built if "BILLING_PERIOD=2026-09" in row[0]]
    assert [row for row in rebuilt if "BILLING_PERIOD=2026-09" in row[0]] == september
    october = [row for row in rebuilt if "BILLING_PERIOD=2026-10" in row[0]]
    assert sum(row[3] for row in october) == second.cost_by_period["2026-10"] < first.cost_by_period["2026-10"]
    assert all(row[1] > built[0][1] for row in october)


def test_every_dbt_unit_test_passes(mart, tmp_path):
    """dbt's unit tests (`unit_tests:` in the _<dir>__models.yml files) check the mapping logic on hand-written
    rows; pipeline runs leave them out. They read their inputs' column types, so they run on a built mart."""
    result = subprocess.run(
        [dbt_executable(), "test", "--select", "test_type:unit", "--target-path", str(tmp_path / "target")],
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "PASS=9 WARN=0 ERROR=0 SKIP=0" in result.stdout, result.stdout[-3000:]


def test_a_focus_1_3_folder_loads_cost_and_usage_beside_contract_commitments(fake_api, yesterday):
    focus = data_dir() / "exports" / "focus"
    focus.mkdir(parents=True)
    (focus / "cost_and_usage.csv").write_text(
        "BilledCost,EffectiveCost,BillingAccountId,BillingCurrency,ChargeCategory,ChargePeriodStart,ChargePeriodEnd,"
        "ServiceProviderName,HostProviderName,ProviderName,ServiceName\n"
        "12.3456,10.5,acct-1,USD,Usage,2026-10-01T00:00:00Z,2026-10-02T00:00:00Z,Example Cloud,Example Cloud,"
        "Example Cloud,Compute\n"
    )
    (focus / "contract_commitment.csv").write_text(
        "ContractId,ContractCommitmentId,ContractCommitmentCategory,ContractCommitmentType,ContractCommitmentCost,"
        "ContractCommitmentQuantity,ContractCommitmentUnit,BillingCurrency,ContractPeriodStart,ContractPeriodEnd,"
        "ContractCommitmentPeriodStart,ContractCommitmentPeriodEnd\n"
        "contract-1,commit-1,Spend,Minimum spend,120000.005,,,USD,2026-01-01T00:00:00Z,2027-01-01T00:00:00Z,"
        "2026-01-01T00:00:00Z,2027-01-01T00:00:00Z\n"
        "contract-1,commit-2,Usage,Compute hours,,8760,Hours,USD,2026-01-01T00:00:00Z,2027-01-01T00:00:00Z,"
        "2026-01-01T00:00:00Z,2027-01-01T00:00:00Z\n"
    )
    assert materialize_days(yesterday, yesterday).success
    assert query(
        "select ServiceProviderName, BilledCost, EffectiveCost from marts.fct_spend "
        "where x_Source = 'focus_cost_and_usage'"
    ) == [("Example Cloud", Decimal("12.3456"), Decimal("10.5"))]
    assert query(
        "select ContractCommitmentId, ContractCommitmentCategory, ContractCommitmentCost, ContractCommitmentQuantity "
        "from marts.fct_contract_commitments order by 1"
    ) == [("commit-1", "Spend", Decimal("120000.005"), None), ("commit-2", "Usage", None, Decimal("8760"))]
    with duckdb.connect(str(published_dir() / PUBLISHED_DATABASE), read_only=True) as published:
        assert published.execute("select count(*) from marts.fct_contract_commitments").fetchall() == [(2,)]


def test_a_renamed_workspace_has_one_name_in_every_mart(fake_api, yesterday, monkeypatch):
    materialize_days(yesterday - timedelta(days=2), yesterday)
    production = next(w for w in organization.WORKSPACES if w.name == "Production")
    renamed = [replace(w, name="Prod (renamed)") if w == production else w for w in organization.WORKSPACES]
    monkeypatch.setattr(organization, "WORKSPACES", renamed)
    materialize_days(yesterday, yesterday)  # the older days are not pulled again
    for table, id_column, name_column in (
        ("fct_spend", "SubAccountId", "SubAccountName"),
        ("fct_daily_spend", "sub_account_id", "sub_account_name"),
        ("fct_anthropic_token_usage", "workspace_id", "workspace_name"),
        ("dim_workspaces", "workspace_id", "workspace_name"),
    ):
        names = query(f"select distinct {name_column} from marts.{table} where {id_column} = ?", [production.id])
        assert names == [("Prod (renamed)",)], table


def test_a_publish_killed_half_way_leaves_nothing_the_next_one_keeps(fake_api, yesterday):
    assert materialize_days(yesterday, yesterday).success
    published = published_dir()
    current = (published / "parquet").resolve()
    # What a publish killed at each point leaves: a version without its units file, a staged database, a
    # link not yet renamed into place.
    half_written = published / "parquet-20260101T000000000000Z"
    (half_written / "fct_spend").mkdir(parents=True)
    staged = published / f".{PUBLISHED_DATABASE}.20260101T000000000000Z.tmp"
    staged.write_bytes(b"")
    link = published / ".parquet.0123456789abcdef"
    link.symlink_to(half_written.name)
    assert materialize_days(yesterday, yesterday).success
    assert not half_written.exists() and not staged.exists() and not link.is_symlink()
    assert {p.name for p in published.glob("parquet-*")} == {current.name, (published / "parquet").resolve().name}


def test_cloud_rows_built_under_an_older_source_name_are_rebuilt(fake_api, yesterday):
    """x_Source is the raw table a row was landed in: rows an older version built under another name
    (gcp_billing_export) are replaced on the next run, with nothing lost or doubled."""
    write_demo_exports(data_dir() / "exports", ["2026-10"])
    assert materialize_days(yesterday, yesterday).success
    gcp = (
        "select x_Source, count(*), sum(BilledCost) from marts.fct_spend where ProviderName = 'Google Cloud' group by 1"
    )
    expected = query(gcp)
    assert [row[0] for row in expected] == ["gcp_billing"]
    with duckdb.connect(str(warehouse_path())) as conn:
        conn.execute("update marts.fct_cloud_spend set x_Source = 'gcp_billing_export' where x_Source = 'gcp_billing'")
    assert materialize_days(yesterday, yesterday, selection=exports_job.selection).success
    assert query(gcp) == expected


def test_a_mart_refreshed_in_place_gains_new_columns_and_stops_on_gone_ones(fake_api, yesterday):
    """An upgrade of a model refreshed in place (incremental_in_place): a column the model gained is added
    to the table (the rows already there keep theirs, empty in it); a column the model lost stops the run
    before anything changes, and dbt's message names it and the rebuild."""
    write_aws_cur2(data_dir() / "exports" / "aws", ["2026-10"])
    assert materialize_days(yesterday, yesterday, selection=exports_job.selection).success
    before = query("select count(*), sum(BilledCost) from marts.fct_cloud_spend")
    with duckdb.connect(str(warehouse_path())) as conn:  # the table of an older version, without x_AiChannel
        conn.execute("alter table marts.fct_cloud_spend drop column x_AiChannel")
    write_aws_cur2(data_dir() / "exports" / "aws", ["2026-09"])  # something to insert
    assert materialize_days(yesterday, yesterday, selection=exports_job.selection).success
    by_period = """
        select strftime(BillingPeriodStart, '%Y-%m'), count(*), count(x_AiChannel)
        from marts.fct_cloud_spend group by 1 order by 1
    """
    september, october = query(by_period)
    assert october == ("2026-10", before[0][0], 0)  # kept, not refreshed: the new column is empty there
    assert september[2] > 0  # the inserted period has it
    after = query("select count(*), sum(BilledCost) from marts.fct_cloud_spend")

    with duckdb.connect(str(warehouse_path())) as conn:  # a column a later version no longer makes
        conn.execute("alter table marts.fct_cloud_spend add column x_Retired varchar")
    write_aws_cur2(data_dir() / "exports" / "aws", ["2026-08"])
    assert not materialize_days(yesterday, yesterday, selection=exports_job.selection, raise_on_error=False).success
    results = json.loads((warehouse_path().parent / "dbt_target" / "run_results.json").read_text())["results"]
    message = next(r["message"] for r in results if r["unique_id"] == "model.pump_costs.fct_cloud_spend")
    assert (
        '"marts"."fct_cloud_spend" has columns its model no longer has (x_retired), as after an upgrade. Nothing '
        "was changed. Rebuild it with `dbt build --full-refresh --select fct_cloud_spend` (from dbt_project/)"
    ) in message
    assert query("select count(*), sum(BilledCost) from marts.fct_cloud_spend") == after
