{#- Money as an exact whole number of 10^-18 dollars, and back. Neither engine divides decimals exactly
    (DuckDB in floating point, Spark to a scale of its choosing), so an amount is split in proportions on
    whole units instead. -#}
{% macro money_units(amount) -%}
    (cast(floor({{ amount }}) as {{ money_units_type() }}) * 1000000000000000000
    + cast((({{ amount }}) - floor({{ amount }})) * 1000000000000000000 as {{ money_units_type() }}))
{%- endmacro %}

{% macro units_to_money(units) -%}
    (cast({{ integer_divide(units, '1000000000000000000') }} as decimal(38, 18))
    + cast(cast(({{ units }}) % 1000000000000000000 as decimal(38, 0)) * 0.000000000000000001 as decimal(38, 18)))
{%- endmacro %}

{#- Whole units: DuckDB's 128-bit integer; Spark's widest decimal. A part is the units times a weight, divided:
    the amount (in dollars) times the weight must stay under 1.7 x 10^20 on DuckDB, 10^20 on Spark, where a part
    must also stay under 10^10 dollars (its quotient's type). -#}
{% macro money_units_type() -%}
    {{ return(adapter.dispatch('money_units_type')()) }}
{%- endmacro %}

{% macro duckdb__money_units_type() -%}
    hugeint
{%- endmacro %}

{% macro spark__money_units_type() -%}
    decimal(38, 0)
{%- endmacro %}

{#- `dividend` divided by `divisor`, whole numbers both, rounded toward zero. -#}
{% macro integer_divide(dividend, divisor) -%}
    {{ return(adapter.dispatch('integer_divide')(dividend, divisor)) }}
{%- endmacro %}

{% macro duckdb__integer_divide(dividend, divisor) -%}
    ({{ dividend }}) // ({{ divisor }})
{%- endmacro %}

{#- Spark's `div` returns a 64-bit integer (and overflows silently); the dividend less its remainder divides
    exactly. -#}
{% macro spark__integer_divide(dividend, divisor) -%}
    cast((({{ dividend }}) - ({{ dividend }}) % ({{ divisor }})) / ({{ divisor }}) as decimal(38, 0))
{%- endmacro %}

{#- One row's part of `amount` when it is split in proportion to `weight`: `weight_through` is the
    weight of the rows up to and including this one (in a fixed order), `weight_total` that of them all.
    Each part is the share through this row less the share before it, so the parts always add up to the
    amount exactly, to the last of its 18 decimals. -#}
{% macro proportional_part(amount, weight, weight_through, weight_total) -%}
    {%- set units = money_units(amount) -%}
    {{ units_to_money(
        integer_divide(units ~ ' * ' ~ weight_through, weight_total)
        ~ ' - ' ~ integer_divide(units ~ ' * (' ~ weight_through ~ ' - ' ~ weight ~ ')', weight_total)
    ) }}
{%- endmacro %}
