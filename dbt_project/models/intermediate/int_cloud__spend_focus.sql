{#- Every cloud billing export, already mapped to FOCUS by its provider's intermediate model. -#}
with aws as (
    select * from {{ ref('int_aws__spend_focus') }}
),

gcp as (
    select * from {{ ref('int_gcp__spend_focus') }}
),

azure as (
    select * from {{ ref('int_azure__spend_focus') }}
),

focus_files as (
    select * from {{ ref('int_focus__spend_focus') }}
),

-- each ends in focus_conformed(): the same columns in the same order
final as (
    select * from aws
    union all
    select * from gcp
    union all
    select * from azure
    union all
    select * from focus_files
)

select * from final
