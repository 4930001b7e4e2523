"""What decides which unpartitioned models a run rebuilds: each input table that changes, the context that
rebuilds them all, the models downstream of a change, and budgets that keep their rows when the file did
not change. Small DuckDB files, no dbt run."""

import json
import re
import shutil
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pump_costs.defs.dbt import build_inputs
from pump_costs.defs.dbt.assets import dbt_models, model_states, models_to_rebuild
from pump_costs.defs.dbt.project import dbt_project
from pump_costs.defs.report.budgets import Budget, budget_rows, budgets_changed
from pump_costs.defs.resources import shared_resources
from pump_costs.raw.export_formats import ALL_FORMATS
from pump_costs.raw.lake import create_raw_layer, replace_rows
from pump_costs.raw.tables import ANTHROPIC_TABLES, BUDGETS, LANDED_FILES, export_table
from pump_costs.settings import DATA_DIR
from pump_costs.warehouse import warehouse_path
from tests.conftest import MODELS_OVER_CUR2_ROWS

LOADED = datetime(2026, 11, 1, 6)
DAILY = {"marts.fct_anthropic_spend": "1 / 2026-11-01 06:00:00", "staging.stg_anthropic__costs": "view"}
DATE_FUNCTIONS = re.compile(r"\b(current_date|current_timestamp|now\(\)|today\(\)|get_current_timestamp)", re.I)


@pytest.fixture
def conn(tmp_path: Path):
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as conn:
        create_raw_layer(conn)
        conn.execute("create schema marts")
        conn.execute("create table marts.fct_anthropic_spend (BilledCost decimal(38, 18), x_LandedAt timestamp)")
        conn.execute("insert into marts.fct_anthropic_spend values (1.5, ?)", [LOADED])
        conn.execute("create table marts.fct_daily_spend (billed_cost decimal(38, 18))")
        replace_rows(conn, {BUDGETS: budget_rows([Budget(scope="total", monthly=Decimal(100))], LOADED)})
        yield conn


def inputs(conn, daily: dict[str, str | None] = DAILY, missing: tuple[str, ...] = ()) -> build_inputs.Inputs:
    return build_inputs.current_inputs("project", conn, daily, list(missing))


def test_each_input_table_that_changes_is_named_and_a_mart_the_build_writes_is_not_an_input(conn):
    before = inputs(conn)
    assert inputs(conn) == before
    raw = [BUDGETS, LANDED_FILES, *ANTHROPIC_TABLES, *(export_table(fmt) for fmt in ALL_FORMATS)]
    assert set(before.states) == {table.qualified for table in raw} | {"marts.fct_anthropic_spend", "current_date"}
    assert before.states["marts.fct_anthropic_spend"] == "1 / 2026-11-01 06:00:00"
    conn.execute("insert into marts.fct_daily_spend values (3)")
    assert inputs(conn).changed(before) == set()

    # A daily model's table rebuilt (a newer load stamp) or with rows removed, as the engine reports it.
    for state in ("1 / 2026-11-01 06:00:01", "0 / None"):
        daily = {**DAILY, "marts.fct_anthropic_spend": state}
        assert inputs(conn, daily).changed(before) == {"marts.fct_anthropic_spend"}
    # Raw rows written again, even the same rows: the lake has new files for them.
    previous = inputs(conn)
    replace_rows(conn, {BUDGETS: budget_rows([Budget(scope="total", monthly=Decimal(100))], LOADED)})
    assert inputs(conn).changed(previous) == {"raw_config.budgets"}


