{#- Each column of stg_gcp__billing_export that gcp_billing_row() leaves out (it identifies a row across
    overlapping extracts, so it must hold every value of the row): add it there. -#}
{{ config(meta={'dagster': {'ref': {'name': 'int_gcp__spend_focus'}}}) }}
-- depends_on: {{ ref('int_gcp__spend_focus') }}, {{ ref('stg_gcp__billing_export') }}

{%- set staged = adapter.get_columns_in_relation(ref('stg_gcp__billing_export')) | map(attribute='name')
    | map('lower') | list if execute else [] %}
{%- set missing = staged | reject('in', gcp_billing_row() + ['source_file', 'landed_at']) | list %}

with missing as (
    select 'none' as column_name
    where false
    {%- for column in missing %}
    union all
    select '{{ column }}' as column_name
    {%- endfor %}
),

final as (
    select * from missing
)

select * from final
