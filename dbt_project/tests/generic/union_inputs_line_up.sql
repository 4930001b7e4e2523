{#- The model puts `inputs` together with a plain `union all` (Spark has no union by name): they have the same
    columns in the same order, or a row names each input whose columns differ from the first's. -#}
{% test union_inputs_line_up(model, inputs) %}
    {%- set differing = [] -%}
    {%- if execute -%}
        {%- set column_lists = [] -%}
        {%- for input in inputs -%}
            {%- do column_lists.append(adapter.get_columns_in_relation(input) | map(attribute='name') | map('lower') | list) -%}
        {%- endfor -%}
        {%- for input in inputs if column_lists[inputs.index(input)] != column_lists[0] -%}
            {%- do differing.append(input | string) -%}
        {%- endfor -%}
    {%- endif %}
    select '{{ model }}' as model, 'none' as input
    where false
    {%- for input in differing %}
    union all
    select '{{ model }}' as model, '{{ input }}' as input
    {%- endfor %}
{% endtest %}
