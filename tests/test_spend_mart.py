"""The unified FOCUS mart in scenarios, each on a warehouse of its own (re-deliveries, bad files, renames,
killed publishes, readers), built by real dbt runs through Dagster on real DuckDB files. Totals against the
sources on one shared build are in test_spend_mart_totals.py."""

import csv
import gzip
import json
import os
import shutil
import threading
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from pump_costs.definitions import defs
from pump_costs.defs.dbt.assets import BUILT_BY_RUN, dbt_models, engine_rows
from pump_costs.defs.jobs import exports_job
from pump_costs.defs.publish.assets import PUBLISHED_DATABASE, published_connection
from pump_costs.defs.resources import shared_resources
from pump_costs.fake_anthropic import organization
from pump_costs.runs import materialize_days
from pump_costs.sample_exports.generate import (
    REAL_SAMPLES,
    write_aws_cur2,
    write_demo_exports,
    write_gcp_billing,
)
from pump_costs.settings import AWS_CUR_DIRS, DATA_DIR, PROJECT_ROOT, READ_EXPORTS_IN_PLACE, data_dir
from pump_costs.warehouse import CLOUD_UNITS_TABLE, cloud_units_dir, published_dir, units_dir, warehouse_path
from tests.conftest import MODELS_OVER_CUR2_ROWS, another_file_system, decimal_sums, query, totals

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
SPEC_EXAMPLES = Path(__file__).parent / "fixtures" / "focus_spec_v1.2_examples"
# A FOCUS file of one charge, with the columns a minimal export has.
ONE_FOCUS_CHARGE = (
    "BilledCost,EffectiveCost,BillingAccountId,BillingCurrency,ChargeCategory,ChargePeriodStart,ChargePeriodEnd,"
    "ServiceProviderName,HostProviderName,ProviderName,ServiceName\n"
    "12.3456,10.5,acct-1,USD,Usage,2026-10-01T00:00:00Z,2026-10-02T00:00:00Z,Example Cloud,Example Cloud,"
    "Example Cloud,Compute\n"
)


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
    assert materialize_days(yesterday, yesterday, selection=EXPORT_KEYS).success  # landing only: no dbt
    expected = decimal_sums(sample, "lineItem/UnblendedCost", "lineItem/LineItemType")[("Usage",)]
    stored = query("""select count(*), sum("lineItem/UnblendedCost"), list(distinct "lineItem/LineItemType"),
                             list(distinct _source_file)
                      from raw_exports.aws_cur_legacy""")
    assert stored == [(len(usage), expected, ["Usage"], [str(period / "c3d4-restated" / "legacy-report-1.csv.gz")])]

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


def test_overlapping_gcp_extracts_land_every_copy_for_the_mart_to_count_once(fake_api, yesterday):
    """Landing keeps each extract whole: which copies count is the mapping's rule (int_gcp__spend_focus, its
    unit test gcp_extracts_that_overlap_count_each_row_once), and it needs every copy to decide."""
    gcp = data_dir() / "exports" / "gcp"
    write_gcp_billing(gcp, ["2026-10"])
    extract = sorted(gcp.glob("*.jsonl"))
    rows = [json.loads(line) for file in extract for line in file.read_text().splitlines()]
    # A later batch holds two identical charges; the user exports the whole table again, and EXPORT DATA
    # shards it so that the twins land in different files.
    twin = {**rows[0], "export_time": "2026-11-05T06:00:00Z"}
    (gcp / "re-export").mkdir()
    for shard, batch in enumerate(([*rows, twin], [twin])):
        lines = "".join(json.dumps(row) + "\n" for row in batch)
        (gcp / "re-export" / f"billing-{shard:012d}.json").write_text(lines)
    assert materialize_days(yesterday, yesterday, selection=EXPORT_KEYS).success  # landing only: no dbt
    assert query("select count(*) from raw_exports.gcp_billing") == [(2 * len(rows) + 2,)]
    assert query("select count(distinct _source_file) from raw_exports.gcp_billing") == [(len(extract) + 2,)]


