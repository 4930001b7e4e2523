with source as (
    select * from {{ source('anthropic', 'api_keys') }}
),

renamed as (
    select
        organization_id,
        api_key_id,
        api_key_name,
        coalesce(workspace_id, 'default') as workspace_id,
        status as api_key_status,
        created_at as api_key_created_at
    from source
),

final as (
    select * from renamed
)

select * from final
