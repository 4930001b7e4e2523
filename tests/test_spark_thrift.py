"""The README's profile for a Spark cluster, tried as written against a real Spark Thrift server: Spark's own
HiveThriftServer2 (from the spark extra's jars) on a loopback port, with a metastore and warehouse of its own.
`pump-costs backfill` runs dbt through it from a virtual environment with only the spark-cluster extra, as
`make install` sets one up for a cluster (no pyspark: no Spark of its own can start); the published marts, and
the metastore's marts read through the server as a BI tool reads them, equal DuckDB's of the same data to the
last digit. Run by `make test-spark` (the spark extra, Java 17); `make test` leaves it out."""

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from pump_costs.runs import materialize_days
from pump_costs.settings import DBT_PROFILES_DIR, PROJECT_ROOT
from tests.dagster_dev import ProcessGroup, free_port
from tests.engine_comparison import (
    BACKFILL_DAYS,
    REWRITING_THE_DAILY_MART,
    Answers,
    Backfill,
    answers,
    duckdb_answers,
    on_folder,
    published_answers,
    with_exports,
)

pytestmark = pytest.mark.spark

THRIFT_PROFILE = re.compile(r"For the Spark Thrift server.*?```yaml\n(.*?)```", re.DOTALL)
SERVER_START_TIMEOUT = 300
# What the mart's exact money needs of a session (dbt-spark's session method has them from the local profile).
EXACT_MONEY_SETTINGS = {
    "spark.sql.decimalOperations.allowPrecisionLoss": "false",
    "spark.sql.ansi.enabled": "false",
    "spark.sql.session.timeZone": "UTC",
}


