{#- fct_daily_spend, where most dashboards start, holds every charge row of fct_spend once, to the last digit,
    for each day, provider and currency. Its cloud sums come from int_cloud__daily_spend, refreshed by export
    file apart from fct_cloud_spend, and its Anthropic rows are picked by source: a file summed twice or not
    at all, or a source left out, shows here on the run that builds it. -#}
{{ config(meta={'dagster': {'ref': {'name': 'fct_daily_spend'}}}) }}

with line_items as (
    select
        cast(ChargePeriodStart as date) as charge_date,
        ProviderName as provider_name,
        BillingCurrency as billing_currency,
        count(*) as charge_rows,
        sum(BilledCost) as billed_cost,
        sum(EffectiveCost) as effective_cost
    from {{ ref('fct_spend') }}
    group by all
),

daily as (
    select
        charge_date,
        provider_name,
        billing_currency,
        sum(charge_rows) as charge_rows,
        sum(billed_cost) as billed_cost,
        sum(effective_cost) as effective_cost
    from {{ ref('fct_daily_spend') }}
    group by all
),

final as (
    select
        coalesce(line_items.charge_date, daily.charge_date) as charge_date,
        coalesce(line_items.provider_name, daily.provider_name) as provider_name,
        coalesce(line_items.billing_currency, daily.billing_currency) as billing_currency,
        line_items.charge_rows as fct_spend_rows,
        daily.charge_rows as daily_charge_rows,
        line_items.billed_cost as fct_spend_billed_cost,
        daily.billed_cost as daily_billed_cost,
        line_items.effective_cost as fct_spend_effective_cost,
        daily.effective_cost as daily_effective_cost
    from line_items
    full outer join daily
        on
            line_items.charge_date = daily.charge_date
            and line_items.provider_name = daily.provider_name
            and line_items.billing_currency = daily.billing_currency
    -- a side with no row for the day reads as null, and differs
    where
        line_items.charge_rows is distinct from daily.charge_rows
        or line_items.billed_cost is distinct from daily.billed_cost
        or line_items.effective_cost is distinct from daily.effective_cost
)

select * from final
