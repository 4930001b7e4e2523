"""Backfills on Spark stopped with `kill -9`, as a `pump-costs backfill` stopped in the terminal: once while the
daily mart is rewritten in place, once while Spark writes a published version. The next backfill repairs what
each left: the published marts equal DuckDB's of the same data to the last digit, nothing doubled or lost, and
the half-written version is gone. Run by `make test-spark` (the spark extra, Java 17); `make test` leaves it out.

Spark runs in the backfills' processes only (a process's Spark keeps the first data folder's metastore), so this
test's own runs, the reference, are on DuckDB."""

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pump_costs.runs import materialize_days
from tests.engine_comparison import BACKFILL_DAYS, on_folder, published_answers, with_exports

pytestmark = pytest.mark.spark

REMOVED = Path("exports", "azure", "samples", "EA_ActualCost_Small_finops_toolkit.csv")
DELIVERED_AGAIN = Path("exports", "aws", "samples", "legacy_cur_sample_anonymous_focus_converters.csv")
REWRITING_THE_DAILY_MART = "START sql incremental_in_place model marts.fct_anthropic_spend"


def change_the_exports(folder: Path) -> None:
    """An export file removed and another delivered again: the next run rebuilds the cloud rows and publishes."""
    (folder / REMOVED).unlink()
    os.utime(folder / DELIVERED_AGAIN)


class Backfill:
    """`pump-costs backfill --days 3` in a process of its own (the environment's engine and folders), its output
    kept line by line."""

    def __init__(self) -> None:
        command = [sys.executable, "-m", "pump_costs.cli", "backfill", "--days", str(BACKFILL_DAYS)]
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
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


def test_backfills_on_spark_killed_half_way_are_repaired_by_the_next(fake_api, tmp_path, monkeypatch):
    last = datetime.now(UTC).date() - timedelta(days=1)
    first = last - timedelta(days=BACKFILL_DAYS - 1)

    # The reference: the same data on DuckDB, in this process; a backfill, then the exports changed and another.
    on_folder(tmp_path / "duckdb", "duckdb", monkeypatch)
    with_exports(tmp_path / "duckdb", first)
    assert materialize_days(first, last, log_level="WARNING").success
    change_the_exports(tmp_path / "duckdb")
    assert materialize_days(first, last, log_level="WARNING").success
    expected = published_answers()

    spark = tmp_path / "spark"
    on_folder(spark, "spark", monkeypatch)
    with_exports(spark, first)
    backfill = Backfill()
    assert backfill.finish() == 0, backfill.output()
    change_the_exports(spark)
    # Stopped while fct_anthropic_spend's window is replaced in place (~10 s of Spark work here).
    stopped = Backfill()
    stopped.kill(when=lambda: any(REWRITING_THE_DAILY_MART in line for line in stopped.lines), after=5)
    # Stopped while Spark writes the new published version's files.
    published = spark / "published"
    versions_before = set(published.glob("parquet-*"))
    Backfill().kill(when=lambda: bool(set(published.glob("parquet-*")) - versions_before), after=1.5)
    (half_written,) = set(published.glob("parquet-*")) - versions_before

    backfill = Backfill()
    assert backfill.finish() == 0, backfill.output()
    assert f"Removed {half_written.name}, left by a publish that was stopped half-way" in "".join(backfill.lines)
    assert published_answers() == expected
    # The first backfill's version (kept for readers still on it) and the one just published.
    assert len(set(published.glob("parquet-*")) - versions_before) == 1
    assert len(list(published.glob("parquet-*"))) == 2
