"""Benchmark: does a daily run cost the same in year three as on day one?

Times the scheduled daily run (the last 3 completed days, everything) on an empty warehouse, then on a
warehouse holding 365 days of Anthropic data and a ROWS-row AWS CUR 2.0 period (default 1,000,000; the
issue's figure: --rows 10000000) whose files did not change, and prints the ratio (target: 1.3 or less).
Each timed run is a process of its own, as the daemon launches a scheduled run, timed once it has imported.
Run: .venv/bin/python benchmarks/daily_run.py [--rows N]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from cur2_million_rows import write_period

from pump_costs.defs.anthropic.client import last_completed_days
from pump_costs.fake_anthropic import FAKE_ADMIN_KEY, FakeAdminApi
from pump_costs.runs import materialize_days
from pump_costs.settings import ADMIN_API_KEY, BASE_URL

SECONDS = "daily run seconds: "


def timed_daily_run() -> None:
    """The run daily_spend_schedule starts (the last 3 completed days, every asset), timed once imported."""
    first, last = last_completed_days(3)
    started = time.monotonic()
    assert materialize_days(first, last, log_level="WARNING").success
    print(f"{SECONDS}{time.monotonic() - started}")


def daily_run() -> float:
    """The daily run in a process of its own, as the daemon launches each run: in this one, which has run the
    backfill and the runs before, Python's full garbage collections took 0.2-0.3 s each by year three."""
    child = subprocess.run([sys.executable, __file__, "--one-run"], capture_output=True, text=True, check=False)
    if child.returncode:
        sys.exit(f"the daily run failed:\n{child.stdout[-5000:]}\n{child.stderr[-5000:]}")
    (seconds,) = [line for line in child.stdout.splitlines() if line.startswith(SECONDS)]
    return float(seconds.removeprefix(SECONDS))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--one-run", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.one_run:
        timed_daily_run()
        return
    rows = arguments.rows
    with FakeAdminApi() as api, tempfile.TemporaryDirectory() as empty, tempfile.TemporaryDirectory() as full:
        os.environ.update({BASE_URL.name: api.base_url, ADMIN_API_KEY.name: FAKE_ADMIN_KEY})
        os.environ["PUMP_COSTS_DATA_DIR"] = empty
        daily_run()  # the first run creates the warehouse; the second is day one's daily run
        day_one = daily_run()
        os.environ["PUMP_COSTS_DATA_DIR"] = full
        write_period(Path(full) / "exports", rows)
        first, last = last_completed_days(365)
        assert materialize_days(first, last - timedelta(days=3), log_level="WARNING").success
        daily_run()
        year_three = daily_run()
    print(f"daily run, empty warehouse:                         {day_one:.1f}s")
    print(f"daily run, 365 days of Anthropic + {rows:,} CUR rows: {year_three:.1f}s")
    print(f"ratio:                                              {year_three / day_one:.2f} (target: 1.3 or less)")
    print(f"year three costs more by:                           {year_three - day_one:.1f}s")


if __name__ == "__main__":
    main()
