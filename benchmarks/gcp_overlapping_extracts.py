"""Benchmark: GCP billing export extracts that overlap, as when the BigQuery table is exported again.

Writes ROWS synthetic rows (default 1,000,000) as one Parquet extract, then the same rows again as a
second extract sharded the way EXPORT DATA shards (two files, 12-digit shard numbers). Runs the export
landing and the whole dbt project (no Anthropic pulls) and prints the time and the figures read back from
fct_spend: every row once, and the exact total.
Run: .venv/bin/python benchmarks/gcp_overlapping_extracts.py [--rows N]
"""

import argparse
from decimal import Decimal
from pathlib import Path

import duckdb
from exports_build import build_exports, print_figures

ROWS_SQL = """
    select
        '01ABCD-234567-89EFGH' as billing_account_id,
        {{'id': 'SVC-' || (i % 20), 'description': ['Compute Engine', 'Cloud Storage', 'BigQuery'][1 + i % 3]}}
            as service,
        {{'id': 'SKU-' || (i % 200), 'description': 'SKU ' || (i % 200)}} as sku,
        strftime(timestamp '2026-10-01' + to_hours(i % 744), '%Y-%m-%dT%H:%M:%SZ') as usage_start_time,
        strftime(timestamp '2026-10-01' + to_hours(i % 744 + 1), '%Y-%m-%dT%H:%M:%SZ') as usage_end_time,
        {{'id': 'project-' || (i % 40), 'name': 'Project ' || (i % 40)}} as project,
        [{{'key': 'team', 'value': 'team-' || (i % 7)}}] as labels,
        {{'region': 'us-central1', 'zone': null}} as location,
        strftime(timestamp '2026-10-02 06:00:00' + to_hours(i % 744), '%Y-%m-%dT%H:%M:%SZ') as export_time,
        ((i % 1000) / 1000000.0)::double as cost,
        'USD' as currency,
        {{'amount': 3600.0, 'unit': 'seconds', 'amount_in_pricing_units': 1.0, 'pricing_unit': 'hour'}} as usage,
        []::struct(name varchar, amount double)[] as credits,
        {{'month': '202610'}} as invoice,
        'regular' as cost_type
    from range({start}, {stop}) t(i)
"""


# What the engine alone takes: FOCUS-typed columns from the same files (the overlap not removed).
BASELINE = """
    select
        cast(cost as decimal(38, 18)) as BilledCost,
        billing_account_id as BillingAccountId,
        currency as BillingCurrency,
        cast(usage_start_time as timestamptz) as ChargePeriodStart,
        cast(usage_end_time as timestamptz) as ChargePeriodEnd,
        service.description as ServiceName,
        sku.id as SkuId,
        project.id as SubAccountId,
        location.region as RegionId
    from read_parquet('{exports}/gcp/**/*.parquet')
"""


def write_extracts(exports: Path, rows: int) -> None:
    gcp = exports / "gcp"
    (gcp / "re-export").mkdir(parents=True)
    for target, start, stop in (
        (gcp / "billing-2026-10.parquet", 0, rows),
        (gcp / "re-export" / "billing-000000000000.parquet", 0, rows // 2),
        (gcp / "re-export" / "billing-000000000001.parquet", rows // 2, rows),
    ):
        duckdb.sql(f"copy ({ROWS_SQL.format(start=start, stop=stop)}) to '{target}' (format parquet)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    rows = parser.parse_args().rows
    figures = build_exports(lambda exports: write_extracts(exports, rows), BASELINE)
    print_figures(figures, 2 * rows, rows, Decimal(sum(i % 1000 for i in range(rows))) / 1_000_000)


if __name__ == "__main__":
    main()