def test_focus_spec_examples_load_exactly_and_column_subsets_are_refused(fake_api, yesterday):
    """The FOCUS 1.2 specification's worked examples: M/D/YY dates, '$10,000.00 ' amounts, a BOM, the
    singular category 'Database'. Three hold only their scenario's columns and are not FOCUS datasets."""
    focus = data_dir() / "exports" / "focus"
    shutil.copytree(SPEC_EXAMPLES, focus)
    # A hand-edited copy of a valid file, with text where an amount belongs.
    edited = (focus / "simple_saas_agreements_a1.csv").read_text(encoding="utf-8").replace('"$10,000.00 "', "N/A", 1)
    (focus / "hand-edited.csv").write_text(edited, encoding="utf-8")
    result = materialize_days(yesterday, yesterday, selection=EXPORT_KEYS, raise_on_error=False)  # landing only
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


def test_daily_runs_replace_their_window_and_a_reader_never_sees_a_mix(fake_api, yesterday, monkeypatch):
    """Runs on one warehouse, as the schedule and the export sensor make them: a window re-pulled
    replaces exactly its days (one vanished upstream; a workspace renamed since), while a BI reader holds
    the published file open; then the sensor's exports-only rebuild keeps every Anthropic day, once; and
    fct_anthropic_spend dropped by hand comes back whole on either kind of run."""
    first = yesterday - timedelta(days=3)
    assert materialize_days(first, yesterday).success
    days = "select distinct cast(ChargePeriodStart as date) from marts.fct_spend order by 1"
    assert [day for (day,) in query(days)] == [first + timedelta(days=n) for n in range(4)]
    published = published_dir() / PUBLISHED_DATABASE
    reader = duckdb.connect(str(published), read_only=True)
    spend = "select count(*), sum(BilledCost) from marts.fct_spend"
    old = reader.execute(spend).fetchone()
    seen: list[tuple] = []
    stop = threading.Event()

    def keep_reading() -> None:
        # A read every 10 ms, all through the run (a tight loop would take a core from the run it watches).
        while not stop.wait(0.01):
            seen.append(reader.execute(spend).fetchone())

    # Upstream, one day of the window vanished and Production was renamed; the run re-pulls that day only.
    vanished = first + timedelta(days=1)
    fake_api.faults.empty_days = {vanished}
    production = next(w for w in organization.WORKSPACES if w.name == "Production")
    renamed = [replace(w, name="Prod (renamed)") if w == production else w for w in organization.WORKSPACES]
    monkeypatch.setattr(organization, "WORKSPACES", renamed)
    thread = threading.Thread(target=keep_reading)
    thread.start()
    try:
        result = materialize_days(vanished, vanished)
    finally:
        stop.set()
        thread.join()
    assert result.success
    assert len(seen) > 100 and set(seen) == {old}  # the open reader keeps the version it opened, whole
    reader.close()
    with duckdb.connect(str(published), read_only=True) as fresh:
        assert fresh.execute(spend).fetchall() == query(spend) != [old]
    assert [day for (day,) in query(days)] == [first, first + timedelta(days=2), yesterday]
    assert query("select sum(BilledCost) from marts.fct_spend") == query(
        "select sum(amount_usd) from raw_anthropic.cost_report"
    )
    # The days not pulled again carry the new name too, in every mart.
    for table, id_column, name_column in (
        ("fct_spend", "SubAccountId", "SubAccountName"),
        ("fct_daily_spend", "sub_account_id", "sub_account_name"),
        ("fct_anthropic_token_usage", "workspace_id", "workspace_name"),
        ("dim_workspaces", "workspace_id", "workspace_name"),
    ):
        names = query(f"select distinct {name_column} from marts.{table} where {id_column} = ?", [production.id])
        assert names == [("Prod (renamed)",)], table

    # The export sensor's job rebuilds the marts for one day: Anthropic days built earlier stay, once each.
    anthropic = "select count(*), sum(BilledCost) from marts.fct_spend where ProviderName = 'Anthropic'"
    before = query(anthropic)
    write_aws_cur2(data_dir() / "exports" / "aws", ["2026-10"])
    assert materialize_days(yesterday, yesterday, selection=exports_job.selection).success
    assert query(anthropic) == before
    assert query("select count(*) from marts.fct_spend where ProviderName = 'AWS'") == [(10 * 4 + 1,)]

    # fct_anthropic_spend dropped by hand: the next run, the schedule's of one day or the export sensor's of
    # none, builds it again from every day the raw reports hold (before, it came back with the run's window
    # only, and the cost reconciliation failed).
    anthropic_days = (
        "select distinct cast(ChargePeriodStart as date) from marts.fct_spend "
        "where ProviderName = 'Anthropic' order by 1"
    )
    for selection in (None, exports_job.selection):
        with duckdb.connect(str(warehouse_path())) as conn:
            conn.execute("drop table marts.fct_anthropic_spend")
        assert materialize_days(yesterday, yesterday, selection=selection).success
        assert query(anthropic) == before
        assert query(anthropic_days) == [(first,), (first + timedelta(days=2),), (yesterday,)]


