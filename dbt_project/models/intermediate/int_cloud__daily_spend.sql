{#-
  fct_cloud_spend summed by day, by fct_daily_spend's columns and by export file, stored as Parquet units and
  refreshed by export file as fct_cloud_spend is (macros/parquet_units.sql, macros/cloud_refresh.sql): a run
  sums only the rows of the files it reloads, so fct_daily_spend adds up a few rows per file and day rather
  than every cloud row on every run.
-#}
{{ config(materialized='parquet_units') }}

-- depends_on: {{ ref('stg_exports__landed_files') }}
{%- set reload = cloud_refresh()['reload'] %}

with cloud_spend as (
    select * from {{ ref('fct_cloud_spend') }}
    {%- if reload is not none %}
    where x_SourceFile in {{ text_values(reload) }}
    {%- endif %}
),

final as (
    select
        {{ dbt.date_trunc('day', 'ChargePeriodStart') }} as ChargePeriodStart,
        {{ daily_spend_columns() | join(', ') }},
        x_Source,
        x_SourceFile,
        x_LandedAt,
        sum(BilledCost) as BilledCost,
        sum(EffectiveCost) as EffectiveCost,
        count(*) as charge_rows
    from cloud_spend
    group by all
)

select * from final
