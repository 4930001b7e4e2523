{#- A GCP billing row's values: every column of stg_gcp__billing_export but where it was read from
    (source_file, landed_at). int_gcp__spend_focus counts the copies of a row by them;
    tests/assert_gcp_billing_row_has_every_column.sql fails when the staging model gains a column not listed. -#}
{% macro gcp_billing_row() -%}
    {{ return([
        'billing_account_id', 'service_id', 'service_description', 'sku_id', 'sku_description', 'usage_start',
        'usage_end', 'project_id', 'project_name', 'labels_json', 'region', 'zone', 'exported_at', 'cost',
        'currency', 'usage_amount', 'usage_unit', 'usage_amount_in_pricing_units', 'usage_pricing_unit',
        'credits_amount', 'invoice_month', 'cost_type', 'cost_at_list',
    ]) }}
{%- endmacro %}