def test_exports_only_setup_builds_without_any_anthropic_data(fake_api, yesterday, monkeypatch):
    """A fresh warehouse, cloud exports only (no Admin key yet): the sensor's job builds and publishes.
    The data folder is given relative to the project folder, as the README allows: dbt must still open the
    same warehouse, whatever folder it runs in. The published folder is on another file system (a
    volume of its own, as a BI container may mount it), where the cloud units cannot be hard-linked: they
    are copied. The FOCUS folder holds a FOCUS 1.3 export: cost and usage beside contract commitments."""
    absolute = data_dir()
    monkeypatch.setenv(DATA_DIR.name, os.path.relpath(absolute, PROJECT_ROOT))
    assert data_dir() == absolute
    write_aws_cur2(data_dir() / "exports" / "aws", ["2026-10"])
    focus = data_dir() / "exports" / "focus"
    focus.mkdir(parents=True)
    (focus / "cost_and_usage.csv").write_text(ONE_FOCUS_CHARGE)
    (focus / "contract_commitment.csv").write_text(
        "ContractId,ContractCommitmentId,ContractCommitmentCategory,ContractCommitmentType,ContractCommitmentCost,"
        "ContractCommitmentQuantity,ContractCommitmentUnit,BillingCurrency,ContractPeriodStart,ContractPeriodEnd,"
        "ContractCommitmentPeriodStart,ContractCommitmentPeriodEnd\n"
        "contract-1,commit-1,Spend,Minimum spend,120000.005,,,USD,2026-01-01T00:00:00Z,2027-01-01T00:00:00Z,"
        "2026-01-01T00:00:00Z,2027-01-01T00:00:00Z\n"
        "contract-1,commit-2,Usage,Compute hours,,8760,Hours,USD,2026-01-01T00:00:00Z,2027-01-01T00:00:00Z,"
        "2026-01-01T00:00:00Z,2027-01-01T00:00:00Z\n"
    )
    volume = another_file_system(absolute)
    try:
        assert volume.stat().st_dev != absolute.stat().st_dev
        published_dir().symlink_to(volume)
        result = materialize_days(yesterday, yesterday, selection=exports_job.selection)
        assert result.success
        assert query("select ProviderName, count(*) from marts.fct_spend group by all order by 1") == [
            ("AWS", 10 * 4 + 1),
            ("Example Cloud", 1),
        ]
        assert fake_api.requests == []
        assert query(
            "select ServiceProviderName, BilledCost, EffectiveCost from marts.fct_spend "
            "where x_Source = 'focus_cost_and_usage'"
        ) == [("Example Cloud", Decimal("12.3456"), Decimal("10.5"))]
        commitments = """select ContractCommitmentId, ContractCommitmentCategory, ContractCommitmentCost,
                                ContractCommitmentQuantity from marts.fct_contract_commitments order by 1"""
        assert query(commitments) == [
            ("commit-1", "Spend", Decimal("120000.005"), None),
            ("commit-2", "Usage", None, Decimal("8760")),
        ]
        with duckdb.connect(str(published_dir() / PUBLISHED_DATABASE), read_only=True) as published:
            assert published.execute("select count(*), sum(BilledCost) from marts.fct_spend").fetchall() == query(
                "select count(*), sum(BilledCost) from marts.fct_spend"
            )
            assert published.execute(commitments).fetchall() == query(commitments)
        copies = list((published_dir() / "parquet").resolve().glob("fct_spend/source=aws_cur2/*/*.parquet"))
        assert len(copies) == 1 and copies[0].stat().st_nlink == 1
    finally:
        shutil.rmtree(volume)


