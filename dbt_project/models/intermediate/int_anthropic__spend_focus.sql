{#-
  Anthropic spend as FOCUS rows (all days; fct_anthropic_spend takes its run's window). A day an analytics
  cost pull covered takes its lines from the analytics API (exact cost per API key, actor and product,
  list price, requests); any other day from the legacy reports, with cost per API key allocated by usage
  share (each organization's days chosen on their own). Usage with no cost line (Priority Tier, which the
  legacy cost report does not price) becomes a zero-cost row flagged x_CostReported = false. The
  organization is the billing account; its, the workspaces' and the keys' names are left to fct_spend,
  which shows the current ones.
-#}
with analytics_days as (
    select
        organization_id,
        cost_date
    from {{ ref('stg_anthropic__analytics_cost_days') }}
),

analytics_pulls as (
    select
        organization_id,
        cost_date as charge_date,
        loaded_at
    from {{ ref('stg_anthropic__analytics_cost_days') }}
    union all
    select
        organization_id,
        cost_date as charge_date,
        loaded_at
    from {{ ref('stg_anthropic__analytics_costs') }}
    union all
    select
        organization_id,
        usage_date as charge_date,
        loaded_at
    from {{ ref('stg_anthropic__analytics_usage') }}
),

legacy_pulls as (
    select
        organization_id,
        cost_date as charge_date,
        loaded_at
    from {{ ref('stg_anthropic__costs') }}
    union all
    select
        organization_id,
        usage_date as charge_date,
        loaded_at
    from {{ ref('stg_anthropic__usage') }}
),

chosen_pulls as (
    {{ analytics_or_legacy_by_day('analytics_pulls', 'legacy_pulls', 'analytics_days') }}
),

-- since when a day's lines are as they are: the latest pull that changed a row they are made of (a day
-- pulled again unchanged keeps its stamp: pump_costs/defs/anthropic/assets.py)
day_pulls as (
    select
        organization_id,
        charge_date,
        max(loaded_at) as loaded_at
    from chosen_pulls
    group by organization_id, charge_date
),

analytics_lines as (
    select * from {{ ref('int_anthropic__analytics_lines') }}
),

legacy_lines as (
    select * from {{ ref('int_anthropic__legacy_lines') }}
),

-- both kinds of line have the same columns in the same order
chosen_lines as (
    {{ analytics_or_legacy_by_day('analytics_lines', 'legacy_lines', 'analytics_days') }}
),

lines as (
    -- the analytics API has no line descriptions: one is made of what the line is
    select
        chosen_lines.*,
        coalesce(
            chosen_lines.description,
            concat_ws(
                ' - ',
                coalesce(chosen_lines.model, chosen_lines.cost_type),
                chosen_lines.token_type,
                chosen_lines.service_tier,
                chosen_lines.context_window,
                chosen_lines.inference_geo
            )
        ) as line_description,
        day_pulls.loaded_at
    from chosen_lines
    left join day_pulls
        on
            chosen_lines.organization_id = day_pulls.organization_id
            and chosen_lines.charge_date = day_pulls.charge_date
),

focus_rows as (
    select
        lines.organization_id as BillingAccountId,
        coalesce(lines.amount_usd, 0) as BilledCost,
        'USD' as BillingCurrency,
        {{ month_start('lines.charge_date') }} as BillingPeriodStart,
        {{ month_end('lines.charge_date') }} as BillingPeriodEnd,
        'Usage' as ChargeCategory,
        case
            when lines.amount_usd is null
                then 'Usage without a cost line (' || coalesce(lines.service_tier, lines.cost_type) || ' tier: billed outside the cost report)'
            else lines.line_description
        end as ChargeDescription,
        'Usage-Based' as ChargeFrequency,
        cast(lines.charge_date as timestamp) as ChargePeriodStart,
        cast(lines.charge_date as timestamp) + interval 1 day as ChargePeriodEnd,
        lines.quantity as ConsumedQuantity,
        case when lines.quantity is not null then lines.quantity_unit end as ConsumedUnit,
        coalesce(lines.amount_usd, 0) as ContractedCost,
        coalesce(lines.amount_usd, 0) as EffectiveCost,
        'Anthropic' as InvoiceIssuerName,
        coalesce(lines.list_amount_usd, lines.amount_usd, 0) as ListCost,
        -- the list price per unit, where the analytics API gives the list amount (exact for a price list's
        -- rates: the amount is divided in whole 10^-18 dollars, as neither engine divides decimals exactly)
        case
            when lines.list_amount_usd is not null and lines.quantity > 0
                then {{ units_to_money(integer_divide(money_units('lines.list_amount_usd'), 'lines.quantity')) }}
        end as ListUnitPrice,
        'Standard' as PricingCategory,
        lines.quantity as PricingQuantity,
        case when lines.quantity is not null then lines.quantity_unit end as PricingUnit,
        'Anthropic' as ProviderName,
        'Anthropic' as PublisherName,
        'AI and Machine Learning' as ServiceCategory,
        'Claude API' as ServiceName,
        'Generative AI' as ServiceSubcategory,
        coalesce(lines.model, lines.cost_type) as SkuId,
        lines.line_description as SkuMeter,
        concat_ws(':', coalesce(lines.model, lines.cost_type), lines.token_type, lines.service_tier, lines.context_window, lines.inference_geo) as SkuPriceId,
        lines.workspace_id as SubAccountId,
        'Workspace' as SubAccountType,
        'Anthropic' as ServiceProviderName,
        'Anthropic' as HostProviderName,
        'anthropic_admin_api' as x_Source,
        lines.loaded_at as x_LandedAt,
        lines.model as x_Model,
        lines.token_type as x_TokenType,
        lines.cost_type as x_CostType,
        lines.service_tier as x_ServiceTier,
        lines.context_window as x_ContextWindow,
        lines.inference_geo as x_InferenceGeo,
        lines.amount_usd is not null as x_CostReported,
        lines.api_key_id as x_ApiKeyId,
        lines.actor_type as x_ActorType,
        lines.actor_id as x_ActorId,
        lines.actor_name as x_ActorName,
        lines.product as x_Product,
        lines.requests as x_Requests,
        lines.cost_allocation as x_CostAllocation,
        'Claude' as x_AiModelFamily,
        'anthropic_api' as x_AiChannel
    from lines
),

final as (
    {{ focus_conformed('focus_rows') }}
)

select * from final
