"""Export landing against small folders and an in-memory DuckDB: what is landed again, and what goes."""

import hashlib
import os
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

import duckdb
import pytest

from pump_costs.defs.exports import landing
from pump_costs.raw import export_values
from pump_costs.raw.export_formats import AWS_CUR2, FOCUS
from pump_costs.raw.lake import LakeWrite, create_raw_layer, in_place_groups, in_place_rows, listed, sql_literal, tidy
from pump_costs.raw.tables import EXPORT_METADATA_COLUMNS, LANDED_FILES, export_table
from pump_costs.settings import READ_EXPORTS_IN_PLACE

HEADER = "BilledCost,BillingAccountId,BillingCurrency,ChargeCategory,ChargePeriodStart,ChargePeriodEnd,ProviderName\n"


def focus_file(path, cost: str):
    path.write_text(HEADER + f"{cost},acct,USD,Usage,2026-10-01T00:00:00Z,2026-10-02T00:00:00Z,Example\n")
    return landing.ExportFile(path)


def warehouse(folder):
    """A warehouse file: the raw lake is beside it."""
    return duckdb.connect(str(folder / "warehouse.duckdb"))


def land(conn, files, fmt=FOCUS):
    create_raw_layer(conn)
    changes = landing.file_changes(conn, fmt, files)
    selects = {file: landing.select_from(conn, file, fmt) for file in changes.changed}
    write = LakeWrite(conn)
    landing.land(conn, write, fmt, selects, changes)
    write.commit()
    return changes


def test_only_new_or_changed_files_are_landed_and_removed_files_lose_their_rows(tmp_path):
    conn = warehouse(tmp_path)
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
    conn = warehouse(tmp_path)
    conn.execute("create schema raw_exports")
    columns = ", ".join(f"'old' as \"{c}\"" for c in (*FOCUS.columns, *EXPORT_METADATA_COLUMNS))
    conn.execute(f"create table raw_exports.focus_cost_and_usage as select {columns}")
    a = focus_file(tmp_path / "a.csv", "1.5")
    assert land(conn, [a]).changed == [a]
    assert conn.execute("select BilledCost from raw_exports.focus_cost_and_usage").fetchall() == [(Decimal("1.5"),)]


def test_a_raw_table_from_before_typed_landing_keeps_its_rows_typed(tmp_path):
    conn = warehouse(tmp_path)
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


def test_a_landing_record_from_before_digests_gains_the_digest_column(tmp_path):
    conn = warehouse(tmp_path)
    conn.execute("create schema raw_exports")
    older = replace(LANDED_FILES, columns=tuple(c for c in LANDED_FILES.columns if c[0] != "content_sha256"))
    conn.execute(older.ddl())
    create_raw_layer(conn)
    create_raw_layer(conn)  # a second call finds it up to date
    columns = [
        name for (name,) in conn.execute(f"select column_name from (describe {LANDED_FILES.qualified})").fetchall()
    ]
    assert columns == [name for name, _ in LANDED_FILES.columns]


def test_a_byte_identical_copy_counts_once_and_the_file_landed_first_keeps_counting(tmp_path):
    conn = warehouse(tmp_path)
    original = focus_file(tmp_path / "focus.csv", "1.5")
    assert len(land(conn, [original]).changed) == 1
    digests = "select path, content_sha256 from raw_exports.landed_files order by path"
    # Alone, it is not read for a digest: only a file of the same size can be a copy of it.
    assert conn.execute(digests).fetchall() == [(str(original.path), None)]
    copy = landing.ExportFile(tmp_path / "focus (1).csv")  # sorts first, but was not landed first
    copy.path.write_bytes(original.path.read_bytes())
    changes = land(conn, [copy, original])
    assert (changes.changed, changes.removed, changes.copies) == ([], [], {str(copy.path): str(original.path)})
    assert conn.execute(digests).fetchall() == [
        (str(original.path), hashlib.sha256(original.path.read_bytes()).hexdigest())
    ]
    assert conn.execute("select sum(BilledCost::decimal(18, 2)) from raw_exports.focus_cost_and_usage").fetchone() == (
        Decimal("1.50"),
    )
    # The same text with one byte changed is another file, and counts.
    other = focus_file(tmp_path / "other.csv", "1.50")
    assert land(conn, [copy, original, other]).changed == [other]


