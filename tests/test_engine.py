"""The engine setting: an unknown engine, and Spark without what it needs, are refused with what to do; a
profiles folder of the user's (a cluster) is the one dbt reads."""

from importlib.util import find_spec

import pytest

from pump_costs.defs.dbt.assets import require_spark
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


def test_spark_without_java_is_refused_before_dbt_starts(monkeypatch, tmp_path):
    monkeypatch.setenv(ENGINE.name, "spark")
    monkeypatch.setenv("PATH", str(tmp_path))  # no java on it
    with pytest.raises(RuntimeError) as refused:
        require_spark()
    missing = "Java is" if find_spec("pyspark") else "the spark extra and Java are"
    assert str(refused.value) == (
        f"PUMP_COSTS_ENGINE=spark, but {missing} not installed: run the README's command with it set "
        "(`PUMP_COSTS_ENGINE=spark make demo`, `make dev`, `make backfill`), which installs them, or unset it to "
        "run on DuckDB."
    )
    # A profile of the user's (a Spark Thrift server, Databricks) runs the work elsewhere: nothing is needed here.
    monkeypatch.setenv(DBT_PROFILES_DIR.name, str(tmp_path))
    require_spark()


def test_dbt_reads_the_profiles_folder_the_user_names(monkeypatch, tmp_path):
    """DBT_PROFILES_DIR replaces the project's own profiles (a cluster's profile), as for the dbt command line:
    dagster-dbt names the project's folder to every dbt it starts."""
    (tmp_path / "profiles.yml").write_text("someone_else:\n  outputs: {}\n")
    monkeypatch.setenv(DBT_PROFILES_DIR.name, str(tmp_path))
    parse = shared_resources()["dbt"].cli(["parse"], target_path=tmp_path / "target", raise_on_error=False)
    messages = [event.raw_event["info"]["msg"] for event in parse.stream_raw_events()]
    assert not parse.is_successful()
    assert messages[-1] == "Encountered an error:\nRuntime Error\n  Could not find profile named 'pump_costs'"
