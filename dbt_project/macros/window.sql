{#- The run's half-open window [min_date, max_date) on a timestamp column. -#}
{% macro in_run_window(column) -%}
    ({{ column }} >= cast('{{ var("min_date") }}' as timestamp)
     and {{ column }} < cast('{{ var("max_date") }}' as timestamp))
{%- endmacro %}