def test_parquet_values_land_typed_and_exact_whatever_the_file_type(tmp_path):
    """Money from a binary float lands as the decimal it prints as (0.1, not 0.1000000000000000055511),
    a decimal or an integer as it is; a timestamp with a time zone lands in UTC."""
    path = tmp_path / "cur.parquet"
    duckdb.sql(f"""copy (select
        0.1::double as line_item_unblended_cost,
        1e-07::double as line_item_net_unblended_cost,
        0.012345678901234567::double as line_item_unblended_rate,
        123456789012.5::double as savings_plan_savings_plan_effective_cost,
        1.5::decimal(18, 10) as line_item_usage_amount,
        3::bigint as pricing_public_on_demand_cost,
        ' $1,234.50 ' as reservation_effective_cost,
        timestamptz '2026-10-01 02:00:00+02' as line_item_usage_start_date,
        timestamp '2026-10-01 01:00:00' as line_item_usage_end_date,
        date '2026-10-01' as bill_billing_period_start_date,
        '10/31/2026' as bill_billing_period_end_date,
        'Usage' as line_item_line_item_type,
        map {{'team': 'ml'}} as resource_tags
    ) to '{path}' (format parquet)""")
    conn = warehouse(tmp_path)
    conn.execute("set timezone = 'UTC'")
    land(conn, [landing.ExportFile(path)], AWS_CUR2)
    assert conn.execute("""select line_item_unblended_cost, line_item_net_unblended_cost, line_item_unblended_rate,
                                  savings_plan_savings_plan_effective_cost, line_item_usage_amount,
                                  pricing_public_on_demand_cost, reservation_effective_cost,
                                  line_item_usage_start_date, line_item_usage_end_date,
                                  bill_billing_period_start_date, bill_billing_period_end_date, resource_tags
                           from raw_exports.aws_cur2""").fetchall() == [
        (
            Decimal("0.1"),
            Decimal("1E-7"),
            Decimal("0.012345678901234567"),  # 18 digits after the point: the widest decimal reads it
            Decimal("123456789012.5"),  # too large for decimal(18, 9)
            Decimal("1.5"),
            Decimal("3"),
            Decimal("1234.5"),
            datetime(2026, 10, 1),
            datetime(2026, 10, 1, 1),
            datetime(2026, 10, 1),
            datetime(2026, 10, 31),
            '{"team":"ml"}',
        )
    ]


def test_a_typed_parquet_file_read_in_place_gives_the_rows_of_its_copy(tmp_path, monkeypatch):
    """PUMP_COSTS_READ_EXPORTS_IN_PLACE=true: a Parquet file with typed amounts and dates is listed by its own
    path (even with no rows) and read with landing's typing; one with a date as text is copied, as before, and
    so is one with nanosecond timestamps (pandas' default), which Spark cannot read, and one with ':' in its
    path, which Spark's glob cannot name. The next landing finds nothing changed."""
    typed, with_text, empty = tmp_path / "typed.parquet", tmp_path / "with_text.parquet", tmp_path / "empty.parquet"
    nanoseconds, timed = tmp_path / "nanoseconds.parquet", tmp_path / "2026-10-01T00:00:00Z" / "typed.parquet"
    duckdb.sql(f"""copy (select
        0.1::double as line_item_unblended_cost,
        0.012345678901234567::double as line_item_unblended_rate,
        1.5::decimal(18, 10) as line_item_usage_amount,
        timestamptz '2026-10-01 02:00:00+02' as line_item_usage_start_date,
        date '2026-10-01' as bill_billing_period_start_date,
        'Usage' as line_item_line_item_type,
        map {{'team': 'ml'}} as resource_tags
    ) to '{typed}' (format parquet)""")
    duckdb.sql(f"""copy (select 2.5::double as line_item_unblended_cost, '10/31/2026' as line_item_usage_start_date,
                                'Tax' as line_item_line_item_type) to '{with_text}' (format parquet)""")
    duckdb.sql(f"copy (select * from '{typed}' where false) to '{empty}' (format parquet)")
    duckdb.sql(f"""copy (select 3.25::double as line_item_unblended_cost, 'Usage' as line_item_line_item_type,
                                timestamp_ns '2026-10-02 00:00:00.5' as line_item_usage_start_date)
                   to '{nanoseconds}' (format parquet)""")
    timed.parent.mkdir()
    duckdb.sql(f"copy (select * replace (0.2 as line_item_unblended_cost) from '{typed}') to '{timed}'")
    files = [landing.ExportFile(path) for path in (typed, with_text, empty, nanoseconds, timed)]
    rows = "select * exclude (_landed_at) from raw_exports.aws_cur2 order by all"
    (tmp_path / "copied").mkdir()
    copied = warehouse(tmp_path / "copied")
    land(copied, files, AWS_CUR2)
    assert copied.execute("select count(*) from raw_lake.files where in_place is not null").fetchall() == [(0,)]

    monkeypatch.setenv(READ_EXPORTS_IN_PLACE.name, "true")
    (tmp_path / "in_place").mkdir()
    conn = warehouse(tmp_path / "in_place")
    land(conn, files, AWS_CUR2)
    assert conn.execute(rows).fetchall() == copied.execute(rows).fetchall()
    assert conn.execute("select path, rows from raw_lake.files where in_place is not null order by 1").fetchall() == [
        (str(empty), 0),
        (str(typed), 1),
    ]
    assert land(conn, files, AWS_CUR2).changed == []
    exports_lake = tmp_path / "in_place" / "lake" / "raw_exports" / "aws_cur2"
    assert len(list(exports_lake.rglob("*.parquet"))) == 3  # the copies of with_text, nanoseconds and timed
    assert conn.execute(
        f"select line_item_unblended_cost, line_item_usage_start_date from raw_exports.aws_cur2 "
        f"where _source_file = '{nanoseconds}'"
    ).fetchall() == [(Decimal("3.25"), datetime(2026, 10, 2, 0, 0, 0, 500000))]


