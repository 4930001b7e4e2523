{#- Providers' unit spellings in the FOCUS unit format: (regular expression, replacement, an example),
    applied in this order. -#}
{% macro focus_unit_rewrites() -%}
    {{ return([
        ('Hrs', 'Hours', 'Hrs -> Hours'),
        (' Per ', '/', 'OCPU Per Hour -> OCPU/Hour'),
        ('^[0-9]+/', 'Units/', '1/Month -> Units/Month'),
        ('-Mo(nth)?$', '-Months', 'GB-Mo -> GB-Months'),
        ('^([0-9]+)K( |$)', '\\1000\\2', '1K tokens -> 1000 tokens'),
        ('^([0-9]+)$', '\\1 Units', '10 -> 10 Units'),
        ('^1 (.+/.+)$', '\\1', '1 GB/Month -> GB/Month'),
        ('^([A-Za-z]+)-(.+-(Seconds|Hours|Months|Days))$', '\\1 \\2', 'Lambda-GB-Seconds -> Lambda GB-Seconds'),
        ('^([A-Za-z]+)/Second-Months$', '\\1-Seconds', 'GB/Second-Months -> GB-Seconds'),
    ]) }}
{%- endmacro %}

{% macro focus_unit(expression) -%}
    {%- set rewritten = namespace(sql=expression) -%}
    {%- for pattern, replacement, _example in focus_unit_rewrites() -%}
        {%- set rewritten.sql = regex_replace_all(rewritten.sql, pattern, replacement) -%}
    {%- endfor -%}
    {{ rewritten.sql }}
{%- endmacro %}
