"""What the Spark tests share: the queries whose answers each engine must give alike, to the last digit, a
data folder per engine with the demo's exports for a backfill of the last few days, and that backfill run in a
process of its own, to be stopped with `kill -9`."""

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from pump_costs.defs.publish.assets import published_connection
from pump_costs.demo import write_demo_exports
from pump_costs.local_spark import text
from pump_costs.settings import DAGSTER_HOME, DATA_DIR, ENGINE
from pump_costs.warehouse import warehouse_path

BACKFILL_DAYS = 3
# dbt's line as the daily mart's window starts being replaced in place (~10 s of Spark work here).
REWRITING_THE_DAILY_MART = "START sql incremental_in_place model marts.fct_anthropic_spend"

# Totals by provider, day, workspace, model, charge category, key and token type, and every mart's rows.
MART_QUERIES = [
    """select ProviderName, ChargeCategory, count(*), sum(BilledCost), sum(EffectiveCost), sum(ListCost),
              sum(ConsumedQuantity)
       from marts.fct_spend group by ProviderName, ChargeCategory""",
    """select ProviderName, cast(ChargePeriodStart as date), count(*), sum(BilledCost), sum(EffectiveCost)
       from marts.fct_spend group by ProviderName, cast(ChargePeriodStart as date)""",
    """select ProviderName, SubAccountName, x_Model, count(*), sum(BilledCost), sum(EffectiveCost), sum(ListCost)
       from marts.fct_spend group by ProviderName, SubAccountName, x_Model""",
    """select x_Source, x_ApiKeyName, x_TokenType, sum(BilledCost), sum(ConsumedQuantity), sum(x_Requests)
       from marts.fct_spend group by x_Source, x_ApiKeyName, x_TokenType""",
    "select count(*), sum(billed_cost), sum(effective_cost), sum(charge_rows) from marts.fct_daily_spend",
    "select * from marts.fct_daily_spend_by_scope",
    "select * from marts.fct_budget_status",
    "select * from marts.fct_spend_anomalies",
    "select * from marts.fct_anthropic_token_usage",
    "select count(*), sum(billed_cost), sum(list_cost), sum(requests) from marts.fct_anthropic_daily_cost_by_key",
    "select count(*) from marts.fct_claude_code_usage",
    "select * from marts.dim_workspaces",
    "select * from marts.dim_api_keys",
    "select * from marts.dim_actors",
    "select * from marts.fct_contract_commitments",
]
Answers = list[list[tuple[str | None, ...]]]


def answers(rows_of) -> Answers:
    """Each query's rows as text, in one order, from `rows_of(sql)`."""
    in_order = lambda row: [(v is None, v or "") for v in row]  # noqa: E731
    return [sorted((tuple(text(v) for v in row) for row in rows_of(sql)), key=in_order) for sql in MART_QUERIES]


def published_answers() -> Answers:
    with published_connection() as conn:
        return answers(lambda sql: conn.execute(sql).fetchall())


def duckdb_answers() -> Answers:
    with duckdb.connect(str(warehouse_path()), read_only=True) as conn:
        return answers(lambda sql: conn.execute(sql).fetchall())


def on_folder(folder: Path, engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """This process's runs, and those it starts, on `engine` with `folder` as their data folder and Dagster home."""
    monkeypatch.setenv(ENGINE.name, engine)
    monkeypatch.setenv(DATA_DIR.name, str(folder))
    monkeypatch.setenv(DAGSTER_HOME.name, str(folder / "dagster_home"))
    (folder / "dagster_home").mkdir(parents=True, exist_ok=True)


def with_exports(folder: Path, first: date) -> None:
    """The demo's exports in `folder`, for the billing periods of the backfill's days from `first`."""
    periods = sorted({(first + timedelta(days=n)).strftime("%Y-%m") for n in range(BACKFILL_DAYS)})
    write_demo_exports(folder / "exports", periods)


class Backfill:
    """`pump-costs backfill --days 3` in a process of its own (the environment's engine and folders), by this
    Python or `python` (another virtual environment's), its output kept line by line."""

    def __init__(self, python: Path | str = sys.executable) -> None:
        command = [str(python), "-m", "pump_costs.cli", "backfill", "--days", str(BACKFILL_DAYS)]
        # The Python's own scripts first on PATH, as its virtual environment's activation puts them.
        path = f"{Path(python).parent}{os.pathsep}{os.environ['PATH']}"
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
            env={**os.environ, "PATH": path},
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=lambda: self.lines.extend(self.process.stdout), daemon=True)
        self._reader.start()

    def finish(self) -> int:
        returncode = self.process.wait(timeout=900)
        self._reader.join()
        return returncode

    def kill(self, when: Callable[[], bool], after: float) -> None:
        """`kill -9` the backfill (Spark's JVM with it) `after` seconds once `when()` holds."""
        deadline = time.monotonic() + 600
        while not when():
            assert self.process.poll() is None, "the backfill ended before it could be stopped:\n" + self.output()
            assert time.monotonic() < deadline, self.output()
            time.sleep(0.2)
        time.sleep(after)
        assert self.process.poll() is None, "the backfill ended before it was stopped:\n" + self.output()
        os.killpg(self.process.pid, signal.SIGKILL)
        self.finish()

    def output(self) -> str:
        return "".join(self.lines)[-5000:]
