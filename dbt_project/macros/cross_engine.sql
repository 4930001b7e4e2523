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

{#- One row per day from `first` to `last` (dates), both included: a set-returning select expression. -#}
{% macro each_day(first, last) -%}
    {{ return(adapter.dispatch('each_day')(first, last)) }}
{%- endmacro %}

{% macro duckdb__each_day(first, last) -%}
    cast(unnest(generate_series({{ first }}, {{ last }}, interval 1 day)) as date)
{%- endmacro %}

{% macro spark__each_day(first, last) -%}
    explode(sequence({{ first }}, {{ last }}, interval 1 day))
{%- endmacro %}

{#- `value`'s median and median absolute deviation over the window `window`, as `median_name` and
    `mad_name` (select expressions). -#}
{% macro median_and_mad_over(value, window, median_name, mad_name) -%}
    {{ return(adapter.dispatch('median_and_mad_over')(value, window, median_name, mad_name)) }}
{%- endmacro %}

{% macro duckdb__median_and_mad_over(value, window, median_name, mad_name) -%}
    median({{ value }}) over {{ window }} as {{ median_name }},
    mad({{ value }}) over {{ window }} as {{ mad_name }}
{%- endmacro %}

{#- Spark's median is a double: both are taken exactly from the window's values, sorted (a middle pair's mean
    rounded half up to the value's scale, 18). -#}
{% macro spark__median_and_mad_over(value, window, median_name, mad_name) -%}
    {%- set sorted = 'array_sort(collect_list(' ~ value ~ ') over ' ~ window ~ ')' -%}
    {%- set median = sorted_median(sorted) -%}
    {{ median }} as {{ median_name }},
    {{ sorted_median('array_sort(transform(' ~ sorted ~ ', deviation -> abs(deviation - ' ~ median ~ ')))') }}
        as {{ mad_name }}
{%- endmacro %}

{% macro sorted_median(sorted) -%}
    case
        when size({{ sorted }}) = 0 then null
        when size({{ sorted }}) % 2 = 1 then element_at({{ sorted }}, cast(size({{ sorted }}) div 2 + 1 as int))
        else cast(
            (element_at({{ sorted }}, cast(size({{ sorted }}) div 2 as int)) + element_at({{ sorted }}, cast(size({{ sorted }}) div 2 + 1 as int)))
            / cast(2 as decimal(1, 0)) as decimal(38, 18)
        )
    end
{%- endmacro %}
