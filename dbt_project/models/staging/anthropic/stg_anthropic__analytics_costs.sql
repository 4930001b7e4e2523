with source as (
    select * from {{ source('anthropic', 'analytics_cost') }}
),

renamed as (
    select
        cast(bucket_start as date) as cost_date,
        query as query_name,
        organization_id,
        workspace_id,
        api_key_id,
        actor_type,
        actor_id,
        actor_name,
        actor_email,
        actor_deleted as is_actor_deleted,
        product,
        model,
        service_tier,
        context_window,
        inference_geo,
        cost_type,
        token_type,
        currency,
        amount_cents,
        list_amount_cents,
        -- cents to dollars by multiplying: DuckDB divides decimals in floating point
        {{ money('amount_cents * 0.01') }} as amount_usd,
        {{ money('list_amount_cents * 0.01') }} as list_amount_usd,
        requests,
        loaded_at
    from source
),

final as (
    select * from renamed
)

select * from final
