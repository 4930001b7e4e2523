"""What the unpartitioned dbt models read, and what the last build of them recorded.

A model rebuilt from the same inputs gives the same rows and its tests the same outcomes. So each whole
build records what it read and which run built each model and evaluated each test, and the next run
builds only the models downstream of an input that changed since (none at all when nothing did); the
others are reported as they were.

What the models read:
- the context: the dbt project's files (models, macros, seeds, tests, dbt_project.yml, profiles.yml),
  the versions of dbt-core and its adapters, the engine, the warehouse's location and its list of relations,
  and the models the engine does not have (a table dropped by hand is built again, on either engine). Any
  change to it rebuilds every model;
- the input tables: each raw table, summarized by its files in the raw lake (a write gives new files), and
  each table the daily models build, by row count and latest load time as the engine reports them (a
  removed day lowers the count; the Anthropic rows carry no load time today, and a window pulled again is
  seen by its raw tables' new files). A changed table rebuilds the models downstream of it;
- the date (TODAY), which only the models tagged `reads_current_date` read: a new day rebuilds those and
  the models downstream of them.
"""

import hashlib
import json
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import duckdb

from pump_costs.raw.lake import FILES, table_states
from pump_costs.raw.tables import ANTHROPIC_SCHEMA, CONFIG_SCHEMA, EXPORTS_SCHEMA, transaction
from pump_costs.settings import engine

PROJECT_PARTS = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests")
RAW_SCHEMAS = (ANTHROPIC_SCHEMA, EXPORTS_SCHEMA, CONFIG_SCHEMA)
# The column each build of a daily model stamps on its rows; the state the engine reports for a daily view.
LOAD_TIME = "x_LandedAt"
VIEW = "view"
# The input that stands for the date, beside the tables; models reading it carry this dbt tag.
TODAY = "current_date"
READS_TODAY_TAG = "reads_current_date"
STATE_SCHEMA = "pipeline_state"
BUILDS_TABLE = f"{STATE_SCHEMA}.model_builds"


@dataclass(frozen=True)
class Inputs:
    context: str
    # Each input's state: "schema.table" -> "row count / latest load time", and TODAY -> the date.
    states: dict[str, str]

    def changed(self, previous: "Inputs") -> set[str] | None:
        """The inputs whose state differs from `previous`'s, or None when the context does (everything)."""
        if self.context != previous.context:
            return None
        names = self.states.keys() | previous.states.keys()
        return {name for name in names if self.states.get(name) != previous.states.get(name)}


@dataclass(frozen=True)
class CheckOutcome:
    asset_key: list[str]
    check_name: str
    passed: bool
    severity: str
    run_id: str


@dataclass(frozen=True)
class Build:
    """What the models were last built from; the run that built each model ("schema/name" keys) and
    each test's last outcome."""

    inputs: Inputs
    built_by: dict[str, str] = field(default_factory=dict)
    checks: list[CheckOutcome] = field(default_factory=list)


def project_digest(project_dir: Path) -> str:
    digest = hashlib.sha256()
    for package in ("dbt-core", "dbt-duckdb", "dbt-spark"):
        with suppress(PackageNotFoundError):  # dbt-spark: only in the spark extra
            digest.update(f"{package}=={version(package)}\n".encode())
    for part in PROJECT_PARTS:
        root = project_dir / part
        for path in sorted([root] if root.is_file() else root.rglob("*")):
            if path.is_file():
                digest.update(f"{path.relative_to(project_dir)}\n".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def current_inputs(
    project: str,
    conn: duckdb.DuckDBPyConnection,
    daily_states: dict[str, str | None],
    missing: list[str],
) -> Inputs:
    """`project` (project_digest's) with the engine, the warehouse's relations, the input tables and the date;
    `daily_states` are the daily models' as the engine reports them ("schema.name": "rows / latest load time",
    "view" or None), `missing` the other models it does not have (assets.model_states)."""
    # The warehouse's folder too: fct_cloud_spend's view reads its units there by absolute path, so a data
    # folder moved elsewhere builds every model again. The engine: the other one's marts are not these.
    (location,) = conn.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()
    # The models the engine lacks: on Spark the marts are not in this file's list of relations below.
    context = hashlib.sha256(f"{project}\n{location}\n{engine()}\n{sorted(missing)}\n".encode())
    (today,) = conn.execute("select current_date").fetchone()
    states = {TODAY: str(today)}
    relations = conn.execute(
        "select table_schema, table_name, table_type from information_schema.tables "
        "where table_schema <> ? order by all",
        [STATE_SCHEMA],
    ).fetchall()
    lake = table_states(conn) if FILES in {f"{schema}.{name}" for schema, name, _ in relations} else {}
    for schema, name, kind in relations:
        context.update(f"{schema}.{name} {kind}\n".encode())
        if schema in RAW_SCHEMAS:
            states[f"{schema}.{name}"] = lake.get(f"{schema}.{name}", "empty")
    for name, state in daily_states.items():
        if state not in (None, VIEW):
            states[name] = state
    return Inputs(context.hexdigest(), states)


def last_build(conn: duckdb.DuckDBPyConnection) -> Build | None:
    _create_state(conn)
    row = conn.execute(f"select context, states, built_by, checks from {BUILDS_TABLE}").fetchone()
    if not row:
        return None
    context, states, built_by, checks = row
    return Build(
        Inputs(context, json.loads(states)),
        json.loads(built_by),
        [CheckOutcome(**check) for check in json.loads(checks)],
    )


def record_build(conn: duckdb.DuckDBPyConnection, build: Build) -> None:
    _create_state(conn)
    values = [
        build.inputs.context,
        json.dumps(build.inputs.states),
        json.dumps(build.built_by),
        json.dumps([asdict(check) for check in build.checks]),
    ]
    with transaction(conn):
        conn.execute(f"delete from {BUILDS_TABLE}")
        conn.execute(f"insert into {BUILDS_TABLE} values (?, ?, ?, ?, now())", values)


def _create_state(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute(f"create schema if not exists {STATE_SCHEMA}")
    conn.execute(
        f"create table if not exists {BUILDS_TABLE} (context varchar not null, states json not null, "
        "built_by json not null, checks json not null, built_at timestamptz not null)"
    )
