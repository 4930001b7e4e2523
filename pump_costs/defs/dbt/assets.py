"""The dbt project as Dagster assets: models tagged `daily` are partitioned by day, everything else is not.

Only the models built by day from the daily Anthropic reports (their staging and intermediate views,
fct_anthropic_spend and fct_claude_code_usage) carry a window; seeds, the other staging and intermediate
views, fct_cloud_spend, fct_spend and the dimensions have no partitions. A daily model reads nothing
unpartitioned, so a job of every asset runs dbt twice (daily models, then the rest) and an asset backfill
reaches every daily model from the reports. Every dbt test is an asset check and runs where the models it
reads are built.
"""

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from graphlib import TopologicalSorter
from importlib.util import find_spec
from pathlib import Path
from shutil import which
from typing import Any

import dagster as dg
import yaml
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets
from dagster_duckdb import DuckDBResource

from pump_costs.defs.dbt import build_inputs
from pump_costs.defs.dbt.build_inputs import LOAD_TIME
from pump_costs.defs.dbt.project import dbt_project
from pump_costs.defs.partitions import daily_partitions
from pump_costs.raw.lake import (
    SPARK_IN_PLACE_VIEW_SUFFIX,
    create_raw_layer,
    spark_catalogue,
    spark_replaced_tables,
    tidy,
)
from pump_costs.settings import DATA_DIR, DBT_PROFILES_DIR, DBT_TARGETS, READ_EXPORTS_IN_PLACE, data_dir, engine
from pump_costs.warehouse import lost_units, tidy_units, units_dir, warehouse_path

DAILY_MODELS = "tag:daily"
WINDOW_START_ENV_VAR, WINDOW_END_ENV_VAR = "PUMP_COSTS_WINDOW_START", "PUMP_COSTS_WINDOW_END"

# A test runs when every model it reads is built in this invocation *or upstream of one that is*.
# dbt's default (eager) would test a model another run is still building; "cautious" would drop a test
# whose models span two runs (as a UI backfill splits them), such as fct_spend's relationships test to a
# seed built in an earlier run.
INDIRECT_SELECTION = ["--indirect-selection", "buildable"]
# Metadata of a model a run did not rebuild (nothing it reads changed since) and of its tests: the run that did.
BUILT_BY_RUN = "built_by_run"


class LayerGroupTranslator(DagsterDbtTranslator):
    """Group dbt nodes by layer, as the dbt folders and schemas are: seeds, staging, intermediate, marts."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "model":
            return dbt_resource_props["fqn"][1]
        if dbt_resource_props["resource_type"] == "seed":
            return "seeds"
        return super().get_group_name(dbt_resource_props)


@contextmanager
def dbt_environment(window: tuple[date, date] | None) -> Iterator[None]:
    """What dbt reads from the environment while it runs: the data folder as an absolute path (the
    profile opens the warehouse by it, and a relative PUMP_COSTS_DATA_DIR would be read against whatever
    folder dbt runs in) and the window of days dbt's in_run_window macro reads."""
    values = {DATA_DIR.name: str(data_dir())}
    if window:
        values |= {WINDOW_START_ENV_VAR: window[0].isoformat(), WINDOW_END_ENV_VAR: window[1].isoformat()}
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def dbt_target_path() -> Path:
    """One target folder per warehouse, reused by every run: dbt keeps its partial-parse state there
    (so a run re-parses only what changed) and overwrites its artifacts, so the folder does not grow."""
    return warehouse_path().parent / "dbt_target"


def dbt_build(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    exclude: Sequence[str] = (),
    window: tuple[date, date] | None = None,
) -> Iterator:
    """`dbt build` of the selected models but those named in `exclude`, and the data tests they can run.
    dbt's unit tests check the models' logic, not the data, so they run in the test suite only
    (tests/test_spend_mart_totals.py::test_every_dbt_unit_test_passes)."""
    args = ["build", *INDIRECT_SELECTION, "--exclude-resource-type", "unit_test"]
    if exclude:
        # dagster-dbt adds the run's selection; a --select here would be a union with it, an --exclude
        # takes these away from it.
        args += ["--exclude", " ".join(exclude)]
    with dbt_environment(window):  # for as long as dbt runs: it runs in this process
        yield from dbt.cli(args, context=context, target_path=dbt_target_path()).stream()


@dbt_assets(
    manifest=dbt_project.manifest_path,
    select=DAILY_MODELS,
    name="dbt_daily_models",
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    dagster_dbt_translator=LayerGroupTranslator(),
)
def dbt_daily_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, duckdb: DuckDBResource) -> Iterator:
    """Models refreshed by day, for the run's window of UTC days (start inclusive, end exclusive)."""
    prepare_engine(dbt, duckdb)
    start, end = context.partition_time_window
    yield from dbt_build(context, dbt, window=(start.date(), end.date()))