def test_the_exports_job_on_a_fresh_setup_publishes_an_empty_fct_spend_then_the_first_export(engine_name, fake_api):
    """A fresh set-up, no day pulled yet: the exports job (the sensor's run: nothing partitioned) publishes
    fct_spend with the engine's columns and no rows before any export arrives (on Spark a partitioned write of
    no rows leaves no file to read), then exactly the first FOCUS file's charge; Anthropic is not asked."""
    exports_run = defs.resolve_job_def(exports_job.name)
    assert exports_run.execute_in_process().success
    mart_columns = [name for name, *_ in engine_rows(shared_resources()["dbt"], "describe marts.fct_spend")]
    with published_connection() as conn:
        assert conn.execute("select count(*) from marts.fct_spend").fetchall() == [(0,)]
        columns = conn.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'marts' and table_name = 'fct_spend' order by ordinal_position"
        ).fetchall()
    assert [name for name, _ in columns] == mart_columns and len(mart_columns) == 77
    types = dict(columns)
    assert [types[name] for name in ("BilledCost", "ChargePeriodStart", "x_Source")] == [
        "DECIMAL(38,18)",
        "TIMESTAMP",
        "VARCHAR",
    ]

    focus = data_dir() / "exports" / "focus"
    focus.mkdir(parents=True)
    (focus / "cost_and_usage.csv").write_text(ONE_FOCUS_CHARGE)
    assert exports_run.execute_in_process().success
    with published_connection() as conn:
        assert conn.execute(
            "select ProviderName, ServiceName, BilledCost, EffectiveCost, ChargePeriodStart from marts.fct_spend"
        ).fetchall() == [("Example Cloud", "Compute", Decimal("12.3456"), Decimal("10.5"), datetime(2026, 10, 1))]
    assert fake_api.requests == []


