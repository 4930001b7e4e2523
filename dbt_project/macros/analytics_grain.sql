{#- The analytics API's rows meet on this grain: who spent (organization, workspace, key, actor, product,
    model) and the price's tier, context window and geo. Any but the organization may be null. -#}
{% macro analytics_key_columns() -%}
    {{ return(['organization_id', 'workspace_id', 'api_key_id', 'actor_type', 'actor_id', 'actor_name', 'product', 'model']) }}
{%- endmacro %}

{% macro analytics_price_columns() -%}
    {{ return(['service_tier', 'context_window', 'inference_geo']) }}
{%- endmacro %}

{#- A join condition: rows of `left` and `right` of the same day and grain. -#}
{% macro analytics_grain_matches(left, right, left_day, right_day) -%}
    {{ left }}.{{ left_day }} = {{ right }}.{{ right_day }}
    {%- for column in analytics_key_columns() + analytics_price_columns() %}
    and {{ left }}.{{ column }} is not distinct from {{ right }}.{{ column }}
    {%- endfor %}
{%- endmacro %}

{#- The grain's columns of a full outer join of `cost` (cost_date) and `usage` (usage_date). -#}
{% macro analytics_grain_of_either(cost, usage) -%}
    coalesce({{ cost }}.cost_date, {{ usage }}.usage_date) as charge_date,
    {%- for column in analytics_key_columns() + analytics_price_columns() %}
    coalesce({{ cost }}.{{ column }}, {{ usage }}.{{ column }}) as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- `sum(m) as m` for each of `measures`. -#}
{% macro summed(measures) -%}
    {%- for measure in measures %}
    sum({{ measure }}) as {{ measure }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- `relation`'s analytics rows at the full grain (plus `extra_columns`), `measures` summed: the
    by_key_and_price rows, and per key combination what they leave of its by_key row, which is the part
    with no tier, context window or geo (code execution, session time). -#}
{% macro analytics_full_grain(relation, day, extra_columns, measures) -%}
    {%- set key_columns = [day] + analytics_key_columns() + extra_columns -%}
    with priced as (
        select
            {{ (key_columns + analytics_price_columns()) | join(', ') }},
            {{ summed(measures) }}
        from {{ relation }}
        where query_name = 'by_key_and_price'
        group by all
    ),

    by_key as (
        select
            {{ key_columns | join(', ') }},
            {{ summed(measures) }}
        from {{ relation }}
        where query_name = 'by_key'
        group by all
    ),

    priced_by_key as (
        select
            {{ key_columns | join(', ') }},
            {{ summed(measures) }}
        from priced
        group by all
    ),

    left_over as (
        select
            {%- for column in key_columns %}
            k.{{ column }},
            {%- endfor %}
            {%- for column in analytics_price_columns() %}
            null as {{ column }},
            {%- endfor %}
            {%- for measure in measures %}
            k.{{ measure }} - coalesce(p.{{ measure }}, 0) as {{ measure }}{{ ',' if not loop.last }}
            {%- endfor %}
        from by_key as k
        left join priced_by_key as p
            on
                {%- for column in key_columns %}
                {{ 'and ' if not loop.first }}k.{{ column }} is not distinct from p.{{ column }}
                {%- endfor %}
    )

    {#- left_over has priced's columns in the same order -#}
    select * from priced
    union all
    select * from left_over
    where
        {%- for measure in measures %}
        {{ 'or ' if not loop.first }}coalesce({{ measure }}, 0) <> 0
        {%- endfor %}
{%- endmacro %}

{#- The rows of `analytics` on the days an analytics cost pull covered (`days`: organization_id and the day),
    the rows of `legacy` on every other day: each organization's day is counted from one API. The two relations
    have the same columns in the same order, organization_id and charge_date among them. -#}
{% macro analytics_or_legacy_by_day(analytics, legacy, days) -%}
    select * from {{ analytics }}
    where (organization_id, charge_date) in (select * from {{ days }})
    union all
    select * from {{ legacy }}
    where (organization_id, charge_date) not in (select * from {{ days }})
{%- endmacro %}