@dbt_assets(
    manifest=dbt_project.manifest_path,
    exclude=DAILY_MODELS,
    name="dbt_models",
    dagster_dbt_translator=LayerGroupTranslator(),
)
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, duckdb: DuckDBResource) -> Iterator:
    """Seeds, staging and intermediate views, the cloud facts, fct_spend and the dimensions.

    Only the models downstream of an input that changed since the last whole build are built (an export
    landed or removed, a day pulled or rebuilt, budgets edited, a new day for fct_budget_status), every
    model when the project or the warehouse's tables changed or the engine lacks a model (dropped by hand),
    and none when nothing did (dbt only reports the models' states). Each model not built is reported
    materialized, naming the run that built it, and each of its tests with the outcome it had there, on the
    same inputs (build_inputs.py)."""
    prepare_engine(dbt, duckdb)
    states = model_states(dbt)
    if None in states.daily.values():
        create_missing_daily_tables(dbt)
        states = model_states(dbt)
    project = build_inputs.project_digest(dbt_project.project_dir)
    on_duckdb = engine() == "duckdb"
    with duckdb.get_connection() as conn:
        # The parquet_units models' units are files beside the warehouse on DuckDB, partitions on Spark.
        if on_duckdb:
            tidy_units(conn)  # what a build that stopped or failed wrote, unrecorded, is removed
        lost = lost_units(conn) if on_duckdb else {}
        inputs = build_inputs.current_inputs(project, conn, states.daily, states.missing)
        last = build_inputs.last_build(conn)
    for model, paths in lost.items():
        context.log.warning(
            f"{len(paths)} unit file(s) of {model} are missing from {units_dir(model)} (first: {paths[0]}): "
            "the rows of their export files are written again."
        )
    selected = context.selected_asset_keys
    damaged = {dg.AssetKey(model.split(".")) for model in lost}
    rebuilt = models_to_rebuild(selected, inputs, last, damaged=damaged)
    kept = selected - rebuilt
    if kept:
        runs = ", ".join(sorted({last.built_by[key.to_user_string()] for key in kept}))
        context.log.info(
            f"{len(rebuilt)} of {len(selected)} models read an input that changed since their last build; the "
            f"other {len(kept)} are as run(s) {runs} built them" + (": dbt builds nothing." if not rebuilt else ".")
        )
        yield from kept_materializations(context, kept, last)
    outcomes = {}
    if rebuilt:
        kept_nodes = [dbt_models.get_asset_spec(key).metadata["dagster_dbt/unique_id"].split(".")[-1] for key in kept]
        for event in dbt_build(context, dbt, exclude=kept_nodes):
            if isinstance(event, dg.AssetCheckResult):
                outcomes[dg.AssetCheckKey(event.asset_key, event.check_name)] = build_inputs.CheckOutcome(
                    event.asset_key.path, event.check_name, event.passed, event.severity.value, context.run.run_id
                )
            yield event
        if on_duckdb:
            with duckdb.get_connection() as conn:
                tidy_units(conn)  # the units this build retired
    # A test dbt ran has this run's outcome; another test of a kept model keeps its last one; another test
    # of a model built now has none.
    kept_checks = [
        check
        for check in (last.checks if last else [])
        if dg.AssetKey(check.asset_key) in kept
        and (key := dg.AssetCheckKey(dg.AssetKey(check.asset_key), check.check_name))
        in context.selected_asset_check_keys
        and key not in outcomes
    ]
    yield from kept_check_results(kept_checks)
    # Only a whole build is recorded (a UI backfill may split these models across runs by layer, and a
    # run building the first layers must not make the next run skip the rest). `dbt_models` is the whole
    # definition; `context.assets_def` is the run's subset of it.
    if selected == dbt_models.keys and context.selected_asset_check_keys == dbt_models.check_keys:
        built_by = {**(last.built_by if last else {}), **{key.to_user_string(): context.run.run_id for key in rebuilt}}
        with duckdb.get_connection() as conn:
            # Taken again: a build adds its own tables and views to the warehouse's list of relations. A whole build
            # that succeeded leaves every model built: none is missing.
            built = build_inputs.current_inputs(project, conn, states.daily, missing=[])
            build_inputs.record_build(conn, build_inputs.Build(built, built_by, [*kept_checks, *outcomes.values()]))


