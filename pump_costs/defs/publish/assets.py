"""Publish the marts for BI tools: Parquet files and a small read-only DuckDB file pointing at them.

BI tools never open the working warehouse (DuckDB allows one writer, and even a reader there makes dbt
fail to take its lock). Each publish is a version folder, parquet-<version>/, and the DuckDB file's
views read exactly that folder; both are swapped in atomically, so a reader keeps the version it opened
and the next reader sees the new one, never a mix.

fct_spend is published by x_Source and month of ChargePeriodStart (fct_spend/source=<x_Source>/month=<YYYY-MM>/).
Its cloud rows are already Parquet files, fct_cloud_spend's units: each is hard-linked into the version, never
written again. Its Anthropic rows are written per month (data_0.parquet), and a month whose rows did not
change since the last publish is hard-linked from the previous version instead, so a daily run writes the
months it touched. The other marts are small and written whole.

On Spark (PUMP_COSTS_ENGINE=spark) the marts are the metastore's tables dbt built, which BI tools read through
Spark's Thrift server or Databricks SQL; Spark also writes each version's files here (fct_spend's changed
units in the same source=/month= folders, the others linked), so the spend report, alerts and `pump-costs
status` read the same published file.
"""

import errno
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb as duckdb_module
from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource

from pump_costs.defs.dbt.assets import engine_rows, run_operation
from pump_costs.raw.lake import sql_literal
from pump_costs.settings import engine
from pump_costs.warehouse import CLOUD_UNITS_TABLE, cloud_units_dir, published_dir

MART_SCHEMA = "marts"
SPEND_MART = "fct_spend"
WHOLE_MARTS = [
    "fct_daily_spend",
    "fct_daily_spend_by_scope",
    "fct_budget_status",
    "fct_spend_anomalies",
    "fct_anthropic_token_usage",
    "fct_contract_commitments",
    "fct_anthropic_daily_cost_by_key",
    "fct_claude_code_usage",
    "dim_workspaces",
    "dim_api_keys",
    "dim_actors",
]
PUBLISHED_DATABASE = "pump_costs.duckdb"
PARQUET_LINK = "parquet"
UNITS_FILE = "_units.json"  # written last: a version folder without it is a publish that did not finish
# Versions a reader may still be using: they are kept this long after they stop being current.
READER_GRACE_SECONDS = 24 * 3600

# A written unit's fingerprint: its row count and the sum of its rows' hashes, so any change to any row (a
# day re-pulled, a workspace renamed, a full refresh with a new mapping) is seen. Only the sources not
# stored as cloud units are hashed; they are named as literals (CLOUD_SOURCES first), as DuckDB then skips
# the cloud units' files by their statistics rather than reading every cloud row (0.4 s for 10,000,000).
CLOUD_SOURCES = f"select distinct x_Source from {CLOUD_UNITS_TABLE} order by all"
UNIT_FINGERPRINTS = f"""
select
    x_Source || '/' || strftime(ChargePeriodStart, '%Y-%m') as unit,
    count(*) as row_count,
    row_count || ':' || sum(hash({SPEND_MART})) as fingerprint
from {MART_SCHEMA}.{SPEND_MART}
where {{not_cloud}}
group by all
"""
# The same on Spark, where every unit is written (fct_cloud_spend's units are DuckDB's): xxhash64 of each row,
# summed as a decimal so that no number of rows overflows.
SPARK_UNIT_FINGERPRINTS = f"""
select unit, count(*) as row_count, concat(count(*), ':', sum(row_hash)) as fingerprint
from (
    select
        concat(x_Source, '/', date_format(ChargePeriodStart, 'yyyy-MM')) as unit,
        cast(xxhash64(*) as decimal(38, 0)) as row_hash
    from {MART_SCHEMA}.{SPEND_MART}
) as hashed
group by unit
"""
# fct_cloud_spend's units (their path in the units folder), by source and month.
CLOUD_UNITS = f"select distinct unit_path, x_Source, charge_month from {CLOUD_UNITS_TABLE} order by all"


def unit_folder(version: Path, unit: str) -> Path:
    """A written unit's folder (`<source>/<month>`), or a cloud unit's file (`<source>/<month>/<name>`)."""
    source, month, *name = unit.split("/")
    return version / SPEND_MART / f"source={source}" / f"month={month}" / "/".join(name)


def _swap_symlink(link: Path, target: Path) -> None:
    """Point `link` at `target` in one rename, so readers find either the old or the new folder."""
    temporary = link.with_name(f".{link.name}.{uuid.uuid4().hex}")
    temporary.symlink_to(target.name)
    os.replace(temporary, link)


def _current_version(folder: Path) -> Path | None:
    link = folder / PARQUET_LINK
    return link.resolve() if link.is_symlink() and (link.resolve() / UNITS_FILE).exists() else None


def _remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True) if path.is_dir() and not path.is_symlink() else path.unlink(missing_ok=True)


