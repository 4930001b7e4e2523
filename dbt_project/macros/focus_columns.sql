{#-
  The FOCUS 1.2 Cost and Usage columns the mart carries (plus the 1.3 provider names and pump-costs'
  x_ columns), in order, with their types. Every provider's intermediate model maps its rows to FOCUS
  names in plain SQL and ends with focus_conformed(), so the union in fct_spend lines up by construction.
-#}
{% macro focus_column_types() -%}
    {{ return({
        'AvailabilityZone': 'string',
        'BilledCost': 'decimal(38, 18)',
        'BillingAccountId': 'string',
        'BillingAccountName': 'string',
        'BillingAccountType': 'string',
        'BillingCurrency': 'string',
        'BillingPeriodEnd': 'timestamp',
        'BillingPeriodStart': 'timestamp',
        'CapacityReservationId': 'string',
        'CapacityReservationStatus': 'string',
        'ChargeCategory': 'string',
        'ChargeClass': 'string',
        'ChargeDescription': 'string',
        'ChargeFrequency': 'string',
        'ChargePeriodEnd': 'timestamp',
        'ChargePeriodStart': 'timestamp',
        'CommitmentDiscountCategory': 'string',
        'CommitmentDiscountId': 'string',
        'CommitmentDiscountName': 'string',
        'CommitmentDiscountQuantity': 'decimal(38, 18)',
        'CommitmentDiscountStatus': 'string',
        'CommitmentDiscountType': 'string',
        'CommitmentDiscountUnit': 'string',
        'ConsumedQuantity': 'decimal(38, 18)',
        'ConsumedUnit': 'string',
        'ContractedCost': 'decimal(38, 18)',
        'ContractedUnitPrice': 'decimal(38, 18)',
        'EffectiveCost': 'decimal(38, 18)',
        'InvoiceId': 'string',
        'InvoiceIssuerName': 'string',
        'ListCost': 'decimal(38, 18)',
        'ListUnitPrice': 'decimal(38, 18)',
        'PricingCategory': 'string',
        'PricingCurrency': 'string',
        'PricingQuantity': 'decimal(38, 18)',
        'PricingUnit': 'string',
        'ProviderName': 'string',
        'PublisherName': 'string',
        'RegionId': 'string',
        'RegionName': 'string',
        'ResourceId': 'string',
        'ResourceName': 'string',
        'ResourceType': 'string',
        'ServiceCategory': 'string',
        'ServiceName': 'string',
        'ServiceSubcategory': 'string',
        'SkuId': 'string',
        'SkuMeter': 'string',
        'SkuPriceDetails': 'string',
        'SkuPriceId': 'string',
        'SubAccountId': 'string',
        'SubAccountName': 'string',
        'SubAccountType': 'string',
        'Tags': 'string',
        'ServiceProviderName': 'string',
        'HostProviderName': 'string',
        'x_Source': 'string',
        'x_SourceFile': 'string',
        'x_LandedAt': 'timestamp',
        'x_Model': 'string',
        'x_TokenType': 'string',
        'x_CostType': 'string',
        'x_ServiceTier': 'string',
        'x_ContextWindow': 'string',
        'x_InferenceGeo': 'string',
        'x_InvoicingEntity': 'string',
        'x_CostReported': 'boolean',
        'x_ApiKeyId': 'string',
        'x_ApiKeyName': 'string',
        'x_ActorType': 'string',
        'x_ActorId': 'string',
        'x_ActorName': 'string',
        'x_Product': 'string',
        'x_Requests': 'bigint',
        'x_CostAllocation': 'string',
        'x_AiModelFamily': 'string',
        'x_AiChannel': 'string',
    }) }}
{%- endmacro %}

{#- The rows of `relation` (FOCUS column names; any it lacks are null) as every FOCUS column, in order,
    each cast to its type, with units in the FOCUS unit format. -#}
{% macro focus_conformed(relation) -%}
    select
        {%- for column, data_type in focus_column_types().items() %}
        {%- set value = focus_value(column, data_type) %}
        {%- set value = focus_unit(value) if column in ('ConsumedUnit', 'PricingUnit') else value %}
        cast({{ value }} as {{ data_type }}) as {{ adapter.quote(column) }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ focus_rows(relation) }}
{%- endmacro %}

{#- focus_conformed's rows, in which focus_value() finds a FOCUS column, or null where `relation` lacks it.
    DuckDB: a typed empty row first in a union by name, so that every column exists. -#}
{% macro focus_rows(relation) -%}
    {{ return(adapter.dispatch('focus_rows')(relation)) }}
{%- endmacro %}

{% macro duckdb__focus_rows(relation) -%}
    (
        select
            {%- for column, data_type in focus_column_types().items() %}
            cast(null as {{ data_type }}) as "{{ column }}"{{ "," if not loop.last }}
            {%- endfor %}
        where false
        union all by name
        select * from {{ relation }}
    )
{%- endmacro %}

{#- Spark has no union by name in SQL: each row as a variant object, from which a column it lacks is null. -#}
{% macro spark__focus_rows(relation) -%}
    (select to_variant_object(struct(*)) as focus_row from {{ relation }})
{%- endmacro %}

{% macro focus_value(column, data_type) -%}
    {{ return(adapter.dispatch('focus_value')(column, data_type)) }}
{%- endmacro %}

{% macro duckdb__focus_value(column, data_type) -%}
    "{{ column }}"
{%- endmacro %}

{% macro spark__focus_value(column, data_type) -%}
    try_variant_get(focus_row, '$.{{ column }}', '{{ data_type }}')
{%- endmacro %}

{#- Every FOCUS column of `alias`, in order, or the expression `replacements` gives for it. -#}
{% macro focus_select(alias, replacements={}) -%}
    {%- for column in focus_column_types() %}
    {{ replacements[column] ~ ' as ' ~ adapter.quote(column) if column in replacements else alias ~ '.' ~ adapter.quote(column) }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- The FOCUS columns fct_daily_spend sums spend by, besides the day (int_cloud__daily_spend sums the cloud
    rows by them first). -#}
{% macro daily_spend_columns() -%}
    {{ return([
        'ProviderName', 'ServiceName', 'ServiceCategory', 'BillingAccountId', 'BillingAccountName', 'SubAccountId',
        'SubAccountName', 'x_Model', 'x_ApiKeyName', 'x_AiModelFamily', 'x_AiChannel', 'BillingCurrency',
    ]) }}
{%- endmacro %}
