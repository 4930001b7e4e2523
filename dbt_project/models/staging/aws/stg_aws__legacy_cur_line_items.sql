with source as (
    select * from {{ source('aws', 'aws_cur_legacy') }}
),

renamed as (
    select
        {{ adapter.quote('identity/LineItemId') }} as line_item_id,
        {{ adapter.quote('bill/PayerAccountId') }} as payer_account_id,
        cast(null as string) as payer_account_name,
        {{ adapter.quote('bill/BillingPeriodStartDate') }} as billing_period_start,
        {{ adapter.quote('bill/BillingPeriodEndDate') }} as billing_period_end,
        {{ adapter.quote('bill/InvoiceId') }} as invoice_id,
        {{ adapter.quote('bill/InvoicingEntity') }} as invoicing_entity,
        {{ adapter.quote('lineItem/UsageAccountId') }} as usage_account_id,
        cast(null as string) as usage_account_name,
        {{ adapter.quote('lineItem/UsageStartDate') }} as usage_start,
        {{ adapter.quote('lineItem/UsageEndDate') }} as usage_end,
        {{ adapter.quote('lineItem/LineItemType') }} as line_item_type,
        {{ adapter.quote('lineItem/ProductCode') }} as product_code,
        {{ adapter.quote('lineItem/UsageType') }} as usage_type,
        {{ adapter.quote('lineItem/Operation') }} as operation,
        {{ adapter.quote('lineItem/UsageAmount') }} as usage_amount,
        {{ adapter.quote('lineItem/UnblendedCost') }} as unblended_cost,
        {{ adapter.quote('lineItem/UnblendedRate') }} as unblended_rate,
        cast(null as decimal(38, 18)) as net_unblended_cost,
        {{ adapter.quote('lineItem/CurrencyCode') }} as currency_code,
        {{ adapter.quote('lineItem/LineItemDescription') }} as line_item_description,
        {{ adapter.quote('lineItem/ResourceId') }} as resource_id,
        {{ adapter.quote('lineItem/AvailabilityZone') }} as availability_zone,
        {{ adapter.quote('product/servicecode') }} as service_code,
        {{ adapter.quote('product/productFamily') }} as product_family,
        {{ adapter.quote('product/region') }} as region_code,
        {{ adapter.quote('product/sku') }} as sku,
        {{ adapter.quote('pricing/unit') }} as pricing_unit,
        {{ adapter.quote('pricing/publicOnDemandCost') }} as public_on_demand_cost,
        {{ adapter.quote('pricing/term') }} as pricing_term,
        {{ adapter.quote('reservation/EffectiveCost') }} as reservation_effective_cost,
        {{ adapter.quote('savingsPlan/SavingsPlanEffectiveCost') }} as savings_plan_effective_cost,
        {{ adapter.quote('reservation/UnusedAmortizedUpfrontFeeForBillingPeriod') }}
            as reservation_unused_amortized_upfront_fee,
        {{ adapter.quote('reservation/UnusedRecurringFee') }} as reservation_unused_recurring_fee,
        nullif({{ adapter.quote('reservation/ReservationARN') }}, '') as reservation_arn,
        {{ adapter.quote('savingsPlan/TotalCommitmentToDate') }} as savings_plan_total_commitment_to_date,
        {{ adapter.quote('savingsPlan/UsedCommitment') }} as savings_plan_used_commitment,
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
