{#-
  The analytics API's Anthropic lines at the mart's grain: day x workspace x API key x actor x product x
  model x token type (or cost type) x service tier x context window x geo. A request groups by at most
  five dimensions, so the raw rows come from several queries (pump_costs/defs/anthropic/client.py):
  by_key_and_price gives each key-actor-product's rows for one tier x window x geo, and what those leave
  of the same key-actor-product's by_key total is usage with no tier (code execution, session time). Cost
  meets usage (tokens, searches) on the whole grain; a combination's requests are on its first line only,
  so they add up. Amounts are as reported (cost_allocation 'reported').
-#}
with costs as (
    select * from {{ ref('stg_anthropic__analytics_costs') }}
),

usage as (
    select * from {{ ref('stg_anthropic__analytics_usage') }}
),

priced_costs as (
    select
        cost_date,
        workspace_id,
        api_key_id,
        actor_type,
        actor_id,
        actor_name,
        product,
        model,
        service_tier,
        context_window,
        inference_geo,
        cost_type,
        token_type,
        sum(amount_usd) as amount_usd,
        sum(list_amount_usd) as list_amount_usd
    from costs
    where query_name = 'by_key_and_price'
    group by all
),

key_costs as (
    select
        cost_date,
        workspace_id,
        api_key_id,
        actor_type,
        actor_id,
        actor_name,
        product,
        model,
        cost_type,
        token_type,
        sum(amount_usd) as amount_usd,
        sum(list_amount_usd) as list_amount_usd
    from costs
    where query_name = 'by_key'
    group by all
),

priced_key_costs as (
    select
        cost_date,
        workspace_id,
        api_key_id,
        actor_id,
        product,
        model,
        cost_type,
        token_type,
        sum(amount_usd) as amount_usd,
        sum(list_amount_usd) as list_amount_usd
    from priced_costs
    group by all
),

unpriced_costs as (
    select
        k.cost_date,
        k.workspace_id,
        k.api_key_id,
        k.actor_type,
        k.actor_id,
        k.actor_name,
        k.product,
        k.model,
        null as service_tier,
        null as context_window,
        null as inference_geo,
        k.cost_type,
        k.token_type,
        k.amount_usd - coalesce(p.amount_usd, 0) as amount_usd,
        k.list_amount_usd - coalesce(p.list_amount_usd, 0) as list_amount_usd
    from key_costs as k
    left join priced_key_costs as p
        on
            k.cost_date = p.cost_date
            and k.workspace_id is not distinct from p.workspace_id
            and k.api_key_id is not distinct from p.api_key_id
            and k.actor_id is not distinct from p.actor_id
            and k.product is not distinct from p.product
            and k.model is not distinct from p.model
            and k.cost_type is not distinct from p.cost_type
            and k.token_type is not distinct from p.token_type
    where k.amount_usd <> coalesce(p.amount_usd, 0) or k.list_amount_usd <> coalesce(p.list_amount_usd, 0)
),

full_costs as (
    select * from priced_costs
    union all by name
    select * from unpriced_costs
),

priced_usage as (
    select
        usage_date,
        workspace_id,
        api_key_id,
        actor_type,
        actor_id,
        actor_name,
        product,
        model,
        service_tier,
        context_window,
        inference_geo,
        sum(uncached_input_tokens) as uncached_input_tokens,
        sum(output_tokens) as output_tokens,
        sum(cache_read_input_tokens) as cache_read_input_tokens,
        sum(cache_creation_5m_input_tokens) as cache_creation_5m_input_tokens,
        sum(cache_creation_1h_input_tokens) as cache_creation_1h_input_tokens,
        sum(web_search_requests) as web_search_requests,
        sum(requests) as requests
    from usage
    where query_name = 'by_key_and_price'
    group by all
),

key_usage as (
    select
        usage_date,
        workspace_id,
        api_key_id,
        actor_type,
        actor_id,
        actor_name,
        product,
        model,
        sum(uncached_input_tokens) as uncached_input_tokens,
        sum(output_tokens) as output_tokens,
        sum(cache_read_input_tokens) as cache_read_input_tokens,
        sum(cache_creation_5m_input_tokens) as cache_creation_5m_input_tokens,
        sum(cache_creation_1h_input_tokens) as cache_creation_1h_input_tokens,
        sum(web_search_requests) as web_search_requests,
        sum(requests) as requests
    from usage
    where query_name = 'by_key'
    group by all
),

priced_key_usage as (
    select
        usage_date,
        workspace_id,
        api_key_id,
        actor_id,
        product,
        model,
        sum(uncached_input_tokens) as uncached_input_tokens,
        sum(output_tokens) as output_tokens,
        sum(cache_read_input_tokens) as cache_read_input_tokens,
        sum(cache_creation_5m_input_tokens) as cache_creation_5m_input_tokens,
        sum(cache_creation_1h_input_tokens) as cache_creation_1h_input_tokens,
        sum(web_search_requests) as web_search_requests,
        sum(requests) as requests
    from priced_usage
    group by all
),

unpriced_usage as (
    select
        k.usage_date,
        k.workspace_id,
        k.api_key_id,
        k.actor_type,
        k.actor_id,
        k.actor_name,
        k.product,
        k.model,
        null as service_tier,
        null as context_window,
        null as inference_geo,
        k.uncached_input_tokens - coalesce(p.uncached_input_tokens, 0) as uncached_input_tokens,
        k.output_tokens - coalesce(p.output_tokens, 0) as output_tokens,
        k.cache_read_input_tokens - coalesce(p.cache_read_input_tokens, 0) as cache_read_input_tokens,
        k.cache_creation_5m_input_tokens - coalesce(p.cache_creation_5m_input_tokens, 0)
            as cache_creation_5m_input_tokens,
        k.cache_creation_1h_input_tokens - coalesce(p.cache_creation_1h_input_tokens, 0)
            as cache_creation_1h_input_tokens,
        k.web_search_requests - coalesce(p.web_search_requests, 0) as web_search_requests,
        k.requests - coalesce(p.requests, 0) as requests
    from key_usage as k
    left join priced_key_usage as p
        on
            k.usage_date = p.usage_date
            and k.workspace_id is not distinct from p.workspace_id
            and k.api_key_id is not distinct from p.api_key_id
            and k.actor_id is not distinct from p.actor_id
            and k.product is not distinct from p.product
            and k.model is not distinct from p.model
),

full_usage as (
    select * from priced_usage
    union all by name
    select * from unpriced_usage
    where
        uncached_input_tokens <> 0 or output_tokens <> 0 or cache_read_input_tokens <> 0
        or cache_creation_5m_input_tokens <> 0 or cache_creation_1h_input_tokens <> 0
        or web_search_requests <> 0 or coalesce(requests, 0) <> 0
),

usage_by_token_type as (
    unpivot full_usage
    on uncached_input_tokens, output_tokens, cache_read_input_tokens,
    cache_creation_5m_input_tokens, cache_creation_1h_input_tokens
    into name token_column value tokens
),

token_usage as (
    select
        * exclude (token_column, tokens, web_search_requests, requests),
        {{ report_token_type('token_column') }} as token_type,
        tokens
    from usage_by_token_type
    where tokens <> 0
),

web_search_usage as (
    select * exclude (requests)
    from full_usage
    where web_search_requests <> 0
),

token_lines as (
    select
        coalesce(c.cost_date, u.usage_date) as charge_date,
        coalesce(c.workspace_id, u.workspace_id) as workspace_id,
        coalesce(c.api_key_id, u.api_key_id) as api_key_id,
        coalesce(c.actor_type, u.actor_type) as actor_type,
        coalesce(c.actor_id, u.actor_id) as actor_id,
        coalesce(c.actor_name, u.actor_name) as actor_name,
        coalesce(c.product, u.product) as product,
        'tokens' as cost_type,
        coalesce(c.model, u.model) as model,
        coalesce(c.token_type, u.token_type) as token_type,
        coalesce(c.service_tier, u.service_tier) as service_tier,
        coalesce(c.context_window, u.context_window) as context_window,
        coalesce(c.inference_geo, u.inference_geo) as inference_geo,
        c.amount_usd,
        c.list_amount_usd,
        u.tokens as quantity,
        'Tokens' as quantity_unit
    from (
        select * from full_costs
        where cost_type = 'tokens'
    ) as c
    full outer join token_usage as u
        on
            {{ analytics_grain_matches('c', 'u') }}
            and c.token_type = u.token_type
),

web_search_lines as (
    select
        coalesce(c.cost_date, u.usage_date) as charge_date,
        coalesce(c.workspace_id, u.workspace_id) as workspace_id,
        coalesce(c.api_key_id, u.api_key_id) as api_key_id,
        coalesce(c.actor_type, u.actor_type) as actor_type,
        coalesce(c.actor_id, u.actor_id) as actor_id,
        coalesce(c.actor_name, u.actor_name) as actor_name,
        coalesce(c.product, u.product) as product,
        'web_search' as cost_type,
        coalesce(c.model, u.model) as model,
        null as token_type,
        coalesce(c.service_tier, u.service_tier) as service_tier,
        coalesce(c.context_window, u.context_window) as context_window,
        coalesce(c.inference_geo, u.inference_geo) as inference_geo,
        c.amount_usd,
        c.list_amount_usd,
        u.web_search_requests as quantity,
        'Requests' as quantity_unit
    from (
        select * from full_costs
        where cost_type = 'web_search'
    ) as c
    full outer join web_search_usage as u
        on
            {{ analytics_grain_matches('c', 'u') }}
),

other_lines as (
    select
        cost_date as charge_date,
        workspace_id,
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
        inference_geo,
        amount_usd,
        list_amount_usd,
        null as quantity,
        null as quantity_unit
    from full_costs
    where cost_type not in ('tokens', 'web_search')
),

lines as (
    select * from token_lines
    union all
    select * from web_search_lines
    union all
    select * from other_lines
),

combination_requests as (
    select
        usage_date,
        workspace_id,
        api_key_id,
        actor_id,
        product,
        model,
        service_tier,
        context_window,
        inference_geo,
        requests
    from full_usage
    where requests is not null
),

lines_with_requests as (
    select
        l.*,
        r.requests,
        row_number() over (
            partition by
                l.charge_date, l.workspace_id, l.api_key_id, l.actor_id, l.product, l.model, l.service_tier,
                l.context_window, l.inference_geo
            order by l.cost_type, l.token_type
        ) as line_of_combination
    from lines as l
    left join combination_requests as r
        on
            l.charge_date = r.usage_date
            and l.workspace_id is not distinct from r.workspace_id
            and l.api_key_id is not distinct from r.api_key_id
            and l.actor_id is not distinct from r.actor_id
            and l.product is not distinct from r.product
            and l.model is not distinct from r.model
            and l.service_tier is not distinct from r.service_tier
            and l.context_window is not distinct from r.context_window
            and l.inference_geo is not distinct from r.inference_geo
),

final as (
    select
        charge_date,
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
