"""Run the daily job over a range of days in one run, as a UI range backfill or the schedule does."""

from collections.abc import Mapping, Sequence
from datetime import date

import dagster as dg

from pump_costs.definitions import defs
from pump_costs.defs.partitions import partition_range_tags
from pump_costs.defs.resources import shared_resources


def materialize_days(
    first: date,
    last: date,
    instance: dg.DagsterInstance | None = None,
    resources: Mapping[str, object] | None = None,
    raise_on_error: bool = True,
    selection: dg.AssetSelection | Sequence[dg.AssetKey] | None = None,
    log_level: str = "DEBUG",
) -> dg.ExecuteInProcessResult:
    """Materialize every asset (or the `selection`) for the days first..last, inclusive, in one run.

    Resources are rebuilt from the current environment; `resources` replaces some of them.
    """
    return dg.materialize(
        [*(defs.assets or []), *(defs.asset_checks or [])],
        instance=instance,
        resources={**shared_resources(), **(resources or {})},
        tags=partition_range_tags(first.isoformat(), last.isoformat()),
        raise_on_error=raise_on_error,
        selection=selection,
        run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
    )
