{#- Every cloud billing export's FOCUS rows (AWS, GCP, Azure, FOCUS files). -#}
with cloud_exports as (
    select * from {{ ref('int_cloud__spend_focus') }}
),

final as (
    select * from cloud_exports
)

select * from final
