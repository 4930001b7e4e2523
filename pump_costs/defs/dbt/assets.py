"""The dbt project as Dagster assets: models tagged `daily` are partitioned by day, everything else is not.

Only the models refreshed by day (Anthropic's facts) carry a window; seeds, staging and intermediate
views, the cloud-export facts and the dimensions are rebuilt as a whole, so they have no partitions.
Every dbt test is an asset check and runs with the models it reads, whichever run builds them.
"""

import json
import shutil
from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets
from dagster_duckdb import DuckDBResource

from pump_costs.defs.anthropic import tables as anthropic_tables
from pump_costs.defs.dbt.project import dbt_project
from pump_costs.defs.exports import landing
from pump_costs.defs.exports.formats import ALL_FORMATS
from pump_costs.defs.partitions import daily_partitions

DAILY_MODELS = "tag:daily"

# A test runs when every model it reads is built in this invocation *or upstream of one that is*.
# dbt's default (eager) would test a model another run is still building; "cautious" would drop a test
# whose models span two runs (as a UI backfill splits them), such as the money reconciliation on
# fct_spend, which reads staging views built in an earlier run.
INDIRECT_SELECTION = ["--indirect-selection", "buildable"]


class LayerGroupTranslator(DagsterDbtTranslator):
    """Group dbt nodes by layer, as the dbt folders and schemas are: seeds, staging, intermediate, marts."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "model":
            return dbt_resource_props["fqn"][1]
        if dbt_resource_props["resource_type"] == "seed":
            return "seeds"
        return super().get_group_name(dbt_resource_props)


def dbt_build(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, duckdb: DuckDBResource, vars_: dict[str, str] | None
) -> Iterator:
    """`dbt build` of the selected models and their tests; dbt's per-run target folder is removed after."""
    ensure_raw_layer(duckdb)
    args = ["build", *INDIRECT_SELECTION]
    if vars_:
        args += ["--vars", json.dumps(vars_)]
    invocation = dbt.cli(args, context=context)
    try:
        yield from invocation.stream()
    finally:
        # Dagster keeps the events; the artifacts (~5 MB a run) would otherwise pile up for ever.
        shutil.rmtree(invocation.target_path, ignore_errors=True)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    select=DAILY_MODELS,
    name="dbt_daily_models",
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    dagster_dbt_translator=LayerGroupTranslator(),
)
def dbt_daily_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, duckdb: DuckDBResource) -> Iterator:
    """Models refreshed by day, for the run's window: min_date inclusive, max_date exclusive (UTC days)."""
    start, end = context.partition_time_window
    yield from dbt_build(
        context, dbt, duckdb, {"min_date": start.date().isoformat(), "max_date": end.date().isoformat()}
    )


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
    yield from dbt_build(context, dbt, duckdb, None)


def create_missing_daily_tables(dbt: DbtCliResource, duckdb: DuckDBResource) -> None:
    """fct_spend reads the daily models' tables: before any day was built (a set-up with cloud exports
    only), create them empty, with an empty window, so a run without partitions builds too."""
    nodes = json.loads(dbt_project.manifest_path.read_text())["nodes"].values()
    daily = [(n["schema"], n["alias"]) for n in nodes if n["resource_type"] == "model" and "daily" in n["tags"]]
    with duckdb.get_connection() as conn:
        existing = set(conn.execute("select table_schema, table_name from information_schema.tables").fetchall())
    if set(daily) <= existing:
        return
    empty_window = json.dumps({"min_date": "1900-01-01", "max_date": "1900-01-01"})
    invocation = dbt.cli(
        ["run", "--select", f"+{DAILY_MODELS}", "--vars", empty_window], manifest=dbt_project.manifest_path
    )
    try:
        invocation.wait()
    finally:
        shutil.rmtree(invocation.target_path, ignore_errors=True)


def ensure_raw_layer(duckdb: DuckDBResource) -> None:
    """Every dbt source exists, empty until its first load: a setup with no Anthropic key, or no
    exports of some kind, still builds."""
    with duckdb.get_connection() as conn:
        conn.execute(anthropic_tables.DDL)
        for fmt in ALL_FORMATS:
            landing.create_if_missing(conn, fmt)
