{#- FOCUS files from any provider, normalised to FOCUS 1.2 values (1.0's 'Usage-based', missing
    1.2 columns filled from what the file has, categories FOCUS does not allow replaced). -#}
with cost_and_usage as (
    select * from {{ ref('stg_focus__cost_and_usage') }}
),

categories as (
    select * from {{ ref('service_categories') }}
),

focus_subcategories as (
    select * from {{ ref('focus_service_subcategories') }}
),

focus_categories as (
    select distinct service_category from focus_subcategories
),

mapped as (
    select
        cost_and_usage.*,
        -- A file's category counts when FOCUS allows it, in any case or singular (the spec's own example
        -- writes 'Database'); otherwise the seed's. FOCUS 1.2 gives each ServiceName one category: the
        -- one most of its rows carry.
        mode({{ service_category('coalesce(focus_categories.service_category, categories.service_category)') }})
            over (partition by cost_and_usage.service_name) as focus_service_category,
        mode(coalesce(cost_and_usage.service_subcategory, categories.service_subcategory))
            over (partition by cost_and_usage.service_name) as candidate_subcategory,
        lower(concat_ws(' ', service_name, sku_meter, charge_description)) like '%claude%' as is_claude,
        case
            when provider_name ilike 'AWS%' or provider_name ilike 'Amazon%' then 'aws_bedrock'
            when provider_name ilike 'Google%' then 'gcp_vertex'
            when provider_name ilike 'Microsoft%' or provider_name ilike 'Azure%' then 'azure'
        end as cloud_channel
    from cost_and_usage
    left join categories
        on categories.service_key = cost_and_usage.service_name
        and categories.provider = cost_and_usage.provider_name
    left join focus_categories
        on lower(focus_categories.service_category)
            in (lower(cost_and_usage.service_category), lower(cost_and_usage.service_category) || 's')
),

subcategorised as (
    -- A subcategory counts only under the category FOCUS puts it in.
    select
        mapped.*,
        focus_subcategories.service_subcategory as focus_service_subcategory
    from mapped
    left join focus_subcategories
        on focus_subcategories.service_category = mapped.focus_service_category
        and lower(focus_subcategories.service_subcategory) = lower(mapped.candidate_subcategory)
),

final as (
    select
        {{ focus_columns({
            'AvailabilityZone': 'availability_zone',
            'BilledCost': 'billed_cost',
            'BillingAccountId': 'billing_account_id',
            'BillingAccountName': 'billing_account_name',
            'BillingCurrency': 'billing_currency',
            'BillingPeriodStart': 'billing_period_start',
            'BillingPeriodEnd': 'billing_period_end',
            'ChargeCategory': 'charge_category',
            'ChargeClass': "case when charge_class = 'Correction' then 'Correction' end",
            'ChargeDescription': 'charge_description',
            'ChargeFrequency': "case lower(charge_frequency) when 'usage-based' then 'Usage-Based' when 'one-time' then 'One-Time' when 'recurring' then 'Recurring' end",
            'ChargePeriodStart': 'charge_period_start',
            'ChargePeriodEnd': 'charge_period_end',
            'CommitmentDiscountCategory': 'commitment_discount_category',
            'CommitmentDiscountId': 'commitment_discount_id',
            'CommitmentDiscountName': 'commitment_discount_name',
            'CommitmentDiscountStatus': 'commitment_discount_status',
            'CommitmentDiscountType': 'commitment_discount_type',
            'ConsumedQuantity': 'consumed_quantity',
            'ConsumedUnit': 'consumed_unit',
            'ContractedCost': 'coalesce(contracted_cost, billed_cost)',
            'ContractedUnitPrice': 'contracted_unit_price',
            'EffectiveCost': 'coalesce(effective_cost, billed_cost)',
            'InvoiceId': 'invoice_id',
            'InvoiceIssuerName': invoice_issuer('provider_name', 'invoice_issuer_name'),
            'x_InvoicingEntity': 'invoice_issuer_name',
            'ListCost': 'coalesce(list_cost, billed_cost)',
            'ListUnitPrice': 'list_unit_price',
            'PricingCategory': "case when pricing_category in ('Standard', 'Dynamic', 'Committed', 'Other') then pricing_category end",
            'PricingQuantity': 'pricing_quantity',
            'PricingUnit': 'pricing_unit',
            'ProviderName': 'provider_name',
            'PublisherName': 'coalesce(publisher_name, provider_name)',
            'RegionId': 'region_id',
            'RegionName': 'coalesce(region_name, region_id)',
            'ResourceId': 'resource_id',
            'ResourceName': 'resource_name',
            'ResourceType': 'resource_type',
            'ServiceCategory': 'focus_service_category',
            'ServiceName': 'service_name',
            'ServiceSubcategory': service_subcategory('focus_service_category', 'focus_service_subcategory'),
            'SkuId': 'sku_id',
            'SkuMeter': 'sku_meter',
            'SkuPriceId': 'sku_price_id',
            'SubAccountId': 'sub_account_id',
            'SubAccountName': 'sub_account_name',
            'SubAccountType': 'sub_account_type',
            'Tags': 'tags_json',
            'ServiceProviderName': 'provider_name',
            'HostProviderName': 'coalesce(host_provider_name, provider_name)',
            'x_Source': "'focus_file'",
            'x_SourceFile': 'source_file',
            'x_LandedAt': 'landed_at',
            'x_CostReported': 'true',
            'x_AiModelFamily': "case when is_claude then 'Claude' end",
            'x_AiChannel': 'case when is_claude then cloud_channel end',
        }) }}
    from subcategorised
)

select * from final
