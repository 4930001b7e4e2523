{#-
  Every line of the days both an analytics cost pull and the legacy cost report cover, with both amounts
  in cents: day x organization x workspace x cost type, and for token lines the model, token type, tier, context window
  and geo they are priced at. Priority Tier is left out: the legacy report never priced it. Workspaces
  are compared as fct_spend shows them (the analytics API's id for the default workspace is 'default').
  The blocking asset check analytics_cost_matches_cost_report reads it (pump_costs/defs/anthropic/checks.py).
-#}
with analytics_days as (
    select * from {{ ref('stg_anthropic__analytics_cost_days') }}
),

analytics_costs as (
    select * from {{ ref('stg_anthropic__analytics_costs') }}
),

legacy_costs as (
    select * from {{ ref('stg_anthropic__costs') }}
),

listed_workspaces as (
    select
        organization_id,
        workspace_id
    from {{ ref('stg_anthropic__workspaces') }}
),

both_days as (
    select
        organization_id,
        cost_date
    from analytics_days
    intersect
    select distinct
        organization_id,
        cost_date
    from legacy_costs
),

analytics_lines as (
    select
        cost_date,
        organization_id,
        case
            when (organization_id, workspace_id) in (select * from listed_workspaces) then workspace_id
            else 'default'
        end as workspace_id,
        cost_type,
        case when cost_type = 'tokens' then model end as model,
        token_type,
        case when cost_type = 'tokens' then service_tier end as service_tier,
        case when cost_type = 'tokens' then context_window end as context_window,
        case when cost_type = 'tokens' then coalesce(inference_geo, 'not_available') end as inference_geo,
        sum(amount_cents) as analytics_cents
    from analytics_costs
    where
        query_name = 'by_price'
        and service_tier is distinct from 'priority'
        and (organization_id, cost_date) in (select * from both_days)
    group by all
),

legacy_lines as (
    select
        cost_date,
        organization_id,
        workspace_id,
        cost_type,
        case when cost_type = 'tokens' then model end as model,
        token_type,
        case when cost_type = 'tokens' then service_tier end as service_tier,
        case when cost_type = 'tokens' then context_window end as context_window,
        case when cost_type = 'tokens' then inference_geo end as inference_geo,
        sum(amount_cents) as legacy_cents
    from legacy_costs
    where
        service_tier is distinct from 'priority'
        and (organization_id, cost_date) in (select * from both_days)
    group by all
),

final as (
    select
        coalesce(a.cost_date, l.cost_date) as cost_date,
        coalesce(a.organization_id, l.organization_id) as organization_id,
        coalesce(a.workspace_id, l.workspace_id) as workspace_id,
        coalesce(a.cost_type, l.cost_type) as cost_type,
        coalesce(a.model, l.model) as model,
        coalesce(a.token_type, l.token_type) as token_type,
        coalesce(a.service_tier, l.service_tier) as service_tier,
        coalesce(a.context_window, l.context_window) as context_window,
        coalesce(a.inference_geo, l.inference_geo) as inference_geo,
        a.analytics_cents,
        l.legacy_cents,
        coalesce(a.analytics_cents = l.legacy_cents, false) as amounts_match
    from analytics_lines as a
    full outer join legacy_lines as l
        on
            a.cost_date = l.cost_date
            and a.organization_id = l.organization_id
            and a.workspace_id = l.workspace_id
            and a.cost_type is not distinct from l.cost_type
            and a.model is not distinct from l.model
            and a.token_type is not distinct from l.token_type
            and a.service_tier is not distinct from l.service_tier
            and a.context_window is not distinct from l.context_window
            and a.inference_geo is not distinct from l.inference_geo
)

select * from final
