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
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets
from dagster_duckdb import DuckDBResource

from pump_costs.defs.dbt import build_inputs
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
UNCHANGED_SINCE_RUN = "unchanged_since_run"  # metadata of a model a run did not rebuild: nothing it reads changed


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
    """Seeds, staging and intermediate views, the cloud facts, fct_spend and the dimensions, whole.

    When nothing they read changed since the last whole build (no export landed, no day pulled or
    rebuilt, the same budgets, project and date), dbt does not run: each selected asset is reported
    materialized and each test with the outcome that build's test had, naming the run that built them."""
    ensure_raw_layer(duckdb)
    create_missing_daily_tables(dbt, duckdb)
    project = build_inputs.project_digest(dbt_project.project_dir)
    with duckdb.get_connection() as conn:
        inputs = build_inputs.fingerprint(project, conn, daily_relations())
        last = build_inputs.last_build(conn)
    if last and last.inputs == inputs:
        context.log.info(f"Nothing these models read changed since run {last.run_id} built them: dbt is not run.")
        yield from unchanged_results(context, last)
        return
    checks = []
    for event in dbt_build(context, dbt):
        if isinstance(event, dg.AssetCheckResult):
            checks.append(
                build_inputs.CheckOutcome(event.asset_key.path, event.check_name, event.passed, event.severity.value)
            )
        yield event
    # Only a whole build is recorded (a UI backfill may split these models across runs by layer, and a
    # run building the first layers must not make the next run skip the rest). `dbt_models` is the whole
    # definition; `context.assets_def` is the run's subset of it.
    whole = (
        context.selected_asset_keys == dbt_models.keys and context.selected_asset_check_keys == dbt_models.check_keys
    )
    if whole:
        with duckdb.get_connection() as conn:
            # Taken again: the build added its own tables and views to the warehouse's list of relations.
            built = build_inputs.fingerprint(project, conn, daily_relations())
            build_inputs.record_build(conn, build_inputs.Build(built, context.run_id, checks))


def unchanged_results(context: dg.AssetExecutionContext, last: build_inputs.Build) -> Iterator:
    """The selected assets as materialized (upstream first, as a multi-asset must report them), then
    their checks as `last` evaluated them on the same inputs."""
    metadata = {UNCHANGED_SINCE_RUN: last.run_id}
    selected = context.selected_asset_keys
    upstream = {key: context.assets_def.asset_deps[key] & selected for key in selected}
    for key in TopologicalSorter(upstream).static_order():
        yield dg.MaterializeResult(asset_key=key, metadata=metadata)
    for check in last.checks:
        key = dg.AssetCheckKey(dg.AssetKey(check.asset_key), check.check_name)
        if key in context.selected_asset_check_keys:
            yield dg.AssetCheckResult(
                asset_key=key.asset_key,
                check_name=key.name,
                passed=check.passed,
                severity=dg.AssetCheckSeverity(check.severity),
                metadata=metadata,
            )


def daily_relations() -> list[tuple[str, str]]:
    """The (schema, name) of every model refreshed by day."""
    nodes = json.loads(dbt_project.manifest_path.read_text())["nodes"].values()
    return [(n["schema"], n["alias"]) for n in nodes if n["resource_type"] == "model" and "daily" in n["tags"]]


def create_missing_daily_tables(dbt: DbtCliResource, duckdb: DuckDBResource) -> None:
    """fct_spend reads the daily models' tables: before any day was built (a set-up with cloud exports
    only), create them empty, with an empty window, so a run without partitions builds too."""
    with duckdb.get_connection() as conn:
        existing = set(conn.execute("select table_schema, table_name from information_schema.tables").fetchall())
    if set(daily_relations()) <= existing:
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
