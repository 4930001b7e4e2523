with source as (
    select * from {{ source('anthropic', 'organization') }}
),

renamed as (
    select
        organization_id,
        organization_name
    from source
),

final as (
    select * from renamed
)

select * from final
