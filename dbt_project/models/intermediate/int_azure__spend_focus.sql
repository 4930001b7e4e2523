{#- Azure actual-cost rows as FOCUS 1.2 rows (after Microsoft's FinOps toolkit mapping). Amortized
    datasets stay in staging: adding them here would count the same spend twice. -#}
with cost_details as (
    select * from {{ ref('stg_azure__cost_details') }}
    where dataset = 'ActualCost'
),

categories as (
    select * from {{ ref('service_categories') }}
    where provider = 'Microsoft'
),

mapped as (
    select
        cost_details.*,
        case
            when cost_details.charge_type in ('Usage', 'Purchase', 'Tax') then cost_details.charge_type
            when cost_details.charge_type in ('UnusedReservation', 'UnusedSavingsPlan') then 'Usage'
            else 'Adjustment'
        end as charge_category,
        lower(concat_ws(' ', cost_details.meter_category, cost_details.meter_subcategory, cost_details.meter_name, cost_details.product_name)) like '%claude%'
            as is_claude
    from cost_details
),

focus_rows as (
    select
        cost as BilledCost,
        billing_account_id as BillingAccountId,
        billing_account_name as BillingAccountName,
        billing_currency as BillingCurrency,
        billing_period_start as BillingPeriodStart,
        billing_period_end as BillingPeriodEnd,
        charge_category as ChargeCategory,
        case when charge_type = 'Refund' then 'Correction' end as ChargeClass,
        meter_name as ChargeDescription,
        case frequency when 'OneTime' then 'One-Time' when 'Recurring' then 'Recurring' else 'Usage-Based' end as ChargeFrequency,
        charge_date as ChargePeriodStart,
        charge_date + interval 1 day as ChargePeriodEnd,
        case when charge_type in ('UnusedReservation', 'UnusedSavingsPlan') then 'Unused' end as CommitmentDiscountStatus,
        case when charge_category = 'Usage' then quantity end as ConsumedQuantity,
        case when charge_category = 'Usage' and quantity is not null then unit_of_measure end as ConsumedUnit,
        cost as ContractedCost,
        unit_price as ContractedUnitPrice,
        case when charge_type = 'Purchase' and pricing_model in ('Reservation', 'SavingsPlan') then 0 else cost end as EffectiveCost,
        invoice_id as InvoiceId,
        'Microsoft' as InvoiceIssuerName,
        coalesce(payg_cost, cost) as ListCost,
        case when charge_category = 'Usage' then (case pricing_model when 'Spot' then 'Dynamic' when 'Reservation' then 'Committed' when 'SavingsPlan' then 'Committed' else 'Standard' end) end as PricingCategory,
        case when charge_category = 'Usage' then quantity end as PricingQuantity,
        case when charge_category = 'Usage' and quantity is not null then unit_of_measure end as PricingUnit,
        'Microsoft' as ProviderName,
        coalesce(publisher_name, 'Microsoft') as PublisherName,
        resource_location as RegionId,
        resource_location as RegionName,
        resource_id as ResourceId,
        resource_name as ResourceName,
        {{ service_category('categories.service_category') }} as ServiceCategory,
        meter_category as ServiceName,
        {{ service_subcategory('categories.service_category', 'categories.service_subcategory') }} as ServiceSubcategory,
        meter_id as SkuId,
        meter_name as SkuMeter,
        subscription_id as SubAccountId,
        coalesce(subscription_name, subscription_id) as SubAccountName,
        'Subscription' as SubAccountType,
        tags_json as Tags,
        'Microsoft' as ServiceProviderName,
        'Microsoft' as HostProviderName,
        'azure_cost_details' as x_Source,
        source_file as x_SourceFile,
        landed_at as x_LandedAt,
        case when is_claude then regexp_extract(lower(concat_ws(' ', meter_subcategory, meter_name)), '(claude[a-z0-9 .-]*[a-z0-9])') end as x_Model,
        true as x_CostReported,
        case when is_claude then 'Claude' end as x_AiModelFamily,
        case when is_claude then 'azure' end as x_AiChannel
    from mapped
    left join categories on mapped.meter_category = categories.service_key
),

final as (
    {{ focus_conformed('focus_rows') }}
)

select * from final
