{#- AWS CUR 2.0 and legacy CUR line items as FOCUS 1.2 rows (mapping after focus_converters). -#}
-- both staging models have the same columns in the same order
with line_items as (
    select * from {{ ref('stg_aws__cur2_line_items') }}
    union all
    select * from {{ ref('stg_aws__legacy_cur_line_items') }}
),

categories as (
    select * from {{ ref('service_categories') }}
    where provider = 'AWS'
),

mapped as (
    select
        line_items.*,
        coalesce(line_items.net_unblended_cost, line_items.unblended_cost) as billed_cost,
        {#- AWS's amortized cost: a commitment's used part is on the usage it covered, so its fee rows
            carry only the part left unused in the period, and upfront fees (a reservation's is a Fee row
            with its ARN) nothing, being spread over the period's usage and unused fee. -#}
        
        case line_items.line_item_type
            when 'SavingsPlanCoveredUsage' then line_items.savings_plan_effective_cost
            when 'DiscountedUsage' then line_items.reservation_effective_cost
            when 'SavingsPlanNegation' then 0
            when 'SavingsPlanUpfrontFee' then 0
            when 'Fee' then (case when line_items.reservation_arn is null then line_items.unblended_cost else 0 end)
            when 'RIFee'
                then
                    coalesce(line_items.reservation_unused_amortized_upfront_fee, 0)
                    + coalesce(line_items.reservation_unused_recurring_fee, 0)
            when 'SavingsPlanRecurringFee'
                then
                    coalesce(line_items.savings_plan_total_commitment_to_date, 0)
                    - coalesce(line_items.savings_plan_used_commitment, 0)
            else coalesce(line_items.net_unblended_cost, line_items.unblended_cost)
        end as effective_cost,
        case
            when line_items.line_item_type = 'Tax' then 'Tax'
            when line_items.line_item_type in ('Fee', 'RIFee', 'SavingsPlanUpfrontFee', 'SavingsPlanRecurringFee')
                then 'Purchase'
            when line_items.line_item_type = 'Credit' then 'Credit'
            when line_items.line_item_type = 'Refund' then 'Adjustment'
            else 'Usage'
        end as charge_category,
        line_items.product_code = 'AmazonBedrock' and lower(line_items.usage_type) like '%claude%'
            as is_claude
    from line_items
),

focus_rows as (
    select
        availability_zone as AvailabilityZone,
        billed_cost as BilledCost,
        payer_account_id as BillingAccountId,
        payer_account_name as BillingAccountName,
        currency_code as BillingCurrency,
        billing_period_start as BillingPeriodStart,
        billing_period_end as BillingPeriodEnd,
        charge_category as ChargeCategory,
        case when line_item_type = 'Refund' then 'Correction' end as ChargeClass,
        line_item_description as ChargeDescription,
        case when line_item_type in ('Fee', 'SavingsPlanUpfrontFee') then 'One-Time' when line_item_type in ('RIFee', 'SavingsPlanRecurringFee') then 'Recurring' else 'Usage-Based' end as ChargeFrequency,
        usage_start as ChargePeriodStart,
        usage_end as ChargePeriodEnd,
        case when charge_category = 'Usage' then usage_amount end as ConsumedQuantity,
        case when charge_category = 'Usage' and usage_amount is not null then coalesce(pricing_unit, 'Units') end as ConsumedUnit,
        billed_cost as ContractedCost,
        coalesce(effective_cost, billed_cost) as EffectiveCost,
        invoice_id as InvoiceId,
        {{ invoice_issuer("'AWS'", 'invoicing_entity') }} as InvoiceIssuerName,
        invoicing_entity as x_InvoicingEntity,
        coalesce(public_on_demand_cost, billed_cost) as ListCost,
        case when charge_category = 'Usage' then (case when line_item_type in ('DiscountedUsage', 'SavingsPlanCoveredUsage') then 'Committed' else 'Standard' end) end as PricingCategory,
        case when charge_category = 'Usage' then usage_amount end as PricingQuantity,
        case when charge_category = 'Usage' and usage_amount is not null then coalesce(pricing_unit, 'Units') end as PricingUnit,
        'AWS' as ProviderName,
        'AWS' as PublisherName,
        nullif(region_code, '') as RegionId,
        nullif(region_code, '') as RegionName,
        nullif(resource_id, '') as ResourceId,
        {{ service_category('categories.service_category') }} as ServiceCategory,
        coalesce(service_code, product_code) as ServiceName,
        {{ service_subcategory('categories.service_category', 'categories.service_subcategory') }} as ServiceSubcategory,
        sku as SkuId,
        usage_type as SkuMeter,
        usage_account_id as SubAccountId,
        coalesce(usage_account_name, usage_account_id) as SubAccountName,
        'AWS Account' as SubAccountType,
        tags_json as Tags,
        'AWS' as ServiceProviderName,
        'AWS' as HostProviderName,
        source_format as x_Source,
        source_file as x_SourceFile,
        landed_at as x_LandedAt,
        case when is_claude then regexp_extract(lower(usage_type), '(claude[a-z0-9.-]*)') end as x_Model,
        true as x_CostReported,
        case when is_claude then 'Claude' end as x_AiModelFamily,
        case when is_claude then 'aws_bedrock' end as x_AiChannel
    from mapped
    left join categories on categories.service_key = coalesce(mapped.service_code, mapped.product_code)
),

final as (
    {{ focus_conformed('focus_rows') }}
)

select * from final
