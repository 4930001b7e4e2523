{#- The few expressions DuckDB and Spark spell differently, each written once per engine; models use these
    (or dbt's own cross-database macros) and are otherwise the same SQL on both. -#}

{#- The text at `path` ('$.a.b') in a JSON text column; null where absent. -#}
{% macro json_text(column, path) -%}
    {{ return(adapter.dispatch('json_text')(column, path)) }}
{%- endmacro %}

{% macro duckdb__json_text(column, path) -%}
    json_extract_string({{ column }}, '{{ path }}')
{%- endmacro %}

{% macro spark__json_text(column, path) -%}
    get_json_object({{ column }}, '{{ path }}')
{%- endmacro %}

{#- The exact sum of `field` (text amounts) over a JSON array of objects; 0 for an empty or null array. -#}
{% macro json_array_money_sum(column, field) -%}
    {{ return(adapter.dispatch('json_array_money_sum')(column, field)) }}
{%- endmacro %}

{% macro duckdb__json_array_money_sum(column, field) -%}
    coalesce((
        select sum(cast(item.{{ field }} as decimal(38, 18)))
        from (select unnest(from_json({{ column }}, '[{"{{ field }}": "VARCHAR"}]')) as item)
    ), 0)
{%- endmacro %}

{% macro spark__json_array_money_sum(column, field) -%}
    coalesce(aggregate(
        from_json({{ column }}, 'array<struct<{{ field }}: string>>'),
        cast(0 as decimal(38, 18)),
        (total, item) -> total + cast(item.{{ field }} as decimal(38, 18))
    ), 0)
{%- endmacro %}

{#- A JSON array of {"key": ..., "value": ...} objects as one JSON object of key: value (GCP's labels). -#}
{% macro json_pairs_to_object(column) -%}
    {{ return(adapter.dispatch('json_pairs_to_object')(column)) }}
{%- endmacro %}

{% macro duckdb__json_pairs_to_object(column) -%}
    to_json(map_from_entries(from_json({{ column }}, '[{"key": "VARCHAR", "value": "VARCHAR"}]')))
{%- endmacro %}

{% macro spark__json_pairs_to_object(column) -%}
    to_json(map_from_entries(from_json({{ column }}, 'array<struct<key: string, value: string>>')))
{%- endmacro %}
