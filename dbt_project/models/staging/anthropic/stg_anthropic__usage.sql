with source as (
    select * from {{ source('anthropic', 'usage_report') }}
),

renamed as (
    select
        cast(bucket_start as date) as usage_date,
        bucket_start as usage_start_at,
        bucket_end as usage_end_at,
        organization_id,
        api_key_id,
        coalesce(workspace_id, 'default') as workspace_id,
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
        loaded_at
    from source
),

final as (
    select * from renamed
)

select * from final
