"""Export landing against small folders and an in-memory DuckDB: what is landed again, and what goes."""

import os
from datetime import datetime
from decimal import Decimal

import duckdb

from pump_costs.defs.exports import landing
from pump_costs.raw.export_formats import FOCUS
from pump_costs.raw.tables import EXPORT_METADATA_COLUMNS, create_raw_layer, transaction

HEADER = "BilledCost,BillingAccountId,BillingCurrency,ChargeCategory,ChargePeriodStart,ChargePeriodEnd,ProviderName\n"


def focus_file(path, cost: str):
    path.write_text(HEADER + f"{cost},acct,USD,Usage,2026-10-01T00:00:00Z,2026-10-02T00:00:00Z,Example\n")
    return landing.ExportFile(path)


def land(conn, files):
    create_raw_layer(conn)
    changes = landing.file_changes(conn, FOCUS, files)
    selects = {file: landing.select_from(conn, file, FOCUS) for file in changes.changed}
    with transaction(conn):
        landing.land(conn, FOCUS, selects, changes)
    return changes


def test_only_new_or_changed_files_are_landed_and_removed_files_lose_their_rows(tmp_path):
    conn = duckdb.connect()
    a, b = focus_file(tmp_path / "a.csv", "1.5"), focus_file(tmp_path / "b.csv", "2.25")
    assert len(land(conn, [a, b]).changed) == 2
    unchanged = land(conn, [a, b])
    assert (unchanged.changed, unchanged.removed, unchanged.copies) == ([], [], {})

    b = focus_file(tmp_path / "b.csv", "20.25")  # re-exported with another amount
    os.utime(b.path, ns=(1, 1))  # and an older modification time: any difference counts
    assert land(conn, [a, b]).changed == [b]
    without_a = land(conn, [b])
    assert (without_a.changed, without_a.removed) == ([], [str(a.path)])
    rows = "select _source_file, BilledCost from raw_exports.focus_cost_and_usage order by 1"
    assert conn.execute(rows).fetchall() == [(str(b.path), Decimal("20.25"))]
    assert conn.execute("select path, rows from raw_exports.landed_files").fetchall() == [(str(b.path), 1)]


def test_a_raw_table_from_before_landing_by_file_is_emptied_and_landed_again(tmp_path):
    conn = duckdb.connect()
    conn.execute("create schema raw_exports")
    columns = ", ".join(f"'old' as \"{c}\"" for c in (*FOCUS.columns, *EXPORT_METADATA_COLUMNS))
    conn.execute(f"create table raw_exports.focus_cost_and_usage as select {columns}")
    a = focus_file(tmp_path / "a.csv", "1.5")
    assert land(conn, [a]).changed == [a]
    assert conn.execute("select BilledCost from raw_exports.focus_cost_and_usage").fetchall() == [(Decimal("1.5"),)]


def test_a_raw_table_from_before_typed_landing_keeps_its_rows_typed(tmp_path):
    conn = duckdb.connect()
    conn.execute("create schema raw_exports")
    values = {"BilledCost": "'$1,234.5'", "ChargePeriodStart": "'10/01/2026'"}
    columns = ", ".join(f'{values.get(c, "null")} as "{c}"' for c in (*FOCUS.columns, *EXPORT_METADATA_COLUMNS))
    conn.execute(
        f"create table raw_exports.focus_cost_and_usage as select {columns}, timestamp '2026-11-01' as _landed_at"
    )
    create_raw_layer(conn)
    assert conn.execute("select BilledCost, ChargePeriodStart from raw_exports.focus_cost_and_usage").fetchall() == [
        (Decimal("1234.5"), datetime(2026, 10, 1))
    ]


def test_a_byte_identical_copy_counts_once_and_the_file_landed_first_keeps_counting(tmp_path):
    conn = duckdb.connect()
    original = focus_file(tmp_path / "focus.csv", "1.5")
    assert len(land(conn, [original]).changed) == 1
    copy = landing.ExportFile(tmp_path / "focus (1).csv")  # sorts first, but was not landed first
    copy.path.write_bytes(original.path.read_bytes())
    changes = land(conn, [copy, original])
    assert (changes.changed, changes.removed, changes.copies) == ([], [], {str(copy.path): str(original.path)})
    assert conn.execute("select sum(BilledCost::decimal(18, 2)) from raw_exports.focus_cost_and_usage").fetchone() == (
        Decimal("1.50"),
    )
    # The same text with one byte changed is another file, and counts.
    other = focus_file(tmp_path / "other.csv", "1.50")
    assert land(conn, [copy, original, other]).changed == [other]
