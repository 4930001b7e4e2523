with source as (
    select * from {{ source('azure', 'azure_cost_details') }}
),

renamed as (
    select
        BillingAccountId as billing_account_id,
        BillingAccountName as billing_account_name,
        BillingPeriodStartDate as billing_period_start,
        BillingPeriodEndDate + interval 1 day as billing_period_end,
        SubscriptionId as subscription_id,
        SubscriptionName as subscription_name,
        Date as charge_date,
        coalesce(ProductName, Product) as product_name,
        MeterId as meter_id,
        MeterCategory as meter_category,
        MeterSubCategory as meter_subcategory,
        MeterName as meter_name,
        -- the rename is the case change, to snake_case
        Quantity as quantity,  -- noqa: AL09
        UnitPrice as unit_price,
        coalesce(CostInBillingCurrency, Cost) as cost,
        PaygCostInBillingCurrency as payg_cost,
        coalesce(BillingCurrencyCode, BillingCurrency) as billing_currency,
        ResourceLocation as resource_location,
        ResourceId as resource_id,
        ResourceName as resource_name,
        ResourceGroup as resource_group,
        ChargeType as charge_type,
        Frequency as frequency,  -- noqa: AL09
        PricingModel as pricing_model,
        case
            when Tags is null or trim(Tags) = '' then null
            when left(trim(Tags), 1) = '{' then Tags
            else '{' || Tags || '}'
        end as tags_json,
        UnitOfMeasure as unit_of_measure,
        PublisherName as publisher_name,
        ReservationId as reservation_id,
        ReservationName as reservation_name,
        InvoiceId as invoice_id,
        benefitId as benefit_id,
        benefitName as benefit_name,
        _dataset as dataset,
        _scope as scope,
        _source_file as source_file,
        _landed_at as landed_at
    from source
),

final as (
    select * from renamed
)

select * from final
