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

{#- The rows of every relation in `relations` with the columns of them all, matched by name; a column a
    relation lacks is null there. Read from the warehouse when the model runs. -#}
{% macro union_by_name(relations) -%}
    {%- if not execute -%}
        {{ return('select 1 as placeholder') }}
    {%- endif -%}
    {%- set columns_of = {} -%}
    {%- set all_columns = {} -%}
    {%- for relation in relations -%}
        {%- set names = [] -%}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {%- do names.append(column.name) -%}
            {%- do all_columns.setdefault(column.name, column.data_type) -%}
        {%- endfor -%}
        {%- do columns_of.update({relation | string: names}) -%}
    {%- endfor -%}
    {%- for relation in relations %}
    {{ 'union all' if not loop.first }}
    select
        {%- for name, data_type in all_columns.items() %}
        {% if name in columns_of[relation | string] %}{{ adapter.quote(name) }}{% else %}cast(null as {{ data_type }}) as {{ adapter.quote(name) }}{% endif %}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ relation }}
    {%- endfor %}
{%- endmacro %}

{#- `relation`'s column names but `excluded`, comma-separated: a row's identity. Read when the model runs. -#}
{% macro columns_except(relation, excluded) -%}
    {%- if not execute -%}
        {{ return('1') }}
    {%- endif -%}
    {%- set names = [] -%}
    {%- for column in adapter.get_columns_in_relation(relation) if column.name not in excluded -%}
        {%- do names.append(adapter.quote(column.name)) -%}
    {%- endfor -%}
    {{ return(names | join(', ')) }}
{%- endmacro %}

{#- Every match of `pattern` in `text` replaced; `replacement` names groups \1 to \9 (written '\\1' here). -#}
{% macro regex_replace_all(text, pattern, replacement) -%}
    {{ return(adapter.dispatch('regex_replace_all')(text, pattern, replacement)) }}
{%- endmacro %}

{% macro duckdb__regex_replace_all(text, pattern, replacement) -%}
    regexp_replace({{ text }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{#- Java's regular expressions name a group $1. -#}
{% macro spark__regex_replace_all(text, pattern, replacement) -%}
    {%- set java = namespace(replacement=replacement) -%}
    {%- for group in range(1, 10) -%}
        {%- set java.replacement = java.replacement | replace('\\' ~ group, '$' ~ group) -%}
    {%- endfor -%}
    regexp_replace({{ text }}, '{{ pattern }}', '{{ java.replacement }}')
{%- endmacro %}