def models_to_rebuild(
    selected: AbstractSet[dg.AssetKey],
    inputs: build_inputs.Inputs,
    last: build_inputs.Build | None,
    damaged: AbstractSet[dg.AssetKey] = frozenset(),
) -> set[dg.AssetKey]:
    """The selected models downstream of an input that changed since `last` (all of them when there is
    no `last`, or the context changed), and the `damaged` models (their stored rows are incomplete) and
    those downstream of them."""
    changed = inputs.changed(last.inputs) if last else None
    if changed is None or any(key.to_user_string() not in last.built_by for key in selected):
        return set(selected)
    # A raw table or a daily model's table is the asset of the same schema and name.
    reached = {dg.AssetKey(name.split(".")) for name in changed - {build_inputs.TODAY}} | set(damaged)
    if build_inputs.TODAY in changed:
        reached |= {
            key for key in dbt_models.keys if build_inputs.READS_TODAY_TAG in dbt_models.get_asset_spec(key).tags
        }
    upstream = {**dbt_daily_models.asset_deps, **dbt_models.asset_deps}
    grown = True
    while grown:
        downstream = {key for key, deps in upstream.items() if key not in reached and deps & reached}
        reached |= downstream
        grown = bool(downstream)
    return set(selected) & reached


def kept_materializations(context: dg.AssetExecutionContext, kept: set[dg.AssetKey], last: build_inputs.Build):
    """`kept` as materialized by the runs that built them, upstream first, as a multi-asset must report
    its assets (every model rebuilt in this run is downstream of them or unrelated)."""
    upstream = {key: context.assets_def.asset_deps[key] & kept for key in kept}
    for key in TopologicalSorter(upstream).static_order():
        yield dg.MaterializeResult(asset_key=key, metadata={BUILT_BY_RUN: last.built_by[key.to_user_string()]})


def kept_check_results(checks: list[build_inputs.CheckOutcome]) -> Iterator[dg.AssetCheckResult]:
    for check in checks:
        yield dg.AssetCheckResult(
            asset_key=dg.AssetKey(check.asset_key),
            check_name=check.check_name,
            passed=check.passed,
            severity=dg.AssetCheckSeverity(check.severity),
            metadata={BUILT_BY_RUN: check.run_id},
        )


# How a run-operation's answer is told apart from dbt's other log lines (dagster-dbt swallows a line of bare JSON).
MODEL_STATES_PREFIX = "pump-costs model states: "
ROWS_PREFIX = "pump-costs rows: "


def run_operation(dbt: DbtCliResource, macro: str, args: Mapping[str, Any] | None = None) -> list[str]:
    """`dbt run-operation macro` on the engine's target; returns the messages the macro logged."""
    command = ["run-operation", macro, *(["--args", json.dumps(args)] if args else [])]
    with dbt_environment(window=None):
        invocation = dbt.cli(command, manifest=dbt_project.manifest_path, target_path=dbt_target_path())
        return [
            event.raw_event["info"]["msg"]
            for event in invocation.stream_raw_events()
            if event.raw_event["info"]["name"] == "JinjaLogInfo"
        ]


def engine_rows(dbt: DbtCliResource, sql: str) -> list[list[str | None]]:
    """The rows of `sql`, run on the engine through dbt, every value as text."""
    return logged_rows(run_operation(dbt, "log_rows", {"prefix": ROWS_PREFIX, "sql": sql}))


def logged_rows(logged: list[str]) -> list[list[str | None]]:
    """The rows the macro log_rows logged (with ROWS_PREFIX)."""
    [rows] = [msg.removeprefix(ROWS_PREFIX) for msg in logged if msg.startswith(ROWS_PREFIX)]
    return json.loads(rows)


@dataclass(frozen=True)
class ModelStates:
    """What the engine has of the models: each model refreshed by day ("schema.name"), its table's row count and
    latest load time, "view", or None when it does not exist yet; and the other models it does not have."""

    daily: dict[str, str | None]
    missing: list[str]


def model_states(dbt: DbtCliResource) -> ModelStates:
    """The models' states, asked of the engine through dbt."""
    logged = run_operation(dbt, "model_states", {"prefix": MODEL_STATES_PREFIX, "load_time_column": LOAD_TIME})
    [states] = [
        json.loads(msg.removeprefix(MODEL_STATES_PREFIX)) for msg in logged if msg.startswith(MODEL_STATES_PREFIX)
    ]
    return ModelStates(states["daily"], states["missing"])


def create_missing_daily_tables(dbt: DbtCliResource) -> None:
    """fct_spend reads the daily models' tables: a run without partitions creates those missing, so it
    builds too. A table created builds from every day the raw reports hold (none on a set-up with cloud
    exports only; all of them for a table dropped by hand); the empty window leaves the others as they are.
    Their data tests run too (a failing one stops the run): their rows are the mart's until the next daily run."""
    nothing = date(1900, 1, 1)
    command = ["build", "--select", f"+{DAILY_MODELS}", *INDIRECT_SELECTION, "--exclude-resource-type", "unit_test"]
    with dbt_environment(window=(nothing, nothing)):
        dbt.cli(command, manifest=dbt_project.manifest_path, target_path=dbt_target_path()).wait()


