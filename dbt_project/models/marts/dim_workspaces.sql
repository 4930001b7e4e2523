with workspaces as (
    select * from {{ ref('stg_anthropic__workspaces') }}
),

final as (
    select * from workspaces
)

select * from final
