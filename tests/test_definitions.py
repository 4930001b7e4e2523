"""The Definitions object: what the UI and the schedule see."""

import inspect
import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime

import dagster as dg

from pump_costs.definitions import defs
from pump_costs.defs.anthropic.checks import analytics_cost_matches_cost_report
from pump_costs.defs.dbt.assets import dbt_daily_models, dbt_models
from pump_costs.defs.dbt.project import dbt_project
from pump_costs.defs.partitions import daily_partitions


def test_partitions_are_fixed_daily_utc_and_the_job_runs_one_step_at_a_time():
    assert daily_partitions.get_first_partition_key() == "2025-01-01"
    assert daily_partitions.timezone == "UTC"
    job = defs.resolve_job_def("daily_spend_job")
    assert job.executor_def.name == "in_process"


def test_schedule_repulls_the_trailing_three_days_in_one_run(monkeypatch):
    schedule = defs.resolve_schedule_def("daily_spend_schedule")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 3 * * *", "UTC")
    context = dg.build_schedule_context(scheduled_execution_time=datetime(2026, 11, 26, 3, tzinfo=UTC))
    (request,) = schedule.evaluate_tick(context).run_requests
    assert request.tags["dagster/asset_partition_range_start"] == "2026-11-23"
    assert request.tags["dagster/asset_partition_range_end"] == "2026-11-25"
    monkeypatch.setenv("PUMP_COSTS_TRAILING_DAYS", "7")
    (request,) = schedule.evaluate_tick(context).run_requests
    assert request.tags["dagster/asset_partition_range_start"] == "2026-11-19"


def test_export_sensor_requests_a_rebuild_only_when_files_change(pipeline_env):
    sensor = defs.resolve_sensor_def("export_files_sensor")
    repository = defs.get_repository_def()

    def tick(cursor: str | None):
        return sensor.evaluate_tick(dg.build_sensor_context(cursor=cursor, repository_def=repository))

    # A new install without exports: nothing to rebuild on the sensor's first tick, nor on the next.
    empty = tick(None)
    assert empty.run_requests == [] and empty.skip_message == "No export files yet"
    assert tick(empty.cursor).run_requests == []
    folder = pipeline_env / "exports" / "focus"
    folder.mkdir(parents=True)
    (folder / "a.csv").write_text("BilledCost,ChargePeriodStart\n1,2026-10-01\n")
    assert len(tick(empty.cursor).run_requests) == 1

    first_tick = tick(None)
    (first,) = first_tick.run_requests
    assert first.partition_key is None  # nothing it rebuilds is partitioned
    unchanged = tick(first_tick.cursor)
    assert unchanged.run_requests == [] and "No export file changed" in unchanged.skip_message
    (folder / "b.csv").write_text("BilledCost,ChargePeriodStart\n2,2026-10-02\n")
    (second,) = tick(first_tick.cursor).run_requests
    assert second.run_key != first.run_key


