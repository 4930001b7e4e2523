{#- AWS CUR 2.0 and legacy CUR line items as FOCUS 1.2 rows (mapping after focus_converters). -#}
with line_items as (
    select * from {{ ref('stg_aws__cur2_line_items') }}
    union all by name
    select * from {{ ref('stg_aws__legacy_cur_line_items') }}
),

categories as (
    select * from {{ ref('service_categories') }} where provider = 'AWS'
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
            when 'RIFee' then
                coalesce(line_items.reservation_unused_amortized_upfront_fee, 0)
                + coalesce(line_items.reservation_unused_recurring_fee, 0)
            when 'SavingsPlanRecurringFee' then
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

final as (
    select
        {{ focus_columns({
            'AvailabilityZone': 'availability_zone',
            'BilledCost': 'billed_cost',
            'BillingAccountId': 'payer_account_id',
            'BillingAccountName': 'payer_account_name',
            'BillingCurrency': 'currency_code',
            'BillingPeriodStart': 'billing_period_start',
            'BillingPeriodEnd': 'billing_period_end',
            'ChargeCategory': 'charge_category',
            'ChargeClass': "case when line_item_type = 'Refund' then 'Correction' end",
            'ChargeDescription': 'line_item_description',
            'ChargeFrequency': "case when line_item_type in ('Fee', 'SavingsPlanUpfrontFee') then 'One-Time' when line_item_type in ('RIFee', 'SavingsPlanRecurringFee') then 'Recurring' else 'Usage-Based' end",
            'ChargePeriodStart': 'usage_start',
            'ChargePeriodEnd': 'usage_end',
            'ConsumedQuantity': "case when charge_category = 'Usage' then usage_amount end",
            'ConsumedUnit': "case when charge_category = 'Usage' and usage_amount is not null then coalesce(pricing_unit, 'Units') end",
            'ContractedCost': 'billed_cost',
            'EffectiveCost': 'coalesce(effective_cost, billed_cost)',
            'InvoiceId': 'invoice_id',
            'InvoiceIssuerName': invoice_issuer("'AWS'", 'invoicing_entity'),
            'x_InvoicingEntity': 'invoicing_entity',
            'ListCost': 'coalesce(public_on_demand_cost, billed_cost)',
            'PricingCategory': "case when charge_category = 'Usage' then (case when line_item_type in ('DiscountedUsage', 'SavingsPlanCoveredUsage') then 'Committed' else 'Standard' end) end",
            'PricingQuantity': "case when charge_category = 'Usage' then usage_amount end",
            'PricingUnit': "case when charge_category = 'Usage' and usage_amount is not null then coalesce(pricing_unit, 'Units') end",
            'ProviderName': "'AWS'",
            'PublisherName': "'AWS'",
            'RegionId': 'nullif(region_code, \'\')',
            'RegionName': 'nullif(region_code, \'\')',
            'ResourceId': 'nullif(resource_id, \'\')',
            'ServiceCategory': service_category('categories.service_category'),
            'ServiceName': 'coalesce(service_code, product_code)',
            'ServiceSubcategory': service_subcategory('categories.service_category', 'categories.service_subcategory'),
            'SkuId': 'sku',
            'SkuMeter': 'usage_type',
            'SubAccountId': 'usage_account_id',
            'SubAccountName': 'coalesce(usage_account_name, usage_account_id)',
            'SubAccountType': "'AWS Account'",
            'Tags': 'tags_json',
            'ServiceProviderName': "'AWS'",
            'HostProviderName': "'AWS'",
            'x_Source': 'source_format',
            'x_SourceFile': 'source_file',
            'x_LandedAt': 'landed_at',
            'x_Model': "case when is_claude then regexp_extract(lower(usage_type), '(claude[a-z0-9.\\-]*)') end",
            'x_CostReported': 'true',
            'x_AiModelFamily': "case when is_claude then 'Claude' end",
            'x_AiChannel': "case when is_claude then 'aws_bedrock' end",
        }) }}
    from mapped
    left join categories on categories.service_key = coalesce(mapped.service_code, mapped.product_code)
)

select * from final