def test_a_file_read_in_place_is_never_removed_by_the_lakes_tidying(tmp_path, monkeypatch):
    """Even in a folder below the lake, where every file no write listed is removed."""
    monkeypatch.setenv(READ_EXPORTS_IN_PLACE.name, "true")
    inside = tmp_path / "lake" / "exports" / "typed.parquet"
    inside.parent.mkdir(parents=True)
    duckdb.sql(f"""copy (select 1.25::double as line_item_unblended_cost, 'Usage' as line_item_line_item_type,
                                timestamptz '2026-10-01 00:00:00+00' as line_item_usage_start_date) to '{inside}'""")
    conn = warehouse(tmp_path)
    land(conn, [landing.ExportFile(inside)], AWS_CUR2)
    assert tidy(conn) == []
    assert conn.execute("select line_item_unblended_cost from raw_exports.aws_cur2").fetchall() == [(Decimal("1.25"),)]


@pytest.mark.parametrize("session_time_zone", ["UTC", "Asia/Tokyo"])
def test_text_timestamps_land_in_utc_in_every_exporters_shape(session_time_zone):
    """Text as AWS, GCP, Azure and FOCUS files write it, read in UTC whatever the reading session's time zone."""
    shapes = {
        "2026-10-01T00:00:00Z": datetime(2026, 10, 1),
        "2026-10-01T23:30:00.125Z": datetime(2026, 10, 1, 23, 30, 0, 125000),  # AWS's '.000Z' shape
        "2026-10-01T23:30Z": datetime(2026, 10, 1, 23, 30),
        "2026-10-01T02:00:00+02:00": datetime(2026, 10, 1),
        "2026-10-01 00:00:00": datetime(2026, 10, 1),  # no offset: UTC, not the session's zone
        "2026-10-01T00:00:00": datetime(2026, 10, 1),
        "2026-10-01": datetime(2026, 10, 1),
        "10/31/2026": datetime(2026, 10, 31),
        "4/1/25": datetime(2025, 4, 1),  # the FOCUS spec examples' M/D/YY
        "n/a": None,
        "31/10/2026": None,  # day first is no exporter's: refused, not misread
        "soonZ": None,
    }
    conn = duckdb.connect()
    conn.execute(f"set timezone = '{session_time_zone}'")
    read = export_values.timestamp("text", "VARCHAR")
    values = conn.execute(f"select text, {read} from (select unnest(?) as text)", [list(shapes)]).fetchall()
    assert dict(values) == shapes


def test_text_numbers_land_exactly_in_every_exporters_shape():
    """Text as exporters write numbers, to the last of decimal(38, 18)'s digits: each shape is read by the
    narrow decimal its digits fit (a value too large for it reads as null there) or by the wide one."""
    shapes = {
        "0.0041666667": Decimal("0.0041666667"),  # 10 digits after the point: not 9
        "123456789.123456789": Decimal("123456789.123456789"),  # 9 and 9: the narrowest
        "1234567890.5": Decimal("1234567890.5"),  # too large for decimal(18, 9)
        "8.9E-9": Decimal("0.0000000089"),  # AWS's exponent shape: 10 digits after the point
        "1.23456789012345E-3": Decimal("0.00123456789012345"),  # 17
        "2.40072E-4": Decimal("0.000240072"),
        "-1.3e-9": Decimal("-0.0000000013"),
        "1.5E+3": Decimal("1500"),
        "15E-3": Decimal("0.015"),
        "1.234567890123456789E-1": Decimal("0.1234567890123456789").quantize(Decimal("1E-18")),  # 19: rounded
        "12345678901234567890.123456789012345678": Decimal("12345678901234567890.123456789012345678"),
        " $1,234.50 ": Decimal("1234.5"),
        "1e": None,
        "1.5E-3.2": None,
        "n/a": None,
        "": None,
    }
    read = export_values.number("text", "VARCHAR")
    values = duckdb.connect().execute(f"select text, {read} from (select unnest(?) as text)", [list(shapes)]).fetchall()
    assert dict(values) == shapes