def _remove_leftovers(folder: Path) -> list[Path]:
    """What a publish killed half-way left, which no reader can be using as it was never made current: a
    version folder without its units file, a staged database, a link not yet renamed into place."""
    current = _current_version(folder)
    leftovers = [v for v in folder.glob("parquet-*") if v != current and not (v / UNITS_FILE).exists()]
    leftovers += [*folder.glob(f".{PUBLISHED_DATABASE}.*.tmp"), *folder.glob(f".{PARQUET_LINK}.*")]
    for path in leftovers:
        _remove(path)
    return leftovers


def _remove_stale_versions(folder: Path, current: Path, previous: Path | None) -> None:
    """Drop versions no reader can still be using: all but the current one and the previous one, once they
    stopped being current longer than the grace period ago."""
    cutoff = time.time() - READER_GRACE_SECONDS
    for path in folder.glob("parquet-*"):
        if path not in (current, previous) and path.stat().st_mtime <= cutoff:
            _remove(path)


def _link(source: Path, target: Path) -> None:
    """A hard link (no copy, and immune to the source being removed later), or a copy across file systems."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError as error:
        if error.errno != errno.EXDEV:
            raise
        shutil.copyfile(source, target)


def _published_units(previous: Path | None) -> dict[str, str]:
    """The units `previous` published, with their fingerprints."""
    return json.loads((previous / UNITS_FILE).read_text()) if previous else {}


def _link_unchanged_units(
    units: dict[str, str], published: dict[str, str], version: Path, previous: Path | None
) -> list[str]:
    """Link into `version` the files of each unit that `previous` published with the same fingerprint; returns
    the others, the units to write."""
    to_write = sorted(unit for unit, fingerprint in units.items() if published.get(unit) != fingerprint)
    for unit in sorted(set(units) - set(to_write)):
        for file in unit_folder(previous, unit).iterdir():
            _link(file, unit_folder(version, unit) / file.name)
    return to_write


def _write_version(
    conn: duckdb_module.DuckDBPyConnection, version: Path, previous: Path | None
) -> tuple[dict[str, str], list[str], int]:
    """Link fct_cloud_spend's units, write fct_spend's other units that changed (linking the others from
    `previous`) and the whole small marts. Returns every unit's fingerprint (a cloud unit's is its path),
    the units new in this version, and fct_spend's row count."""
    cloud_sources = [source for (source,) in conn.execute(CLOUD_SOURCES).fetchall()]
    not_cloud = f"x_Source not in ({', '.join(map(sql_literal, cloud_sources))})" if cloud_sources else "true"
    counted = conn.execute(UNIT_FINGERPRINTS.format(not_cloud=not_cloud)).fetchall()
    units = {unit: fingerprint for unit, _, fingerprint in counted}
    published = _published_units(previous)
    to_write = _link_unchanged_units(units, published, version, previous)
    for unit_path, source, month in conn.execute(CLOUD_UNITS).fetchall():
        unit = f"{source}/{month}/{'-'.join(Path(unit_path).parts)}"  # its path in the units folder: unique
        _link(cloud_units_dir() / unit_path, unit_folder(version, unit))
        units[unit] = unit_path
    # One plain COPY per unit: DuckDB's partition_by takes more than twice as long for the same rows, and a
    # unit's predicate (one source, one month) is cheap to evaluate on every row. Rows in a Parquet file have
    # no order a reader may rely on, and writing them unordered is a fifth faster.
    conn.execute("set preserve_insertion_order = false")
    for unit in to_write:
        source, month = unit.split("/")
        target = unit_folder(version, unit)
        target.mkdir(parents=True)
        conn.execute(
            f"""copy (
                    select * from {MART_SCHEMA}.{SPEND_MART}
                    where x_Source = $source
                      and ChargePeriodStart >= cast($month || '-01' as timestamp)
                      and ChargePeriodStart < cast($month || '-01' as timestamp) + interval 1 month
                ) to '{target / "data_0.parquet"}' (format parquet)""",
            {"source": source, "month": month},
        )
    if not units:  # no spend yet: a file of no rows gives readers the mart's columns
        (version / SPEND_MART).mkdir()
        conn.execute(
            f"copy (select * from {MART_SCHEMA}.{SPEND_MART} limit 0) to '{version / SPEND_MART}/data_0.parquet' "
            "(format parquet)"
        )
    for mart in WHOLE_MARTS:
        conn.execute(f"copy {MART_SCHEMA}.{mart} to '{version / mart}.parquet' (format parquet)")
    (cloud_rows,) = conn.execute(f"select count(*) from {MART_SCHEMA}.fct_cloud_spend").fetchone()
    new = sorted(unit for unit, fingerprint in units.items() if published.get(unit) != fingerprint)
    return units, new, sum(row_count for _, row_count, _ in counted) + cloud_rows


