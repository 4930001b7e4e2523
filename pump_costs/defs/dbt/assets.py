"""The dbt project as Dagster assets: models tagged `daily` are partitioned by day, everything else is not.

Only the models built by day from the daily Anthropic reports (their staging and intermediate views and
fct_anthropic_spend) carry a window; seeds, the other staging and intermediate views, fct_cloud_spend,
fct_spend and the dimensions have no partitions. A daily model reads nothing unpartitioned, so a job of
every asset runs dbt twice (daily models, then the rest) and an asset backfill reaches every daily model
from the reports. Every dbt test is an asset check and runs where the models it reads are built.
"""

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets
from dagster_duckdb import DuckDBResource

from pump_costs.defs.dbt.project import dbt_project
from pump_costs.defs.partitions import daily_partitions
from pump_costs.raw.tables import create_raw_layer
from pump_costs.warehouse import warehouse_path

DAILY_MODELS = "tag:daily"
WINDOW_START_ENV_VAR, WINDOW_END_ENV_VAR = "PUMP_COSTS_WINDOW_START", "PUMP_COSTS_WINDOW_END"

# A test runs when every model it reads is built in this invocation *or upstream of one that is*.
# dbt's default (eager) would test a model another run is still building; "cautious" would drop a test
# whose models span two runs (as a UI backfill splits them), such as fct_spend's relationships test to a
# seed built in an earlier run.
INDIRECT_SELECTION = ["--indirect-selection", "buildable"]


class LayerGroupTranslator(DagsterDbtTranslator):
    """Group dbt nodes by layer, as the dbt folders and schemas are: seeds, staging, intermediate, marts."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "model":
            return dbt_resource_props["fqn"][1]
        if dbt_resource_props["resource_type"] == "seed":
            return "seeds"
        return super().get_group_name(dbt_resource_props)


@contextmanager
def run_window(start: date, end: date) -> Iterator[None]:
    """The window dbt's in_run_window macro reads, set for the dbt process this step starts."""
    window = {WINDOW_START_ENV_VAR: start.isoformat(), WINDOW_END_ENV_VAR: end.isoformat()}
    previous = {name: os.environ.get(name) for name in window}
    os.environ.update(window)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def dbt_target_path() -> Path:
    """One target folder per warehouse, reused by every run: dbt keeps its partial-parse state there
    (so a run re-parses only what changed) and overwrites its artifacts, so the folder does not grow."""
    return warehouse_path().parent / "dbt_target"


def dbt_build(context: dg.AssetExecutionContext, dbt: DbtCliResource) -> Iterator:
    """`dbt build` of the selected models and the data tests they can run. dbt's unit tests check the
    models' logic, not the data, so they run in the test suite (tests/test_dbt_unit_tests.py) only."""
    args = ["build", *INDIRECT_SELECTION, "--exclude-resource-type", "unit_test"]
    yield from dbt.cli(args, context=context, target_path=dbt_target_path()).stream()


@dbt_assets(
    manifest=dbt_project.manifest_path,
    select=DAILY_MODELS,
    name="dbt_daily_models",
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    dagster_dbt_translator=LayerGroupTranslator(),
)
def dbt_daily_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, duckdb: DuckDBResource) -> Iterator:
    """Models refreshed by day, for the run's window of UTC days (start inclusive, end exclusive)."""
    ensure_raw_layer(duckdb)
    start, end = context.partition_time_window
    with run_window(start.date(), end.date()):
        yield from dbt_build(context, dbt)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    exclude=DAILY_MODELS,
    name="dbt_models",
    dagster_dbt_translator=LayerGroupTranslator(),
)
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, duckdb: DuckDBResource) -> Iterator:
    """Seeds, staging and intermediate views, the cloud facts, fct_spend and the dimensions, whole."""
    ensure_raw_layer(duckdb)
    create_missing_daily_tables(dbt, duckdb)
    yield from dbt_build(context, dbt)


def create_missing_daily_tables(dbt: DbtCliResource, duckdb: DuckDBResource) -> None:
    """fct_spend reads the daily models' tables: before any day was built (a set-up with cloud exports
    only), create them empty, with an empty window, so a run without partitions builds too."""
    nodes = json.loads(dbt_project.manifest_path.read_text())["nodes"].values()
    daily = [(n["schema"], n["alias"]) for n in nodes if n["resource_type"] == "model" and "daily" in n["tags"]]
    with duckdb.get_connection() as conn:
        existing = set(conn.execute("select table_schema, table_name from information_schema.tables").fetchall())
    if set(daily) <= existing:
        return
    nothing = date(1900, 1, 1)
    with run_window(nothing, nothing):
        dbt.cli(
            ["run", "--select", f"+{DAILY_MODELS}"], manifest=dbt_project.manifest_path, target_path=dbt_target_path()
        ).wait()


def ensure_raw_layer(duckdb: DuckDBResource) -> None:
    """Every dbt source exists, empty until its first load: a setup with no Anthropic key, or no
    exports of some kind, still builds."""
    with duckdb.get_connection() as conn:
        create_raw_layer(conn)
