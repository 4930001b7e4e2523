"""Statements run on a local Spark in a process of their own, with the metastore the dbt profile's `spark`
target uses (an embedded Derby metastore admits one process at a time): `run_statements`. The process is
`python -m pump_costs.local_spark DATA_DIR`, which reads a JSON list of statements on stdin and prints each
one's rows, as text, as a JSON list. Used by `make test-spark` and benchmarks/spark_vs_duckdb.py."""

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path


def text(value: object) -> str | None:
    """A value as text, the same from either engine: a decimal's value whatever the scale its type gives it."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def run_statements(statements: list[str], data_dir: Path) -> list[list[list[str | None]]]:
    """Each statement's rows, every value as text (`text`), from a Spark over `data_dir`'s metastore."""
    result = subprocess.run(
        [sys.executable, "-m", __name__, str(data_dir)],
        input=json.dumps(statements),
        capture_output=True,
        text=True,
        timeout=900,
        check=True,
    )
    return json.loads(result.stdout)


def main(data_dir: str) -> None:
    from pyspark.sql import SparkSession  # only in the spark extra

    spark = (
        SparkSession.builder.master("local[2]")
        .enableHiveSupport()
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.warehouse.dir", f"{data_dir}/spark/warehouse")
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={data_dir}/spark/metastore")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    results = [[[text(v) for v in row] for row in spark.sql(sql).collect()] for sql in json.load(sys.stdin)]
    spark.stop()
    print(json.dumps(results))


if __name__ == "__main__":
    main(sys.argv[1])