def _write_version_on_spark(
    dbt: DbtCliResource, conn: duckdb_module.DuckDBPyConnection, version: Path, previous: Path | None
) -> tuple[dict[str, str], list[str], int]:
    """As on DuckDB: fct_spend's units that changed are written (by Spark, in source=/month= folders), the
    others linked from `previous`; each small mart becomes one Parquet file."""
    counted = engine_rows(dbt, SPARK_UNIT_FINGERPRINTS)
    units = {unit: fingerprint for unit, _, fingerprint in counted}
    to_write = _link_unchanged_units(units, _published_units(previous), version, previous)
    written = version / ".spark"
    marts = {
        "folder": str(written),
        "marts": [SPEND_MART, *WHOLE_MARTS],
        "by_source_and_month": {SPEND_MART: to_write},
        "columns_of": [] if units else [SPEND_MART],  # no spend yet: readers still need the mart's columns
    }
    run_operation(dbt, "write_marts", marts)
    for unit in to_write:
        unit_folder(version, unit).parent.mkdir(parents=True, exist_ok=True)
        unit_folder(written, unit).rename(unit_folder(version, unit))
    if not units:
        (version / SPEND_MART).mkdir()
        [columns] = written.glob(f"{SPEND_MART}__columns/*.parquet")
        columns.rename(version / SPEND_MART / "data_0.parquet")
    for mart in WHOLE_MARTS:
        conn.execute(
            f"copy (select * from read_parquet('{written / mart}/*.parquet')) to '{version / mart}.parquet' "
            "(format parquet)"
        )
    shutil.rmtree(written)
    return units, to_write, sum(int(rows) for _, rows, _ in counted)


def _write_database(conn: duckdb_module.DuckDBPyConnection, staged: Path, version: Path) -> None:
    """The published DuckDB file: fct_spend as a view over this version's Parquet (at least one file, with no
    rows before there is spend), the small marts copied from theirs: it reads the version only, whichever engine
    wrote it."""
    conn.execute(f"attach '{staged}' as published")
    try:
        conn.execute(f"create schema published.{MART_SCHEMA}")
        spend_files = version / SPEND_MART / "**" / "*.parquet"
        conn.execute(
            f"create view published.{MART_SCHEMA}.{SPEND_MART} as "
            f"select * from read_parquet('{spend_files}', hive_partitioning = false, union_by_name = true)"
        )
        for mart in WHOLE_MARTS:
            conn.execute(
                f"create table published.{MART_SCHEMA}.{mart} as select * from read_parquet('{version / mart}.parquet')"
            )
    finally:
        conn.execute("detach published")


@contextmanager
def published_connection() -> Iterator[duckdb_module.DuckDBPyConnection]:
    """A read-only connection to the published marts, as BI tools read them (whichever engine built them)."""
    database = published_dir() / PUBLISHED_DATABASE
    if not database.exists():
        raise FileNotFoundError(
            f"No published marts at {database} yet: materialize published_marts (a run of daily_spend_job or "
            "exports_job publishes them)."
        )
    with duckdb_module.connect(str(database), read_only=True) as conn:
        yield conn


@dg.asset(
    deps=[dg.AssetKey([MART_SCHEMA, mart]) for mart in [SPEND_MART, *WHOLE_MARTS]],
    group_name="published",
    kinds={"duckdb", "parquet"},
)
def published_marts(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, dbt: DbtCliResource
) -> dg.MaterializeResult:
    """The marts as data/published/pump_costs.duckdb and data/published/parquet/ (the current version). On
    Spark the marts are also the metastore's tables that dbt built; Spark writes this version's files."""
    folder = published_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for leftover in _remove_leftovers(folder):
        context.log.warning(f"Removed {leftover.name}, left by a publish that was stopped half-way")
    previous = _current_version(folder)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    version = folder / f"parquet-{stamp}"
    staged_database = folder / f".{PUBLISHED_DATABASE}.{stamp}.tmp"
    version.mkdir()
    try:
        with duckdb.get_connection() as conn:
            if engine() == "spark":
                units, changed, rows = _write_version_on_spark(dbt, conn, version, previous)
            else:
                units, changed, rows = _write_version(conn, version, previous)
            _write_database(conn, staged_database, version)
        (version / UNITS_FILE).write_text(json.dumps(units, indent=0, sort_keys=True))
    except BaseException:
        # What is already published stays as it was; only this attempt's files go.
        staged_database.unlink(missing_ok=True)
        shutil.rmtree(version, ignore_errors=True)
        raise
    os.replace(staged_database, folder / PUBLISHED_DATABASE)
    _swap_symlink(folder / PARQUET_LINK, version)
    if previous:
        os.utime(previous)  # the grace period counts from when a version stops being current
    _remove_stale_versions(folder, current=version, previous=previous)
    context.log.info(f"Published to {folder}: {len(changed)} of {len(units)} fct_spend units written")
    return dg.MaterializeResult(
        metadata={
            "database": dg.MetadataValue.path(str(folder / PUBLISHED_DATABASE)),
            "parquet_folder": dg.MetadataValue.path(str(folder / PARQUET_LINK)),
            "rows_fct_spend": rows,
            "units_written": len(changed),
            "units": len(units),
        }
    )
