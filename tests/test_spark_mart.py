"""The dbt project on Apache Spark: the demo's raw data, modelled by DuckDB and by Spark, gives the same marts
to the last digit, and every dbt test passes on Spark. Run by `make test-spark` (the spark extra, Java 17);
`make test` leaves it out. Spark reads the raw tables where the pipeline landed them, in the raw lake."""

import os
from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from pump_costs import demo
from pump_costs.defs.dbt.assets import WINDOW_END_ENV_VAR, WINDOW_START_ENV_VAR
from pump_costs.defs.jobs import exports_job
from pump_costs.local_spark import run_statements, text
from pump_costs.raw import lake
from pump_costs.runs import materialize_days
from pump_costs.settings import (
    ADMIN_API_KEY,
    BASE_URL,
    DAGSTER_HOME,
    DATA_DIR,
    ORGANIZATIONS_FILE,
    data_dir,
)
from pump_costs.warehouse import warehouse_path
from tests.conftest import run_dbt

pytestmark = pytest.mark.spark

# Totals by provider, day, workspace, model, charge category, key and token type, and every mart's rows.
MART_QUERIES = [
    """select ProviderName, ChargeCategory, count(*), sum(BilledCost), sum(EffectiveCost), sum(ListCost),
              sum(ConsumedQuantity)
       from marts.fct_spend group by ProviderName, ChargeCategory""",
    """select ProviderName, cast(ChargePeriodStart as date), count(*), sum(BilledCost), sum(EffectiveCost)
       from marts.fct_spend group by ProviderName, cast(ChargePeriodStart as date)""",
    """select ProviderName, SubAccountName, x_Model, count(*), sum(BilledCost), sum(EffectiveCost), sum(ListCost)
       from marts.fct_spend group by ProviderName, SubAccountName, x_Model""",
    """select x_Source, x_ApiKeyName, x_TokenType, sum(BilledCost), sum(ConsumedQuantity), sum(x_Requests)
       from marts.fct_spend group by x_Source, x_ApiKeyName, x_TokenType""",
    "select count(*), sum(billed_cost), sum(effective_cost), sum(charge_rows) from marts.fct_daily_spend",
    "select * from marts.fct_daily_spend_by_scope",
    "select * from marts.fct_budget_status",
    "select * from marts.fct_spend_anomalies",
    "select * from marts.fct_anthropic_token_usage",
    "select count(*), sum(billed_cost), sum(list_cost), sum(requests) from marts.fct_anthropic_daily_cost_by_key",
    "select count(*) from marts.fct_claude_code_usage",
    "select * from marts.dim_workspaces",
    "select * from marts.dim_api_keys",
    "select * from marts.dim_actors",
    "select * from marts.fct_contract_commitments",
]


def on_spark(statements: list[str]) -> list[list[list[str | None]]]:
    return run_statements(statements, data_dir())


def test_the_spark_marts_equal_the_duckdb_marts_to_the_last_digit(tmp_path, monkeypatch):
    # The demo (two organizations, every export format) in a folder of this test's; its settings undone after.
    monkeypatch.setattr(demo, "DEMO_DATA_DIR", tmp_path / "demo")
    for setting in (BASE_URL, ADMIN_API_KEY, DATA_DIR, DAGSTER_HOME, ORGANIZATIONS_FILE):
        monkeypatch.setenv(setting.name, "")
    assert demo.run_demo(31) == 0
    # Spark reads the raw lake the demo landed, as external tables.
    on_spark(lake.spark_catalogue(warehouse_path().parent / "lake"))

    build = run_dbt("build", "--target", "spark", target_path=tmp_path / "target", timeout=1200)
    assert build.returncode == 0, build.stdout[-3000:]
    # 40 models, 2 seeds, 105 data tests and 12 unit tests
    assert "PASS=159 WARN=0 ERROR=0 SKIP=0" in build.stdout, build.stdout[-3000:]

    # A daily run again over the last days, as the schedule makes it, on tables that now exist: the Anthropic
    # days are overwritten (never doubled) and a day of the window the rows no longer have is dropped (a row
    # put on today, which the demo has no data for); the cloud units, unchanged, are left as they are.
    today = datetime.now(UTC).date()
    removed = data_dir() / "exports" / "azure" / "samples" / "EA_ActualCost_Small_finops_toolkit.csv"
    rows_of_removed = f"select count(*) from marts.fct_spend where x_SourceFile = '{removed}'"
    _, [[before]] = on_spark(
        [
            f"insert into marts.fct_anthropic_spend partition (ChargePeriodStart = timestamp'{today} 00:00:00') "
            "select * except (ChargePeriodStart) from marts.fct_anthropic_spend limit 1",
            rows_of_removed,
        ]
    )
    assert int(before) > 0
    monkeypatch.setenv(WINDOW_START_ENV_VAR, (today - timedelta(days=3)).isoformat())
    monkeypatch.setenv(WINDOW_END_ENV_VAR, (today + timedelta(days=1)).isoformat())
    rerun = run_dbt(
        "run",
        "--target",
        "spark",
        "--select",
        "fct_anthropic_spend fct_cloud_spend",
        target_path=tmp_path / "target",
        timeout=600,
    )
    assert rerun.returncode == 0 and "PASS=2 WARN=0 ERROR=0 SKIP=0" in rerun.stdout, rerun.stdout[-3000:]

    # Then an export file is removed and another delivered again: the exports run lands that in the lake (on
    # DuckDB, as always), and Spark's fct_cloud_spend drops the removed file's rows and reloads the other's.
    removed.unlink()
    redelivered = data_dir() / "exports" / "aws" / "samples" / "legacy_cur_sample_anonymous_focus_converters.csv"
    os.utime(redelivered)
    assert materialize_days(
        today - timedelta(days=1), today - timedelta(days=1), selection=exports_job.selection
    ).success
    cloud = run_dbt(
        "run", "--target", "spark", "--select", "fct_cloud_spend+", target_path=tmp_path / "target", timeout=900
    )
    assert cloud.returncode == 0, cloud.stdout[-3000:]

    with duckdb.connect(str(warehouse_path()), read_only=True) as conn:
        on_duckdb = [[[text(v) for v in row] for row in conn.execute(sql).fetchall()] for sql in MART_QUERIES]
    *on_spark_rows, [[after]] = on_spark([*MART_QUERIES, rows_of_removed])
    assert int(after) == 0
    spark_rows = [sorted(rows, key=lambda row: [(v is None, v or "") for v in row]) for rows in on_spark_rows]
    duckdb_rows = [sorted(rows, key=lambda row: [(v is None, v or "") for v in row]) for rows in on_duckdb]
    assert sum(len(rows) for rows in duckdb_rows) > 300
    for sql, expected, actual in zip(MART_QUERIES, duckdb_rows, spark_rows, strict=True):
        assert actual == expected, sql
