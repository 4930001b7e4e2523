{#-
  The analytics API's Anthropic lines at the mart's grain: day x organization x workspace x API key x actor x product x
  model x token type (or cost type) x service tier x context window x geo. A request groups by at most
  five dimensions, so the raw rows come from several queries (pump_costs/defs/anthropic/client.py), put
  together by analytics_full_grain (macros/analytics_grain.sql). Cost meets usage (tokens, searches) on
  the whole grain; a combination's requests are on its first line only, so they add up. Amounts are as
  reported (cost_allocation 'reported').
-#}
with costs as (
    select * from {{ ref('stg_anthropic__analytics_costs') }}
),

usage as (
    select * from {{ ref('stg_anthropic__analytics_usage') }}
),

full_costs as (
    {{ analytics_full_grain('costs', 'cost_date', ['cost_type', 'token_type'], ['amount_usd', 'list_amount_usd']) }}
),

full_usage as (
    {{ analytics_full_grain('usage', 'usage_date', [], [
        'uncached_input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_5m_input_tokens',
        'cache_creation_1h_input_tokens', 'web_search_requests', 'requests'
    ]) }}
),

usage_by_column as (
    select * from full_usage
    unpivot (
        quantity for usage_column in (
            uncached_input_tokens, output_tokens, cache_read_input_tokens,
            cache_creation_5m_input_tokens, cache_creation_1h_input_tokens, web_search_requests
        )
    )
),

-- usage as the cost lines that price it: tokens by token type, and web searches
usage_lines as (
    select
        {{ star_except(['usage_column', 'quantity', 'requests']) }},
        case when usage_column = 'web_search_requests' then 'web_search' else 'tokens' end as cost_type,
        case when usage_column <> 'web_search_requests' then {{ report_token_type('usage_column') }} end as token_type,
        quantity,
        case when usage_column = 'web_search_requests' then 'Requests' else 'Tokens' end as quantity_unit
    from usage_by_column
    where quantity <> 0
),

combination_requests as (
    select * from full_usage
    where requests is not null
),

-- one join of every cost line with the usage it prices (code execution and session time have none): each of
-- full_costs and full_usage is referenced as few times as can be, as Spark computes a CTE once per reference
lines as (
    select
        {{ analytics_grain_of_either('c', 'u') }},
        coalesce(c.cost_type, u.cost_type) as cost_type,
        coalesce(c.token_type, u.token_type) as token_type,
        c.amount_usd,
        c.list_amount_usd,
        u.quantity,
        u.quantity_unit
    from full_costs as c
    full outer join usage_lines as u
        on
            {{ analytics_grain_matches('c', 'u', 'cost_date', 'usage_date') }}
            and c.cost_type = u.cost_type
            and c.token_type is not distinct from u.token_type
),

lines_with_requests as (
    select
        l.*,
        r.requests,
        row_number() over (
            partition by
                l.charge_date, l.organization_id, l.workspace_id, l.api_key_id, l.actor_id, l.product, l.model, l.service_tier,
                l.context_window, l.inference_geo
            order by l.cost_type, l.token_type
        ) as line_of_combination
    from lines as l
    left join combination_requests as r
        on {{ analytics_grain_matches('l', 'r', 'charge_date', 'usage_date') }}
),

final as (
    select
        charge_date,
        organization_id,
        -- an Enterprise organization's only (default) workspace has no id; fct_spend names the others
        coalesce(workspace_id, 'default') as workspace_id,
        api_key_id,
        actor_type,
        actor_id,
        actor_name,
        product,
        cost_type,
        model,
        token_type,
        service_tier,
        context_window,
        -- the legacy reports' name for an unset geo, on the lines that have one
        case when model is not null then coalesce(inference_geo, 'not_available') end as inference_geo,
        null as description,
        amount_usd,
        list_amount_usd,
        quantity,
        quantity_unit,
        case when line_of_combination = 1 then requests end as requests,
        'reported' as cost_allocation
    from lines_with_requests
)

select * from final
