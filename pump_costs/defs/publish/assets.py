"""Publish the marts for BI tools: a read-only DuckDB file and Parquet files, swapped in atomically.

BI tools never open the working warehouse (DuckDB allows one writer, and even a reader there makes dbt
fail to take its lock). A reader holding the published file keeps seeing the version it opened; the
next reader sees the new one, never a mix.
"""

import os
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from pump_costs.warehouse import published_dir

MART_SCHEMA = "marts"
MARTS = ["fct_spend", "fct_daily_spend", "fct_anthropic_token_usage", "dim_workspaces", "dim_api_keys"]
PUBLISHED_DATABASE = "pump_costs.duckdb"
PARQUET_LINK = "parquet"


def _swap_symlink(link: Path, target: Path) -> None:
    """Point `link` at `target` in one rename, so readers find either the old or the new folder."""
    temporary = link.with_name(f".{link.name}.{uuid.uuid4().hex}")
    temporary.symlink_to(target.name)
    os.replace(temporary, link)


def _remove_stale_versions(folder: Path, keep: set[str]) -> None:
    """Drop Parquet versions older than the current and previous ones (a reader may still use those)."""
    versions = sorted(p for p in folder.glob("parquet-*") if p.is_dir())
    for stale in versions[:-2]:
        if stale.name not in keep:
            shutil.rmtree(stale, ignore_errors=True)


@dg.asset(
    deps=[dg.AssetKey([MART_SCHEMA, mart]) for mart in MARTS],
    group_name="published",
    kinds={"duckdb", "parquet"},
)
def published_marts(context: dg.AssetExecutionContext, duckdb: DuckDBResource) -> dg.MaterializeResult:
    """The marts as data/published/pump_costs.duckdb and data/published/parquet/<mart>.parquet."""
    folder = published_dir()
    folder.mkdir(parents=True, exist_ok=True)
    version = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    staged_database = folder / f".{PUBLISHED_DATABASE}.{version}.tmp"
    parquet_folder = folder / f"parquet-{version}"
    parquet_folder.mkdir()
    rows = {}
    try:
        with duckdb.get_connection() as conn:
            conn.execute(f"attach '{staged_database}' as published")
            conn.execute(f"create schema published.{MART_SCHEMA}")
            for mart in MARTS:
                conn.execute(f"create table published.{MART_SCHEMA}.{mart} as select * from {MART_SCHEMA}.{mart}")
                conn.execute(f"copy {MART_SCHEMA}.{mart} to '{parquet_folder / mart}.parquet' (format parquet)")
                rows[mart] = conn.execute(f"select count(*) from {MART_SCHEMA}.{mart}").fetchone()[0]
            conn.execute("detach published")
    except BaseException:
        # What is already published stays as it was; only this attempt's files go.
        staged_database.unlink(missing_ok=True)
        shutil.rmtree(parquet_folder, ignore_errors=True)
        raise
    os.replace(staged_database, folder / PUBLISHED_DATABASE)
    _swap_symlink(folder / PARQUET_LINK, parquet_folder)
    _remove_stale_versions(folder, keep={parquet_folder.name})
    context.log.info(f"Published {len(MARTS)} marts to {folder}")
    return dg.MaterializeResult(
        metadata={
            "database": dg.MetadataValue.path(str(folder / PUBLISHED_DATABASE)),
            "parquet_folder": dg.MetadataValue.path(str(folder / PARQUET_LINK)),
            **{f"rows_{mart}": count for mart, count in rows.items()},
        }
    )
