with source as (
    select * from {{ source('anthropic', 'cost_report') }}
),

renamed as (
    select
        cast(bucket_start as date) as cost_date,
        bucket_start as cost_start_at,
        bucket_end as cost_end_at,
        organization_id,
        coalesce(workspace_id, 'default') as workspace_id,
        description,
        cost_type,
        model,
        service_tier,
        context_window,
        token_type,
        inference_geo,
        currency,
        amount_cents,
        {{ money('amount_usd') }} as amount_usd,
        loaded_at
    from source
),

final as (
    select * from renamed
)

select * from final
