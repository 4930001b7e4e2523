{#- On every day both an analytics cost pull and the legacy cost report cover, the two agree line for
    line (day x workspace x model x token type x cost type, and the tier, context window and geo a token
    line is priced at) to the last digit. Priority Tier is left out: the legacy report never priced it.
    Workspaces are compared as fct_spend shows them (the analytics API's id for the default workspace is
    'default'). Failing rows name the line and both amounts; a failure stops the publish. -#}
{{ config(meta={'dagster': {'ref': {'name': 'fct_spend'}}}) }}

with analytics_days as (
    select cast(bucket_start as date) as cost_date from {{ source('anthropic', 'analytics_cost_days') }}
),

legacy_days as (
    select distinct cast(bucket_start as date) as cost_date
    from {{ source('anthropic', 'cost_report') }}
),

both_days as (
    select cost_date from analytics_days
    intersect
    select cost_date from legacy_days
),

listed_workspaces as (
    select workspace_id from {{ source('anthropic', 'workspaces') }}
),

analytics as (
    select
        cast(bucket_start as date) as cost_date,
        case
            when workspace_id in (select workspace_id from listed_workspaces) then workspace_id
            else 'default'
        end as workspace_id,
        cost_type,
        case when cost_type = 'tokens' then model end as model,
        token_type,
        case when cost_type = 'tokens' then service_tier end as service_tier,
        case when cost_type = 'tokens' then context_window end as context_window,
        case when cost_type = 'tokens' then coalesce(inference_geo, 'not_available') end as inference_geo,
        amount_cents
    from {{ source('anthropic', 'analytics_cost') }}
    where query = 'by_price' and service_tier is distinct from 'priority'
),

legacy as (
    select
        cast(bucket_start as date) as cost_date,
        coalesce(workspace_id, 'default') as workspace_id,
        cost_type,
        case when cost_type = 'tokens' then model end as model,
        token_type,
        case when cost_type = 'tokens' then service_tier end as service_tier,
        case when cost_type = 'tokens' then context_window end as context_window,
        case when cost_type = 'tokens' then inference_geo end as inference_geo,
        amount_cents
    from {{ source('anthropic', 'cost_report') }}
    where service_tier is distinct from 'priority'
),

analytics_lines as (
    select
        cost_date,
        workspace_id,
        cost_type,
        model,
        token_type,
        service_tier,
        context_window,
        inference_geo,
        sum(amount_cents) as analytics_cents
    from analytics
    where cost_date in (select cost_date from both_days)
    group by all
),

legacy_lines as (
    select
        cost_date,
        workspace_id,
        cost_type,
        model,
        token_type,
        service_tier,
        context_window,
        inference_geo,
        sum(amount_cents) as legacy_cents
    from legacy
    where cost_date in (select cost_date from both_days)
    group by all
),

final as (
    select
        coalesce(a.cost_date, l.cost_date) as cost_date,
        coalesce(a.workspace_id, l.workspace_id) as workspace_id,
        coalesce(a.cost_type, l.cost_type) as cost_type,
        coalesce(a.model, l.model) as model,
        coalesce(a.token_type, l.token_type) as token_type,
        coalesce(a.service_tier, l.service_tier) as service_tier,
        coalesce(a.context_window, l.context_window) as context_window,
        coalesce(a.inference_geo, l.inference_geo) as inference_geo,
        a.analytics_cents,
        l.legacy_cents
    from analytics_lines as a
    full outer join legacy_lines as l
        on
            a.cost_date = l.cost_date
            and a.workspace_id = l.workspace_id
            and a.cost_type is not distinct from l.cost_type
            and a.model is not distinct from l.model
            and a.token_type is not distinct from l.token_type
            and a.service_tier is not distinct from l.service_tier
            and a.context_window is not distinct from l.context_window
            and a.inference_geo is not distinct from l.inference_geo
    where a.analytics_cents is distinct from l.legacy_cents
)

select * from final
