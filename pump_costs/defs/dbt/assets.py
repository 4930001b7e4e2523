"""Every dbt model is an asset and every dbt test an asset check, built for the run's window of days."""

import json
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


class LayerGroupTranslator(DagsterDbtTranslator):
    """Group models by layer (staging, intermediate, marts), as the dbt folders are."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "model":
            return dbt_resource_props["fqn"][1]
        return super().get_group_name(dbt_resource_props)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    dagster_dbt_translator=LayerGroupTranslator(),
)
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, duckdb: DuckDBResource) -> Iterator:
    """`dbt build` with the window as vars: min_date inclusive, max_date exclusive (UTC days).

    Tests run only when all the models they read are built in this run ("cautious"), so a run that
    builds part of the project never tests a model it did not build.
    """
    ensure_raw_layer(duckdb)
    start, end = context.partition_time_window
    window = {"min_date": start.date().isoformat(), "max_date": end.date().isoformat()}
    args = ["build", "--indirect-selection", "cautious", "--vars", json.dumps(window)]
    yield from dbt.cli(args, context=context).stream()


def ensure_raw_layer(duckdb: DuckDBResource) -> None:
    """Every dbt source exists, empty until its first load: a setup with no Anthropic key, or no
    exports of some kind, still builds."""
    with duckdb.get_connection() as conn:
        conn.execute(anthropic_tables.DDL)
        for fmt in ALL_FORMATS:
            landing.create_if_missing(conn, fmt)
