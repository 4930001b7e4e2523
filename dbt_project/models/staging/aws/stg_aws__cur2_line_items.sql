with source as (
    select * from {{ source('aws', 'aws_cur2') }}
),

renamed as (
    select
        identity_line_item_id as line_item_id,
        bill_payer_account_id as payer_account_id,
        bill_payer_account_name as payer_account_name,
        bill_billing_period_start_date as billing_period_start,
        bill_billing_period_end_date as billing_period_end,
        bill_invoice_id as invoice_id,
        bill_invoicing_entity as invoicing_entity,
        line_item_usage_account_id as usage_account_id,
        line_item_usage_account_name as usage_account_name,
        line_item_usage_start_date as usage_start,
        line_item_usage_end_date as usage_end,
        line_item_line_item_type as line_item_type,
        line_item_product_code as product_code,
        line_item_usage_type as usage_type,
        line_item_operation as operation,
        line_item_usage_amount as usage_amount,
        line_item_unblended_cost as unblended_cost,
        line_item_unblended_rate as unblended_rate,
        line_item_net_unblended_cost as net_unblended_cost,
        line_item_currency_code as currency_code,
        line_item_line_item_description as line_item_description,
        line_item_resource_id as resource_id,
        line_item_availability_zone as availability_zone,
        product_servicecode as service_code,
        product_product_family as product_family,
        product_region_code as region_code,
        product_sku as sku,
        pricing_unit,
        pricing_public_on_demand_cost as public_on_demand_cost,
        pricing_term,
        reservation_effective_cost,
        savings_plan_savings_plan_effective_cost as savings_plan_effective_cost,
        reservation_unused_amortized_upfront_fee_for_billing_period
            as reservation_unused_amortized_upfront_fee,
        reservation_unused_recurring_fee,
        nullif(reservation_reservation_a_r_n, '') as reservation_arn,
        savings_plan_total_commitment_to_date,
        savings_plan_used_commitment,
        resource_tags as tags_json,
        'aws_cur2' as source_format,
        _source_file as source_file,
        _landed_at as landed_at,
        _billing_period as billing_period
    from source
),

final as (
    select * from renamed
)

select * from final
