with source as (
    select * from {{ source('anthropic', 'workspaces') }}
),

renamed as (
    select
        organization_id,
        workspace_id,
        workspace_name,
        created_at as workspace_created_at,
        archived_at as workspace_archived_at,
        archived_at is not null as is_archived,
        display_color
    from source
),

final as (
    select * from renamed
)

select * from final
