with source as (
    select * from {{ source('exports', 'landed_files') }}
),

renamed as (
    select
        format_table,
        path as source_file,
        size as file_size_bytes,
        landed_at,
        rows as landed_rows
    from source
),

final as (
    select * from renamed
)

select * from final
