{#- Money as an exact whole number of 10^-18 dollars (HUGEINT), and back. DuckDB divides decimals in
    floating point, so an amount is split in proportions on whole units instead. -#}
{% macro money_units(amount) -%}
    (cast(trunc({{ amount }}) as hugeint) * 1000000000000000000
    + cast((({{ amount }}) - trunc({{ amount }})) * 1000000000000000000 as hugeint))
{%- endmacro %}

{% macro units_to_money(units) -%}
    (cast(({{ units }}) // 1000000000000000000 as decimal(38, 18))
    + cast(cast(({{ units }}) % 1000000000000000000 as decimal(38, 0)) * 0.000000000000000001 as decimal(38, 18)))
{%- endmacro %}

{#- One row's part of `amount` when it is split in proportion to `weight`: `weight_through` is the
    weight of the rows up to and including this one (in a fixed order), `weight_total` that of them all.
    Each part is the share through this row less the share before it, so the parts always add up to the
    amount exactly, to the last of its 18 decimals. -#}
{% macro proportional_part(amount, weight, weight_through, weight_total) -%}
    {{ units_to_money(
        '(' ~ money_units(amount) ~ ' * ' ~ weight_through ~ ') // (' ~ weight_total ~ ')'
        ~ ' - (' ~ money_units(amount) ~ ' * (' ~ weight_through ~ ' - ' ~ weight ~ ')) // (' ~ weight_total ~ ')'
    ) }}
{%- endmacro %}
