{#- A workspace or API key budget names one organization's where several have one of that name (each has a
    workspace named Default): on the bare name it would match no scope and show no spend. Each row is such
    a budget, with the names it can have instead. A warning, not an error: a name becomes shared when
    another organization starts to use it, and that must not stop the day's spend from being published. -#}
{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'fct_budget_status'}}}) }}

with budgets as (
    select distinct
        scope_type,
        scope_name
    from {{ ref('fct_budget_status') }}
    where scope_type in ('workspace', 'api_key')
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

final as (
    select
        budgets.scope_type,
        budgets.scope_name,
        string_agg(shared_names.label, ', ' order by shared_names.label) as name_it_one_of
    from budgets
    inner join shared_names
        on
            budgets.scope_type = shared_names.scope_type
            and budgets.scope_name = shared_names.shared_name
    group by all
)

select * from final
