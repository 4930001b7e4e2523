"""Export landing against small folders and an in-memory DuckDB: what is landed again, and what goes."""

import os

import duckdb

from pump_costs.defs.exports import landing
from pump_costs.defs.exports.formats import FOCUS

HEADER = "BilledCost,BillingAccountId,BillingCurrency,ChargeCategory,ChargePeriodStart,ChargePeriodEnd,ProviderName\n"


def focus_file(path, cost: str):
    path.write_text(HEADER + f"{cost},acct,USD,Usage,2026-10-01T00:00:00Z,2026-10-02T00:00:00Z,Example\n")
    return landing.ExportFile(path)


def land(conn, files):
    changes = landing.file_changes(conn, FOCUS, files)
    selects = {file: landing.select_from(conn, file, FOCUS) for file in changes.changed}
    landing.land(conn, FOCUS, selects, changes.removed)
    return changes


def test_only_new_or_changed_files_are_landed_and_removed_files_lose_their_rows(tmp_path):
    conn = duckdb.connect()
    a, b = focus_file(tmp_path / "a.csv", "1.5"), focus_file(tmp_path / "b.csv", "2.25")
    assert len(land(conn, [a, b]).changed) == 2
    assert land(conn, [a, b]) == landing.FileChanges(changed=[], removed=[])

    b = focus_file(tmp_path / "b.csv", "20.25")  # re-exported with another amount
    os.utime(b.path, ns=(1, 1))  # and an older modification time: any difference counts
    assert land(conn, [a, b]).changed == [b]
    assert land(conn, [b]) == landing.FileChanges(changed=[], removed=[str(a.path)])
    rows = "select _source_file, BilledCost from raw_exports.focus_cost_and_usage order by 1"
    assert conn.execute(rows).fetchall() == [(str(b.path), "20.25")]
    assert conn.execute("select path, rows from raw_exports.landed_files").fetchall() == [(str(b.path), 1)]


def test_a_raw_table_from_before_landing_by_file_is_emptied_and_landed_again(tmp_path):
    conn = duckdb.connect()
    conn.execute("create schema raw_exports")
    columns = ", ".join(f"'old' as \"{c}\"" for c in (*FOCUS.columns, *landing.METADATA_COLUMNS))
    conn.execute(f"create table raw_exports.focus_cost_and_usage as select {columns}")
    a = focus_file(tmp_path / "a.csv", "1.5")
    assert land(conn, [a]).changed == [a]
    assert conn.execute("select BilledCost from raw_exports.focus_cost_and_usage").fetchall() == [("1.5",)]
