"""The two jobs: the daily one (a window of days, everything) and the exports one (no window at all)."""

import dagster as dg

from pump_costs.defs.dbt.assets import dbt_daily_models

daily_spend_job = dg.define_asset_job(
    "daily_spend_job",
    selection=dg.AssetSelection.all(),
    description="Pull the Anthropic reports for a window of days and rebuild everything downstream.",
)

exports_job = dg.define_asset_job(
    "exports_job",
    # Nothing partitioned: the Anthropic pulls and the models refreshed by day keep what they have, and
    # fct_spend (a view) shows their rows beside the new cloud rows.
    selection=dg.AssetSelection.all()
    - dg.AssetSelection.groups("raw_anthropic")
    - dg.AssetSelection.assets(dbt_daily_models),
    description="Land the billing export folders and rebuild the cloud marts and their published copy.",
)
