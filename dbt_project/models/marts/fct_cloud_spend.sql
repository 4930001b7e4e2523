{#-
  Every cloud billing export's FOCUS rows (AWS, GCP, Azure, FOCUS files), refreshed by export file
  (macros/cloud_refresh.sql): a re-delivered CUR period or Azure run replaces exactly its files' rows, a
  file no longer counted loses its rows, and a run with no landing change writes nothing.
-#}
{{ config(
    materialized='incremental_in_place',
    pre_hook="{% if in_place_update() %}delete from {{ this }} where x_SourceFile in {{ text_values(cloud_refresh()['unload']) }}{% endif %}"
) }}

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
