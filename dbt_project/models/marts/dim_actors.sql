{#- Who used Claude, as the analytics API names them: users (deleted ones flagged), service accounts,
    federated identities, and API keys acting as themselves. -#}
with usage as (
    select * from {{ ref('stg_anthropic__analytics_usage') }}
),

actor_days as (
    select
        organization_id,
        actor_id,
        actor_type,
        actor_name,
        actor_email,
        is_actor_deleted,
        usage_date
    from usage
    where actor_id is not null
),

final as (
    select
        organization_id,
        actor_id,
        actor_type,
        max_by(actor_name, usage_date) as actor_name,
        max_by(actor_email, usage_date) as actor_email,
        coalesce(max_by(is_actor_deleted, usage_date), false) as is_deleted,
        min(usage_date) as first_usage_date,
        max(usage_date) as last_usage_date
    from actor_days
    group by organization_id, actor_id, actor_type
)

select * from final
