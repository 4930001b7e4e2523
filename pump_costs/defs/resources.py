"""Resources shared by every domain: the Admin API, the DuckDB warehouse and dbt."""

import importlib.metadata
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DbtCliInvocation, DbtCliResource
from dagster_duckdb import DuckDBResource
from packaging import version
from pydantic import Field

from pump_costs.defs.anthropic.resource import AnthropicAdminResource
from pump_costs.defs.dbt.in_process import dbt_in_this_process
from pump_costs.defs.dbt.project import dbt_project
from pump_costs.settings import DBT_TARGETS, engine
from pump_costs.warehouse import open_warehouse


class WarehouseResource(DuckDBResource):
    """dagster-duckdb's resource, opening the file as pump-costs does everywhere: closed when the step
    fails too (its own get_connection closes only after success, leaving the file locked until garbage
    collection), and a file held by another process named at once rather than after ~95 s of retries."""

    database: str = Field(default="", description="Default: warehouse/pump_costs.duckdb in PUMP_COSTS_DATA_DIR.")

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with open_warehouse(self.database or None) as conn:
            yield conn


class DbtResource(DbtCliResource):
    """dagster-dbt's resource without the fixed costs of every dbt step: dbt runs in the step's process
    (in_process.py: a new process imports dbt and reads the project again, ~3.5 s), it is told the installed
    dbt-core's version rather than asking `dbt --version` in a process of its own (2 s), and it loads no dbt
    adapter into the step's process (1.1 s): only dagster-dbt's row-count and column-metadata fetching would
    use one, and pump-costs fetches neither. These replace dagster-dbt internals; tests/test_definitions.py
    fails if an upgrade renames them."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None

    def cli(self, args: Sequence[str], **kwargs: Any) -> DbtCliInvocation:
        """dbt on the profile target of the engine PUMP_COSTS_ENGINE names when the command runs."""
        with dbt_in_this_process():
            return super().cli([*args, "--target", DBT_TARGETS[engine()]], **kwargs)


def dbt_executable() -> str:
    """The dbt installed next to this Python, even when the venv is not on PATH: dagster-dbt checks that it
    exists and names it in the command it logs (dbt itself runs in the step's process)."""
    beside_python = Path(sys.executable).with_name("dbt")
    return str(beside_python) if beside_python.exists() else "dbt"


def shared_resources() -> dict[str, dg.ConfigurableResource]:
    """Every resource resolves its settings (key, folders) when a run uses it, not here."""
    return {
        "anthropic": AnthropicAdminResource(),
        "duckdb": WarehouseResource(),
        "dbt": DbtResource(project_dir=dbt_project, dbt_executable=dbt_executable()),
    }


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(resources=shared_resources())
