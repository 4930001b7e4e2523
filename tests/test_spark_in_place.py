"""Export files read in place, on Spark (PUMP_COSTS_READ_EXPORTS_IN_PLACE=true): Spark's view of the raw table reads
files in several folders, with a space, '+', '=' and ',' in their paths, and more files than one view's text can
name in Spark's own metastore, with a copied file beside them, and gives the rows DuckDB's view gives, value for
value. A file read in place that is gone stops the run, where Spark's glob alone would read nothing of it and say
nothing; a row no listed path matches stops a query of its source file. Run by `make test-spark`."""

import duckdb
import pytest

from pump_costs.defs.dbt.assets import prepare_engine
from pump_costs.defs.exports import landing
from pump_costs.defs.resources import shared_resources
from pump_costs.local_spark import text
from pump_costs.raw.export_formats import AWS_CUR2
from pump_costs.raw.lake import LakeWrite, create_raw_layer, in_place_groups, listed, spark_in_place_rows
from pump_costs.raw.tables import export_table
from pump_costs.settings import ENGINE, READ_EXPORTS_IN_PLACE
from pump_costs.warehouse import warehouse_path

pytestmark = pytest.mark.spark

IN_PLACE_VIEWS = "show views in raw_exports like 'aws_cur2__in_place_*'"


def test_spark_reads_files_in_place_in_any_folder_as_duckdb_does(tmp_path, monkeypatch):
    monkeypatch.setenv(READ_EXPORTS_IN_PLACE.name, "true")
    monkeypatch.setenv(ENGINE.name, "spark")
    exports = tmp_path / "exports"
    special = [
        exports / "BILLING_PERIOD=2026-09" / "a b+c.parquet",
        exports / "BILLING_PERIOD=2026-10" / "x,1.parquet",
        tmp_path / "elsewhere" / "z.parquet",
        exports / "d[1]" / "y?.parquet",  # copied: Spark's glob of the files read in place would leave it out
    ]
    # Named as AWS names CUR 2.0 files: ~100 such paths and their metadata are more than one view's text can hold
    # in Spark's own (Derby) metastore, 32,700 characters.
    many = [
        exports / "BILLING_PERIOD=2026-11" / f"cur2-export-{n:05d}-6b2f0a4e-1c3d-4b5e-8f7a-9d0c1b2a3e4f.snappy.parquet"
        for n in range(100)
    ]
    paths = special + many
    for number, path in enumerate(paths):
        path.parent.mkdir(parents=True, exist_ok=True)
        duckdb.sql(f"""copy (select
            ((r + {number}) / 1000.0 + 1e-9)::double as line_item_unblended_cost,
            0.012345678901234567::double as line_item_unblended_rate,
            timestamptz '2026-10-01 02:00:00+02' + to_hours(r) as line_item_usage_start_date,
            date '2026-10-01' as bill_billing_period_start_date,
            'Usage' as line_item_line_item_type,
            map {{'team': 'ml' || r}} as resource_tags,
            'li-' || r as identity_line_item_id
        from range(5) t(r)) to '{path}' (format parquet)""")
    warehouse_path().parent.mkdir(parents=True)
    columns = ", ".join(name.replace('"', "") for name, _ in export_table(AWS_CUR2).columns)
    rows = f"select {columns} from raw_exports.aws_cur2"
    with duckdb.connect(str(warehouse_path())) as conn:
        create_raw_layer(conn)
        files = [landing.ExportFile(path, billing_period="2026-10") for path in paths]
        changes = landing.file_changes(conn, AWS_CUR2, files)
        write = LakeWrite(conn)
        landing.land(
            conn, write, AWS_CUR2, {f: landing.select_from(conn, f, AWS_CUR2) for f in changes.changed}, changes
        )
        write.commit()
        by_reading = "select in_place is not null, count(*) from raw_lake.files where table_name = ? group by all"
        assert sorted(conn.execute(by_reading, ["raw_exports.aws_cur2"]).fetchall()) == [(False, 1), (True, 103)]
        on_duckdb = sorted([text(value) or "" for value in row] for row in conn.execute(rows).fetchall())

    # Declared as a run declares them, through dbt on the project's Spark (in this process): then the session dbt
    # started is this process's Spark.
    resources = shared_resources()
    prepare_engine(resources["dbt"], resources["duckdb"])
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.getOrCreate()
    views = {row.viewName for row in spark.sql(IN_PLACE_VIEWS).collect()}
    assert len(views) > 1
    # A view of an earlier run with more files goes when the tables are declared again.
    spark.sql("create view raw_exports.aws_cur2__in_place_99 as select 1 as stale")
    prepare_engine(resources["dbt"], resources["duckdb"])
    assert {row.viewName for row in spark.sql(IN_PLACE_VIEWS).collect()} == views

    on_spark = sorted([text(value) or "" for value in row] for row in spark.sql(rows).collect())
    assert len(on_spark) == 520
    assert on_spark == on_duckdb
    assert {row[-5] for row in on_spark} == {str(path) for path in paths}  # each row's _source_file
    assert {row[columns.split(", ").index("resource_tags")] for row in on_spark} == {
        f'{{"team":"ml{n}"}}' for n in range(5)
    }

    # Moved away after landing: Spark's glob reads the other files, and the count of each file's rows stops it.
    gone = tmp_path / "elsewhere" / "z.parquet"
    gone.rename(tmp_path / "z.parquet")
    with pytest.raises(RuntimeError) as stopped:
        prepare_engine(resources["dbt"], resources["duckdb"])
    assert str(stopped.value) == (
        "Spark read 1 export file(s) read in place with other rows than landing listed, so nothing is built: "
        f"{gone} (raw_exports.aws_cur2): 0 of its 5 rows. A file read in place must stay where it was landed, as it "
        "was: put it back, or land the exports again (materialize the raw_exports group), which lands a changed file "
        "again and drops the rows of one that is gone. If the file is there unchanged, Spark cannot read it in place: "
        "set PUMP_COSTS_READ_EXPORTS_IN_PLACE=false, and the next landing copies the exports into the lake."
    )
    (tmp_path / "z.parquet").rename(gone)
    prepare_engine(resources["dbt"], resources["duckdb"])
    assert len(spark.sql(rows).collect()) == 520

    # The safety net of the view: the listing made to name the file otherwise, its rows match no listed path.
    with duckdb.connect(str(warehouse_path()), read_only=True) as conn:
        [group] = in_place_groups(listed(conn, export_table(AWS_CUR2)))
    query = spark_in_place_rows(export_table(AWS_CUR2), [(path, how) for path, how in group if path == str(gone)])
    assert query.count(f"('{gone}', ") == 1
    elsewhere = query.replace(f"('{gone}', ", f"('{tmp_path / 'elsewhere.parquet'}', ")
    assert len(spark.sql(f"select _source_file from ({query})").collect()) == 5
    with pytest.raises(Exception, match="pump-costs: a row of a file read in place matches no listed file"):
        spark.sql(f"select _source_file, line_item_unblended_cost from ({elsewhere})").collect()
