with source as (
    select * from {{ source('focus', 'focus_cost_and_usage') }}
),

renamed as (
    select
        AvailabilityZone as availability_zone,
        BilledCost as billed_cost,
        BillingAccountId as billing_account_id,
        BillingAccountName as billing_account_name,
        BillingCurrency as billing_currency,
        BillingPeriodStart as billing_period_start,
        BillingPeriodEnd as billing_period_end,
        coalesce(ChargeCategory, ChargeType) as charge_category,
        ChargeClass as charge_class,
        ChargeDescription as charge_description,
        ChargeFrequency as charge_frequency,
        ChargePeriodStart as charge_period_start,
        ChargePeriodEnd as charge_period_end,
        CommitmentDiscountCategory as commitment_discount_category,
        CommitmentDiscountId as commitment_discount_id,
        CommitmentDiscountName as commitment_discount_name,
        CommitmentDiscountStatus as commitment_discount_status,
        CommitmentDiscountType as commitment_discount_type,
        coalesce(ConsumedQuantity, UsageQuantity) as consumed_quantity,
        coalesce(ConsumedUnit, UsageUnit) as consumed_unit,
        ContractedCost as contracted_cost,
        ContractedUnitPrice as contracted_unit_price,
        coalesce(EffectiveCost, AmortizedCost) as effective_cost,
        InvoiceId as invoice_id,
        coalesce(InvoiceIssuerName, InvoiceIssuer) as invoice_issuer_name,
        ListCost as list_cost,
        ListUnitPrice as list_unit_price,
        PricingCategory as pricing_category,
        PricingQuantity as pricing_quantity,
        PricingUnit as pricing_unit,
        coalesce(ProviderName, ServiceProviderName, Provider) as provider_name,
        coalesce(PublisherName, Publisher) as publisher_name,
        HostProviderName as host_provider_name,
        coalesce(RegionId, Region) as region_id,
        RegionName as region_name,
        ResourceId as resource_id,
        ResourceName as resource_name,
        ResourceType as resource_type,
        ServiceCategory as service_category,
        ServiceName as service_name,
        ServiceSubcategory as service_subcategory,
        SkuId as sku_id,
        SkuMeter as sku_meter,
        SkuPriceId as sku_price_id,
        SubAccountId as sub_account_id,
        SubAccountName as sub_account_name,
        SubAccountType as sub_account_type,
        Tags as tags_json,
        _source_file as source_file,
        _landed_at as landed_at
    from source
),

final as (
    select * from renamed
)

select * from final
