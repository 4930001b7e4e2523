{#- Every cent of the cost report and every token of the usage report, as landed, reaches fct_spend
    exactly once. It reads the raw reports (not the daily-partitioned staging views), so it is a check
    on fct_spend whichever run builds what. -#}
{{ config(meta={'dagster': {'ref': {'name': 'fct_spend'}}}) }}

with reported_cost as (
    select coalesce(sum(amount_usd), 0) as usd
    from {{ source('anthropic', 'cost_report') }}
),

reported_tokens as (
    select
        coalesce(sum(
            uncached_input_tokens + output_tokens + cache_read_input_tokens
            + cache_creation_5m_input_tokens + cache_creation_1h_input_tokens
        ), 0) as tokens
    from {{ source('anthropic', 'usage_report') }}
),

mart as (
    select
        coalesce(sum(BilledCost), 0) as usd,
        coalesce(sum(case when x_CostType = 'tokens' then ConsumedQuantity end), 0) as tokens
    from {{ ref('fct_spend') }}
    where x_Source = 'anthropic_admin_api'
),

final as (
    select *
    from reported_cost, reported_tokens, mart
    where reported_cost.usd <> mart.usd or reported_tokens.tokens <> mart.tokens
)

select * from final
