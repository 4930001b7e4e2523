{#- The calendar month containing a timestamp, as FOCUS billing period bounds. -#}
{% macro month_start(column) -%}
    date_trunc('month', {{ column }})
{%- endmacro %}

{% macro month_end(column) -%}
    (date_trunc('month', {{ column }}) + interval 1 month)
{%- endmacro %}
