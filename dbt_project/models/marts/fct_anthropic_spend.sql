{#-
  Anthropic's FOCUS rows, refreshed by day: a run replaces its window (in_run_window), so a day that
  vanished upstream vanishes here too. A run that finds no table (the first build, or the table dropped by
  hand) builds it from every day the raw reports hold, so no day outside its window is lost. Tagged daily:
  Dagster partitions it by day and sets the window. Names (organization, workspace) are joined in fct_spend,
  so a rename shows on every day. Rows built before several organizations could be pulled have no
  BillingAccountId: they belong to the one organization the warehouse then had.
-#}
{{ config(
    materialized='incremental_in_place',
    window_column='ChargePeriodStart',
    tags=['daily'],
    pre_hook="{% if in_place_update() %}{{ adopt_rows_without_organization() }}{% endif %}"
) }}

with anthropic as (
    select * from {{ ref('int_anthropic__spend_focus') }}
),

final as (
    -- The window is applied here, at build time, so it always matches the rows the run replaces.
    select * from anthropic
    {%- if in_place_update() %}
    where {{ in_run_window('ChargePeriodStart') }}
    {%- endif %}
)

select * from final