def test_the_engine_reports_each_daily_table_by_rows_and_latest_load_and_the_models_it_does_not_have(
    tmp_path, monkeypatch
):
    monkeypatch.setenv(DATA_DIR.name, str(tmp_path))
    warehouse_path().parent.mkdir(parents=True)
    with duckdb.connect(str(warehouse_path())) as conn:
        conn.execute("create schema marts")
        conn.execute("create table marts.fct_anthropic_spend (BilledCost decimal(38, 18), x_LandedAt timestamp)")
        conn.execute("insert into marts.fct_anthropic_spend values (1.5, ?)", [LOADED])
    dbt = shared_resources()["dbt"]
    not_built = {
        f"{schema}.{name}": None
        for schema, name in [
            ("staging", "stg_anthropic__costs"),
            ("staging", "stg_anthropic__usage"),
            ("staging", "stg_anthropic__analytics_costs"),
            ("staging", "stg_anthropic__analytics_cost_days"),
            ("staging", "stg_anthropic__analytics_usage"),
            ("staging", "stg_anthropic__claude_code"),
            ("intermediate", "int_anthropic__legacy_lines"),
            ("intermediate", "int_anthropic__analytics_lines"),
            ("intermediate", "int_anthropic__spend_focus"),
            ("marts", "fct_claude_code_usage"),
        ]
    }
    nodes = json.loads(dbt_project.manifest_path.read_text())["nodes"].values()
    unpartitioned = sorted(
        f"{node['schema']}.{node['alias']}"
        for node in nodes
        if node["resource_type"] == "model" and "daily" not in node["tags"]
    )
    assert len(unpartitioned) == 30
    before = model_states(dbt)
    assert before.daily == {"marts.fct_anthropic_spend": "1 / 2026-11-01 06:00:00", **not_built}
    assert before.missing == unpartitioned
    with duckdb.connect(str(warehouse_path())) as conn:
        conn.execute("create schema staging")
        conn.execute("create view staging.stg_anthropic__costs as select 1 as BilledCost")
        conn.execute("delete from marts.fct_anthropic_spend")
        conn.execute("create table marts.fct_daily_spend (billed_cost decimal(38, 18))")
    after = model_states(dbt)
    assert after.daily == {
        "marts.fct_anthropic_spend": "0 / None",
        **not_built,
        "staging.stg_anthropic__costs": "view",
    }
    assert after.missing == [name for name in unpartitioned if name != "marts.fct_daily_spend"]


def test_another_project_or_a_table_dropped_by_hand_change_the_context_and_another_day_the_date(conn):
    before = inputs(conn)
    assert build_inputs.current_inputs("another project", conn, DAILY, []).changed(before) is None
    conn.execute("drop table marts.fct_daily_spend")
    assert inputs(conn).changed(before) is None
    conn.execute("create table marts.fct_daily_spend (billed_cost decimal(38, 18))")
    assert inputs(conn) == before
    # A model the engine reports missing, though this file has it (on Spark the marts are the engine's alone).
    assert inputs(conn, missing=("marts.fct_daily_spend",)).changed(before) is None
    # Budgets compare spend up to the last complete day: the date is an input of its own.
    (today,) = conn.execute("select current_date").fetchone()
    for zone in ("Etc/GMT+12", "Pacific/Kiritimati"):  # UTC-12 and UTC+14: never the same date
        conn.execute(f"set TimeZone = '{zone}'")
        if conn.execute("select current_date").fetchone()[0] != today:
            break
    assert inputs(conn).changed(before) == {"current_date"}


