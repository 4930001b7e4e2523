"""The raw lake against small DuckDB files: a write replaces exactly its parts, all at once or not at all; an
older warehouse's raw tables move into it; a data folder moved elsewhere keeps reading its own files."""

import re
import shutil
from datetime import datetime
from decimal import Decimal

import duckdb
import pyarrow as pa
import pytest

from pump_costs.raw import lake
from pump_costs.raw.export_formats import FOCUS
from pump_costs.raw.tables import BUDGETS, COST_REPORT, LANDED_FILES, USAGE_REPORT, export_table

ORG, OTHER_ORG = "org-1", "org-2"
ROWS = "select organization_id, bucket_start, amount_cents from raw_anthropic.cost_report order by all"


def warehouse(folder):
    conn = duckdb.connect(str(folder / "warehouse.duckdb"))
    lake.create_raw_layer(conn)
    return conn


def costs(organization: str | None, days: dict[str, str]) -> pa.Table:
    """Cost rows, one per day (YYYY-MM-DD) and amount in cents."""
    return pa.Table.from_pylist(
        [
            {
                "bucket_start": datetime.fromisoformat(day),
                "bucket_end": datetime.fromisoformat(day),
                "currency": "USD",
                "amount_cents": Decimal(cents),
                "amount_usd": Decimal(cents) / 100,
                "group_by": "workspace_id",
                "organization_id": organization,
                "raw_json": "{}",
                "loaded_at": datetime(2026, 11, 1),
            }
            for day, cents in days.items()
        ],
        COST_REPORT.arrow_schema(),
    )


def replace_window(conn, organization, start, end, batch):
    where = "organization_id = ? and bucket_start >= ? and bucket_start < ?"
    params = [organization, datetime.fromisoformat(start), datetime.fromisoformat(end)]
    return lake.replace_rows(conn, {COST_REPORT: batch}, where, params)


def lake_files(folder) -> list[str]:
    return sorted(str(path.relative_to(folder / "lake")) for path in (folder / "lake").rglob("*.parquet"))


def test_a_window_replaces_its_days_and_keeps_every_other_row(tmp_path):
    conn = warehouse(tmp_path)
    days = {"2026-10-30": "1.5", "2026-10-31": "2.25", "2026-11-01": "0.0000000001", "2026-11-02": "7"}
    replace_window(conn, ORG, "2026-10-30", "2026-11-03", costs(ORG, days))
    replace_window(conn, OTHER_ORG, "2026-10-31", "2026-11-01", costs(OTHER_ORG, {"2026-10-31": "100"}))
    # A row no organization owns (a warehouse that once held two): a window cannot say it is its own.
    lake.replace_rows(conn, {COST_REPORT: costs(None, {"2026-10-31": "3"})}, "organization_id is null")

    # Days 2026-10-31 and 2026-11-01 again, with one day fewer: the window's rows are replaced, nothing else.
    replace_window(conn, ORG, "2026-10-31", "2026-11-02", costs(ORG, {"2026-11-01": "0.0000000002"}))
    expected = [
        (ORG, datetime(2026, 10, 30), Decimal("1.5")),
        (ORG, datetime(2026, 11, 1), Decimal("0.0000000002")),
        (ORG, datetime(2026, 11, 2), Decimal("7")),
        (OTHER_ORG, datetime(2026, 10, 31), Decimal("100")),
        (None, datetime(2026, 10, 31), Decimal("3")),
    ]
    assert conn.execute(ROWS).fetchall() == sorted(expected, key=lambda row: (row[0] is None, row))
    # One file per organization and month, the replaced ones gone.
    files = lake_files(tmp_path)
    assert [path.rsplit("/", 1)[0] for path in files] == [
        "raw_anthropic/cost_report/none/2026-10",
        "raw_anthropic/cost_report/org-1/2026-10",
        "raw_anthropic/cost_report/org-1/2026-11",
        "raw_anthropic/cost_report/org-2/2026-10",
    ]
    # The same window again writes the same rows.
    replace_window(conn, ORG, "2026-10-31", "2026-11-02", costs(ORG, {"2026-11-01": "0.0000000002"}))
    assert conn.execute(ROWS).fetchall() == sorted(expected, key=lambda row: (row[0] is None, row))
    assert len(lake_files(tmp_path)) == 4


def test_a_write_stopped_before_its_commit_changes_nothing_and_its_files_go(tmp_path):
    conn = warehouse(tmp_path)
    replace_window(conn, ORG, "2026-10-01", "2026-10-02", costs(ORG, {"2026-10-01": "1.5"}))
    before = lake_files(tmp_path)

    write = lake.LakeWrite(conn)
    write.write(COST_REPORT, f"{ORG}/2026-10", "select * from raw_anthropic.cost_report where false")
    write.drop(COST_REPORT, f"{ORG}/2026-10")
    with pytest.raises(duckdb.Error):  # a value the query refuses: the file it began is not left behind
        write.write(BUDGETS, "all", "select error('a bad value') as scope_type")
    assert conn.execute(ROWS).fetchall() == [(ORG, datetime(2026, 10, 1), Decimal("1.5"))]

    # Killed here, before commit(): a new file no one lists, removed by the next write.
    conn.register("stray", costs(ORG, {"2026-10-05": "9"}))
    write.write(COST_REPORT, f"{ORG}/2026-10", "select * from stray")
    assert len(lake_files(tmp_path)) == 2
    lake.replace_rows(conn, {BUDGETS: pa.Table.from_pylist([], BUDGETS.arrow_schema())})
    assert lake_files(tmp_path) == before
    assert conn.execute(ROWS).fetchall() == [(ORG, datetime(2026, 10, 1), Decimal("1.5"))]


