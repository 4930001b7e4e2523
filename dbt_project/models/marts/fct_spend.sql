{#-
  Every provider's cost and usage in one FOCUS 1.2 table (with the 1.3 provider names and x_ columns).
  Anthropic rows are rebuilt for the run's window [min_date, max_date): the window is deleted first,
  so a day that vanished upstream vanishes here too. Cloud export rows are rebuilt whole on every run,
  because their unit of re-delivery is a billing period, not a day.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{% if is_incremental() %}delete from {{ this }} where x_Source <> 'anthropic_admin_api' or " ~ in_run_window('ChargePeriodStart') ~ "{% endif %}"
) }}

with anthropic as (
    -- The window is applied here, at build time, so it always matches the delete above.
    select * from {{ ref('int_anthropic__spend_focus') }}
    where {{ in_run_window('ChargePeriodStart') }}
),

cloud_exports as (
    select * from {{ ref('int_cloud__spend_focus') }}
),

final as (
    select * from anthropic
    union all by name
    select * from cloud_exports
)

select * from final