def test_only_the_models_downstream_of_a_changed_input_are_rebuilt():
    every_model = {key.to_user_string(): "run-1" for key in dbt_models.keys}
    last = build_inputs.Build(
        build_inputs.Inputs(
            "context", {"raw_exports.aws_cur2": "1 / a", "raw_config.budgets": "1 / a", "current_date": "2026-11-27"}
        ),
        every_model,
    )

    def rebuilt(context: str, tables: dict[str, str], damaged: frozenset = frozenset()) -> set[str]:
        now = build_inputs.Inputs(context, tables)
        return {key.to_user_string() for key in models_to_rebuild(dbt_models.keys, now, last, damaged)}

    assert rebuilt("context", last.inputs.states) == set()
    assert rebuilt("context", {"raw_exports.aws_cur2": "1 / a", "raw_config.budgets": "2 / b"}) == {
        "staging/stg_config__budgets",
        "marts/fct_budget_status",
    }
    assert rebuilt("context", {"raw_exports.aws_cur2": "2 / b", "raw_config.budgets": "1 / a"}) == MODELS_OVER_CUR2_ROWS
    # A new day: only what reads the date, not every model the schedule's first run of the day reaches.
    assert rebuilt("context", {**last.inputs.states, "current_date": "2026-11-28"}) == {"marts/fct_budget_status"}
    assert rebuilt("another context", last.inputs.states) == set(every_model)
    # fct_cloud_spend with a unit file lost: it and what is built from it, though no input changed.
    assert rebuilt(
        "context", last.inputs.states, frozenset({dg.AssetKey(["marts", "fct_cloud_spend"])})
    ) == MODELS_OVER_CUR2_ROWS - {
        "staging/stg_aws__cur2_line_items",
        "intermediate/int_aws__spend_focus",
        "intermediate/int_cloud__spend_focus",
    }
    # int_cloud__daily_spend with a unit file lost: it and the marts over fct_daily_spend, not fct_cloud_spend.
    assert rebuilt(
        "context", last.inputs.states, frozenset({dg.AssetKey(["intermediate", "int_cloud__daily_spend"])})
    ) == {
        "intermediate/int_cloud__daily_spend",
        "marts/fct_daily_spend",
        "marts/fct_daily_spend_by_scope",
        "marts/fct_budget_status",
        "marts/fct_spend_anomalies",
    }
    assert len(every_model) == 32


def test_every_model_that_reads_the_date_says_so_with_its_tag():
    """A model reading current_date without the tag would keep yesterday's answer on a run that rebuilds
    only what changed."""
    nodes = json.loads(dbt_project.manifest_path.read_text())["nodes"].values()
    reading = {n["name"] for n in nodes if n["resource_type"] == "model" and DATE_FUNCTIONS.search(n["raw_code"])}
    tagged = {n["name"] for n in nodes if build_inputs.READS_TODAY_TAG in n["tags"]}
    assert reading == tagged == {"fct_budget_status"}


def test_the_dbt_project_s_files_move_its_digest_and_its_target_folder_does_not(tmp_path):
    project = tmp_path / "dbt_project"
    shutil.copytree(dbt_project.project_dir, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    before = build_inputs.project_digest(project)
    (project / "target").mkdir(exist_ok=True)
    (project / "target" / "manifest.json").write_text("{}")
    assert build_inputs.project_digest(project) == before

    model = project / "models" / "marts" / "fct_daily_spend.sql"
    model.write_text(model.read_text() + "\n")
    assert build_inputs.project_digest(project) != before


def test_the_last_build_is_recorded_and_replaced_by_the_next(conn):
    assert build_inputs.last_build(conn) is None
    check = build_inputs.CheckOutcome(["marts", "fct_spend"], "not_null_fct_spend_BilledCost", True, "ERROR", "run-1")
    first = build_inputs.Build(inputs(conn), {"marts/fct_spend": "run-1"}, [check])
    build_inputs.record_build(conn, first)
    assert build_inputs.last_build(conn) == first
    second = build_inputs.Build(build_inputs.Inputs("context", {}), {"marts/fct_spend": "run-2"}, [])
    build_inputs.record_build(conn, second)
    assert build_inputs.last_build(conn) == second


def test_unchanged_budgets_are_not_a_change_and_a_new_amount_is(conn):
    stored = [Budget(scope="total", monthly=Decimal("100"))]
    assert not budgets_changed(conn, budget_rows(stored, datetime(2026, 11, 27)))
    assert budgets_changed(conn, budget_rows([Budget(scope="total", monthly=Decimal("100.01"))], LOADED))
    assert budgets_changed(conn, budget_rows([], LOADED))
    assert conn.execute(f"select count(*) from {BUDGETS.qualified}").fetchall() == [(1,)]
