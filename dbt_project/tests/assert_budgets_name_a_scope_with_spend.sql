{#- Each budget whose name matches no spend in its currency, so it shows nothing spent: a typo, a scope that
    has not spent yet, or a workspace or API key name several organizations have (each has a workspace named
    Default), which a budget names as '<organization> / <name>' (name_it_one_of lists those). A warning, not
    an error: a name becomes shared when another organization starts to use it, and that must not stop the
    day's spend from being published. -#}
{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'fct_budget_status'}}}) }}

with budgets as (
    select distinct
        scope_type,
        scope_name,
        billing_currency
    from {{ ref('fct_budget_status') }}
),

scopes_with_spend as (
    select distinct
        scope_type,
        scope_name,
        billing_currency
    from {{ ref('fct_daily_spend_by_scope') }}
),

daily_spend as (
    select * from {{ ref('fct_daily_spend') }}
    where provider_name = 'Anthropic'
),

shared_names as (
    select distinct
        'workspace' as scope_type,
        sub_account_name as shared_name,
        sub_account_label as label
    from daily_spend
    where sub_account_label != sub_account_name
    union all
    select distinct
        'api_key' as scope_type,
        api_key_name as shared_name,
        api_key_label as label
    from daily_spend
    where api_key_label != api_key_name
),

unmatched as (
    select * from budgets
    where not exists (
        select 1 from scopes_with_spend
        where
            scopes_with_spend.scope_type = budgets.scope_type
            and scopes_with_spend.scope_name = budgets.scope_name
            and scopes_with_spend.billing_currency = budgets.billing_currency
    )
),

final as (
    select
        unmatched.scope_type,
        unmatched.scope_name,
        unmatched.billing_currency,
        {{ sorted_text_list('shared_names.label', ', ') }} as name_it_one_of
    from unmatched
    left join shared_names
        on
            unmatched.scope_type = shared_names.scope_type
            and unmatched.scope_name = shared_names.shared_name
    group by all
)

select * from final
