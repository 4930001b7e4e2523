{#- Every cent and every token Anthropic reported, as landed, reaches fct_spend exactly once: on a day
    an analytics cost pull covered, the analytics API's (its by_price rows hold each line once); on any
    other day, the legacy reports'. It reads the raw reports (not the daily-partitioned staging views),
    so it is a check on fct_spend whichever run builds what. -#}
{{ config(meta={'dagster': {'ref': {'name': 'fct_spend'}}}) }}

with analytics_days as (
    select cast(bucket_start as date) as cost_date from {{ source('anthropic', 'analytics_cost_days') }}
),

analytics_cost as (
    select amount_cents * 0.01 as usd
    from {{ source('anthropic', 'analytics_cost') }}
    where query = 'by_price' and cast(bucket_start as date) in (select cost_date from analytics_days)
),

analytics_tokens as (
    select
        uncached_input_tokens + output_tokens + cache_read_input_tokens
        + cache_creation_5m_input_tokens + cache_creation_1h_input_tokens as tokens
    from {{ source('anthropic', 'analytics_usage') }}
    where query = 'by_price' and cast(bucket_start as date) in (select cost_date from analytics_days)
),

legacy_cost as (
    select amount_usd as usd
    from {{ source('anthropic', 'cost_report') }}
    where cast(bucket_start as date) not in (select cost_date from analytics_days)
),

legacy_tokens as (
    select
        uncached_input_tokens + output_tokens + cache_read_input_tokens
        + cache_creation_5m_input_tokens + cache_creation_1h_input_tokens as tokens
    from {{ source('anthropic', 'usage_report') }}
    where cast(bucket_start as date) not in (select cost_date from analytics_days)
),

reported as (
    select
        (select coalesce(sum(usd), 0) from analytics_cost) + (select coalesce(sum(usd), 0) from legacy_cost)
            as usd,
        (select coalesce(sum(tokens), 0) from analytics_tokens)
        + (select coalesce(sum(tokens), 0) from legacy_tokens) as tokens
),

mart as (
    select
        coalesce(sum(BilledCost), 0) as usd,
        coalesce(sum(case when x_CostType = 'tokens' then ConsumedQuantity end), 0) as tokens
    from {{ ref('fct_spend') }}
    where x_Source = 'anthropic_admin_api'
),

final as (
    select
        reported.usd as reported_usd,
        mart.usd as mart_usd,
        reported.tokens as reported_tokens,
        mart.tokens as mart_tokens
    from reported, mart
    where reported.usd <> mart.usd or reported.tokens <> mart.tokens
)

select * from final
