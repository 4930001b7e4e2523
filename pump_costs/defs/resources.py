"""Resources shared by every domain: the Admin API and the DuckDB warehouse."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pump_costs.defs.anthropic.resource import admin_resource_from_env
from pump_costs.warehouse import warehouse_path


@dg.definitions
def resources() -> dg.Definitions:
    warehouse = warehouse_path()
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    return dg.Definitions(
        resources={
            "anthropic": admin_resource_from_env(),
            "duckdb": DuckDBResource(database=str(warehouse)),
        }
    )
