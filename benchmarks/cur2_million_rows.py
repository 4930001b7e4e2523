"""Benchmark: land a large AWS CUR 2.0 billing period and rebuild the mart, with DuckDB reading the files.

Writes ROWS synthetic line items (default 1,000,000) as one Parquet file in the CUR 2.0 layout, then runs
the export landing and the whole dbt project (no Anthropic pulls) and prints rows per second and the
exact total read back from fct_spend.
Run: .venv/bin/python benchmarks/cur2_million_rows.py [--rows N]
"""

import argparse
import os
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import duckdb

from pump_costs.defs.exports.sensors import exports_job
from pump_costs.runs import last_completed_days, materialize_days
from pump_costs.warehouse import warehouse_path


def write_period(folder: Path, rows: int) -> None:
    data = folder / "bench" / "data" / "BILLING_PERIOD=2026-10"
    data.mkdir(parents=True)
    duckdb.sql(f"""
        copy (
            select
                'li-' || i as identity_line_item_id,
                '111122223333' as bill_payer_account_id,
                '2026-10-01T00:00:00Z' as bill_billing_period_start_date,
                '2026-11-01T00:00:00Z' as bill_billing_period_end_date,
                (100000000000 + i % 50)::varchar as line_item_usage_account_id,
                strftime(timestamp '2026-10-01' + to_hours(i % 744), '%Y-%m-%dT%H:%M:%SZ')
                    as line_item_usage_start_date,
                strftime(timestamp '2026-10-01' + to_hours(i % 744 + 1), '%Y-%m-%dT%H:%M:%SZ')
                    as line_item_usage_end_date,
                'Usage' as line_item_line_item_type,
                ['AmazonEC2', 'AmazonS3', 'AmazonRDS', 'AWSLambda'][1 + i % 4] as line_item_product_code,
                'BoxUsage' as line_item_usage_type,
                '1' as line_item_usage_amount,
                ((i % 1000) / 1000000.0)::decimal(18, 10) as line_item_unblended_cost,
                'USD' as line_item_currency_code,
                'us-east-1' as product_region_code,
                'Hrs' as pricing_unit
            from range({rows}) t(i)
        ) to '{data / "bench-00001.snappy.parquet"}' (format parquet)""")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    rows = parser.parse_args().rows
    with tempfile.TemporaryDirectory() as folder:
        os.environ["PUMP_COSTS_DATA_DIR"] = folder
        write_period(Path(folder) / "exports" / "aws", rows)
        _, yesterday = last_completed_days(1)
        started = time.monotonic()
        result = materialize_days(yesterday, yesterday, selection=exports_job.selection, log_level="WARNING")
        elapsed = time.monotonic() - started
        with duckdb.connect(str(warehouse_path()), read_only=True) as conn:
            count, total = conn.execute("select count(*), sum(BilledCost) from marts.fct_spend").fetchone()
    expected = Decimal(sum(i % 1000 for i in range(rows))) / 1_000_000
    print(f"rows landed and modelled:   {count:,} (run succeeded: {result.success})")
    print(f"fct_spend total:            {total} USD (expected {expected}, equal: {total == expected})")
    print(f"landing + dbt build + publish: {elapsed:.1f}s, {rows / elapsed:,.0f} rows/s")


if __name__ == "__main__":
    main()
