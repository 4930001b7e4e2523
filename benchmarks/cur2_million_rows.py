"""Benchmark: land a large AWS CUR 2.0 billing period and rebuild the mart, with DuckDB reading the files.

Writes ROWS synthetic line items (default 1,000,000) as one Parquet file in the CUR 2.0 layout, then runs
the export landing and the whole dbt project (no Anthropic pulls) and prints the figures of
exports_build.py and the exact total read back from fct_spend.
Run: .venv/bin/python benchmarks/cur2_million_rows.py [--rows N]   (the issue's figure: --rows 10000000)
With --in-place the file is typed as AWS writes CUR 2.0 Parquet (amounts as doubles, dates as timestamps) and
read where it is (PUMP_COSTS_READ_EXPORTS_IN_PLACE=true); with --typed, the same file is copied, as by default.
"""

import argparse
import os
from decimal import Decimal
from pathlib import Path

import duckdb
from exports_build import build_exports, print_figures


def write_period(folder: Path, rows: int, typed: bool = False) -> None:
    data = folder / "aws" / "bench" / "data" / "BILLING_PERIOD=2026-10"
    data.mkdir(parents=True)
    period = (
        "timestamptz '2026-10-01 00:00:00+00' as bill_billing_period_start_date, "
        "timestamptz '2026-11-01 00:00:00+00' as bill_billing_period_end_date"
        if typed
        else "'2026-10-01T00:00:00Z' as bill_billing_period_start_date, "
        "'2026-11-01T00:00:00Z' as bill_billing_period_end_date"
    )
    usage = (
        "timezone('UTC', timestamp '2026-10-01' + to_hours(i % 744 + {0}))"
        if typed
        else ("strftime(timestamp '2026-10-01' + to_hours(i % 744 + {0}), '%Y-%m-%dT%H:%M:%SZ')")
    )
    duckdb.sql(f"""
        copy (
            select
                'li-' || i as identity_line_item_id,
                '111122223333' as bill_payer_account_id,
                {period},
                (100000000000 + i % 50)::varchar as line_item_usage_account_id,
                {usage.format(0)} as line_item_usage_start_date,
                {usage.format(1)} as line_item_usage_end_date,
                'Usage' as line_item_line_item_type,
                ['AmazonEC2', 'AmazonS3', 'AmazonRDS', 'AWSLambda'][1 + i % 4] as line_item_product_code,
                'BoxUsage' as line_item_usage_type,
                {"1.0::double" if typed else "'1'"} as line_item_usage_amount,
                ((i % 1000) / 1000000.0)::{"double" if typed else "decimal(18, 10)"} as line_item_unblended_cost,
                'USD' as line_item_currency_code,
                'us-east-1' as product_region_code,
                'Hrs' as pricing_unit
            from range({rows}) t(i)
        ) to '{data / "bench-00001.snappy.parquet"}' (format parquet)""")


# What the engine alone takes: the FOCUS columns a CUR 2.0 row becomes, typed, from the same file.
BASELINE = """
    select
        cast(line_item_unblended_cost as decimal(38, 18)) as BilledCost,
        cast(line_item_unblended_cost as decimal(38, 18)) as EffectiveCost,
        bill_payer_account_id as BillingAccountId,
        line_item_currency_code as BillingCurrency,
        cast(line_item_usage_start_date as timestamptz) as ChargePeriodStart,
        cast(line_item_usage_end_date as timestamptz) as ChargePeriodEnd,
        cast(bill_billing_period_start_date as timestamptz) as BillingPeriodStart,
        line_item_line_item_type as ChargeCategory,
        line_item_product_code as ServiceName,
        line_item_usage_account_id as SubAccountId,
        cast(line_item_usage_amount as decimal(38, 18)) as ConsumedQuantity,
        pricing_unit as ConsumedUnit,
        product_region_code as RegionId
    from read_parquet('{exports}/aws/**/*.parquet')
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--typed", action="store_true", help="amounts as doubles and dates as timestamps")
    parser.add_argument("--in-place", action="store_true", help="the typed file, read where it is")
    arguments = parser.parse_args()
    rows, typed = arguments.rows, arguments.typed or arguments.in_place
    if arguments.in_place:
        os.environ["PUMP_COSTS_READ_EXPORTS_IN_PLACE"] = "true"
    figures = build_exports(lambda exports: write_period(exports, rows, typed), BASELINE)
    print_figures(figures, rows, rows, Decimal(sum(i % 1000 for i in range(rows))) / 1_000_000)


if __name__ == "__main__":
    main()
