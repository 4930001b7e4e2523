{#- Azure actual-cost rows as FOCUS 1.2 rows (after Microsoft's FinOps toolkit mapping). Amortized
    datasets stay in staging: adding them here would count the same spend twice. -#}
with cost_details as (
    select * from {{ ref('stg_azure__cost_details') }}
    where dataset = 'ActualCost'
),

categories as (
    select * from {{ ref('service_categories') }} where provider = 'Microsoft'
),

mapped as (
    select
        cost_details.*,
        case
            when charge_type in ('Usage', 'Purchase', 'Tax') then charge_type
            when charge_type in ('UnusedReservation', 'UnusedSavingsPlan') then 'Usage'
            else 'Adjustment'
        end as charge_category,
        lower(concat_ws(' ', meter_category, meter_subcategory, meter_name, product_name)) like '%claude%'
            as is_claude
    from cost_details
),

final as (
    select
        {{ focus_columns({
            'BilledCost': 'cost',
            'BillingAccountId': 'billing_account_id',
            'BillingAccountName': 'billing_account_name',
            'BillingCurrency': 'billing_currency',
            'BillingPeriodStart': 'billing_period_start',
            'BillingPeriodEnd': 'billing_period_end',
            'ChargeCategory': 'charge_category',
            'ChargeClass': "case when charge_type = 'Refund' then 'Correction' end",
            'ChargeDescription': 'meter_name',
            'ChargeFrequency': "case frequency when 'OneTime' then 'One-Time' when 'Recurring' then 'Recurring' else 'Usage-Based' end",
            'ChargePeriodStart': 'charge_date',
            'ChargePeriodEnd': 'charge_date + interval 1 day',
            'CommitmentDiscountStatus': "case when charge_type in ('UnusedReservation', 'UnusedSavingsPlan') then 'Unused' end",
            'ConsumedQuantity': "case when charge_category = 'Usage' then quantity end",
            'ConsumedUnit': "case when charge_category = 'Usage' and quantity is not null then unit_of_measure end",
            'ContractedCost': 'cost',
            'ContractedUnitPrice': 'unit_price',
            'EffectiveCost': "case when charge_type = 'Purchase' and pricing_model in ('Reservation', 'SavingsPlan') then 0 else cost end",
            'InvoiceId': 'invoice_id',
            'InvoiceIssuerName': "'Microsoft'",
            'ListCost': 'coalesce(payg_cost, cost)',
            'PricingCategory': "case when charge_category = 'Usage' then (case pricing_model when 'Spot' then 'Dynamic' when 'Reservation' then 'Committed' when 'SavingsPlan' then 'Committed' else 'Standard' end) end",
            'PricingQuantity': "case when charge_category = 'Usage' then quantity end",
            'PricingUnit': "case when charge_category = 'Usage' and quantity is not null then unit_of_measure end",
            'ProviderName': "'Microsoft'",
            'PublisherName': "coalesce(publisher_name, 'Microsoft')",
            'RegionId': 'resource_location',
            'RegionName': 'resource_location',
            'ResourceId': 'resource_id',
            'ResourceName': 'resource_name',
            'ServiceCategory': service_category('categories.service_category'),
            'ServiceName': 'meter_category',
            'ServiceSubcategory': service_subcategory('categories.service_category', 'categories.service_subcategory'),
            'SkuId': 'meter_id',
            'SkuMeter': 'meter_name',
            'SubAccountId': 'subscription_id',
            'SubAccountName': 'coalesce(subscription_name, subscription_id)',
            'SubAccountType': "'Subscription'",
            'Tags': 'tags_json',
            'ServiceProviderName': "'Microsoft'",
            'HostProviderName': "'Microsoft'",
            'x_Source': "'azure_cost_export'",
            'x_SourceFile': 'source_file',
            'x_LandedAt': 'landed_at',
            'x_Model': "case when is_claude then regexp_extract(lower(concat_ws(' ', meter_subcategory, meter_name)), '(claude[a-z0-9 .\\-]*[a-z0-9])') end",
            'x_CostReported': 'true',
            'x_AiModelFamily': "case when is_claude then 'Claude' end",
            'x_AiChannel': "case when is_claude then 'azure' end",
        }) }}
    from mapped
    left join categories on categories.service_key = mapped.meter_category
)

select * from final
