"""The engine setting: an unknown engine, and Spark without what it needs, are refused with what to do."""

from importlib.util import find_spec

import pytest

from pump_costs.defs.dbt.assets import require_spark
from pump_costs.settings import ENGINE, engine


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
