"""Benchmark: the same dbt models over the same raw lake, on DuckDB and on local Apache Spark, side by side.

Writes ROWS synthetic CUR 2.0 line items (cur2_million_rows.py's period), lands them with the pipeline's
exports run (into the raw lake, as Parquet), then builds every model from that lake on each engine, from
nothing: `dbt build --full-refresh` on DuckDB, `dbt build --target spark` on a fresh local Spark (its tables
declared over the same lake), seeds and models: data tests are left out of both, the timing is the models'. Prints each
engine's time, fct_spend's rows and total on each (they must be equal to the last digit) and the ratio.
Needs the spark extra and Java 17 (`make test-spark` installs both).
Run: .venv/bin/python benchmarks/spark_vs_duckdb.py [--rows N]   (the issue's figure: --rows 10000000)
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import duckdb
from cur2_million_rows import write_period
from exports_build import exports_run

from pump_costs.defs.dbt.project import dbt_project
from pump_costs.local_spark import run_statements
from pump_costs.raw.lake import spark_catalogue
from pump_costs.warehouse import warehouse_path

TOTALS = "select count(*), sum(BilledCost) from marts.fct_spend"


# The seeds and every model; the data tests left out.
BUILD = ["build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]


def dbt_build(target_path: Path, *args: str) -> float:
    """`dbt build` of the seeds and models in its own process, as a user would; its seconds."""
    started = time.monotonic()
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), *BUILD, *args, "--target-path", str(target_path)],
        cwd=dbt_project.project_dir,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise SystemExit(f"dbt build {' '.join(args)} failed:\n{result.stdout[-3000:]}")
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    rows = parser.parse_args().rows
    with tempfile.TemporaryDirectory() as folder:
        os.environ["PUMP_COSTS_DATA_DIR"] = folder
        target_path = Path(folder) / "dbt_target_benchmark"
        write_period(Path(folder) / "exports", rows)
        landed, landing_seconds = exports_run()  # lands the period and builds the DuckDB mart once
        if not landed:
            raise SystemExit("the exports run failed")
        duckdb_seconds = dbt_build(target_path, "--full-refresh")
        with duckdb.connect(str(warehouse_path()), read_only=True) as conn:
            duckdb_totals = [str(value) for value in conn.execute(TOTALS).fetchone()]

        started = time.monotonic()
        with duckdb.connect(str(warehouse_path())) as conn:
            catalogue = spark_catalogue(conn)
        run_statements(catalogue.statements, Path(folder))
        declare_seconds = time.monotonic() - started
        spark_seconds = dbt_build(target_path, "--target", "spark")
        (spark_totals,) = run_statements([TOTALS], Path(folder))[0]

    expected = Decimal(sum(i % 1000 for i in range(rows))) / 1_000_000
    equal = [Decimal(value) for value in duckdb_totals] == [Decimal(value) for value in spark_totals]
    for label, value in (
        ("rows in the CUR 2.0 period", f"{rows:,}"),
        ("exports run (land, model, publish)", f"{landing_seconds:.1f}s on DuckDB"),
        ("every model from the lake, DuckDB", f"{duckdb_seconds:.1f}s"),
        ("declaring the raw tables in Spark", f"{declare_seconds:.1f}s (a Spark session started for it)"),
        ("every model from the lake, Spark", f"{spark_seconds:.1f}s"),
        ("Spark / DuckDB", f"{spark_seconds / duckdb_seconds:.1f}x"),
        ("fct_spend on DuckDB", f"{duckdb_totals[0]} rows, {duckdb_totals[1]}"),
        ("fct_spend on Spark", f"{spark_totals[0]} rows, {spark_totals[1]}"),
        ("equal, and the expected total", f"{equal}, {expected}"),
    ):
        print(f"{label + ':':<38}{value}")


if __name__ == "__main__":
    main()
