{#- FOCUS category columns: the category given (from the service_categories seed or the file), 'Other'
    for services nobody categorised, and 'Other (<category>)' where no subcategory is known. -#}
{% macro service_category(category) -%}
    coalesce({{ category }}, 'Other')
{%- endmacro %}

{% macro service_subcategory(category, subcategory) -%}
    coalesce({{ subcategory }}, 'Other (' || {{ service_category(category) }} || ')')
{%- endmacro %}

{#- A cloud's own legal entities (Amazon Web Services Canada, Inc., ...) invoice as that provider: only
    a third party issuing the invoice (a marketplace) makes InvoiceIssuerName differ from ProviderName. -#}
{% macro invoice_issuer(provider, issuer) -%}
    case
        when {{ issuer }} is null then {{ provider }}
        when {{ provider }} = 'AWS' and {{ issuer }} ilike 'Amazon Web Services%' then {{ provider }}
        when split_part({{ provider }}, ' ', 1) ilike split_part({{ issuer }}, ' ', 1) then {{ provider }}
        else {{ issuer }}
    end
{%- endmacro %}
