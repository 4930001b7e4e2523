"""Where pump-costs writes: the working DuckDB file (its raw lake beside it, pump_costs/raw/lake.py), and the
copy BI tools read."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from pump_costs.raw.lake import remove_unlisted
from pump_costs.settings import data_dir


def warehouse_path() -> Path:
    """The working DuckDB file. Only the pipeline opens it; BI tools read the published copy."""
    return data_dir() / "warehouse" / "pump_costs.duckdb"


def published_dir() -> Path:
    return data_dir() / "published"


class WarehouseLockedError(RuntimeError):
    """Another process holds the warehouse file."""


LOCK_WAITS = (0.5, 1.0, 2.0)  # a step that just finished may still be closing the file


@contextmanager
def open_warehouse(database: str | Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """The working DuckDB file, or at once (not after DuckDB's minute and a half of retries) an error that
    says who holds it and what to do."""
    path = Path(database or warehouse_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    for wait in (*LOCK_WAITS, None):
        try:
            conn = duckdb.connect(str(path))
            break
        except duckdb.IOException as error:
            if "lock" not in str(error).lower():
                raise
            if wait is None:
                holder = re.search(r"held in (.+?\(PID \d+\))", str(error))
                raise WarehouseLockedError(
                    f"The warehouse {path} is in use by another process"
                    + (f" ({holder.group(1)})" if holder else "")
                    + ". pump-costs needs it alone (DuckDB allows one writer): wait for that run to finish or "
                    f"stop it. BI tools and notebooks must read the published copy in {published_dir()}, "
                    "never the working file."
                ) from None
            time.sleep(wait)
    try:
        yield conn
    finally:
        conn.close()


# The models stored as Parquet files ("units") beside the warehouse file (dbt_project/macros/parquet_units.sql):
# each lists its units (by their path in units_dir(model)) in its <model>__units table and is read through
# its view. The published mart links fct_cloud_spend's units; int_cloud__daily_spend sums them by day.
CLOUD_SPEND_MODEL = "marts.fct_cloud_spend"
UNITS_MODELS = (CLOUD_SPEND_MODEL, "intermediate.int_cloud__daily_spend")
CLOUD_UNITS_TABLE = f"{CLOUD_SPEND_MODEL}__units"


def units_dir(model: str) -> Path:
    return warehouse_path().parent / "units" / model.split(".")[-1]


def cloud_units_dir() -> Path:
    return units_dir(CLOUD_SPEND_MODEL)


def _listed_units(conn: duckdb.DuckDBPyConnection, model: str) -> set[str]:
    (listed,) = conn.execute(
        "select count(*) from information_schema.tables where table_schema || '.' || table_name = ?",
        [f"{model}__units"],
    ).fetchone()
    if not listed:
        return set()
    return {path for (path,) in conn.execute(f"select unit_path from {model}__units").fetchall()}


def tidy_units(conn: duckdb.DuckDBPyConnection) -> list[Path]:
    """Make the units folders dbt writes to, and remove every unit file its model's units table does not
    list: retired by a build, or written by one that stopped before recording them. Returns what was removed."""
    removed = []
    for model in UNITS_MODELS:
        units_dir(model).mkdir(parents=True, exist_ok=True)
        removed += remove_unlisted(units_dir(model), _listed_units(conn, model))
    return removed


def lost_units(conn: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Each model's listed units whose file is missing (deleted by hand, or not restored from a backup): until
    a build writes their export files' rows again (dbt_project/macros/cloud_refresh.sql), the model cannot be
    read."""
    lost = {}
    for model in UNITS_MODELS:
        folder = units_dir(model)
        if missing := sorted(path for path in _listed_units(conn, model) if not (folder / path).is_file()):
            lost[model] = missing
    return lost