def test_a_row_lacking_a_value_its_table_requires_stops_the_write_and_replaces_nothing(tmp_path):
    conn = warehouse(tmp_path)
    replace_window(conn, ORG, "2026-10-01", "2026-10-02", costs(ORG, {"2026-10-01": "1.5"}))
    before = lake_files(tmp_path)
    batch = costs(ORG, {"2026-10-01": "2"})
    amount = batch.schema.get_field_index("amount_cents")
    lacking = batch.set_column(amount, "amount_cents", pa.array([None], pa.decimal128(38, 16)))
    with pytest.raises(duckdb.Error, match=re.escape("a row for raw_anthropic.cost_report lacks one of amount_cents")):
        replace_window(conn, ORG, "2026-10-01", "2026-10-02", lacking)
    assert conn.execute(ROWS).fetchall() == [(ORG, datetime(2026, 10, 1), Decimal("1.5"))]
    lake.tidy(conn)  # as the next write does
    assert lake_files(tmp_path) == before


def test_an_older_warehouse_moves_its_raw_tables_to_the_lake(tmp_path):
    conn = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    conn.execute("create schema raw_anthropic")
    conn.execute("create schema raw_exports")
    conn.execute(USAGE_REPORT.ddl())
    conn.execute(LANDED_FILES.ddl())
    conn.execute(
        "insert into raw_exports.landed_files (format_table, path, size, modified_ns, landed_at, rows) "
        "values ('focus_cost_and_usage', '/exports/a.csv', 10, 1, '2026-11-01', 3)"
    )
    lake.create_raw_layer(conn)
    kinds = "select table_type, count(*) from information_schema.tables where table_schema like 'raw_%' group by 1"
    assert dict(conn.execute(kinds).fetchall()) == {"VIEW": 17, "BASE TABLE": 2}  # raw_lake's own two
    assert conn.execute("select path, rows from raw_exports.landed_files").fetchall() == [("/exports/a.csv", 3)]
    assert lake_files(tmp_path)[0].startswith("raw_exports/landed_files/focus_cost_and_usage/")
    assert len(lake_files(tmp_path)) == 1  # an empty table leaves no file
    # An export file's rows moved here are in the part its next landing replaces.
    (in_sql,) = conn.execute(
        f"select {export_table(FOCUS).part} from (select '/exports/a.csv' as _source_file)"
    ).fetchone()
    assert lake.file_part("/exports/a.csv") == in_sql


def test_a_data_folder_moved_elsewhere_reads_its_own_lake(tmp_path):
    (tmp_path / "before").mkdir()
    with warehouse(tmp_path / "before") as conn:
        replace_window(conn, ORG, "2026-10-01", "2026-10-02", costs(ORG, {"2026-10-01": "1.5"}))
    shutil.copytree(tmp_path / "before", tmp_path / "after")
    shutil.rmtree(tmp_path / "before")
    with warehouse(tmp_path / "after") as conn:
        assert conn.execute(ROWS).fetchall() == [(ORG, datetime(2026, 10, 1), Decimal("1.5"))]


def test_spark_reads_a_table_from_its_folder_in_the_lake_and_an_export_table_through_a_view(tmp_path):
    """An export table is a view over its lake table, to which files read in place add their rows; with none
    read in place, there is nothing to check after declaring."""
    with warehouse(tmp_path) as conn:
        catalogue = lake.spark_catalogue(conn)
    budgets = lake.spark_table_ddl(BUDGETS, tmp_path / "lake", [])
    assert budgets == [
        "drop table if exists raw_config.budgets",
        "create table raw_config.budgets (`scope_type` string, `scope_name` string, "
        "`billing_currency` string, `monthly_amount` decimal(38, 10), `loaded_at` timestamp_ntz) using parquet "
        f"location '{tmp_path}/lake/raw_config/budgets' options (recursiveFileLookup 'true')",
    ]
    assert all(statement in catalogue.statements for statement in budgets)
    assert catalogue.in_place_check is None
    drop, create, view = lake.spark_table_ddl(export_table(FOCUS), tmp_path, [])
    assert drop == "drop table if exists raw_exports.focus_cost_and_usage__lake"
    assert create.startswith("create table raw_exports.focus_cost_and_usage__lake (`AvailabilityZone` string, ")
    assert view == (
        "create or replace view raw_exports.focus_cost_and_usage as "
        "select * from raw_exports.focus_cost_and_usage__lake"
    )
