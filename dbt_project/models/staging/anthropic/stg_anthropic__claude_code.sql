with source as (
    select * from {{ source('anthropic', 'claude_code') }}
),

renamed as (
    select
        cast(bucket_start as date) as usage_date,
        actor_type,
        actor_email,
        actor_api_key_name,
        organization_id,
        customer_type,
        subscription_type,
        terminal_type,
        is_remote,
        model_index,
        model,
        num_sessions,
        lines_added,
        lines_removed,
        commits,
        pull_requests,
        tool_actions_accepted,
        tool_actions_rejected,
        input_tokens,
        output_tokens,
        cache_read_tokens,
        cache_creation_tokens,
        currency,
        {{ money('estimated_cost_cents * 0.01') }} as estimated_cost_usd
    from source
),

final as (
    select * from renamed
)

select * from final
