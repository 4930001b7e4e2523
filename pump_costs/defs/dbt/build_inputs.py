"""What a build of the unpartitioned dbt models reads, as one fingerprint, and the last build's.

A run that lands no new export, pulls nothing and finds the budgets and the dbt project unchanged would
rebuild every table from the same inputs into the same rows, and test them with the same results.
Comparing this fingerprint with the one the last successful whole build recorded (with its tests'
outcomes) lets such a run skip dbt.

The fingerprint covers everything the build reads or that decides its output:
- the dbt project's files (models, macros, seeds, tests, dbt_project.yml, profiles.yml) and the
  versions of dbt-core and dbt-duckdb;
- every raw table, and every table the daily models build: its row count and its latest load time (each
  load stamps its rows, and a replaced window or file gets a new stamp, so a change moves it; a removed
  file lowers the count);
- the warehouse's list of relations, so a table dropped by hand is built again;
- the date, since budgets compare spend up to the last complete day.
"""

import hashlib
import json
from dataclasses import asdict, dataclass
from importlib.metadata import version
from pathlib import Path

import duckdb

from pump_costs.raw.tables import ANTHROPIC_SCHEMA, CONFIG_SCHEMA, EXPORTS_SCHEMA, transaction

PROJECT_PARTS = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests")
# The column each load stamps on its rows, by table kind (raw reports, export rows, the landing record,
# the daily models' FOCUS rows).
LOAD_TIME_COLUMNS = ("loaded_at", "_landed_at", "landed_at", "x_LandedAt")
STATE_SCHEMA = "pipeline_state"
BUILDS_TABLE = f"{STATE_SCHEMA}.model_builds"


@dataclass(frozen=True)
class CheckOutcome:
    asset_key: list[str]
    check_name: str
    passed: bool
    severity: str


@dataclass(frozen=True)
class Build:
    inputs: str
    run_id: str
    checks: list[CheckOutcome]


def project_digest(project_dir: Path) -> str:
    digest = hashlib.sha256()
    for package in ("dbt-core", "dbt-duckdb"):
        digest.update(f"{package}=={version(package)}\n".encode())
    for part in PROJECT_PARTS:
        root = project_dir / part
        for path in sorted([root] if root.is_file() else root.rglob("*")):
            if path.is_file():
                digest.update(f"{path.relative_to(project_dir)}\n".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def warehouse_digest(conn: duckdb.DuckDBPyConnection, daily_tables: list[tuple[str, str]]) -> str:
    """The relations, today's date, and each input table's row count and latest load time."""
    digest = hashlib.sha256()
    (today,) = conn.execute("select current_date").fetchone()
    digest.update(f"{today}\n".encode())
    relations = conn.execute(
        "select table_schema, table_name, table_type from information_schema.tables "
        "where table_schema <> ? order by all",
        [STATE_SCHEMA],
    ).fetchall()
    raw_schemas = {ANTHROPIC_SCHEMA, EXPORTS_SCHEMA, CONFIG_SCHEMA}
    for schema, name, kind in relations:
        digest.update(f"{schema}.{name} {kind}\n".encode())
        if kind == "BASE TABLE" and (schema in raw_schemas or (schema, name) in daily_tables):
            digest.update(f"{_table_state(conn, schema, name)}\n".encode())
    return digest.hexdigest()


def _table_state(conn: duckdb.DuckDBPyConnection, schema: str, name: str) -> tuple:
    columns = {
        column
        for (column,) in conn.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchall()
    }
    load_time = next((column for column in LOAD_TIME_COLUMNS if column in columns), None)
    # A table no load stamps (none today) is summarized by its content instead.
    latest = f'max("{load_time}")' if load_time else f'sum(hash("{name}"))'
    return conn.execute(f'select count(*), {latest} from "{schema}"."{name}"').fetchone()


def fingerprint(project: str, conn: duckdb.DuckDBPyConnection, daily_tables: list[tuple[str, str]]) -> str:
    """`project` (project_digest's) with the warehouse's digest."""
    return f"{project}:{warehouse_digest(conn, daily_tables)}"


def last_build(conn: duckdb.DuckDBPyConnection) -> Build | None:
    _create_state(conn)
    row = conn.execute(f"select inputs, run_id, checks from {BUILDS_TABLE}").fetchone()
    if not row:
        return None
    inputs, run_id, checks = row
    return Build(inputs, run_id, [CheckOutcome(**check) for check in json.loads(checks)])


def record_build(conn: duckdb.DuckDBPyConnection, build: Build) -> None:
    _create_state(conn)
    checks = json.dumps([asdict(check) for check in build.checks])
    with transaction(conn):
        conn.execute(f"delete from {BUILDS_TABLE}")
        conn.execute(f"insert into {BUILDS_TABLE} values (?, ?, ?, now())", [build.inputs, build.run_id, checks])


def _create_state(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute(f"create schema if not exists {STATE_SCHEMA}")
    conn.execute(
        f"create table if not exists {BUILDS_TABLE} "
        "(inputs varchar not null, run_id varchar not null, checks json not null, built_at timestamptz not null)"
    )
