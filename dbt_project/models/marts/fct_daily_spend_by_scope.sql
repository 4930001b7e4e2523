{#- Daily spend per scope that budgets and anomalies are kept for, each in its billing currency (never
    summed across currencies). A scope's `last_data_date` is its provider's last day with data: a day after
    it has not arrived yet, while a day before it with no row for the scope is a day of zero spend. -#}
with daily_spend as (
    select
        {{ star_except(['provider_name', 'service_name']) }},
        coalesce(provider_name, '(no provider)') as provider_name,
        coalesce(service_name, '(no service)') as service_name
    from {{ ref('fct_daily_spend') }}
),

provider_freshness as (
    select
        provider_name,
        max(charge_date) as last_data_date
    from daily_spend
    group by all
),

overall_freshness as (
    select max(last_data_date) as last_data_date
    from provider_freshness
),

anthropic_spend as (
    select * from daily_spend
    where provider_name = 'Anthropic'
),

by_total as (
    select
        charge_date,
        billing_currency,
        'total' as scope_type,
        'Total' as scope_name,
        cast(null as string) as provider_name,
        sum(billed_cost) as billed_cost
    from daily_spend
    group by all
),

by_provider as (
    select
        charge_date,
        billing_currency,
        'provider' as scope_type,
        provider_name as scope_name,
        provider_name,
        sum(billed_cost) as billed_cost
    from daily_spend
    group by all
),

by_service as (
    select
        charge_date,
        billing_currency,
        'service' as scope_type,
        service_name as scope_name,
        provider_name,
        sum(billed_cost) as billed_cost
    from daily_spend
    group by all
),

by_provider_service as (
    select
        charge_date,
        billing_currency,
        'provider_service' as scope_type,
        provider_name || ' / ' || service_name as scope_name,
        provider_name,
        sum(billed_cost) as billed_cost
    from daily_spend
    group by all
),

by_billing_account as (
    select
        charge_date,
        billing_currency,
        'billing_account' as scope_type,
        provider_name || ' / ' || coalesce(billing_account_name, billing_account_id, '(no billing account)')
            as scope_name,
        provider_name,
        sum(billed_cost) as billed_cost
    from daily_spend
    group by all
),

by_workspace as (
    select
        charge_date,
        billing_currency,
        'workspace' as scope_type,
        sub_account_label as scope_name,
        provider_name,
        sum(billed_cost) as billed_cost
    from anthropic_spend
    group by all
),

by_workspace_model as (
    select
        charge_date,
        billing_currency,
        'workspace_model' as scope_type,
        sub_account_label || ' / ' || coalesce(model, '(no model)') as scope_name,
        provider_name,
        sum(billed_cost) as billed_cost
    from anthropic_spend
    group by all
),

by_api_key as (
    select
        charge_date,
        billing_currency,
        'api_key' as scope_type,
        coalesce(api_key_label, '(no key)') as scope_name,
        provider_name,
        sum(billed_cost) as billed_cost
    from anthropic_spend
    group by all
),

scoped as (
    select * from by_total
    union all
    select * from by_provider
    union all
    select * from by_service
    union all
    select * from by_provider_service
    union all
    select * from by_billing_account
    union all
    select * from by_workspace
    union all
    select * from by_workspace_model
    union all
    select * from by_api_key
),

final as (
    select
        scoped.*,
        coalesce(provider_freshness.last_data_date, overall_freshness.last_data_date) as last_data_date
    from scoped
    cross join overall_freshness
    left join provider_freshness
        on scoped.provider_name = provider_freshness.provider_name
)

select * from final
