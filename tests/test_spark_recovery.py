"""Backfills on Spark stopped with `kill -9`, as a `pump-costs backfill` stopped in the terminal: once while the
daily mart is rewritten in place, once while Spark writes a published version. The next backfill repairs what
each left: the published marts equal DuckDB's of the same data to the last digit, nothing doubled or lost, and
the half-written version is gone. Run by `make test-spark` (the spark extra, Java 17); `make test` leaves it out.

Spark runs in the backfills' processes only (a process's Spark keeps the first data folder's metastore), so this
test's own runs, the reference, are on DuckDB."""

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pump_costs.runs import materialize_days
from tests.engine_comparison import (
    BACKFILL_DAYS,
    REWRITING_THE_DAILY_MART,
    Backfill,
    on_folder,
    published_answers,
    with_exports,
)

pytestmark = pytest.mark.spark

REMOVED = Path("exports", "azure", "samples", "EA_ActualCost_Small_finops_toolkit.csv")
DELIVERED_AGAIN = Path("exports", "aws", "samples", "legacy_cur_sample_anonymous_focus_converters.csv")


def change_the_exports(folder: Path) -> None:
    """An export file removed and another delivered again: the next run rebuilds the cloud rows and publishes."""
    (folder / REMOVED).unlink()
    os.utime(folder / DELIVERED_AGAIN)


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
