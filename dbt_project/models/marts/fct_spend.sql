{#-
  Every provider's cost and usage in one FOCUS 1.2 table (with the 1.3 provider names and x_ columns): a
  view over the tables each source refreshes by its own unit (Anthropic by day, cloud exports by file).
-#}
{{ config(materialized='view') }}

with anthropic as (
    select * from {{ ref('fct_anthropic_spend') }}
),

cloud_exports as (
    select * from {{ ref('fct_cloud_spend') }}
),

final as (
    select * from anthropic
    union all by name
    select * from cloud_exports
)

select * from final
