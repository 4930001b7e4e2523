with source as (
    select * from {{ source('config', 'budgets') }}
),

renamed as (
    select
        scope_type,
        scope_name,
        billing_currency,
        {{ money('monthly_amount') }} as budget_amount
    from source
),

final as (
    select * from renamed
)

select * from final
