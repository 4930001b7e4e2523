"""The pipeline on Apache Spark (PUMP_COSTS_ENGINE=spark): the demo run on each engine gives the same marts to the
last digit, in Spark's metastore and in the published files; every dbt test passes on Spark as the run's checks,
and every unit test; a daily run after an export file was removed and another delivered again keeps them equal,
and so does a run after a mart was dropped by hand from Spark's metastore.
Run by `make test-spark` (the spark extra, Java 17); `make test` leaves it out.

Spark runs in this test's process, as in a run's (dbt-spark's session method): its metastore is the first data
folder's that starts it, so one Spark demo per process."""

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from pump_costs import demo
from pump_costs.defs.dbt.assets import BUILT_BY_RUN, dbt_models, dbt_target_path, model_states
from pump_costs.defs.jobs import exports_job
from pump_costs.defs.resources import shared_resources
from pump_costs.runs import materialize_days
from pump_costs.settings import (
    ADMIN_API_KEY,
    BASE_URL,
    DAGSTER_HOME,
    DATA_DIR,
    ENGINE,
    ORGANIZATIONS_FILE,
    READ_EXPORTS_IN_PLACE,
)
from tests.engine_comparison import MART_QUERIES, Answers, answers, duckdb_answers, published_answers

pytestmark = pytest.mark.spark


def spark_session():
    """The session the run's dbt started in this process (pyspark: only in the spark extra, which `make test`
    does not install, so it is imported here, not when the suite is collected)."""
    from pyspark.sql import SparkSession

    return SparkSession.builder.getOrCreate()


def spark_answers() -> Answers:
    spark = spark_session()
    return answers(lambda sql: spark.sql(sql).collect())


