"""The engine setting: an unknown engine, and Spark without what it needs, are refused with what to do; a
profiles folder of the user's (a cluster) is the one dbt reads."""

from importlib.util import find_spec

import pytest

from pump_costs.defs.dbt.assets import require_engine
from pump_costs.defs.resources import shared_resources
from pump_costs.settings import DBT_PROFILES_DIR, ENGINE, engine


def test_an_unknown_engine_is_refused_rather_than_the_default_taken():
    assert engine() == "duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ENGINE.name, "Spark")
        assert engine() == "spark"
        patch.setenv(ENGINE.name, "postgres")
        with pytest.raises(ValueError) as refused:
            engine()
    assert str(refused.value) == (
        "PUMP_COSTS_ENGINE='postgres' is not an engine pump-costs runs on; use duckdb or spark, or unset it for duckdb."
    )


def test_spark_without_what_it_needs_is_refused_before_dbt_starts(monkeypatch, tmp_path):
    monkeypatch.setenv(ENGINE.name, "spark")
    monkeypatch.setenv("PATH", str(tmp_path))  # no java on it
    with pytest.raises(RuntimeError) as refused:
        require_engine()
    missing = "Java is" if find_spec("pyspark") else "the spark extra and Java are"
    assert str(refused.value) == (
        f"PUMP_COSTS_ENGINE=spark, but {missing} not installed: run the README's command with it set "
        "(`PUMP_COSTS_ENGINE=spark make demo`, `make dev`, `make backfill`), which installs them, or unset it to "
        "run on DuckDB."
    )


def test_a_profile_of_the_users_needs_the_engines_output_and_its_adapter_only(monkeypatch, tmp_path):
    """A cluster's profile (a Spark Thrift server, Databricks) runs the work elsewhere: no Java or pyspark here,
    only the dbt adapter of the output the engine runs on; a profile dbt cannot read is dbt's to report."""
    monkeypatch.setenv(ENGINE.name, "spark")
    monkeypatch.setenv("PATH", str(tmp_path))  # no java on it
    monkeypatch.setenv(DBT_PROFILES_DIR.name, str(tmp_path))
    require_engine()  # no profiles.yml: dbt says so
    profile = "pump_costs:\n  outputs:\n    spark:\n      type: {}\n      host: spark-thrift.internal\n"
    (tmp_path / "profiles.yml").write_text(profile.format("duckdb"))
    require_engine()
    (tmp_path / "profiles.yml").write_text(profile.format("databricks"))
    with pytest.raises(RuntimeError) as refused:
        require_engine()
    assert str(refused.value) == (
        f"PUMP_COSTS_DBT_PROFILES_DIR={tmp_path}: its pump_costs profile's `spark` output is of type databricks, but "
        "dbt's databricks adapter is not installed: install it (`.venv/bin/pip install dbt-databricks`)."
    )
    # The cluster's profile left set while the engine goes back to DuckDB, which runs on a `local` output.
    monkeypatch.delenv(ENGINE.name)
    with pytest.raises(RuntimeError) as refused:
        require_engine()
    assert str(refused.value) == (
        f"PUMP_COSTS_DBT_PROFILES_DIR={tmp_path}: its pump_costs profile has no `local` output, the one "
        "PUMP_COSTS_ENGINE=duckdb runs dbt on. Set PUMP_COSTS_ENGINE=spark to run on its `spark` output, or unset "
        "PUMP_COSTS_DBT_PROFILES_DIR to run on DuckDB."
    )


def test_dbt_reads_the_profiles_folder_pump_costs_is_told_of(monkeypatch, tmp_path):
    """PUMP_COSTS_DBT_PROFILES_DIR replaces the project's own profiles (a cluster's profile); dbt's own
    DBT_PROFILES_DIR, which a dbt user may have set for other projects, changes nothing."""
    (tmp_path / "profiles.yml").write_text("someone_else:\n  outputs: {}\n")
    monkeypatch.setenv("DBT_PROFILES_DIR", str(tmp_path))
    assert parse(tmp_path) == (True, None)
    monkeypatch.setenv(DBT_PROFILES_DIR.name, str(tmp_path))
    assert parse(tmp_path) == (
        False,
        "Encountered an error:\nRuntime Error\n  Could not find profile named 'pump_costs'",
    )


def parse(folder) -> tuple[bool, str | None]:
    """Whether `dbt parse` succeeds in the pipeline's dbt, and its error."""
    invocation = shared_resources()["dbt"].cli(["parse"], target_path=folder / "target", raise_on_error=False)
    messages = [event.raw_event["info"] for event in invocation.stream_raw_events()]
    errors = [message["msg"] for message in messages if message["level"] == "error"]
    return invocation.is_successful(), (errors or [None])[-1]