def test_only_anthropic_reports_and_models_refreshed_by_day_are_partitioned():
    graph = defs.resolve_asset_graph()
    partitioned = {key.to_user_string() for key in graph.get_all_asset_keys() if graph.get(key).partitions_def}
    assert partitioned == {
        "raw_anthropic/usage_report",
        "raw_anthropic/cost_report",
        "raw_anthropic/analytics_usage",
        "raw_anthropic/analytics_cost",
        "raw_anthropic/analytics_cost_days",
        "raw_anthropic/claude_code",
        "staging/stg_anthropic__usage",
        "staging/stg_anthropic__costs",
        "staging/stg_anthropic__analytics_usage",
        "staging/stg_anthropic__analytics_costs",
        "staging/stg_anthropic__analytics_cost_days",
        "staging/stg_anthropic__claude_code",
        "intermediate/int_anthropic__legacy_lines",
        "intermediate/int_anthropic__analytics_lines",
        "intermediate/int_anthropic__spend_focus",
        "marts/fct_anthropic_spend",
        "marts/fct_claude_code_usage",
    }
    groups = {graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert groups == {
        "raw_anthropic",
        "raw_exports",
        "raw_config",
        "seeds",
        "staging",
        "intermediate",
        "marts",
        "published",
    }
    exports_job = defs.resolve_job_def("exports_job")
    assert not exports_job.partitions_def and all(
        not graph.get(key).partitions_def for key in exports_job.asset_layer.selected_asset_keys
    )


def test_every_dbt_test_is_an_asset_check():
    """A test whose models fall in two dbt asset definitions would be run by neither."""
    manifest = json.loads(dbt_project.manifest_path.read_text())
    tests = {node["name"] for node in manifest["nodes"].values() if node["resource_type"] == "test"}
    checks = {spec.name for assets in (dbt_models, dbt_daily_models) for spec in assets.check_specs}
    assert checks == tests and len(tests) == 107
    reconciliation = next(s for s in dbt_models.check_specs if s.name == "assert_anthropic_spend_matches_cost_report")
    assert reconciliation.asset_key == dg.AssetKey(["marts", "fct_spend"])


def test_the_two_anthropic_apis_are_reconciled_before_anything_is_published():
    (spec,) = analytics_cost_matches_cost_report.check_specs
    assert spec.asset_key == dg.AssetKey(["marts", "fct_spend"]) and spec.blocking
    assert dg.AssetKey(["intermediate", "int_anthropic__cost_reconciliation"]) in {
        dep.asset_key for dep in spec.additional_deps
    }


def test_schedule_and_sensor_run_without_being_switched_on():
    assert defs.resolve_schedule_def("daily_spend_schedule").default_status == dg.DefaultScheduleStatus.RUNNING
    assert defs.resolve_sensor_def("export_files_sensor").default_status == dg.DefaultSensorStatus.RUNNING


def test_definitions_load_without_reading_the_environment(tmp_path):
    """What Dagster loads is the same whatever the environment: settings are read when a run starts."""
    data = tmp_path / "not-created"
    probe = "from pump_costs.definitions import defs; defs.resolve_asset_graph(); print('loaded')"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PUMP_COSTS_", "ANTHROPIC_"))}
    result = subprocess.run(
        [sys.executable, "-c", probe],
        env={**env, "PUMP_COSTS_DATA_DIR": str(data)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip() == "loaded", result.stderr[-2000:]
    assert not data.exists()


def test_every_dbt_source_names_its_dagster_asset():
    sources = json.loads(dbt_project.manifest_path.read_text())["sources"].values()
    linked = {tuple(s["meta"].get("dagster", {}).get("asset_key", ())) for s in sources}
    assert len(linked) == len(list(sources)) and () not in linked
    assert linked <= {tuple(key.path) for key in defs.resolve_asset_graph().get_all_asset_keys()}


def test_every_focus_mapping_names_only_focus_columns():
    """focus_conformed() keeps the FOCUS columns and drops anything else, so a misspelt alias in a
    provider's mapping (RegionNme) would silently become a null column: every alias must be a FOCUS name."""
    macros = (dbt_project.project_dir / "macros" / "focus_columns.sql").read_text()
    focus_columns = set(re.findall(r"'(\w+)': '[a-z]", macros))
    assert {"BilledCost", "EffectiveCost", "x_Source"} <= focus_columns and len(focus_columns) > 60
    intermediate = sorted((dbt_project.project_dir / "models" / "intermediate").glob("int_*__spend_focus.sql"))
    mappings = [path for path in intermediate if "focus_rows as (" in path.read_text()]
    assert [path.name.split("__")[0] for path in mappings] == [
        "int_anthropic",
        "int_aws",
        "int_azure",
        "int_focus",
        "int_gcp",
    ]
    for path in mappings:
        focus_rows = path.read_text().split("focus_rows as (", 1)[1].split("\n),", 1)[0]
        aliases = re.findall(r"\bas (\w+),?$", focus_rows, flags=re.MULTILINE)
        assert len(aliases) > 30, path.name
        assert set(aliases) - focus_columns == set(), path.name


def test_the_dagster_dbt_internals_the_dbt_resource_replaces_still_exist():
    """DbtResource replaces dagster-dbt internals to save ~3.5 s a dbt step (in_process.py); an upgrade that
    renamed them would bring the cost back silently, or break the runs."""
    from dagster_dbt import DbtCliInvocation, DbtCliResource
    from dagster_dbt.core import dbt_cli_invocation
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    from pump_costs.defs.resources import DbtResource

    cli = inspect.getsource(DbtCliResource.cli)
    for name in ("_cli_version", "_initialize_dbt_core_adapter"):
        assert name in vars(DbtCliResource) and f"self.{name}" in cli, name
        assert vars(DbtResource)[name] is not vars(DbtCliResource)[name]
    # dbt is started through the module's `subprocess`, and only these parts of the process are used.
    assert "subprocess.Popen(" in inspect.getsource(DbtCliInvocation.run)
    used = set(re.findall(r"self\.process\.(\w+)", inspect.getsource(dbt_cli_invocation)))
    assert used == {"wait", "returncode", "args", "stdout", "send_signal"}
    # dbt-duckdb's open database, closed after each invocation.
    assert {"_ENV", "_LOCK"} <= set(vars(DuckDBConnectionManager))


def test_a_parsed_project_serves_every_window_but_not_another_value_read_while_parsing(monkeypatch):
    """The window is read only when models run; any other variable dbt read while parsing must be as it was."""
    from types import SimpleNamespace

    from dbt.constants import DEFAULT_ENV_PLACEHOLDER

    from pump_costs.defs.dbt.assets import WINDOW_END_ENV_VAR, WINDOW_START_ENV_VAR
    from pump_costs.defs.dbt.in_process import parsed_with_this_environment

    monkeypatch.setenv(WINDOW_START_ENV_VAR, "2026-11-01")
    monkeypatch.setenv("PUMP_COSTS_SOME_SETTING", "a")
    monkeypatch.delenv("PUMP_COSTS_UNSET_SETTING", raising=False)
    parsed = {
        WINDOW_START_ENV_VAR: "2026-10-01",
        WINDOW_END_ENV_VAR: DEFAULT_ENV_PLACEHOLDER,
        "PUMP_COSTS_SOME_SETTING": "a",
        "PUMP_COSTS_UNSET_SETTING": DEFAULT_ENV_PLACEHOLDER,
    }
    assert parsed_with_this_environment(SimpleNamespace(env_vars=parsed))
    monkeypatch.setenv("PUMP_COSTS_SOME_SETTING", "b")
    assert not parsed_with_this_environment(SimpleNamespace(env_vars=parsed))
    monkeypatch.setenv("PUMP_COSTS_SOME_SETTING", "a")
    monkeypatch.setenv("PUMP_COSTS_UNSET_SETTING", "set now")
    assert not parsed_with_this_environment(SimpleNamespace(env_vars=parsed))
