"""Benchmark: a 365-day single-run backfill through the whole pipeline, against the fake Admin API.

Prints the figures the targets are about: requests per report against the minimum (legacy reports:
ceil(365 / 31) = 12 each; the analytics API: per window of at most 31 days, ceil(rows / 1000) pages for
each of its queries, for the fake organization's row counts; Claude Code: one a day), wall time of the
full run (dbt and publishing included), and rows landed.
Run: .venv/bin/python benchmarks/backfill_365_days.py [--days N]
"""

import argparse
import math
import os
import tempfile
import time
from collections import Counter
from datetime import date, timedelta

import duckdb

from pump_costs.defs.anthropic.client import (
    ANALYTICS_MAX_DAYS,
    ANALYTICS_PAGE_ROWS,
    analytics_first_day,
    last_completed_days,
)
from pump_costs.fake_anthropic import FAKE_ADMIN_KEY, FakeAdminApi
from pump_costs.runs import materialize_days
from pump_costs.settings import ADMIN_API_KEY, BASE_URL
from pump_costs.warehouse import warehouse_path


def analytics_minimum(conn: duckdb.DuckDBPyConnection, report: str, first: date) -> int:
    """The fewest requests that fetch the stored analytics rows: each query of each 31-day window, one
    page per 1,000 rows (and one for an empty answer). A cost row's cost and token types ride along with
    their combination, so pages count combinations, not rows."""
    table = "analytics_cost" if report == "cost" else "analytics_usage"
    combination = "bucket_start, workspace_id, api_key_id, actor_id, product, model, service_tier, context_window"
    counts = conn.execute(
        f"""select count(distinct ({combination}, inference_geo)) from raw_anthropic.{table}
            group by (cast(bucket_start as date) - ?::date) // {ANALYTICS_MAX_DAYS}, query, filters""",
        [first],
    ).fetchall()
    return sum(max(1, math.ceil(rows / ANALYTICS_PAGE_ROWS)) for (rows,) in counts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=365)
    days = parser.parse_args().days
    with tempfile.TemporaryDirectory() as folder, FakeAdminApi() as api:
        os.environ.update(
            {"PUMP_COSTS_DATA_DIR": folder, BASE_URL.name: api.base_url, ADMIN_API_KEY.name: FAKE_ADMIN_KEY}
        )
        first, last = last_completed_days(days)
        started = time.monotonic()
        result = materialize_days(first, last, raise_on_error=False)
        elapsed = time.monotonic() - started
        requests = Counter(r.path.removeprefix("/v1/organizations/") for r in api.requests)
        with duckdb.connect(str(warehouse_path()), read_only=True) as conn:
            usage, cost, spend = conn.execute("""select (select count(*) from raw_anthropic.usage_report),
                (select count(*) from raw_anthropic.cost_report), (select count(*) from marts.fct_spend)""").fetchone()
            served_from = analytics_first_day(last + timedelta(days=1))
            minimum = {report: analytics_minimum(conn, report, max(first, served_from)) for report in ("usage", "cost")}
            claude_code_days = (last - first).days + 1
    print(f"days backfilled:            {days} ({first}..{last}), run succeeded: {result.success}")
    print(f"usage report requests:      {requests['usage_report/messages']} (minimum {math.ceil(days / 31)})")
    print(f"cost report requests:       {requests['cost_report']} (minimum {math.ceil(days / 31)})")
    for report in ("usage", "cost"):
        print(
            f"{f'analytics {report} requests:':<28}{requests[f'analytics/{report}']} (minimum {minimum[report]}: "
            f"{math.ceil(((last - max(first, served_from)).days + 1) / 31)} windows from {max(first, served_from)})"
        )
    print(f"claude code requests:       {requests['usage_report/claude_code']} (minimum {claude_code_days})")
    print(f"rows: usage {usage}, cost {cost}, fct_spend {spend}")
    print(f"full run wall time:         {elapsed:.1f}s (pull, dbt build with tests, publish)")


if __name__ == "__main__":
    main()
