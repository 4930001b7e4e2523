{#- Plain schema names (staging, intermediate, marts) rather than dbt's target-prefixed ones. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name if custom_schema_name else target.schema }}
{%- endmacro %}
