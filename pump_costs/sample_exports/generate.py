"""Deterministic synthetic cloud exports for the demo and tests: CUR 2.0, GCP billing, Azure MCA.

No licensed public samples of these formats exist (see SOURCE.md files for the real ones shipped here).
Each generator writes the provider's real folder layout and manifest, with a Claude line bought through
that cloud (Bedrock, Vertex AI, Azure), and returns the exact totals it wrote, for tests to compare.
"""

import csv
import gzip
import json
import random
import shutil
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

REAL_SAMPLES = Path(__file__).parent
CENT = Decimal("0.0000000001")


@dataclass
class WrittenTotals:
    """What a generator wrote: cost per billing period (YYYY-MM), and Claude's share."""

    cost_by_period: dict[str, Decimal] = field(default_factory=dict)
    claude_cost: Decimal = Decimal(0)
    credits: Decimal = Decimal(0)


def _amount(rng: random.Random, low: float, high: float) -> Decimal:
    return Decimal(str(round(rng.uniform(low, high), 10))).quantize(CENT)


def month_days(period: str) -> list[date]:
    first = date.fromisoformat(f"{period}-01")
    following = (first + timedelta(days=32)).replace(day=1)
    return [first + timedelta(days=n) for n in range((following - first).days)]


def _next_month(period: str) -> str:
    return (date.fromisoformat(f"{period}-01") + timedelta(days=32)).strftime("%Y-%m")


AWS_SERVICES = [
    ("AmazonEC2", "BoxUsage:m7g.large", "Hrs", 0.5, 3.0),
    ("AmazonS3", "TimedStorage-ByteHrs", "GB-Mo", 0.1, 1.0),
    ("AmazonRDS", "InstanceUsage:db.r6g.large", "Hrs", 1.0, 4.0),
]
AWS_CLAUDE_USAGE_TYPE = "USE1-anthropic.claude-sonnet-4-5-input-tokens"


def write_aws_cur2(root: Path, periods: list[str], seed: int = 7, rows_dropped_in: str | None = None) -> WrittenTotals:
    """A CUR 2.0 export named `pump-demo` with one Parquet and one gzipped CSV per billing period, and
    the period's manifest listing them. The Parquet file is typed as AWS writes it (money as doubles, dates as
    timestamps in UTC), the CSV is text. `rows_dropped_in` re-delivers that period without its Bedrock rows."""
    totals = WrittenTotals()
    export = root / "pump-demo"
    for period in periods:
        rng = random.Random(f"{seed}:{period}")
        rows = []
        for day in month_days(period)[:10]:
            start = datetime(day.year, day.month, day.day, tzinfo=UTC)
            for service, usage_type, unit, low, high in AWS_SERVICES:
                rows.append((service, usage_type, unit, start, _amount(rng, low, high), "Usage"))
            if period != rows_dropped_in:
                rows.append(("AmazonBedrock", AWS_CLAUDE_USAGE_TYPE, "1K tokens", start, _amount(rng, 2, 9), "Usage"))
        rows.append(
            ("AmazonEC2", "Tax", None, datetime.fromisoformat(f"{period}-01T00:00:00+00:00"), _amount(rng, 1, 2), "Tax")
        )
        records = [
            {
                "identity_line_item_id": f"li-{period}-{n}",
                "bill_payer_account_id": "111122223333",
                "bill_payer_account_name": "Demo Payer (synthetic)",
                "bill_billing_period_start_date": datetime.fromisoformat(f"{period}-01T00:00:00+00:00"),
                "bill_billing_period_end_date": datetime.fromisoformat(f"{_next_month(period)}-01T00:00:00+00:00"),
                "bill_invoicing_entity": "Amazon Web Services, Inc.",
                "line_item_usage_account_id": "444455556666" if n % 2 else "777788889999",
                "line_item_usage_account_name": "demo-prod" if n % 2 else "demo-data",
                "line_item_usage_start_date": start,
                "line_item_usage_end_date": start + timedelta(days=1),
                "line_item_line_item_type": kind,
                "line_item_product_code": service,
                "line_item_usage_type": usage_type,
                "line_item_usage_amount": 24.0 if kind == "Usage" else None,
                "line_item_unblended_cost": float(cost),
                "line_item_currency_code": "USD",
                "line_item_line_item_description": f"{service} {usage_type}",
                "product_region_code": "us-east-1",
                "pricing_unit": unit,
                "resource_tags": {"user:team": "platform" if n % 2 else "data"},
            }
            for n, (service, usage_type, unit, start, cost, kind) in enumerate(rows)
        ]
        half = len(records) // 2
        data = export / "data" / f"BILLING_PERIOD={period}"
        data.mkdir(parents=True, exist_ok=True)
        parquet_name, csv_name = f"pump-demo-{period}-00001.snappy.parquet", f"pump-demo-{period}-00002.csv.gz"
        table = pa.Table.from_pylist(records[:half])
        pq.write_table(table, data / parquet_name)
        with gzip.open(data / csv_name, "wt", newline="") as handle:
            writer = csv.DictWriter(
                handle, fieldnames=[c for c in records[0] if c != "resource_tags"], extrasaction="ignore"
            )
            writer.writeheader()
            writer.writerows({name: _csv_text(value) for name, value in record.items()} for record in records[half:])
        metadata = export / "metadata" / f"BILLING_PERIOD={period}"
        metadata.mkdir(parents=True, exist_ok=True)
        (metadata / "pump-demo-Manifest.json").write_text(
            json.dumps(
                {
                    "exportName": "pump-demo",
                    "billingPeriod": {"start": f"{period}-01T00:00:00Z", "end": f"{_next_month(period)}-01T00:00:00Z"},
                    "dataFiles": [
                        f"s3://demo-bucket/cur/pump-demo/data/BILLING_PERIOD={period}/{name}"
                        for name in (parquet_name, csv_name)
                    ],
                },
                indent=2,
            )
        )
        totals.cost_by_period[period] = sum((r[4] for r in rows), Decimal(0))
        totals.claude_cost += sum((r[4] for r in rows if r[0] == "AmazonBedrock"), Decimal(0))
    return totals