def test_a_value_landing_cannot_read_stops_the_file_and_is_named(tmp_path):
    path = tmp_path / "cur.parquet"
    duckdb.sql(f"""copy (select cost as line_item_unblended_cost, '2026-10-01T00:00:00Z' as line_item_usage_start_date,
                               'Usage' as line_item_line_item_type from (values ('0.5'), ('n/a')) t(cost))
                   to '{path}' (format parquet)""")
    conn = warehouse(tmp_path)
    with pytest.raises(landing.FileNotLanded):
        land(conn, [landing.ExportFile(path)], AWS_CUR2)
    assert conn.execute("select count(*) from raw_exports.aws_cur2").fetchall() == [(0,)]
    assert landing.unusable_values(conn, path, AWS_CUR2) == (
        f"{path}: rows the mart cannot use: line_item_unblended_cost not a number (1 of 2 rows, e.g. 'n/a'). "
        "Export the file again with these values, or move it out of this folder."
    )


def test_a_file_named_with_glob_characters_is_read_alone(tmp_path, monkeypatch):
    """'?', '*' and '[' in an export's path are part of its name, not a pattern naming its neighbours too: each
    file's rows are landed once, with the setting to read in place too."""
    odd, neighbour = focus_file(tmp_path / "c?.csv", "1.5"), focus_file(tmp_path / "cd.csv", "2.25")
    starred = focus_file(tmp_path / "[x]*.csv", "4")
    conn = warehouse(tmp_path)
    land(conn, [odd, neighbour, starred])
    rows = "select _source_file, BilledCost from raw_exports.focus_cost_and_usage order by 1"
    assert conn.execute(rows).fetchall() == [
        (str(starred.path), Decimal("4")),
        (str(odd.path), Decimal("1.5")),
        (str(neighbour.path), Decimal("2.25")),
    ]

    monkeypatch.setenv(READ_EXPORTS_IN_PLACE.name, "true")
    files = {tmp_path / "typed" / "a[1].parquet": "0.5", tmp_path / "typed" / "a1.parquet": "0.25"}
    (tmp_path / "typed").mkdir()
    for path, cost in files.items():
        duckdb.sql(f"""copy (select {cost}::double as line_item_unblended_cost, 'Usage' as line_item_line_item_type,
                                    timestamptz '2026-10-01 00:00:00+00' as line_item_usage_start_date) to '{path}'""")
    land(conn, [landing.ExportFile(path) for path in files], AWS_CUR2)
    # a[1].parquet is copied: Spark's glob of the files read in place would leave it out.
    read_in_place = "select path from raw_lake.files where in_place is not null"
    assert conn.execute(read_in_place).fetchall() == [(str(tmp_path / "typed" / "a1.parquet"),)]
    in_place = "select _source_file, line_item_unblended_cost from raw_exports.aws_cur2 order by 1"
    assert conn.execute(in_place).fetchall() == sorted((str(path), Decimal(cost)) for path, cost in files.items())


def test_a_row_read_in_place_that_no_listed_file_matches_stops_every_query_of_it(tmp_path, monkeypatch):
    """The safety net of the view of files read in place: its rows are joined by path to what their file's rows
    are given, and a row no listed path matches stops a query of its source file (as every staging model's is)
    rather than being dropped. One path list serves both sides, so the listing is made to name the file
    otherwise here."""
    monkeypatch.setenv(READ_EXPORTS_IN_PLACE.name, "true")
    path = tmp_path / "typed.parquet"
    duckdb.sql(f"""copy (select 1.25::double as line_item_unblended_cost, 'Usage' as line_item_line_item_type,
                                timestamptz '2026-10-01 00:00:00+00' as line_item_usage_start_date) to '{path}'""")
    conn = warehouse(tmp_path)
    land(conn, [landing.ExportFile(path)], AWS_CUR2)
    table = export_table(AWS_CUR2)
    [group] = in_place_groups(listed(conn, table))
    query = in_place_rows(table, group)
    assert conn.execute(f"select _source_file from ({query})").fetchall() == [(str(path),)]
    listed_as = f"({sql_literal(path)}, "
    assert query.count(listed_as) == 1  # the listing's row: the reader is given a list of paths
    elsewhere = query.replace(listed_as, f"({sql_literal(tmp_path / 'elsewhere.parquet')}, ")
    with pytest.raises(duckdb.Error) as stopped:
        conn.execute(f"select _source_file, line_item_unblended_cost from ({elsewhere})").fetchall()
    assert "pump-costs: a row of a file read in place matches no listed file (raw_exports.aws_cur2)" in str(
        stopped.value
    )
