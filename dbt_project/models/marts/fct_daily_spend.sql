{#- Daily spend by provider, billing account (an Anthropic organization, an AWS payer account, ...), service,
    sub account, model and API key: the table most dashboards start from. A sub account's or key's name is
    unique only within its billing account (each Anthropic organization has a workspace named Default), so
    each has a label too, what budgets, anomalies and the report call it: its name, prefixed with its
    billing account's where another billing account of the same provider has one of that name. -#}
with anthropic_spend as (
    -- the cloud rows come summed by file and day from int_cloud__daily_spend, which sums only what changed
    select * from {{ ref('fct_spend') }}
    where x_Source = 'anthropic_admin_api'
),

cloud_daily_spend as (
    select * from {{ ref('int_cloud__daily_spend') }}
),

spend as (
    select
        ChargePeriodStart,
        {{ daily_spend_columns() | join(', ') }},
        BilledCost,
        EffectiveCost,
        1 as charge_rows
    from anthropic_spend
    union all
    select
        ChargePeriodStart,
        {{ daily_spend_columns() | join(', ') }},
        BilledCost,
        EffectiveCost,
        charge_rows
    from cloud_daily_spend
),

daily as (
    select
        cast(ChargePeriodStart as date) as charge_date,
        ProviderName as provider_name,
        ServiceName as service_name,
        ServiceCategory as service_category,
        BillingAccountId as billing_account_id,
        BillingAccountName as billing_account_name,
        SubAccountId as sub_account_id,
        SubAccountName as sub_account_name,
        x_Model as model,
        x_ApiKeyName as api_key_name,
        x_AiModelFamily as ai_model_family,
        x_AiChannel as ai_channel,
        BillingCurrency as billing_currency,
        sum(BilledCost) as billed_cost,
        sum(EffectiveCost) as effective_cost,
        cast(sum(charge_rows) as {{ dbt.type_bigint() }}) as charge_rows
    from spend
    group by all
),

sharing as (
    select
        *,
        -- two billing accounts or more (min and max, as Spark counts no distinct values over a window)
        min(billing_account_id) over (partition by provider_name, sub_account_name)
        <> max(billing_account_id) over (partition by provider_name, sub_account_name) as sub_account_name_shared,
        -- spend with no key too, but only for a provider that has keys (a cloud's rows have none)
        min(billing_account_id) over (partition by provider_name, api_key_name)
        <> max(billing_account_id) over (partition by provider_name, api_key_name)
        and count(api_key_name) over (partition by provider_name) > 0 as api_key_name_shared,
        coalesce(billing_account_name, billing_account_id) || ' / ' as billing_account_prefix
    from daily
),

final as (
    select
        {{ star_except(['sub_account_name_shared', 'api_key_name_shared', 'billing_account_prefix']) }},
        case
            when sub_account_name_shared then billing_account_prefix || sub_account_name else sub_account_name
        end as sub_account_label,
        case
            when api_key_name_shared then billing_account_prefix || coalesce(api_key_name, '(no key)')
            else api_key_name
        end as api_key_label
    from sharing
)

select * from final
