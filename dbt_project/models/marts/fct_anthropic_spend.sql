{#-
  Anthropic's FOCUS rows, refreshed by day: a run deletes its window (in_run_window) and inserts the
  window again, so a day that vanished upstream vanishes here too. Tagged daily: Dagster partitions it by
  day and sets the window. Names (organization, workspace) are joined in fct_spend, so a rename shows
  on every day. Rows built before several organizations could be pulled have no BillingAccountId: they
  belong to the one organization the warehouse then had.
-#}
{{ config(
    materialized='incremental_in_place',
    tags=['daily'],
    pre_hook=[
        "{% if in_place_update() %}delete from {{ this }} where {{ in_run_window('ChargePeriodStart') }}{% endif %}",
        "{% if in_place_update() %}update {{ this }} set BillingAccountId = (select any_value(organization_id) from "
        ~ "{{ source('anthropic', 'organization') }} having count(*) = 1) where BillingAccountId is null{% endif %}",
    ]
) }}

with anthropic as (
    select * from {{ ref('int_anthropic__spend_focus') }}
),

final as (
    -- The window is applied here, at build time, so it always matches the delete above.
    select * from anthropic
    where {{ in_run_window('ChargePeriodStart') }}
)

select * from final
