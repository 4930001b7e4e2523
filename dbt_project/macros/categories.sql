{#- FOCUS category columns from the service_categories seed, 'Other' for services it does not list. -#}
{% macro service_category(seed_alias) -%}
    coalesce({{ seed_alias }}.service_category, 'Other')
{%- endmacro %}

{% macro service_subcategory(seed_alias) -%}
    coalesce({{ seed_alias }}.service_subcategory, 'Other (' || coalesce({{ seed_alias }}.service_category, 'Other') || ')')
{%- endmacro %}