def _csv_text(value: object) -> object:
    """A value as AWS writes it in a CUR 2.0 CSV: a timestamp in ISO 8601 UTC, money in its shortest text."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return repr(value) if isinstance(value, float) else value


GCP_SERVICES = [
    ("6F81-5844-456A", "Compute Engine", "N2 Instance Core running in Americas"),
    ("95FF-2EF5-5EA1", "Cloud Storage", "Standard Storage US Multi-region"),
    ("24E6-581D-38E5", "BigQuery", "Analysis"),
]


def write_gcp_billing(root: Path, periods: list[str], seed: int = 11) -> WrittenTotals:
    """BigQuery standard billing export extracts: JSON lines for the first period, Parquet after, with
    negative credits on Compute Engine rows and late rows in a second file with a newer export_time."""
    totals = WrittenTotals()
    root.mkdir(parents=True, exist_ok=True)
    for index, period in enumerate(periods):
        rng = random.Random(f"{seed}:{period}")
        records = []
        for day in month_days(period)[:10]:
            start = f"{day.isoformat()}T00:00:00Z"
            end = f"{(day + timedelta(days=1)).isoformat()}T00:00:00Z"
            lines = [*GCP_SERVICES, ("C7E2-9256-1C43", "Vertex AI", "Claude Sonnet 4.5 input tokens")]
            for service_id, service, sku in lines:
                cost = _amount(rng, 0.5, 5)
                credits = (
                    [
                        {
                            "name": "Sustained use discount",
                            "amount": -float(_amount(rng, 0.01, 0.4)),
                            "type": "SUSTAINED_USAGE_DISCOUNT",
                        }
                    ]
                    if service == "Compute Engine"
                    else []
                )
                records.append(
                    {
                        "billing_account_id": "01ABCD-234567-89EFGH",
                        "service": {"id": service_id, "description": service},
                        "sku": {"id": f"SKU-{service_id}", "description": sku},
                        "usage_start_time": start,
                        "usage_end_time": end,
                        "project": {"id": "demo-analytics", "name": "Demo Analytics (synthetic)"},
                        "labels": [{"key": "env", "value": "prod"}],
                        "location": {"region": "us-central1", "zone": None},
                        "export_time": f"{(day + timedelta(days=1)).isoformat()}T06:00:00Z",
                        "cost": float(cost),
                        "currency": "USD",
                        "usage": {
                            "amount": 3600.0,
                            "unit": "seconds",
                            "amount_in_pricing_units": 1.0,
                            "pricing_unit": "hour",
                        },
                        "credits": credits,
                        "invoice": {"month": period.replace("-", "")},
                        "cost_type": "regular",
                    }
                )
                totals.cost_by_period[period] = totals.cost_by_period.get(period, Decimal(0)) + cost
                totals.credits += sum((Decimal(str(c["amount"])) for c in credits), Decimal(0))
                if service == "Vertex AI":
                    totals.claude_cost += cost
        late, on_time = records[-2:], records[:-2]
        for record in late:
            record["export_time"] = f"{_next_month(period)}-02T06:00:00Z"
        if index == 0:
            for name, batch in (("billing-export-000.jsonl", on_time), ("billing-export-001.jsonl", late)):
                (root / f"{period}-{name}").write_text("\n".join(json.dumps(r) for r in batch) + "\n")
        else:
            pq.write_table(pa.Table.from_pylist(on_time), root / f"{period}-billing-export-000.parquet")
            pq.write_table(pa.Table.from_pylist(late), root / f"{period}-billing-export-001.parquet")
    return totals


AZURE_COLUMNS = [
    "BillingAccountId",
    "BillingAccountName",
    "BillingPeriodStartDate",
    "BillingPeriodEndDate",
    "BillingProfileId",
    "SubscriptionId",
    "SubscriptionName",
    "Date",
    "ProductName",
    "MeterId",
    "MeterCategory",
    "MeterSubCategory",
    "MeterName",
    "Quantity",
    "UnitPrice",
    "CostInBillingCurrency",
    "CostInUsd",
    "PaygCostInBillingCurrency",
    "BillingCurrencyCode",
    "ResourceLocation",
    "ResourceId",
    "ChargeType",
    "Frequency",
    "PricingModel",
    "Tags",
    "UnitOfMeasure",
    "PublisherName",
]
AZURE_METERS = [
    ("Virtual Machines", "Dv5 Series", "D4 v5", "1 Hour"),
    ("Storage", "Standard Page Blob", "LRS Data Stored", "1 GB/Month"),
    ("Foundry Models", "Anthropic Claude", "claude sonnet 4.5 input tokens", "1K"),
]


def write_azure_mca(root: Path, periods: list[str], seed: int = 13) -> WrittenTotals:
    """Azure MCA actual-cost exports, each run in {export}/{range}/{run time}/{guid}/ with manifest.json.
    Every month has an earlier, superseded run (costs doubled) that the loader must ignore."""
    totals = WrittenTotals()
    scope = "/providers/Microsoft.Billing/billingAccounts/demo-mca/billingProfiles/demo-profile"
    for period in periods:
        days = month_days(period)
        for run, multiplier in (("202601010600", Decimal(2)), ("202601020600", Decimal(1))):
            rng = random.Random(f"{seed}:{period}")
            folder = root / "pump-demo-actual" / f"{days[0]:%Y%m%d}-{days[-1]:%Y%m%d}" / run / f"guid-{run}"
            folder.mkdir(parents=True, exist_ok=True)
            rows, total, claude = [], Decimal(0), Decimal(0)
            for day in days[:10]:
                for category, subcategory, meter, unit in AZURE_METERS:
                    cost = _amount(rng, 0.2, 4) * multiplier
                    total += cost
                    claude += cost if "Claude" in subcategory else 0
                    rows.append(
                        [
                            "demo-mca",
                            "Demo MCA (synthetic)",
                            f"{days[0]:%m/%d/%Y}",
                            f"{days[-1]:%m/%d/%Y}",
                            "demo-profile",
                            "00000000-0000-0000-0000-00000000d3m0",
                            "demo-subscription",
                            f"{day:%m/%d/%Y}",
                            f"{category} {meter}",
                            f"meter-{meter[:6]}",
                            category,
                            subcategory,
                            meter,
                            "24",
                            "0.1",
                            str(cost),
                            str(cost),
                            str(cost),
                            "USD",
                            "eastus",
                            f"/subscriptions/demo/resourceGroups/rg-demo/providers/x/{meter[:6]}",
                            "Usage",
                            "UsageBased",
                            "OnDemand",
                            '"env": "prod","team": "ml"',
                            unit,
                            "Microsoft",
                        ]
                    )
            data_file = folder / "part_0_0001.csv"
            with data_file.open("w", encoding="utf-8-sig", newline="") as handle:  # Azure writes a BOM
                writer = csv.writer(handle)
                writer.writerow(AZURE_COLUMNS)
                writer.writerows(rows)
            (folder / "manifest.json").write_text(
                json.dumps(
                    {
                        "exportConfig": {
                            "exportName": "pump-demo-actual",
                            "resourceId": scope,
                            "dataVersion": "2023-12-01-preview",
                            "type": "ActualCost",
                            "timeFrame": "MonthToDate",
                            "granularity": "Daily",
                        },
                        "deliveryConfig": {
                            "partitionData": True,
                            "dataOverwriteBehavior": "CreateNewReport",
                            "fileFormat": "Csv",
                        },
                        "runInfo": {
                            "executionType": "Scheduled",
                            "submittedTime": f"{run[:4]}-{run[4:6]}-{run[6:8]}T{run[8:10]}:00:00Z",
                            "runId": f"run-{run}",
                            "startDate": f"{period}-01T00:00:00",
                            "endDate": f"{days[-1]}T00:00:00",
                        },
                        "blobs": [
                            {
                                "blobName": f"exports/{data_file.relative_to(root)}",
                                "byteCount": data_file.stat().st_size,
                            }
                        ],
                    },
                    indent=2,
                )
            )
        totals.cost_by_period[period] = total
        totals.claude_cost += claude
    return totals


def copy_real_samples(exports_root: Path) -> None:
    """The licensed real samples (legacy CUR, Azure EA, FOCUS 1.0), with their licences and provenance."""
    for provider in ("aws", "azure", "focus"):
        shutil.copytree(REAL_SAMPLES / provider, exports_root / provider / "samples", dirs_exist_ok=True)


def write_demo_exports(exports_root: Path, periods: list[str]) -> dict[str, WrittenTotals]:
    """Everything the demo loads, in the default folders data/exports/<provider>/."""
    if exports_root.exists():
        shutil.rmtree(exports_root)
    copy_real_samples(exports_root)
    return {
        "aws": write_aws_cur2(exports_root / "aws" / "cur2", periods),
        "gcp": write_gcp_billing(exports_root / "gcp", periods),
        "azure": write_azure_mca(exports_root / "azure" / "mca", periods),
    }