def accepts_connections(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def thrift_server(tmp_path: Path) -> Iterator[int]:
    """A Spark Thrift server on a loopback port (yielded), as `start-thriftserver.sh` starts one, its metastore
    and warehouse in a folder of its own: nothing of the pipeline's data folder but the lake it is told of."""
    import pyspark  # only in the spark extra

    spark_home = Path(pyspark.__file__).parent
    folder = tmp_path / "thrift_server"
    folder.mkdir()
    port = free_port()
    command = [
        str(spark_home / "bin" / "spark-submit"),
        "--master", "local[2]",
        "--class", "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2",
        "--conf", "spark.ui.enabled=false",
        "--conf", f"spark.sql.warehouse.dir={folder / 'warehouse'}",
        "--conf", f"spark.driver.extraJavaOptions=-Dderby.system.home={folder / 'metastore'}",
        "--hiveconf", f"hive.server2.thrift.port={port}",
        "--hiveconf", "hive.server2.thrift.bind.host=127.0.0.1",
        "spark-internal",
    ]  # fmt: skip
    log = folder / "server.log"
    server = ProcessGroup(command, {**os.environ, "SPARK_HOME": str(spark_home)}, log)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while not accepts_connections(port):
            assert server.running(), log.read_text()[-5000:]
            assert time.monotonic() < deadline, "the Thrift server did not start:\n" + log.read_text()[-5000:]
            time.sleep(1)
        yield port
    finally:
        server.stop()


@pytest.fixture
def cluster_python(tmp_path: Path) -> Path:
    """The Python of a virtual environment with pump-costs and the spark-cluster extra only, installed as `make
    install` does (uv, from the cache the project's own installation filled)."""
    venv = tmp_path / "cluster_venv"
    python = venv / "bin" / "python"
    uv = Path(sys.executable).parent / "uv"
    if uv.exists():
        commands = [
            [uv, "venv", "-q", "--python", sys.executable, venv],
            [uv, "pip", "install", "-q", "--python", python, "-e", ".[spark-cluster]"],
        ]
    else:  # pip's configuration names a package index of its own (see the Makefile): pip, as make uses then
        commands = [
            [sys.executable, "-m", "venv", venv],
            [venv / "bin" / "pip", "install", "-q", "-e", ".[spark-cluster]"],
        ]
    for command in commands:
        subprocess.run(command, cwd=PROJECT_ROOT, check=True, timeout=600)
    modules = ("pyspark", "pyhive", "dbt.adapters.spark")
    found = f"import importlib.util as u; print(*(bool(u.find_spec(m)) for m in {modules}))"
    assert subprocess.run([python, "-c", found], capture_output=True, text=True, check=True).stdout.split() == [
        "False", "True", "True",
    ]  # fmt: skip
    return python


def readme_thrift_profile(port: int) -> str:
    """The README's Thrift profile, for this server rather than `spark-thrift.internal:10000`."""
    (profile,) = THRIFT_PROFILE.findall((PROJECT_ROOT / "README.md").read_text())
    assert "host: spark-thrift.internal" in profile and "port: 10000" in profile
    return profile.replace("host: spark-thrift.internal", "host: 127.0.0.1").replace("port: 10000", f"port: {port}")


@contextmanager
def thrift_cursor(port: int, settings: dict[str, str] | None = None):
    """A client session of the server's own, as a BI tool (or dbt-spark, with its profile's settings) opens."""
    from pyhive import hive  # only in the spark extra

    connection = hive.connect(host="127.0.0.1", port=port, username="bi", configuration=settings)
    try:
        yield connection.cursor()
    finally:
        connection.close()


def thrift_answers(port: int) -> Answers:
    """The marts in the server's metastore, read through the server."""
    with thrift_cursor(port) as cursor:

        def rows_of(sql: str) -> list[tuple]:
            cursor.execute(sql)
            return cursor.fetchall()

        return answers(rows_of)


def session_settings(port: int, profile: str) -> dict[str, str]:
    """The Spark settings a session opened with the profile's `server_side_parameters` runs with."""
    (output,) = yaml.safe_load(profile)["pump_costs"]["outputs"].values()
    with thrift_cursor(port, output["server_side_parameters"]) as cursor:
        settings = {}
        for name in EXACT_MONEY_SETTINGS:
            cursor.execute(f"set {name}")
            ((_, value),) = cursor.fetchall()
            settings[name] = value
        return settings


def test_the_readme_thrift_profile_runs_the_pipeline_on_a_spark_thrift_server(
    fake_api, thrift_server, cluster_python, tmp_path, monkeypatch
):
    last = datetime.now(UTC).date() - timedelta(days=1)
    first = last - timedelta(days=BACKFILL_DAYS - 1)
    on_folder(tmp_path / "duckdb", "duckdb", monkeypatch)
    with_exports(tmp_path / "duckdb", first)
    assert materialize_days(first, last, log_level="WARNING").success
    on_duckdb = duckdb_answers()
    assert sum(len(rows) for rows in on_duckdb) > 100

    spark = tmp_path / "spark"
    on_folder(spark, "spark", monkeypatch)
    with_exports(spark, first)
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    profile = readme_thrift_profile(thrift_server)
    (profiles / "profiles.yml").write_text(profile)
    # The server's own defaults differ (ANSI mode on, decimal sums rounded to 17 decimals): the profile's
    # settings must reach the session.
    assert session_settings(thrift_server, profile) == EXACT_MONEY_SETTINGS
    monkeypatch.setenv(DBT_PROFILES_DIR.name, str(profiles))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    backfill = Backfill(cluster_python)
    assert backfill.finish() == 0, backfill.output()
    assert published_answers() == on_duckdb
    for actual, expected in zip(thrift_answers(thrift_server), on_duckdb, strict=True):
        assert actual == expected
    # The run's dbt worked through the server only: no Spark of its own (it has no pyspark to start one), which
    # would keep its metastore and tables in the data folder (the project's own `spark` target does).
    assert not (spark / "spark").exists()

    # A backfill stopped while the server replaces the daily mart's window (its statement may run on there), then
    # one run again: nothing doubled or lost.
    stopped = Backfill(cluster_python)
    stopped.kill(when=lambda: any(REWRITING_THE_DAILY_MART in line for line in stopped.lines), after=5)
    backfill = Backfill(cluster_python)
    assert backfill.finish() == 0, backfill.output()
    assert published_answers() == on_duckdb
    assert thrift_answers(thrift_server) == on_duckdb
