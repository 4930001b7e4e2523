"""Export files read in place, on Spark (PUMP_COSTS_READ_EXPORTS_IN_PLACE=true): Spark's view of the raw table reads
files in several folders, with a space, '+', '=' and ',' in their paths, through one glob, and gives the rows
DuckDB's view gives, value for value. Run by `make test-spark`."""

import json
import subprocess
import sys

import duckdb
import pytest

from pump_costs.defs.exports import landing
from pump_costs.local_spark import text
from pump_costs.raw.export_formats import AWS_CUR2
from pump_costs.raw.lake import LakeWrite, create_raw_layer, spark_catalogue
from pump_costs.raw.tables import export_table
from pump_costs.settings import READ_EXPORTS_IN_PLACE

pytestmark = pytest.mark.spark


def test_spark_reads_files_in_place_in_any_folder_as_duckdb_does(tmp_path, monkeypatch):
    monkeypatch.setenv(READ_EXPORTS_IN_PLACE.name, "true")
    paths = [
        tmp_path / "exports" / "BILLING_PERIOD=2026-09" / "a b+c.parquet",
        tmp_path / "exports" / "BILLING_PERIOD=2026-10" / "x,1.parquet",
        tmp_path / "elsewhere" / "z.parquet",
    ]
    for number, path in enumerate(paths):
        path.parent.mkdir(parents=True)
        duckdb.sql(f"""copy (select
            ((r + {number}) / 1000.0 + 1e-9)::double as line_item_unblended_cost,
            0.012345678901234567::double as line_item_unblended_rate,
            timestamptz '2026-10-01 02:00:00+02' + to_hours(r) as line_item_usage_start_date,
            date '2026-10-01' as bill_billing_period_start_date,
            'Usage' as line_item_line_item_type,
            map {{'team': 'ml' || r}} as resource_tags,
            'li-' || r as identity_line_item_id
        from range(5) t(r)) to '{path}' (format parquet)""")
    (tmp_path / "warehouse").mkdir()
    with duckdb.connect(str(tmp_path / "warehouse" / "pump_costs.duckdb")) as conn:
        create_raw_layer(conn)
        files = [landing.ExportFile(path, billing_period="2026-10") for path in paths]
        changes = landing.file_changes(conn, AWS_CUR2, files)
        write = LakeWrite(conn)
        landing.land(
            conn, write, AWS_CUR2, {f: landing.select_from(conn, f, AWS_CUR2) for f in changes.changed}, changes
        )
        write.commit()
        assert conn.execute("select count(*) from raw_lake.files where in_place is not null").fetchall() == [(3,)]
        columns = ", ".join(name.replace('"', "") for name, _ in export_table(AWS_CUR2).columns)
        rows = f"select {columns} from raw_exports.aws_cur2"
        on_duckdb = sorted([text(value) or "" for value in row] for row in conn.execute(rows).fetchall())
        statements = spark_catalogue(conn)

    # Spark in a process of its own: its metastore is this test's data folder.
    spark = subprocess.run(
        [sys.executable, "-m", "pump_costs.local_spark", str(tmp_path)],
        input=json.dumps([*statements, rows]),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert spark.returncode == 0, spark.stderr[-3000:]
    on_spark = sorted([value or "" for value in row] for row in json.loads(spark.stdout)[-1])
    assert len(on_spark) == 15
    assert on_spark == on_duckdb
    assert {row[-5] for row in on_spark} == {str(path) for path in paths}  # each row's _source_file
    assert {row[columns.split(", ").index("resource_tags")] for row in on_spark} == {
        f'{{"team":"ml{n}"}}' for n in range(5)
    }
