with source as (
    select * from {{ source('gcp', 'gcp_billing') }}
),

renamed as (
    select
        billing_account_id,
        json_extract_string(service, '$.id') as service_id,
        json_extract_string(service, '$.description') as service_description,
        json_extract_string(sku, '$.id') as sku_id,
        json_extract_string(sku, '$.description') as sku_description,
        usage_start_time as usage_start,
        usage_end_time as usage_end,
        json_extract_string(project, '$.id') as project_id,
        json_extract_string(project, '$.name') as project_name,
        labels as labels_json,
        json_extract_string(location, '$.region') as region,
        json_extract_string(location, '$.zone') as zone,
        export_time as exported_at,
        cost,
        currency,
        {{ to_money("json_extract_string(usage, '$.amount')") }} as usage_amount,
        json_extract_string(usage, '$.unit') as usage_unit,
        {{ to_money("json_extract_string(usage, '$.amount_in_pricing_units')") }} as usage_amount_in_pricing_units,
        json_extract_string(usage, '$.pricing_unit') as usage_pricing_unit,
        {{ money("coalesce((select sum(cast(c.amount as decimal(38, 18))) from (select unnest(from_json(credits, '[{\"amount\": \"VARCHAR\"}]')) as c)), 0)") }}
            as credits_amount,
        json_extract_string(invoice, '$.month') as invoice_month,
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