def on_engine(name: str, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo's settings for `name` in `folder` (its data folder, Dagster home and fake API are the demo's)."""
    monkeypatch.setattr(demo, "DEMO_DATA_DIR", folder)
    monkeypatch.setenv(ENGINE.name, name)
    monkeypatch.setenv(DATA_DIR.name, str(folder))
    monkeypatch.setenv(DAGSTER_HOME.name, str(folder / "dagster_home"))


def test_the_pipeline_on_spark_gives_the_duckdb_marts_to_the_last_digit(tmp_path, monkeypatch, fake_api):
    # Every setting the demo sets is undone after the test.
    for setting in (BASE_URL, ADMIN_API_KEY, ORGANIZATIONS_FILE):
        monkeypatch.setenv(setting.name, os.environ.get(setting.name, ""))
    on_engine("duckdb", tmp_path / "duckdb", monkeypatch)
    assert demo.run_demo(31) == 0
    on_duckdb, published_by_duckdb = duckdb_answers(), published_answers()
    assert sum(len(rows) for rows in on_duckdb) > 300
    assert published_by_duckdb == on_duckdb

    # The same demo on Spark: landing as always, then dbt on the profile's spark target (every dbt test a check
    # of the run: the run fails if one fails) and the published version written by Spark. The typed Parquet
    # exports (the CUR 2.0 ones) are read in place there: Spark types them as DuckDB typed their copies.
    on_engine("spark", tmp_path / "spark", monkeypatch)
    monkeypatch.setenv(READ_EXPORTS_IN_PLACE.name, "true")
    assert demo.run_demo(31) == 0
    with duckdb.connect(str(tmp_path / "spark" / "warehouse" / "pump_costs.duckdb"), read_only=True) as conn:
        read_in_place = conn.execute(
            "select table_name, count(*) from raw_lake.files where in_place is not null group by all"
        )
        assert read_in_place.fetchall() == [("raw_exports.aws_cur2", 2)]
    for actual, expected, sql in zip(spark_answers(), on_duckdb, MART_QUERIES, strict=True):
        assert actual == expected, sql
    assert published_answers() == on_duckdb
    # The published fct_spend laid out as on DuckDB: a folder per source and month of charges.
    assert month_folders(tmp_path / "spark") == month_folders(tmp_path / "duckdb")
    assert len(month_folders(tmp_path / "duckdb")) >= 8
    unit_tests = shared_resources()["dbt"].cli(
        ["test", "--select", "test_type:unit"], target_path=dbt_target_path(), raise_on_error=False
    )
    unit_tests.wait()
    outcomes = [result["status"] for result in unit_tests.get_artifact("run_results.json")["results"]]
    assert outcomes == ["pass"] * 13

    # Then, on each engine, an export file removed and another delivered again, and a daily run of the last 3
    # days (the schedule's): Spark's fct_cloud_spend drops the removed file's rows and reloads the other's,
    # fct_anthropic_spend overwrites its window's days; both engines still agree. Spark's publish writes only
    # the units whose rows changed, and links the others from the version before.
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    removed_file = Path("exports", "azure", "samples", "EA_ActualCost_Small_finops_toolkit.csv")
    rows_of_removed = "select count(*) from marts.fct_spend where x_SourceFile = '{}'"
    assert spark_answers_of(rows_of_removed.format(tmp_path / "spark" / removed_file)) > 0
    monkeypatch.setenv(BASE_URL.name, fake_api.base_url)
    spark_units_before = unit_files(tmp_path / "spark")
    for name in ("duckdb", "spark"):
        on_engine(name, tmp_path / name, monkeypatch)
        (tmp_path / name / removed_file).unlink()
        os.utime(tmp_path / name / "exports" / "aws" / "samples" / "legacy_cur_sample_anonymous_focus_converters.csv")
        assert materialize_days(yesterday - timedelta(days=2), yesterday, log_level="WARNING").success
        if name == "duckdb":
            on_duckdb = duckdb_answers()
    assert spark_answers_of(rows_of_removed.format(tmp_path / "spark" / removed_file)) == 0
    spark_units_after = unit_files(tmp_path / "spark")
    # Written again: the month that lost the removed file's rows and the delivery landed again (a new
    # x_LandedAt); the Anthropic days pulled again are the same rows, so every other unit is the same files.
    assert set(spark_units_after) == set(spark_units_before)
    written = {unit for unit, files in spark_units_after.items() if files != spark_units_before[unit]}
    assert written == {"source=azure_cost_details/month=2023-09", "source=aws_cur_legacy/month=2023-11"}
    # The same window again in this process (a second update of the daily models in one Spark session): the
    # same rows, so the publish writes no unit and every file stays.
    again = materialize_days(yesterday - timedelta(days=2), yesterday, log_level="WARNING")
    (published,) = again.asset_materializations_for_node("published_marts")
    assert published.metadata["units_written"].value == 0
    assert unit_files(tmp_path / "spark") == spark_units_after
    assert spark_answers() == on_duckdb
    assert published_answers() == on_duckdb

    # A mart dropped by hand from Spark's metastore (not from the DuckDB file: Spark's marts are not in it) is
    # seen as missing, and the next run builds every model again, as on DuckDB, to the same marts; even the
    # exports sensor's run, whose inputs did not change.
    dbt = shared_resources()["dbt"]
    assert model_states(dbt).missing == []
    spark_session().sql("drop table marts.fct_daily_spend")
    assert model_states(dbt).missing == ["marts.fct_daily_spend"]
    rebuilt = materialize_days(yesterday, yesterday, selection=exports_job.selection, log_level="WARNING")
    built_again = {
        materialization.asset_key.to_user_string()
        for materialization in rebuilt.asset_materializations_for_node("dbt_models")
        if BUILT_BY_RUN not in materialization.metadata
    }
    assert built_again == {key.to_user_string() for key in dbt_models.keys}  # the cloud models' inputs included
    assert model_states(dbt).missing == []
    assert spark_answers() == on_duckdb
    assert published_answers() == on_duckdb


def spark_answers_of(sql: str) -> int:
    [(count,)] = spark_session().sql(sql).collect()
    return count


def month_folders(folder: Path) -> list[str]:
    return sorted(unit_files(folder))


def unit_files(folder: Path) -> dict[str, set[int]]:
    """The published fct_spend's units (`source=…/month=…`): the inodes of their files, the same when a unit
    was linked from the version before."""
    published = folder / "published" / "parquet" / "fct_spend"
    return {
        str(month.relative_to(published)): {file.stat().st_ino for file in month.glob("*.parquet")}
        for month in published.glob("source=*/month=*")
    }
