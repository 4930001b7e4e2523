{#- Text to exact money: tolerates a currency symbol, thousands separators and padding (seen in the
    FOCUS spec's own examples); E-notation (legacy CUR) casts exactly. Export landing refuses FOCUS files
    this cannot read (NUMBER in pump_costs/defs/exports/landing.py): keep the two in step. -#}
{% macro to_money(column) -%}
    {{ money("nullif(trim(replace(replace(" ~ column ~ ", '$', ''), ',', '')), '')") }}
{%- endmacro %}

{#- Text to a UTC timestamp, whichever way the exporter wrote it. Two-digit years are tried first: '%Y'
    would read '4/1/25' as the year 25. -#}
{% macro to_utc_timestamp(column) -%}
    coalesce(
        try_strptime({{ column }}, ['%Y-%m-%dT%H:%M:%SZ', '%Y-%m-%dT%H:%M:%S.%gZ', '%Y-%m-%dT%H:%MZ',
                                    '%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d', '%m/%d/%y', '%m/%d/%Y']),
        cast(try_cast({{ column }} as timestamptz) at time zone 'UTC' as timestamp)
    )
{%- endmacro %}
