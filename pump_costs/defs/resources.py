"""Resources shared by every domain: the Admin API, the DuckDB warehouse and dbt."""

import dagster as dg
from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource

from pump_costs.defs.anthropic.resource import admin_resource_from_env
from pump_costs.defs.dbt.project import dbt_project
from pump_costs.warehouse import warehouse_path


def shared_resources() -> dict[str, dg.ConfigurableResource]:
    """Built from the environment as it is now (the CLI, demo and tests call this again per run)."""
    warehouse = warehouse_path()
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    return {
        "anthropic": admin_resource_from_env(),
        "duckdb": DuckDBResource(database=str(warehouse)),
        "dbt": DbtCliResource(project_dir=dbt_project),
    }


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(resources=shared_resources())
