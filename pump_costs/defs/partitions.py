"""One daily partition per UTC day. The start is fixed so the partition set never shifts."""

import dagster as dg

# Far enough back for the 365-day backfill the Admin API supports; the set only grows.
PARTITIONS_START_DATE = "2025-01-01"

daily_partitions = dg.DailyPartitionsDefinition(start_date=PARTITIONS_START_DATE, timezone="UTC")


def partition_range_tags(first: str, last: str) -> dict[str, str]:
    """Tags that make one run cover partitions first..last (inclusive), as a UI range backfill does."""
    return {
        "dagster/asset_partition_range_start": first,
        "dagster/asset_partition_range_end": last,
    }