def test_a_data_folder_moved_elsewhere_keeps_its_cloud_rows(fake_api, yesterday, tmp_path, monkeypatch):
    """fct_cloud_spend's view reads its Parquet units by absolute path: a data folder restored elsewhere
    (the exports staying where they are) is built again, every unit kept, no row lost or doubled."""
    exports = tmp_path / "cur"
    monkeypatch.setenv(AWS_CUR_DIRS.name, str(exports))
    write_aws_cur2(exports, ["2026-09", "2026-10"])
    assert materialize_days(yesterday, yesterday, selection=exports_job.selection).success
    by_period = "select strftime(BillingPeriodStart, '%Y-%m'), count(*), sum(BilledCost) from marts.fct_spend"
    built = query(by_period + " group by 1 order by 1")
    assert [row[:2] for row in built] == [("2026-09", 41), ("2026-10", 41)]

    def unit_files() -> list[Path]:
        return sorted(path.relative_to(cloud_units_dir()) for path in cloud_units_dir().rglob("*.parquet"))

    units = unit_files()
    assert len(units) == 2
    shutil.move(data_dir(), tmp_path / "restored")
    monkeypatch.setenv(DATA_DIR.name, str(tmp_path / "restored"))
    result = materialize_days(yesterday, yesterday, selection=exports_job.selection)
    (landed,) = [m for m in result.asset_materializations_for_node("aws_exports") if m.asset_key.path[-1] == "aws_cur2"]
    assert landed.metadata["files_landed"].value == 0
    assert query(by_period + " group by 1 order by 1") == built
    assert unit_files() == units  # kept where they are, not written again


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
        (file,) = (published_dir() / "parquet/fct_spend/source=aws_cur2/month=2026-09").iterdir()
        return file.stat()

    def built_by(result) -> dict[str, str]:
        """Each model the run reported: the run that built it (`result`'s own unless it was kept)."""
        return {
            m.asset_key.to_user_string(): m.metadata[BUILT_BY_RUN].value
            if BUILT_BY_RUN in m.metadata
            else result.run_id
            for m in result.asset_materializations_for_node("dbt_models")
        }

    def check_outcomes(result) -> dict:
        evaluations = [
            e.event_specific_data for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"
        ]
        return {e.asset_check_key: e.passed for e in evaluations if e.asset_check_key in dbt_models.check_keys}

    run = materialize_days(yesterday, yesterday, selection=exports_job.selection)
    assert files_landed_and_units_published(run) == (4, 2)
    built, september_before = query(by_file), september_file()
    assert len(built) == 4 and sum(row[3] for row in built) == sum(first.cost_by_period.values())
    first_build = built_by(run)
    assert len(first_build) == 32 and set(first_build.values()) == {run.run_id}
    built_checks = check_outcomes(run)
    assert len(built_checks) == 81 and all(built_checks.values())

    # Nothing changed: nothing is landed or published again, no row of the mart is written again, and
    # dbt does not run: every model is reported as the build left it, every test with its outcome there.
    # A unit a killed build wrote but never recorded, in either model's units folder, is removed and counts
    # nowhere.
    folders = [cloud_units_dir(), units_dir("intermediate.int_cloud__daily_spend")]
    units = {folder: sorted(folder.rglob("*.parquet")) for folder in folders}
    daily_sums = "select count(*), sum(charge_rows), sum(billed_cost) from marts.fct_daily_spend"
    summed = query(daily_sums)
    for folder in folders:
        leftover = folder / "killed-build" / "unit=aws_cur2-2026-10" / "data_0.parquet"
        leftover.parent.mkdir(parents=True)
        shutil.copy(units[folder][0], leftover)
    run = materialize_days(yesterday, yesterday, selection=exports_job.selection)
    assert files_landed_and_units_published(run) == (0, 0)
    assert query(by_file) == built and query(daily_sums) == summed
    assert {folder: sorted(folder.rglob("*.parquet")) for folder in folders} == units
    assert not any((folder / "killed-build").exists() for folder in folders)
    assert built_by(run) == first_build
    assert check_outcomes(run) == built_checks

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
    # What a publish killed at each point left: a version without its units file, a staged database, a link
    # not yet renamed into place. This publish removes them all and keeps the version it replaces.
    published = published_dir()
    previous = (published / "parquet").resolve()
    half_written = published / "parquet-20260101T000000000000Z"
    (half_written / "fct_spend").mkdir(parents=True)
    staged = published / f".{PUBLISHED_DATABASE}.20260101T000000000000Z.tmp"
    staged.write_bytes(b"")
    link = published / ".parquet.0123456789abcdef"
    link.symlink_to(half_written.name)
    run = materialize_days(yesterday, yesterday, selection=exports_job.selection)
    assert files_landed_and_units_published(run) == (2, 1)
    assert not half_written.exists() and not staged.exists() and not link.is_symlink()
    assert (published / "parquet").resolve() != previous and previous.is_dir()  # kept for its readers
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
    # fct_daily_spend sums int_cloud__daily_spend, whose units were refreshed by the same files: each day's
    # rows and money as in fct_spend, September's summed once though only October's files were summed again.
    spend_by_day = """select cast(ChargePeriodStart as date), count(*), sum(BilledCost) from marts.fct_spend
                      group by 1 order by 1"""
    daily_spend = """select charge_date, sum(charge_rows), sum(billed_cost) from marts.fct_daily_spend
                     group by 1 order by 1"""
    assert query(daily_spend) == query(spend_by_day) and len(query(spend_by_day)) == 20
    # Only the models downstream of the CUR 2.0 rows and the landing record are built again.
    rebuilt = {model for model, by in built_by(run).items() if by == run.run_id}
    assert rebuilt == MODELS_OVER_CUR2_ROWS | {"staging/stg_exports__landed_files"}
    assert {model: by for model, by in built_by(run).items() if model not in rebuilt} == {
        model: by for model, by in first_build.items() if model not in rebuilt
    }
    outcomes = check_outcomes(run)
    assert outcomes.keys() == built_checks.keys() and all(outcomes.values())


