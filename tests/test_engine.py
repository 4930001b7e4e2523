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
