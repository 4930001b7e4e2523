"""Where pump-costs writes, and the one way it replaces rows: a whole window in one transaction."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pyarrow as pa

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR_ENV_VAR = "PUMP_COSTS_DATA_DIR"


def data_dir() -> Path:
    """PUMP_COSTS_DATA_DIR, else ./data in the project. A relative path is taken from the project folder,
    not the current one, so the CLI, `dagster dev` and its run workers all open the same warehouse."""
    return (PROJECT_ROOT / Path(os.environ.get(DATA_DIR_ENV_VAR) or "data").expanduser()).resolve()


def warehouse_path() -> Path:
    """The working DuckDB file. Only the pipeline opens it; BI tools read the published copy."""
    return data_dir() / "warehouse" / "pump_costs.duckdb"


def published_dir() -> Path:
    return data_dir() / "published"


def replace_rows(
    conn: duckdb.DuckDBPyConnection,
    table: str,
    batch: pa.Table,
    where: str = "true",
    params: list | None = None,
) -> int:
    """Delete the rows matching `where` and insert `batch`, atomically.

    A run killed half-way leaves the previous rows in place; a re-run writes exactly the same rows.
    """
    conn.execute("begin transaction")
    try:
        conn.execute(f"delete from {table} where {where}", params or [])
        conn.register("replacement_batch", batch)
        conn.execute(f"insert into {table} by name select * from replacement_batch")
        conn.unregister("replacement_batch")
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
    return batch.num_rows
