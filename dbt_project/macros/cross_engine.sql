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

{#- Every column of the query's input but `columns` (a select list item). -#}
{% macro star_except(columns) -%}
    {{ return(adapter.dispatch('star_except')(columns)) }}
{%- endmacro %}

{% macro duckdb__star_except(columns) -%}
    * exclude ({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__star_except(columns) -%}
    * except ({{ columns | join(', ') }})
{%- endmacro %}

{#- The group's `text` values, sorted, joined by `delimiter` (an aggregate). -#}
{% macro sorted_text_list(text, delimiter) -%}
    {{ return(adapter.dispatch('sorted_text_list')(text, delimiter)) }}
{%- endmacro %}

{% macro duckdb__sorted_text_list(text, delimiter) -%}
    string_agg({{ text }}, '{{ delimiter }}' order by {{ text }})
{%- endmacro %}

{% macro spark__sorted_text_list(text, delimiter) -%}
    array_join(array_sort(collect_list({{ text }})), '{{ delimiter }}')
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
    rounded half up to the value's scale, 18). Spark SQL has no `let`: the sorted values and their median are
    each bound once per row as a lambda's argument (`bound`), not written out (and computed) at every use. -#}
{% macro spark__median_and_mad_over(value, window, median_name, mad_name) -%}
    {%- set sorted = 'array_sort(collect_list(' ~ value ~ ') over ' ~ window ~ ')' -%}
    {%- set deviations = 'array_sort(transform(window_values, window_value -> abs(window_value - window_median)))' -%}
    {{ bound(sorted, 'window_values', sorted_median('window_values')) }} as {{ median_name }},
    {{ bound(sorted, 'window_values', bound(sorted_median('window_values'), 'window_median',
        bound(deviations, 'window_deviations', sorted_median('window_deviations')))) }} as {{ mad_name }}
{%- endmacro %}

{#- `body` with `name` standing for `expression`, computed once. -#}
{% macro bound(expression, name, body) -%}
    element_at(transform(array({{ expression }}), {{ name }} -> {{ body }}), 1)
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
