with source as (
    select * from {{ source('aws', 'aws_cur_legacy') }}
),

renamed as (
    select
        "identity/LineItemId" as line_item_id,
        "bill/PayerAccountId" as payer_account_id,
        cast(null as string) as payer_account_name,
        "bill/BillingPeriodStartDate" as billing_period_start,
        "bill/BillingPeriodEndDate" as billing_period_end,
        "bill/InvoiceId" as invoice_id,
        "bill/InvoicingEntity" as invoicing_entity,
        "lineItem/UsageAccountId" as usage_account_id,
        cast(null as string) as usage_account_name,
        "lineItem/UsageStartDate" as usage_start,
        "lineItem/UsageEndDate" as usage_end,
        "lineItem/LineItemType" as line_item_type,
        "lineItem/ProductCode" as product_code,
        "lineItem/UsageType" as usage_type,
        "lineItem/Operation" as operation,
        "lineItem/UsageAmount" as usage_amount,
        "lineItem/UnblendedCost" as unblended_cost,
        "lineItem/UnblendedRate" as unblended_rate,
        cast(null as decimal(38, 18)) as net_unblended_cost,
        "lineItem/CurrencyCode" as currency_code,
        "lineItem/LineItemDescription" as line_item_description,
        "lineItem/ResourceId" as resource_id,
        "lineItem/AvailabilityZone" as availability_zone,
        "product/servicecode" as service_code,
        "product/productFamily" as product_family,
        "product/region" as region_code,
        "product/sku" as sku,
        "pricing/unit" as pricing_unit,
        "pricing/publicOnDemandCost" as public_on_demand_cost,
        "pricing/term" as pricing_term,
        "reservation/EffectiveCost" as reservation_effective_cost,
        "savingsPlan/SavingsPlanEffectiveCost" as savings_plan_effective_cost,
        "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod"
            as reservation_unused_amortized_upfront_fee,
        "reservation/UnusedRecurringFee" as reservation_unused_recurring_fee,
        nullif("reservation/ReservationARN", '') as reservation_arn,
        "savingsPlan/TotalCommitmentToDate" as savings_plan_total_commitment_to_date,
        "savingsPlan/UsedCommitment" as savings_plan_used_commitment,
        cast(null as string) as tags_json,
        'aws_cur_legacy' as source_format,
        _source_file as source_file,
        _landed_at as landed_at,
        _billing_period as billing_period
    from source
),

final as (
    select * from renamed
)

select * from final
