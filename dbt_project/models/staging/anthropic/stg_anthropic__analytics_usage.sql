with source as (
    select * from {{ source('anthropic', 'analytics_usage') }}
),

renamed as (
    select
        cast(bucket_start as date) as usage_date,
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
        uncached_input_tokens,
        output_tokens,
        cache_read_input_tokens,
        cache_creation_5m_input_tokens,
        cache_creation_1h_input_tokens,
        web_search_requests,
        requests,
        loaded_at
    from source
),

final as (
    select * from renamed
)

select * from final
