{#- A join condition: an analytics cost row (`cost`) and usage row (`usage`) of the same day, workspace,
    API key, actor, product, model, tier, context window and geo (any of them may be null). -#}
{% macro analytics_grain_matches(cost, usage) -%}
    {{ cost }}.cost_date = {{ usage }}.usage_date
    {%- for column in ['workspace_id', 'api_key_id', 'actor_id', 'product', 'model', 'service_tier', 'context_window', 'inference_geo'] %}
    and {{ cost }}.{{ column }} is not distinct from {{ usage }}.{{ column }}
    {%- endfor %}
{%- endmacro %}