def test_a_file_with_rows_in_two_months_is_never_counted_twice(fake_api, yesterday):
    """A unit of fct_cloud_spend holds one source and month, so a file with rows in two months is in two
    units. When one of them is rewritten (here September's, delivered again), so is the other: all of the
    file's rows are written again, and none may stay behind in a unit that is kept."""
    exports = data_dir() / "exports" / "aws"
    first = write_aws_cur2(exports, ["2026-09", "2026-10"])
    # October's CSV also carries a charge for usage on September's last day.
    october_csv = exports / "pump-demo" / "data" / "BILLING_PERIOD=2026-10" / "pump-demo-2026-10-00002.csv.gz"
    with gzip.open(october_csv, "rt", newline="") as handle:
        rows = list(csv.DictReader(handle))
    late = rows[0] | {
        "identity_line_item_id": "li-late",
        "line_item_usage_start_date": "2026-09-30T00:00:00Z",
        "line_item_usage_end_date": "2026-10-01T00:00:00Z",
        "line_item_unblended_cost": "1.25",
    }
    with gzip.open(october_csv, "wt", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows([*rows, late])
    assert materialize_days(yesterday, yesterday, selection=exports_job.selection).success
    by_month = """select strftime(ChargePeriodStart, '%Y-%m'), count(*), sum(BilledCost) from marts.fct_spend
                  group by 1 order by 1"""
    # fct_daily_spend sums int_cloud__daily_spend's units, refreshed by the same rule: the same totals
    daily_by_month = """select strftime(charge_date, '%Y-%m'), sum(charge_rows), sum(billed_cost)
                        from marts.fct_daily_spend group by 1 order by 1"""
    late_cost = Decimal("1.25")
    delivered = [
        ("2026-09", 41 + 1, first.cost_by_period["2026-09"] + late_cost),
        ("2026-10", 41, first.cost_by_period["2026-10"]),
    ]
    assert query(by_month) == query(daily_by_month) == delivered
    units_of_october_csv = f"select count(distinct unit_path) from {CLOUD_UNITS_TABLE} where x_SourceFile = ?"
    assert query(units_of_october_csv, [str(october_csv)]) == [(2,)]

    second = write_aws_cur2(exports, ["2026-09"], rows_dropped_in="2026-09")
    assert materialize_days(yesterday, yesterday, selection=exports_job.selection).success
    expected = [
        ("2026-09", 31 + 1, second.cost_by_period["2026-09"] + late_cost),
        ("2026-10", 41, first.cost_by_period["2026-10"]),
    ]
    assert query(by_month) == query(daily_by_month) == expected

    # October's unit files are lost (deleted by hand), of both models: the next run, though no export
    # changed, writes the rows of their files again, and so September's units too, which hold the late row.
    units = {path: month for path, month in query(f"select distinct unit_path, charge_month from {CLOUD_UNITS_TABLE}")}
    (october_unit,) = [path for path, month in units.items() if month == "2026-10"]
    (cloud_units_dir() / october_unit).unlink()
    daily_units = "intermediate.int_cloud__daily_spend__units"
    (october_daily_unit,) = query(f"select distinct unit_path from {daily_units} where charge_month = '2026-10'")
    (units_dir("intermediate.int_cloud__daily_spend") / october_daily_unit[0]).unlink()
    result = materialize_days(yesterday, yesterday, selection=exports_job.selection)
    assert result.success
    assert query(by_month) == query(daily_by_month) == expected
    rewritten = {path for (path,) in query(f"select distinct unit_path from {CLOUD_UNITS_TABLE}")}
    assert len(rewritten) == 2 and rewritten.isdisjoint(units)
    assert all((cloud_units_dir() / path).is_file() for path in rewritten)


def test_cloud_rows_built_under_an_older_source_name_are_rebuilt(fake_api, yesterday):
    """x_Source is the raw table a row was landed in: rows an older version built under another name
    (gcp_billing_export) are replaced on the next run, with nothing lost or doubled; so is the table an
    older version kept them in."""
    write_demo_exports(data_dir() / "exports", ["2026-10"])
    assert materialize_days(yesterday, yesterday, selection=exports_job.selection).success
    gcp = (
        "select x_Source, count(*), sum(BilledCost) from marts.fct_spend where ProviderName = 'Google Cloud' group by 1"
    )
    expected = query(gcp)
    assert [row[0] for row in expected] == ["gcp_billing"]
    with duckdb.connect(str(warehouse_path())) as conn:
        rename = "select * replace ('gcp_billing_export' as x_Source) from unit"
        rewrite_cloud_units(conn, rename, where="x_Source = 'gcp_billing'")
        conn.execute(f"update {CLOUD_UNITS_TABLE} set x_Source = 'gcp_billing_export' where x_Source = 'gcp_billing'")
        # An older version's project files differ, so its build record does not match: as none at all.
        conn.execute("drop table pipeline_state.model_builds")
    assert materialize_days(yesterday, yesterday, selection=exports_job.selection).success
    assert query(gcp) == expected

    # A version from before the units: fct_cloud_spend a table (here with the older name too), no units.
    # The next run writes every row as units once and drops the table.
    with duckdb.connect(str(warehouse_path())) as conn:
        conn.execute(
            "create table marts.older_fct_cloud_spend as select * replace ("
            "replace(x_Source, 'gcp_billing', 'gcp_billing_export') as x_Source) from marts.fct_cloud_spend"
        )
        conn.execute("drop view marts.fct_cloud_spend")
        conn.execute(f"drop table {CLOUD_UNITS_TABLE}")
        conn.execute("alter table marts.older_fct_cloud_spend rename to fct_cloud_spend")
        conn.execute("drop table pipeline_state.model_builds")
    assert materialize_days(yesterday, yesterday, selection=exports_job.selection).success
    assert query(gcp) == expected
    assert query("select table_type from information_schema.tables where table_name = 'fct_cloud_spend'") == [("VIEW",)]


def rewrite_cloud_units(conn: duckdb.DuckDBPyConnection, select: str, where: str = "true") -> None:
    """Rewrite the fct_cloud_spend units whose listed rows match `where` through `select` (reading `unit`),
    as another version of the model would have written them."""
    for (unit_path,) in conn.execute(f"select distinct unit_path from {CLOUD_UNITS_TABLE} where {where}").fetchall():
        path = cloud_units_dir() / unit_path
        conn.execute(f"create or replace temp view unit as select * from read_parquet('{path}')")
        conn.execute(f"copy ({select}) to '{path}.rewritten' (format parquet)")
        os.replace(f"{path}.rewritten", path)


def test_a_mart_refreshed_in_place_gains_new_columns_and_stops_on_gone_ones(fake_api, yesterday):
    """An upgrade of a model refreshed by unit (parquet_units): a column the model gained is null on the
    units written before; a column the model lost stops the run before anything changes, and dbt's message
    names it and the rebuild."""
    write_aws_cur2(data_dir() / "exports" / "aws", ["2026-10"])
    assert materialize_days(yesterday, yesterday, selection=exports_job.selection).success
    before = query("select count(*), sum(BilledCost) from marts.fct_cloud_spend")
    with duckdb.connect(str(warehouse_path())) as conn:  # the units of an older version, without x_AiChannel
        rewrite_cloud_units(conn, "select * exclude (x_AiChannel) from unit")
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
        rewrite_cloud_units(conn, "select *, 'gone' as x_Retired from unit")
    write_aws_cur2(data_dir() / "exports" / "aws", ["2026-08"])
    assert not materialize_days(yesterday, yesterday, selection=exports_job.selection, raise_on_error=False).success
    results = json.loads((warehouse_path().parent / "dbt_target" / "run_results.json").read_text())["results"]
    message = next(r["message"] for r in results if r["unique_id"] == "model.pump_costs.fct_cloud_spend")
    assert (
        '"marts"."fct_cloud_spend" has columns its model no longer has (x_retired), as after an upgrade. Nothing '
        "was changed. Rebuild it with `dbt build --full-refresh --select fct_cloud_spend` (from dbt_project/): it is "
        "built again from every raw row, every day included for a model refreshed by day."
    ) in message
    assert query("select count(*), sum(BilledCost) from marts.fct_cloud_spend") == after


def test_typed_parquet_exports_are_read_in_place_with_the_same_rows_as_copies(yesterday, monkeypatch):
    """PUMP_COSTS_READ_EXPORTS_IN_PLACE=true: the CUR 2.0 Parquet files (typed, as AWS writes them) are read
    where they are, the CSV files copied as before; the mart's rows are those of copies, to the last digit,
    whichever way the setting goes. A re-delivered file is read again; a file with a row the mart cannot use is
    refused, naming it, and the rows read before stay."""
    exports = data_dir() / "exports" / "aws"
    written = write_aws_cur2(exports, ["2026-09", "2026-10"])
    parquet_files = sorted(str(path) for path in exports.rglob("*.parquet"))
    lake = warehouse_path().parent / "lake" / "raw_exports" / "aws_cur2"
    aws_rows = "select * exclude (x_LandedAt) from marts.fct_spend where x_Source = 'aws_cur2' order by all"
    aws_spend = "select count(*), sum(BilledCost) from marts.fct_spend where x_Source = 'aws_cur2'"
    in_place = "select path from raw_lake.files where in_place is not null order by path"

    assert materialize_days(yesterday, yesterday, selection=exports_job.selection).success
    copied = query(aws_rows)
    assert len(copied) == 2 * (10 * 4 + 1)
    assert query(aws_spend) == [(82, sum(written.cost_by_period.values()))]
    assert len(list(lake.rglob("*.parquet"))) == 4

    monkeypatch.setenv(READ_EXPORTS_IN_PLACE.name, "true")
    assert materialize_days(yesterday, yesterday, selection=exports_job.selection).success
    assert query(in_place) == [(path,) for path in parquet_files]
    assert len(list(lake.rglob("*.parquet"))) == 2  # the CSV files' copies only
    assert query(aws_rows) == copied

    # The September file delivered again without its Bedrock rows: read again, where it is.
    again = write_aws_cur2(exports, ["2026-09"], rows_dropped_in="2026-09")
    assert materialize_days(yesterday, yesterday, selection=exports_job.selection).success
    expected = again.cost_by_period["2026-09"] + written.cost_by_period["2026-10"]
    assert query(aws_spend) == [(82 - 10, expected)]
    assert query(in_place) == [(path,) for path in parquet_files]

    # A typed file with a row lacking its cost: refused, naming it; what was read stays.
    broken = pa.table(
        {
            "line_item_unblended_cost": pa.array([None], pa.float64()),
            "line_item_usage_start_date": pa.array([datetime(2026, 10, 5)], pa.timestamp("us", "UTC")),
            "line_item_line_item_type": ["Usage"],
        }
    )
    pq.write_table(broken, exports / "late.parquet")
    result = materialize_days(yesterday, yesterday, selection=exports_job.selection, raise_on_error=False)
    failures = {e.step_key: e.step_failure_data.error.message for e in result.all_events if e.is_step_failure}
    assert set(failures) == {"aws_exports_loaded"}
    assert (
        f"{exports / 'late.parquet'}: rows the mart cannot use: line_item_unblended_cost missing (1 of 1 rows)"
        in failures["aws_exports_loaded"]
    )
    assert query(aws_spend) == [(82 - 10, expected)]
    (exports / "late.parquet").unlink()

    # Back to copies: every file is copied again, and the rows are the same.
    with_in_place = query(aws_rows)
    monkeypatch.setenv(READ_EXPORTS_IN_PLACE.name, "false")
    assert materialize_days(yesterday, yesterday, selection=exports_job.selection).success
    assert query(in_place) == []
    assert len(list(lake.rglob("*.parquet"))) == 4
    assert query(aws_rows) == with_in_place
