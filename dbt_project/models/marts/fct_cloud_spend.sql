{#-
  Every cloud billing export's FOCUS rows (AWS, GCP, Azure, FOCUS files), stored as Parquet units by source
  and month (macros/parquet_units.sql) and refreshed by export file (macros/cloud_refresh.sql): a
  re-delivered CUR period or Azure run replaces exactly its files' rows, a file no longer counted loses its
  rows, and a run with no landing change writes nothing.
-#}
{{ config(materialized='parquet_units') }}

-- depends_on: {{ ref('stg_exports__landed_files') }}
{%- set reload = cloud_refresh()['reload'] %}

with cloud_exports as (
    select * from {{ ref('int_cloud__spend_focus') }}
),

final as (
    select * from cloud_exports
    {%- if reload is not none %}
    where x_SourceFile in {{ text_values(reload) }}
    {%- endif %}
)

select * from final
