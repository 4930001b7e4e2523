{#- Anthropic cost per day, workspace, API key, actor and product: the chargeback view. Reported rows
    are exact; legacy-only days carry cost allocated to keys by usage share (x_CostAllocation). -#}
{{ config(materialized='view') }}

with spend as (
    select * from {{ ref('fct_spend') }}
    where x_Source = 'anthropic_admin_api'
),

final as (
    select
        cast(ChargePeriodStart as date) as charge_date,
        BillingAccountId as organization_id,
        BillingAccountName as organization_name,
        SubAccountId as workspace_id,
        SubAccountName as workspace_name,
        x_ApiKeyId as api_key_id,
        x_ApiKeyName as api_key_name,
        x_ActorType as actor_type,
        x_ActorId as actor_id,
        x_ActorName as actor_name,
        x_Product as product,
        x_CostAllocation as cost_allocation,
        sum(BilledCost) as billed_cost,
        sum(ListCost) as list_cost,
        -- bigint, not DuckDB's 128-bit sum, which Parquet (the published files) holds only as a float
        cast(sum(x_Requests) as bigint) as requests,
        BillingCurrency as billing_currency
    from spend
    group by all
)

select * from final
