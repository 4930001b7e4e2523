"""The raw layer as a lake of Parquet files that DuckDB and Spark both read.

Each raw table is the Parquet files in lake/<schema>/<table>/<part>/ beside the warehouse file, one or more
per part (an organization's month of a report, an export file, a format's landing record). DuckDB reads
them through a view of the table's name, Spark as an external table over the table's folder
(`spark_table_ddl`).

An export file read in place (PUMP_COSTS_READ_EXPORTS_IN_PLACE: a typed Parquet file, as exports already in a
lake are) is its part's one file, listed by its own path with what reading it needs (`InPlace`): its
columns' types, where it came from and when it was landed. Both engines' views read it with the same typing
landing gives a copy (pump_costs/raw/export_values.py), in one read of all the files whose columns have the
same types, joined by path to what each file's rows are given (`in_place_rows`).

A file is never changed in place. A write puts new files beside the old ones (`LakeWrite.write`), then, in
one DuckDB transaction, lists them in raw_lake.files in place of the parts they replace and points each
table's view at its listed files (`LakeWrite.commit`); the files no longer listed are removed after. So a
write is all or nothing across tables and parts, and a run killed half-way leaves only files listed nowhere,
which the next write removes (`tidy`). Only the pipeline writes, holding the warehouse file (DuckDB's one
writer), so a write never removes another's new files.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from pump_costs.raw import export_values
from pump_costs.raw.export_formats import ALL_FORMATS, ExportFormat
from pump_costs.raw.tables import (
    ANTHROPIC_SCHEMA,
    ANTHROPIC_TABLES,
    BUDGETS,
    CONFIG_SCHEMA,
    EXPORT_METADATA_COLUMNS,
    EXPORTS_SCHEMA,
    LANDED_AT,
    LANDED_FILES,
    ORGANIZATION,
    RawTable,
    export_table,
    spark_type,
    transaction,
)

# Every raw table, as the lake keeps it.
EXPORT_FORMATS = {export_table(fmt): fmt for fmt in ALL_FORMATS}
RAW_TABLES = (BUDGETS, *ANTHROPIC_TABLES, LANDED_FILES, *EXPORT_FORMATS)
LAKE_SCHEMA = "raw_lake"
FILES = f"{LAKE_SCHEMA}.files"
# Where the views were last pointed: a data folder moved elsewhere points them again.
LOCATION = f"{LAKE_SCHEMA}.location"


def lake_folder(conn: duckdb.DuckDBPyConnection) -> Path:
    """lake/ in the warehouse file's folder."""
    # fetchall, here and below: a result left unfinished would stop the next conn.register().
    [(path,)] = conn.execute("select path from duckdb_databases() where database_name = current_database()").fetchall()
    if not path:
        raise ValueError("The raw lake lives beside a warehouse file: open a DuckDB file, not an in-memory database.")
    return Path(path).resolve().parent / "lake"


@dataclass(frozen=True)
class InPlace:
    """What reading an export file in place needs besides its path: its format's columns' DuckDB types, and the
    values landing gives its rows' metadata columns (EXPORT_METADATA_COLUMNS, then LANDED_AT)."""

    columns: dict[str, str]
    metadata: tuple[str | None, ...]

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> InPlace:
        reading = json.loads(text)
        return cls(reading["columns"], tuple(reading["metadata"]))


# A table's files: each path (in the lake, or where a file read in place is), with its InPlace as JSON or None.
Listing = list[tuple[str, str | None]]
# In a query of files read in place, the path each row was read from, joined to what its file's rows are given.
FILE_PATH = "pump_costs_file_path"


def file_part(path: str) -> str:
    """The part an export file's rows are kept in: the same as RawTable.part's SQL for export tables."""
    return hashlib.md5(path.encode()).hexdigest()[:16]


