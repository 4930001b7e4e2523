{#- Every amount of money in the project has this one exact type. -#}
{% macro money(expression) -%}
    cast({{ expression }} as decimal(38, 18))
{%- endmacro %}

{#- Text to exact money, for numbers nested in a landed JSON value (GCP's usage amounts): landing types
    every top-level number itself (pump_costs/raw/export_values.py, which this follows: a currency symbol,
    thousands separators and padding tolerated; E-notation casts exactly). -#}
{% macro to_money(column) -%}
    {{ money("nullif(trim(replace(replace(" ~ column ~ ", '$', ''), ',', '')), '')") }}
{%- endmacro %}
