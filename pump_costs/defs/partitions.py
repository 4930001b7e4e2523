"""One daily partition per UTC day. The start is fixed so the partition set never shifts."""

import dagster as dg

from pump_costs.settings import FIRST_DAY

# The set only grows: its start never moves.
daily_partitions = dg.DailyPartitionsDefinition(start_date=FIRST_DAY.isoformat(), timezone="UTC")


def partition_range_tags(first: str, last: str) -> dict[str, str]:
    """Tags that make one run cover partitions first..last (inclusive), as a UI range backfill does."""
    return {
        "dagster/asset_partition_range_start": first,
        "dagster/asset_partition_range_end": last,
    }
