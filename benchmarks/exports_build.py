"""What the export benchmarks share: a throwaway data folder, one exports-only build, the figures read back."""

import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb

from pump_costs.defs.jobs import exports_job
from pump_costs.runs import last_completed_days, materialize_days
from pump_costs.warehouse import warehouse_path


@dataclass(frozen=True)
class BuildFigures:
    succeeded: bool
    seconds: float
    mart_rows: int
    mart_total: Decimal


def build_exports(write_exports: Callable[[Path], None]) -> BuildFigures:
    """Write the exports under a fresh data folder's exports/, then land them and build and publish the mart."""
    with tempfile.TemporaryDirectory() as folder:
        os.environ["PUMP_COSTS_DATA_DIR"] = folder
        write_exports(Path(folder) / "exports")
        _, yesterday = last_completed_days(1)
        started = time.monotonic()
        result = materialize_days(yesterday, yesterday, selection=exports_job.selection, log_level="WARNING")
        seconds = time.monotonic() - started
        with duckdb.connect(str(warehouse_path()), read_only=True) as conn:
            rows, total = conn.execute("select count(*), sum(BilledCost) from marts.fct_spend").fetchone()
    return BuildFigures(result.success, seconds, rows, total)


def print_figures(figures: BuildFigures, rows_written: int, expected_rows: int, expected_total: Decimal) -> None:
    print(f"rows written to export files:  {rows_written:,}")
    print(f"rows in fct_spend:             {figures.mart_rows:,} (expected {expected_rows:,})")
    equal = figures.mart_total == expected_total
    print(f"fct_spend total:               {figures.mart_total} (expected {expected_total}, equal: {equal})")
    print(f"run succeeded:                 {figures.succeeded}")
    print(f"landing + dbt build + publish: {figures.seconds:.1f}s, {rows_written / figures.seconds:,.0f} rows/s")
