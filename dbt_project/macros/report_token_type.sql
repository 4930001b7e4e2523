{#- A token column's name as the cost reports spell its token type. -#}
{% macro report_token_type(column) -%}
    case {{ column }}
        when 'cache_creation_5m_input_tokens' then 'cache_creation.ephemeral_5m_input_tokens'
        when 'cache_creation_1h_input_tokens' then 'cache_creation.ephemeral_1h_input_tokens'
        else {{ column }}
    end
{%- endmacro %}
