{#- Daily spend by provider, billing account (an Anthropic organization, an AWS payer account, ...), service,
    sub account, model and API key: the table most dashboards start from. -#}
with spend as (
    select * from {{ ref('fct_spend') }}
),

final as (
    select
        cast(ChargePeriodStart as date) as charge_date,
        ProviderName as provider_name,
        ServiceName as service_name,
        ServiceCategory as service_category,
        BillingAccountId as billing_account_id,
        BillingAccountName as billing_account_name,
        SubAccountId as sub_account_id,
        SubAccountName as sub_account_name,
        x_Model as model,
        x_ApiKeyName as api_key_name,
        x_AiModelFamily as ai_model_family,
        x_AiChannel as ai_channel,
        BillingCurrency as billing_currency,
        sum(BilledCost) as billed_cost,
        sum(EffectiveCost) as effective_cost,
        count(*) as charge_rows
    from spend
    group by all
)

select * from final
