{#-
  The legacy reports' Anthropic lines, one per day x organization x workspace x line item x API key. The
  cost report has no API key, so each token line is split across the keys whose usage it prices (same
  day, organization, workspace, model, token type, tier, context window and geo) in proportion to their tokens, and each web
  search line across the workspace's keys by their searches (Console usage, without a key, takes its
  share too); the parts add up exactly to the line (cost_allocation 'usage_share'). A line with no usage
  to split it by stays whole, without a key ('reported'). Usage no line prices (Priority Tier) is kept as
  rows without cost, so every token is counted once.
-#}
with costs as (
    select * from {{ ref('stg_anthropic__costs') }}
),

usage as (
    select * from {{ ref('stg_anthropic__usage') }}
),

usage_by_token_type as (
    select * from usage
    unpivot (
        tokens for token_column in (
            uncached_input_tokens, output_tokens, cache_read_input_tokens,
            cache_creation_5m_input_tokens, cache_creation_1h_input_tokens
        )
    )
),

key_tokens as (
    select
        usage_date,
        organization_id,
        workspace_id,
        api_key_id,
        model,
        service_tier,
        context_window,
        inference_geo,
        {{ report_token_type('token_column') }} as token_type,
        sum(tokens) as tokens
    from usage_by_token_type
    group by all
    having sum(tokens) > 0
),

key_web_searches as (
    select
        usage_date,
        organization_id,
        workspace_id,
        api_key_id,
        sum(web_search_requests) as requests
    from usage
    group by all
    having sum(web_search_requests) > 0
),

token_shares as (
    select
        coalesce(c.cost_date, u.usage_date) as charge_date,
        coalesce(c.organization_id, u.organization_id) as organization_id,
        coalesce(c.workspace_id, u.workspace_id) as workspace_id,
        'tokens' as cost_type,
        coalesce(c.model, u.model) as model,
        coalesce(c.token_type, u.token_type) as token_type,
        coalesce(c.service_tier, u.service_tier) as service_tier,
        coalesce(c.context_window, u.context_window) as context_window,
        coalesce(c.inference_geo, u.inference_geo) as inference_geo,
        u.api_key_id,
        c.description,
        c.amount_usd,
        u.tokens as quantity,
        'Tokens' as quantity_unit
    from (
        select * from costs
        where cost_type = 'tokens'
    ) as c
    full outer join key_tokens as u
        on
            c.cost_date = u.usage_date
            and c.organization_id = u.organization_id
            and c.workspace_id = u.workspace_id
            and c.model is not distinct from u.model
            and c.token_type = u.token_type
            and c.service_tier is not distinct from u.service_tier
            and c.context_window is not distinct from u.context_window
            and c.inference_geo is not distinct from u.inference_geo
),

web_search_shares as (
    select
        coalesce(c.cost_date, u.usage_date) as charge_date,
        coalesce(c.organization_id, u.organization_id) as organization_id,
        coalesce(c.workspace_id, u.workspace_id) as workspace_id,
        'web_search' as cost_type,
        null as model,
        null as token_type,
        null as service_tier,
        null as context_window,
        null as inference_geo,
        u.api_key_id,
        c.description,
        c.amount_usd,
        u.requests as quantity,
        'Requests' as quantity_unit
    from (
        select * from costs
        where cost_type = 'web_search'
    ) as c
    full outer join key_web_searches as u
        on
            c.cost_date = u.usage_date
            and c.organization_id = u.organization_id
            and c.workspace_id = u.workspace_id
),

other_lines as (
    select
        cost_date as charge_date,
        organization_id,
        workspace_id,
        cost_type,
        model,
        token_type,
        service_tier,
        context_window,
        inference_geo,
        null as api_key_id,
        description,
        amount_usd,
        null as quantity,
        null as quantity_unit
    from costs
    where cost_type not in ('tokens', 'web_search')
),

shares as (
    select * from token_shares
    union all
    select * from web_search_shares
    union all
    select * from other_lines
),

{%- set line_keys -%}
    charge_date, organization_id, workspace_id, cost_type, model, token_type, service_tier, context_window, inference_geo
{%- endset %}

weighed as (
    select
        *,
        sum(quantity) over line_keys as line_quantity,
        sum(quantity) over line_keys_through_this_key as quantity_through
    from shares
    window
        line_keys as (partition by {{ line_keys }}),
        line_keys_through_this_key as (
            partition by {{ line_keys }}
            order by api_key_id rows between unbounded preceding and current row
        )
),

final as (
    select
        charge_date,
        organization_id,
        workspace_id,
        api_key_id,
        null as actor_type,
        null as actor_id,
        null as actor_name,
        null as product,
        cost_type,
        model,
        token_type,
        service_tier,
        context_window,
        inference_geo,
        description,
        case
            when amount_usd is null or line_quantity is null then {{ money('amount_usd') }}
            else {{ proportional_part('amount_usd', 'quantity', 'quantity_through', 'line_quantity') }}
        end as amount_usd,
        null as list_amount_usd,
        quantity,
        quantity_unit,
        null as requests,
        case when line_quantity is null then 'reported' else 'usage_share' end as cost_allocation
    from weighed
)

select * from final
