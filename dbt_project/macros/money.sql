{#- Every amount of money in the project has this one exact type. -#}
{% macro money(expression) -%}
    cast({{ expression }} as decimal(38, 18))
{%- endmacro %}
