{#- The run's half-open window [PUMP_COSTS_WINDOW_START, PUMP_COSTS_WINDOW_END) of UTC days on a timestamp
    column; all time when unset. Dagster sets both for the daily-partitioned models. They are environment
    variables rather than --vars because dbt re-parses the whole project whenever --vars change, and only
    the files using a changed environment variable. -#}
{% macro in_run_window(column) -%}
    ({{ column }} >= cast('{{ env_var("PUMP_COSTS_WINDOW_START", "1900-01-01") }}' as timestamp)
     and {{ column }} < cast('{{ env_var("PUMP_COSTS_WINDOW_END", "2999-01-01") }}' as timestamp))
{%- endmacro %}