def create_catalogue(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute(f"create schema if not exists {LAKE_SCHEMA}")
    conn.execute(
        f"create table if not exists {FILES} (table_name varchar not null, part varchar not null, "
        "path varchar not null, rows bigint not null, in_place varchar)"
    )
    conn.execute(f"alter table {FILES} add column if not exists in_place varchar")  # an older catalogue
    conn.execute(f"create table if not exists {LOCATION} (folder varchar not null)")


def listed(conn: duckdb.DuckDBPyConnection, table: RawTable, parts: list[str] | None = None) -> Listing:
    """The table's files, of the given parts or of all."""
    query = f"select path, in_place from {FILES} where table_name = ?"
    params: list = [table.qualified]
    if parts is not None:
        query += " and part in (select unnest(?))"
        params.append(parts)
    return conn.execute(query + " order by path", params).fetchall()


def paths_read_in_place(conn: duckdb.DuckDBPyConnection) -> set[str]:
    """The paths of the export files read in place."""
    return {path for (path,) in conn.execute(f"select path from {FILES} where in_place is not null").fetchall()}


def parts(conn: duckdb.DuckDBPyConnection, table: RawTable) -> list[str]:
    """The parts the table has files in."""
    query = f"select distinct part from {FILES} where table_name = ? order by part"
    return [part for (part,) in conn.execute(query, [table.qualified]).fetchall()]


def typed_columns(table: RawTable, empty: bool = False) -> str:
    """The table's columns in its order and types, from columns of the same names (all null when `empty`)."""
    return ", ".join(f"cast({'null' if empty else name} as {kind}) as {name}" for name, kind in table.columns)


def read_files(table: RawTable, folder: Path, files: Listing) -> str:
    """A query of the files' rows with exactly the table's columns and types (a column the files lack is null)."""
    in_lake = [sql_literal(folder / path) for path, in_place in files if in_place is None]
    queries = [
        f"select {typed_columns(table)} from ({in_place_rows(table, group)})" for group in in_place_groups(files)
    ]
    if in_lake or not queries:
        queries.insert(0, f"select {typed_columns(table, empty=not in_lake)} ")
        if in_lake:
            queries[0] += f"from read_parquet([{', '.join(in_lake)}], union_by_name = true, hive_partitioning = false)"
        else:
            queries[0] += "where false"
    return "\nunion all\n".join(queries)


InPlaceGroup = list[tuple[str, InPlace]]


def in_place_groups(files: Listing) -> list[InPlaceGroup]:
    """The files read in place, by their columns' types: each group is read at once (a query per file would
    take seconds to plan for a few hundred files)."""
    groups: dict[str, InPlaceGroup] = {}
    for path, in_place in files:
        if in_place is not None:
            reading = InPlace.from_json(in_place)
            groups.setdefault(json.dumps(reading.columns, sort_keys=True), []).append((path, reading))
    return list(groups.values())


def in_place_rows(table: RawTable, group: InPlaceGroup) -> str:
    """The rows of export files read where they are, typed as landing types a copy's (DuckDB)."""
    fmt = EXPORT_FORMATS[table]
    columns = group[0][1].columns
    values = ", ".join(export_values.raw_value(fmt, name, columns.get(name)) for name in fmt.columns)
    files = ", ".join(file_literal(path) for path, _ in group)
    read = f"read_parquet([{files}], filename = '{FILE_PATH}', union_by_name = true, hive_partitioning = false)"
    metadata = _metadata_columns("timestamp", unmatched=f"error({sql_literal(_unmatched(table))})")
    return (
        f"select file_values.* exclude ({FILE_PATH}), {metadata} "
        f"from (select {values}, {FILE_PATH} from {read}) file_values "
        f"left join ({_metadata_rows(group, sql_literal)}) metadata on file_values.{FILE_PATH} = metadata.{FILE_PATH}"
    )


def _unmatched(table: RawTable) -> str:
    """The error of a row read in place that no listed file matches: kept by an outer join, it stops any query
    of its source file rather than being lost."""
    return f"pump-costs: a row of a file read in place matches no listed file ({table.qualified})"


def _metadata_rows(group: InPlaceGroup, literal) -> str:
    """What each file's rows are given, as a table of the files' paths."""
    rows = ", ".join("(" + ", ".join(map(literal, (path, *reading.metadata))) + ")" for path, reading in group)
    return f"select * from (values {rows}) as metadata({FILE_PATH}, {', '.join(EXPORT_METADATA_COLUMNS)}, {LANDED_AT})"


def _metadata_columns(timestamp_type: str, unmatched: str | None = None) -> str:
    """The metadata columns, typed (`string` is text on both engines; a column of nulls has no type in Spark);
    `unmatched` gives the source file of a row no listed file matched."""
    values = [f"cast(metadata.{name} as string)" for name in EXPORT_METADATA_COLUMNS]
    if unmatched:
        values[0] = f"coalesce({values[0]}, {unmatched})"
    text = ", ".join(f"{value} as {name}" for value, name in zip(values, EXPORT_METADATA_COLUMNS, strict=True))
    return f"{text}, cast(metadata.{LANDED_AT} as {timestamp_type}) as {LANDED_AT}"


def sql_literal(value: str | Path | None) -> str:
    """`value` as a DuckDB SQL literal (text, quotes doubled), or null."""
    return "null" if value is None else "'" + str(value).replace("'", "''") + "'"


# DuckDB's file readers take a path as a pattern: an export named `c?.csv` would be read with `cd.csv`.
DUCKDB_GLOB_CHARACTER = re.compile(r"([*?\[])")


def file_literal(path: str | Path) -> str:
    """The path as a DuckDB SQL literal naming that one file to its readers (a glob character as the
    one-character class holding it: `[?]`); DuckDB then gives a row's file as the path itself."""
    return sql_literal(DUCKDB_GLOB_CHARACTER.sub(r"[\1]", str(path)))


class LakeWrite:
    """New files for some parts of some tables, listed together by commit()."""

    def __init__(self, conn: duckdb.DuckDBPyConnection):
        self.conn = conn
        self.folder = lake_folder(conn)
        # table -> part -> its new files, their rows and how to read them in place (none: the part is dropped)
        self.parts: dict[RawTable, dict[str, list[tuple[str, int, str | None]]]] = {}

    def write(self, table: RawTable, part: str, query: str, params: list | None = None) -> int:
        """Write the query's rows as a new file of `part` (replacing the part's current files on commit);
        returns the rows written. A DuckDB error (a value the query refuses) leaves nothing behind."""
        path = f"{table.schema}/{table.name}/{part}/{uuid.uuid4().hex}.parquet"
        target = self.folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        # A value the table may not lack stops the write, as a stored table's NOT NULL would.
        present = " and ".join(f"{name} is not null" for name in sorted(table.not_null)) or "true"
        missing = f"pump-costs: a row for {table.qualified} lacks one of {', '.join(sorted(table.not_null))}"
        try:
            [(rows,)] = self.conn.execute(
                f"copy (select {typed_columns(table)} from ({query}) "
                f"where case when {present} then true else error('{missing}') end) "
                f"to {sql_literal(target)} (format parquet)",
                params or [],
            ).fetchall()
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        self.parts.setdefault(table, {}).setdefault(part, [])
        if rows:
            self.parts[table][part].append((path, rows, None))
        else:
            target.unlink()
        return rows

    def read_in_place(self, table: RawTable, part: str, path: str, reading: InPlace, checked_rows: str) -> int:
        """List the export file at `path` as `part`'s one file, read where it is (on commit); returns its
        rows. `checked_rows` (the file's rows as landing reads a copy's, checks included) is read once, every
        value computed, so a value the query refuses (a DuckDB error) stops it here, as it would stop a copy."""
        query = f"select count(*), count(columns(*)) from ({checked_rows})"
        [(count, *_)] = self.conn.execute(query).fetchall()
        # Listed even with no rows: a file read in place is known by its listing (landing.file_changes).
        self.parts.setdefault(table, {})[part] = [(path, count, reading.to_json())]
        return count

    def drop(self, table: RawTable, part: str) -> None:
        """The part's rows go on commit."""
        self.parts.setdefault(table, {}).setdefault(part, [])

    def current_rows(self, table: RawTable, part: str) -> str:
        """A query of the part's rows as last committed."""
        return read_files(table, self.folder, listed(self.conn, table, [part]))

    def commit(self, also_point: tuple[RawTable, ...] = ()) -> None:
        """List the new files in place of their parts' old ones, and point the changed tables' views (and
        those of `also_point`) at their files, in one transaction; then remove every file listed nowhere."""
        with transaction(self.conn):
            for table, parts in self.parts.items():
                self.conn.execute(
                    f"delete from {FILES} where table_name = ? and part in (select unnest(?))",
                    [table.qualified, list(parts)],
                )
                new = [[table.qualified, part, *file] for part, files in parts.items() for file in files]
                if new:
                    self.conn.executemany(f"insert into {FILES} values (?, ?, ?, ?, ?)", new)
            for table in {*self.parts, *also_point}:
                point_view(self.conn, table, self.folder)
        self.parts = {}
        tidy(self.conn)


def point_view(conn: duckdb.DuckDBPyConnection, table: RawTable, folder: Path) -> None:
    kind = conn.execute(
        "select table_type from information_schema.tables where table_schema = ? and table_name = ?",
        [table.schema, table.name],
    ).fetchall()
    if kind == [("BASE TABLE",)]:
        conn.execute(f"drop table {table.qualified}")
    conn.execute(f"create or replace view {table.qualified} as {read_files(table, folder, listed(conn, table))}")


def replace_rows(
    conn: duckdb.DuckDBPyConnection, batches: dict[RawTable, pa.Table], where: str = "true", params: list | None = None
) -> dict[RawTable, int]:
    """Replace each table's rows matching `where` (a condition on its columns) with the table's batch, in
    every table or in none. Returns the rows written."""
    lake = LakeWrite(conn)
    for table, batch in batches.items():
        conn.register("replacement_batch", batch)
        try:
            [(parts,)] = conn.execute(
                f"""select coalesce(list(distinct part order by part), []) from (
                        select {table.part} as part from {table.qualified} where {where}
                        union all
                        select {table.part} as part from replacement_batch
                    )""",
                params or [],
            ).fetchall()
            for part in parts:
                # A row `where` cannot decide on (a null) is kept, as a delete would keep it.
                lake.write(
                    table,
                    part,
                    f"""select * from ({lake.current_rows(table, part)}) where ({where}) is not true
                        union all by name
                        select * from replacement_batch where {table.part} = ?""",
                    [*(params or []), part],
                )
        finally:
            conn.unregister("replacement_batch")
    lake.commit()
    return {table: batch.num_rows for table, batch in batches.items()}


def tidy(conn: duckdb.DuckDBPyConnection) -> list[Path]:
    """Remove every lake file raw_lake.files does not list (replaced, or written by a write that never
    committed), and the folders left empty. Returns what was removed."""
    folder = lake_folder(conn)
    return remove_unlisted(folder, {path for (path,) in conn.execute(f"select path from {FILES}").fetchall()})


def remove_unlisted(folder: Path, kept: set[str]) -> list[Path]:
    """Remove the Parquet files below `folder` whose path in it is not in `kept`, and the folders left empty. A
    file `kept` names by its whole path (an export read in place, were its folder below the lake) stays too."""
    removed = [path for path in folder.rglob("*.parquet") if not {str(path.relative_to(folder)), str(path)} & kept]
    for path in removed:
        path.unlink()
    for directory in sorted((p for p in folder.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        if not any(directory.iterdir()):
            directory.rmdir()
    return removed


def point_views_here(conn: duckdb.DuckDBPyConnection, tables: tuple[RawTable, ...]) -> None:
    """Point every table's view at the lake beside this warehouse file, unless they already are (a view is
    missing, or the data folder was moved or restored elsewhere)."""
    folder = str(lake_folder(conn))
    existing = {
        f"{schema}.{name}"
        for schema, name in conn.execute(
            "select table_schema, table_name from information_schema.tables where table_type = 'VIEW'"
        ).fetchall()
    }
    recorded = conn.execute(f"select folder from {LOCATION}").fetchall()
    stale = [t for t in tables if t.qualified not in existing] if recorded == [(folder,)] else list(tables)
    if not stale:
        return
    with transaction(conn):
        for table in stale:
            point_view(conn, table, Path(folder))
        conn.execute(f"delete from {LOCATION}")
        conn.execute(f"insert into {LOCATION} values (?)", [folder])


def table_states(conn: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Each lake table's state, from its listing alone: its rows and a digest of its files (a write gives
    new file names; a file read in place is landed again under its own name, with a new landing time), so a
    change is seen without reading any data."""
    return dict(
        conn.execute(
            f"select table_name, sum(rows) || ' / ' || md5(string_agg(path || coalesce(in_place, ''), ',' "
            f"order by path)) from {FILES} group by table_name"
        ).fetchall()
    )


@dataclass(frozen=True)
class SparkCatalogue:
    """What declares the raw tables in Spark's metastore (`statements`), and the query that then checks the
    files read in place (`in_place_check`, `_spark_in_place_check`; None when none is)."""

    statements: list[str]
    in_place_check: str | None


def spark_catalogue(conn: duckdb.DuckDBPyConnection) -> SparkCatalogue:
    """The statements that declare every raw table in Spark's metastore, over the lake beside this warehouse
    file: each table dropped (an external table: its files stay) and declared again, with its current columns
    and folder. Each table's folder is made here: Spark cannot read a table whose folder does not exist
    (DuckDB's views need none while a table has no files). An export table is a view over its lake table
    (`<name>__lake`) and the files read in place (`spark_replaced_tables` names the tables an older version
    declared where these views go)."""
    folder = lake_folder(conn)
    for table in RAW_TABLES:
        (folder / table.schema / table.name).mkdir(parents=True, exist_ok=True)
    schemas = dict.fromkeys(table.schema for table in RAW_TABLES)
    in_place = {table: _spark_in_place_views(conn, table) for table in EXPORT_FORMATS}
    statements = [
        *(f"create database if not exists {schema}" for schema in schemas),
        *(s for table in RAW_TABLES for s in spark_table_ddl(table, folder, in_place.get(table, []))),
    ]
    views = [view for table_views in in_place.values() for view, _ in table_views]
    return SparkCatalogue(statements, _spark_in_place_check(conn, views) if views else None)


def spark_replaced_tables() -> list[str]:
    """The export tables, which an older version declared as Spark tables and are views now."""
    return [table.qualified for table in EXPORT_FORMATS]


# An export table's files read in place are read on Spark by views `<name>__in_place_<n>`, each within what a
# metastore keeps of a view's text: Spark's own (embedded Derby) keeps 32,700 characters, ~50 files' paths and
# metadata. The views of an earlier run are dropped first (the dbt macro declare_raw_tables).
SPARK_IN_PLACE_VIEW_SUFFIX = "__in_place_"
SPARK_VIEW_TEXT_LIMIT = 30_000


def spark_table_ddl(table: RawTable, folder: Path, in_place_views: list[tuple[str, InPlaceGroup]]) -> list[str]:
    """The table for Spark: an external table over its folder in the lake, every file below it; for an export
    table, under `<name>__lake`, with a view of the table's name adding the files read in place (through
    `in_place_views`, `_spark_in_place_views`)."""
    columns = ", ".join(f"`{name.strip(chr(34))}` {spark_type(kind)}" for name, kind in table.columns)
    lake_table = f"{table.qualified}__lake" if table in EXPORT_FORMATS else table.qualified
    statements = [
        f"drop table if exists {lake_table}",
        f"create table {lake_table} ({columns}) using parquet "
        f"location {_spark_literal(folder / table.schema / table.name)} options (recursiveFileLookup 'true')",
    ]
    if table not in EXPORT_FORMATS:
        return statements
    statements += [
        f"create or replace view {view} as {spark_in_place_rows(table, chunk)}" for view, chunk in in_place_views
    ]
    queries = [f"select * from {relation}" for relation in (lake_table, *(view for view, _ in in_place_views))]
    return [*statements, f"create or replace view {table.qualified} as {' union all '.join(queries)}"]


def _spark_in_place_views(conn: duckdb.DuckDBPyConnection, table: RawTable) -> list[tuple[str, InPlaceGroup]]:
    """The views of the export table's files read in place, each with the files it reads."""
    chunks = [chunk for group in in_place_groups(listed(conn, table)) for chunk in _spark_chunks(table, group)]
    return [(f"{table.qualified}{SPARK_IN_PLACE_VIEW_SUFFIX}{n}", chunk) for n, chunk in enumerate(chunks, 1)]


def _spark_in_place_check(conn: duckdb.DuckDBPyConnection, views: list[str]) -> str:
    """A Spark query of each file read in place whose rows Spark's `views` read differ in number from those
    landing listed (`raw_lake.files`): its table, path, the rows listed and the rows read. Spark's glob of a
    file that is gone, or one it cannot name, reads nothing, and says nothing of it."""
    listing = conn.execute(f"select table_name, path, rows from {FILES} where in_place is not null order by all")
    literals = ([_spark_literal(table), _spark_literal(path), str(rows)] for table, path, rows in listing.fetchall())
    files = ", ".join(f"({', '.join(values)})" for values in literals)
    read = " union all ".join(f"select _source_file as path, count(*) as rows from {view} group by 1" for view in views)
    return (
        "select listed.table_name, listed.path, listed.rows, coalesce(found.rows, 0) as rows_read "
        f"from (values {files}) as listed(table_name, path, rows) "
        f"left join ({read}) as found on listed.path = found.path "
        "where listed.rows != coalesce(found.rows, 0) order by listed.path"
    )


def _spark_chunks(table: RawTable, group: InPlaceGroup) -> list[InPlaceGroup]:
    """The group in parts whose query each fits SPARK_VIEW_TEXT_LIMIT (halved until it does)."""
    if len(group) == 1 or len(spark_in_place_rows(table, group)) <= SPARK_VIEW_TEXT_LIMIT:
        return [group]
    half = len(group) // 2
    return [*_spark_chunks(table, group[:half]), *_spark_chunks(table, group[half:])]


def spark_in_place_rows(table: RawTable, group: InPlaceGroup) -> str:
    """`in_place_rows` on Spark, in the table's column order. Spark reads the files through one glob, and gives
    each row's file as a URL (`file:/…` or `file:///…`, percent-encoded): decoded and without its scheme, it
    is the listed path (equal, so a path that ends another, as `/b` ends `/a:/b`, never matches it too). A row
    no listed path matches is kept, as on DuckDB (`_unmatched`; a filter on the joined side instead would let
    Spark make the join an inner one)."""
    fmt = EXPORT_FORMATS[table]
    columns = group[0][1].columns
    values = ", ".join(export_values.spark_raw_value(fmt, name, columns.get(name)) for name in fmt.columns)
    file_url = "url_decode(replace(_metadata.file_path, '+', '%2B'))"  # url_decode reads '+' as a space
    file_path = f"regexp_replace({file_url}, '^file:(//)?', '')"
    matches = f"file_values.{FILE_PATH} = metadata.{FILE_PATH}"
    metadata = _metadata_columns("timestamp_ntz", unmatched=f"raise_error({_spark_literal(_unmatched(table))})")
    return (
        f"select {', '.join(f'file_values.`{name}`' for name in fmt.columns)}, {metadata} "
        f"from (select {values}, {file_path} as {FILE_PATH} from parquet.`{_spark_glob([path for path, _ in group])}`) "
        f"file_values left join ({_metadata_rows(group, _spark_literal)}) metadata on {matches}"
    )


# Tried on Spark 4.3: a Hadoop glob of several files cannot name a path with ':' (a folder named by a time, say),
# and silently leaves out one with an escaped '[' or '?'. Spaces, '+', '=' and ',' (escaped: it separates the
# glob's alternatives) are read (make test-spark).
NOT_NAMED_BY_A_SPARK_GLOB = re.compile(r"[:\[\]*?{}\\]")
GLOB_SPECIAL = re.compile(r"(,)")
# Parquet's nanosecond timestamps (pyarrow's default since its format 2.6, so pandas' `to_parquet`): Spark
# refuses a file with one in any column ("Illegal Parquet type: INT64 (TIMESTAMP(NANOS,…))").
SPARK_UNREADABLE_TYPE = "TIMESTAMP_NS"


def spark_reads_in_place(path: str | Path, columns: dict[str, str]) -> bool:
    """Whether Spark's view can read the file where it is (`spark_in_place_rows`): its path is one the glob
    names, and no column (its DuckDB type) is one Spark refuses."""
    readable = not any(SPARK_UNREADABLE_TYPE in kind for kind in columns.values())
    return readable and not NOT_NAMED_BY_A_SPARK_GLOB.search(str(path))


def _spark_glob(paths: list[str]) -> str:
    """One Hadoop glob naming exactly these files (their folder in common, then `{a,b}`), as a Spark SQL
    identifier: a ',' in a path escaped, and a backtick doubled (a path the glob cannot name is not read in
    place: `spark_reads_in_place`)."""
    escaped = lambda text: GLOB_SPECIAL.sub(r"\\\1", text)  # noqa: E731
    if len(paths) == 1:
        glob = escaped(paths[0])
    else:
        common = os.path.commonpath(paths)
        names = ",".join(escaped(os.path.relpath(path, common)) for path in paths)
        glob = escaped(common).rstrip("/") + "/{" + names + "}"
    return glob.replace("`", "``")


def _spark_literal(value: Path | str | None) -> str:
    """A path or text as a Spark SQL string (Spark escapes with backslashes, not by doubling quotes), or null."""
    if value is None:
        return "null"
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def create_raw_layer(conn: duckdb.DuckDBPyConnection) -> None:
    """Every raw table as a view over its files in the lake, empty until its first load, so dbt builds before
    any data arrives. A warehouse an older version made is brought up to date: its raw tables, stored in the
    DuckDB file then, move to the lake. Every step that lands calls this."""
    for schema in (ANTHROPIC_SCHEMA, EXPORTS_SCHEMA, CONFIG_SCHEMA):
        conn.execute(f"create schema if not exists {schema}")
    create_catalogue(conn)
    stored = _stored_tables(conn)
    if stored:
        _bring_up_to_date(conn, stored)
        _move_to_lake(conn, tuple(table for table in RAW_TABLES if table.qualified in stored))
    point_views_here(conn, RAW_TABLES)


def _move_to_lake(conn: duckdb.DuckDBPyConnection, tables: tuple[RawTable, ...]) -> None:
    """Each stored table's rows as lake files, by part, and its view in its place, in one transaction."""
    lake = LakeWrite(conn)
    for table in tables:
        # Every declared column, whatever the stored table had.
        rows = (
            f"select {typed_columns(table, empty=True)} where false union all by name select * from {table.qualified}"
        )
        for (part,) in conn.execute(f"select distinct {table.part} from {table.qualified}").fetchall():
            lake.write(table, part, f"select * from ({rows}) where {table.part} = ?", [part])
    lake.commit(also_point=tables)


def _bring_up_to_date(conn: duckdb.DuckDBPyConnection, stored: dict[str, dict[str, str]]) -> None:
    """The stored raw tables of an older version, as the version before the lake had them."""
    for table in ANTHROPIC_TABLES:
        if table.qualified in stored and "organization_id" not in stored[table.qualified]:
            _add_organization_id(conn, table)
    landed_files = stored.get(LANDED_FILES.qualified)
    if landed_files is not None and "content_sha256" not in landed_files:
        conn.execute(f"alter table {LANDED_FILES.qualified} add column content_sha256 varchar")
    for fmt in ALL_FORMATS:
        table = export_table(fmt)
        columns = stored.get(table.qualified)
        if columns is None:
            continue
        if LANDED_AT not in columns:
            # A warehouse from before files were landed one by one, with no landing record: its rows go, and
            # the next run lands every file that counts again (a file removed since would otherwise stay).
            conn.execute(f"alter table {table.qualified} add column {LANDED_AT} timestamp")
            conn.execute(f"delete from {table.qualified}")
        _type_text_columns(conn, fmt, table, columns)


def _stored_tables(conn: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """The raw tables stored in the DuckDB file (an older version's), with their columns' types."""
    rows = conn.execute(
        "select c.table_schema || '.' || c.table_name, c.column_name, c.data_type "
        "from information_schema.columns c join information_schema.tables t using (table_schema, table_name) "
        "where t.table_type = 'BASE TABLE' and c.table_schema in (?, ?, ?)",
        [ANTHROPIC_SCHEMA, EXPORTS_SCHEMA, CONFIG_SCHEMA],
    ).fetchall()
    tables: dict[str, dict[str, str]] = {}
    for table, column, kind in rows:
        tables.setdefault(table, {})[column] = kind
    return tables


def _add_organization_id(conn: duckdb.DuckDBPyConnection, table: RawTable) -> None:
    """A warehouse from before several organizations gains organization_id; its rows were pulled for the one
    organization it then had, the one in raw_anthropic.organization."""
    conn.execute(f"alter table {table.qualified} add column organization_id varchar")
    conn.execute(
        f"""
        update {table.qualified}
        set organization_id = (select any_value(organization_id) from {ORGANIZATION.qualified} having count(*) = 1)
        where organization_id is null
        """
    )


def _type_text_columns(conn: duckdb.DuckDBPyConnection, fmt: ExportFormat, table: RawTable, columns: dict) -> None:
    """A warehouse from before landing typed numbers and timestamps keeps its rows: their text, which
    landing had already checked, is read the way landing reads it now."""
    for quoted, kind in table.columns:
        name = quoted.strip('"')
        if kind == "varchar" or columns.get(name) != "VARCHAR":
            continue
        read = export_values.number if name in fmt.numbers else export_values.timestamp
        conn.execute(
            f"alter table {table.qualified} alter column {quoted} set data type {kind} using {read(quoted, 'VARCHAR')}"
        )
