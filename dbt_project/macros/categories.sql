{#- FOCUS category columns: the category given (from the service_categories seed or the file), 'Other'
    for services nobody categorised, and 'Other (<category>)' where no subcategory is known. -#}
{% macro service_category(category) -%}
    coalesce({{ category }}, 'Other')
{%- endmacro %}

{% macro service_subcategory(category, subcategory) -%}
    coalesce({{ subcategory }}, 'Other (' || {{ service_category(category) }} || ')')
{%- endmacro %}
