with source as (
    select * from {{ source('anthropic', 'analytics_cost_days') }}
),

renamed as (
    select
        cast(bucket_start as date) as cost_date,
        organization_id,
        loaded_at
    from source
),

final as (
    select * from renamed
)

select * from final