def prepare_engine(dbt: DbtCliResource, duckdb: DuckDBResource) -> None:
    """Every dbt source exists, empty until its first load, so a set-up with no Anthropic key, or no exports
    of some kind, still builds: DuckDB's views over the raw lake, and on Spark external tables over the same
    folders. Spark's are declared again on every run (a table that gained a column, a data folder moved), and
    Spark reads every file in a table's folder: the files no write listed (a stopped write's) go first. Spark
    reads the files read in place through globs of their paths, which read nothing of a file that is gone, and
    say nothing: each file's rows are counted there, and a file that differs from its listing stops the run."""
    require_engine()
    with duckdb.get_connection() as conn:
        create_raw_layer(conn)
        if engine() == "spark":
            tidy(conn)
            catalogue = spark_catalogue(conn)
    if engine() == "spark":
        arguments = {"views": spark_replaced_tables(), "in_place_suffix": SPARK_IN_PLACE_VIEW_SUFFIX}
        check = catalogue.in_place_check
        checking = {"in_place_check": check, "rows_prefix": ROWS_PREFIX} if check else {}
        logged = run_operation(dbt, "declare_raw_tables", {"statements": catalogue.statements, **arguments, **checking})
        require_rows_read_in_place(logged_rows(logged) if check else [])


def require_rows_read_in_place(differences: list[list[str | None]]) -> None:
    """Each file read in place gave the engine the rows landing listed for it (`differences`: the table, path,
    rows listed and rows read of each that did not)."""
    if not differences:
        return
    files = "; ".join(f"{path} ({table}): {read} of its {rows} rows" for table, path, rows, read in differences)
    raise RuntimeError(
        f"Spark read {len(differences)} export file(s) read in place with other rows than landing listed, so "
        f"nothing is built: {files}. A file read in place must stay where it was landed, as it was: put it back, or "
        "land the exports again (materialize the raw_exports group), which lands a changed file again and drops the "
        "rows of one that is gone. If the file is there unchanged, Spark cannot read it in place: set "
        f"{READ_EXPORTS_IN_PLACE.name}=false, and the next landing copies the exports into the lake."
    )


def require_engine() -> None:
    """What dbt's target needs here, said plainly before dbt fails on it. A profile of the user's
    (PUMP_COSTS_DBT_PROFILES_DIR: a cluster) needs the engine's output and the dbt adapter it names; the project's
    own `spark` target (Spark in this process) needs the spark extra and Java."""
    if profiles := DBT_PROFILES_DIR.value():
        require_output(Path(profiles))
        return
    if engine() != "spark":
        return
    needs = {"the spark extra": find_spec("pyspark"), "Java": which("java")}
    missing = " and ".join(what for what, found in needs.items() if not found)
    if missing:
        raise RuntimeError(
            f"PUMP_COSTS_ENGINE=spark, but {missing} {'are' if ' and ' in missing else 'is'} not installed: run the "
            "README's command with it set (`PUMP_COSTS_ENGINE=spark make demo`, `make dev`, `make backfill`), which "
            "installs them, or unset it to run on DuckDB."
        )


def require_output(profiles: Path) -> None:
    """The `pump_costs` profile in `profiles` has the output the engine runs dbt on, and the dbt adapter it names
    is installed. A profile dbt cannot read is left for dbt to report."""
    try:
        outputs = yaml.safe_load((profiles / "profiles.yml").read_text())["pump_costs"]["outputs"]
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        return
    target = DBT_TARGETS[engine()]
    if not isinstance(outputs, dict):
        return
    if target not in outputs:
        what_to_do = (
            "Set PUMP_COSTS_ENGINE=spark to run on its `spark` output, or unset PUMP_COSTS_DBT_PROFILES_DIR to run on "
            "DuckDB."
            if target == "local"
            else "Add your cluster's `spark` output to it (README: A real cluster)."
        )
        raise RuntimeError(
            f"PUMP_COSTS_DBT_PROFILES_DIR={profiles}: its pump_costs profile has no `{target}` output, the one "
            f"PUMP_COSTS_ENGINE={engine()} runs dbt on. {what_to_do}"
        )
    adapter = outputs[target].get("type") if isinstance(outputs[target], dict) else None
    if not isinstance(adapter, str) or not adapter.isidentifier() or find_spec(f"dbt.adapters.{adapter}"):
        return
    how = (
        "run `make install` with both settings set, which installs the spark-cluster extra (dbt-spark's Thrift client)"
        if adapter == "spark"
        else f"install it (`.venv/bin/pip install dbt-{adapter}`)"
    )
    raise RuntimeError(
        f"PUMP_COSTS_DBT_PROFILES_DIR={profiles}: its pump_costs profile's `{target}` output is of type {adapter}, but "
        f"dbt's {adapter} adapter is not installed: {how}."
    )
