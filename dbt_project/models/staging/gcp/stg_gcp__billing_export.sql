with source as (
    select * from {{ source('gcp', 'gcp_billing') }}
),

renamed as (
    select
        billing_account_id,
        {{ json_text('service', '$.id') }} as service_id,
        {{ json_text('service', '$.description') }} as service_description,
        {{ json_text('sku', '$.id') }} as sku_id,
        {{ json_text('sku', '$.description') }} as sku_description,
        usage_start_time as usage_start,
        usage_end_time as usage_end,
        {{ json_text('project', '$.id') }} as project_id,
        {{ json_text('project', '$.name') }} as project_name,
        labels as labels_json,
        {{ json_text('location', '$.region') }} as region,
        {{ json_text('location', '$.zone') }} as zone,
        export_time as exported_at,
        cost,
        currency,
        {{ to_money(json_text('usage', '$.amount')) }} as usage_amount,
        {{ json_text('usage', '$.unit') }} as usage_unit,
        {{ to_money(json_text('usage', '$.amount_in_pricing_units')) }} as usage_amount_in_pricing_units,
        {{ json_text('usage', '$.pricing_unit') }} as usage_pricing_unit,
        {{ money(json_array_money_sum('credits', 'amount')) }}
            as credits_amount,
        {{ json_text('invoice', '$.month') }} as invoice_month,
        cost_type,
        cost_at_list,
        _source_file as source_file,
        _landed_at as landed_at
    from source
),

final as (
    select * from renamed
)

select * from final
