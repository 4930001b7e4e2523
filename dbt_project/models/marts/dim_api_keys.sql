with api_keys as (
    select * from {{ ref('stg_anthropic__api_keys') }}
),

workspaces as (
    select * from {{ ref('stg_anthropic__workspaces') }}
),

final as (
    select
        api_keys.*,
        workspaces.workspace_name
    from api_keys
    left join workspaces
        on
            api_keys.organization_id = workspaces.organization_id
            and api_keys.workspace_id = workspaces.workspace_id
)

select * from final
