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
        on
            cost_and_usage.service_name = categories.service_key
            and cost_and_usage.provider_name = categories.provider
    left join focus_categories
        on
            lower(focus_categories.service_category)
            in (lower(cost_and_usage.service_category), lower(cost_and_usage.service_category) || 's')
),

subcategorised as (
    -- A subcategory counts only under the category FOCUS puts it in.
    select
        mapped.*,
        focus_subcategories.service_subcategory as focus_service_subcategory
    from mapped
    left join focus_subcategories
        on
            mapped.focus_service_category = focus_subcategories.service_category
            and lower(focus_subcategories.service_subcategory) = lower(mapped.candidate_subcategory)
),

focus_rows as (
    select
        availability_zone as AvailabilityZone,
        billed_cost as BilledCost,
        billing_account_id as BillingAccountId,
        billing_account_name as BillingAccountName,
        billing_currency as BillingCurrency,
        billing_period_start as BillingPeriodStart,
        billing_period_end as BillingPeriodEnd,
        charge_category as ChargeCategory,
        case when charge_class = 'Correction' then 'Correction' end as ChargeClass,
        charge_description as ChargeDescription,
        case lower(charge_frequency) when 'usage-based' then 'Usage-Based' when 'one-time' then 'One-Time' when 'recurring' then 'Recurring' end as ChargeFrequency,
        charge_period_start as ChargePeriodStart,
        charge_period_end as ChargePeriodEnd,
        commitment_discount_category as CommitmentDiscountCategory,
        commitment_discount_id as CommitmentDiscountId,
        commitment_discount_name as CommitmentDiscountName,
        commitment_discount_status as CommitmentDiscountStatus,
        commitment_discount_type as CommitmentDiscountType,
        consumed_quantity as ConsumedQuantity,
        consumed_unit as ConsumedUnit,
        coalesce(contracted_cost, billed_cost) as ContractedCost,
        contracted_unit_price as ContractedUnitPrice,
        coalesce(effective_cost, billed_cost) as EffectiveCost,
        invoice_id as InvoiceId,
        {{ invoice_issuer('provider_name', 'invoice_issuer_name') }} as InvoiceIssuerName,
        invoice_issuer_name as x_InvoicingEntity,
        coalesce(list_cost, billed_cost) as ListCost,
        list_unit_price as ListUnitPrice,
        case when pricing_category in ('Standard', 'Dynamic', 'Committed', 'Other') then pricing_category end as PricingCategory,
        pricing_quantity as PricingQuantity,
        pricing_unit as PricingUnit,
        provider_name as ProviderName,
        coalesce(publisher_name, provider_name) as PublisherName,
        region_id as RegionId,
        coalesce(region_name, region_id) as RegionName,
        resource_id as ResourceId,
        resource_name as ResourceName,
        resource_type as ResourceType,
        focus_service_category as ServiceCategory,
        service_name as ServiceName,
        {{ service_subcategory('focus_service_category', 'focus_service_subcategory') }} as ServiceSubcategory,
        sku_id as SkuId,
        sku_meter as SkuMeter,
        sku_price_id as SkuPriceId,
        sub_account_id as SubAccountId,
        sub_account_name as SubAccountName,
        sub_account_type as SubAccountType,
        tags_json as Tags,
        provider_name as ServiceProviderName,
        coalesce(host_provider_name, provider_name) as HostProviderName,
        'focus_cost_and_usage' as x_Source,
        source_file as x_SourceFile,
        landed_at as x_LandedAt,
        true as x_CostReported,
        case when is_claude then 'Claude' end as x_AiModelFamily,
        case when is_claude then cloud_channel end as x_AiChannel
    from subcategorised
),

final as (
    {{ focus_conformed('focus_rows') }}
)

select * from final
