{#-
  Anthropic spend as FOCUS rows (all days; fct_anthropic_spend takes its run's window), one per day x workspace x model x token type x service tier x
  context window x inference geo, plus web search and code execution lines.
  Cost lines and usage quantities meet in full outer joins, so every cent of the cost report and every
  token of the usage report is counted exactly once: usage with no cost line (Priority Tier) becomes a
  zero-cost row flagged x_CostReported = false. Organization and workspace names are left to fct_spend,
  which shows the current ones.
-#}
with costs as (
    select * from {{ ref('stg_anthropic__costs') }}
),

usage as (
    select * from {{ ref('stg_anthropic__usage') }}
),

usage_by_token_type as (
    unpivot usage
    on uncached_input_tokens, output_tokens, cache_read_input_tokens,
    cache_creation_5m_input_tokens, cache_creation_1h_input_tokens
    into name token_column value tokens
),

token_usage as (
    select
        usage_date,
        workspace_id,
        model,
        service_tier,
        context_window,
        inference_geo,
        case token_column
            when 'cache_creation_5m_input_tokens' then 'cache_creation.ephemeral_5m_input_tokens'
            when 'cache_creation_1h_input_tokens' then 'cache_creation.ephemeral_1h_input_tokens'
            else token_column
        end as token_type,
        sum(tokens) as tokens
    from usage_by_token_type
    group by all
    having sum(tokens) > 0
),

token_lines as (
    select
        coalesce(c.cost_date, u.usage_date) as charge_date,
        coalesce(c.workspace_id, u.workspace_id) as workspace_id,
        'tokens' as cost_type,
        coalesce(c.model, u.model) as model,
        coalesce(c.token_type, u.token_type) as token_type,
        coalesce(c.service_tier, u.service_tier) as service_tier,
        coalesce(c.context_window, u.context_window) as context_window,
        coalesce(c.inference_geo, u.inference_geo) as inference_geo,
        c.description,
        c.amount_usd,
        u.tokens as quantity,
        'Tokens' as quantity_unit
    from (
        select * from costs
        where cost_type = 'tokens'
    ) as c
    full outer join token_usage as u
        on
            c.cost_date = u.usage_date
            and c.workspace_id = u.workspace_id
            and c.model is not distinct from u.model
            and c.token_type = u.token_type
            and c.service_tier is not distinct from u.service_tier
            and c.context_window is not distinct from u.context_window
            and c.inference_geo is not distinct from u.inference_geo
),

web_search_usage as (
    select
        usage_date,
        workspace_id,
        sum(web_search_requests) as requests
    from usage
    group by all
    having sum(web_search_requests) > 0
),

web_search_lines as (
    select
        coalesce(c.cost_date, u.usage_date) as charge_date,
        coalesce(c.workspace_id, u.workspace_id) as workspace_id,
        'web_search' as cost_type,
        null as model,
        null as token_type,
        null as service_tier,
        null as context_window,
        null as inference_geo,
        c.description,
        c.amount_usd,
        u.requests as quantity,
        'Requests' as quantity_unit
    from (
        select * from costs
        where cost_type = 'web_search'
    ) as c
    full outer join web_search_usage as u
        on
            c.cost_date = u.usage_date
            and c.workspace_id = u.workspace_id
),

other_lines as (
    select
        cost_date as charge_date,
        workspace_id,
        cost_type,
        model,
        token_type,
        service_tier,
        context_window,
        inference_geo,
        description,
        amount_usd,
        null as quantity,
        null as quantity_unit
    from costs
    where cost_type not in ('tokens', 'web_search')
),

lines as (
    select * from token_lines
    union all
    select * from web_search_lines
    union all
    select * from other_lines
),

focus_rows as (
    select
        coalesce(lines.amount_usd, 0) as BilledCost,
        'USD' as BillingCurrency,
        {{ month_start('lines.charge_date') }} as BillingPeriodStart,
        {{ month_end('lines.charge_date') }} as BillingPeriodEnd,
        'Usage' as ChargeCategory,
        coalesce(lines.description, 'Usage without a cost line (' || coalesce(lines.service_tier, lines.cost_type) || ' tier: billed outside the cost report)') as ChargeDescription,
        'Usage-Based' as ChargeFrequency,
        cast(lines.charge_date as timestamp) as ChargePeriodStart,
        cast(lines.charge_date as timestamp) + interval 1 day as ChargePeriodEnd,
        lines.quantity as ConsumedQuantity,
        case when lines.quantity is not null then lines.quantity_unit end as ConsumedUnit,
        coalesce(lines.amount_usd, 0) as ContractedCost,
        coalesce(lines.amount_usd, 0) as EffectiveCost,
        'Anthropic' as InvoiceIssuerName,
        coalesce(lines.amount_usd, 0) as ListCost,
        'Standard' as PricingCategory,
        lines.quantity as PricingQuantity,
        case when lines.quantity is not null then lines.quantity_unit end as PricingUnit,
        'Anthropic' as ProviderName,
        'Anthropic' as PublisherName,
        'AI and Machine Learning' as ServiceCategory,
        'Claude API' as ServiceName,
        'Generative AI' as ServiceSubcategory,
        coalesce(lines.model, lines.cost_type) as SkuId,
        lines.description as SkuMeter,
        concat_ws(':', coalesce(lines.model, lines.cost_type), lines.token_type, lines.service_tier, lines.context_window, lines.inference_geo) as SkuPriceId,
        lines.workspace_id as SubAccountId,
        'Workspace' as SubAccountType,
        'Anthropic' as ServiceProviderName,
        'Anthropic' as HostProviderName,
        'anthropic_admin_api' as x_Source,
        lines.model as x_Model,
        lines.token_type as x_TokenType,
        lines.cost_type as x_CostType,
        lines.service_tier as x_ServiceTier,
        lines.context_window as x_ContextWindow,
        lines.inference_geo as x_InferenceGeo,
        lines.amount_usd is not null as x_CostReported,
        'Claude' as x_AiModelFamily,
        'anthropic_api' as x_AiChannel
    from lines
),

final as (
    {{ focus_conformed('focus_rows') }}
)

select * from final
