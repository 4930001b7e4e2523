{#-
  The FOCUS 1.2 Cost and Usage columns the mart carries (plus the 1.3 provider names and pump-costs'
  x_ columns), in order, with their types. Every provider's intermediate model maps its rows to FOCUS
  names in plain SQL and ends with focus_conformed(), so the union in fct_spend lines up by construction.
-#}
{% macro focus_column_types() -%}
    {{ return({
        'AvailabilityZone': 'varchar',
        'BilledCost': 'decimal(38, 18)',
        'BillingAccountId': 'varchar',
        'BillingAccountName': 'varchar',
        'BillingAccountType': 'varchar',
        'BillingCurrency': 'varchar',
        'BillingPeriodEnd': 'timestamp',
        'BillingPeriodStart': 'timestamp',
        'CapacityReservationId': 'varchar',
        'CapacityReservationStatus': 'varchar',
        'ChargeCategory': 'varchar',
        'ChargeClass': 'varchar',
        'ChargeDescription': 'varchar',
        'ChargeFrequency': 'varchar',
        'ChargePeriodEnd': 'timestamp',
        'ChargePeriodStart': 'timestamp',
        'CommitmentDiscountCategory': 'varchar',
        'CommitmentDiscountId': 'varchar',
        'CommitmentDiscountName': 'varchar',
        'CommitmentDiscountQuantity': 'decimal(38, 18)',
        'CommitmentDiscountStatus': 'varchar',
        'CommitmentDiscountType': 'varchar',
        'CommitmentDiscountUnit': 'varchar',
        'ConsumedQuantity': 'decimal(38, 18)',
        'ConsumedUnit': 'varchar',
        'ContractedCost': 'decimal(38, 18)',
        'ContractedUnitPrice': 'decimal(38, 18)',
        'EffectiveCost': 'decimal(38, 18)',
        'InvoiceId': 'varchar',
        'InvoiceIssuerName': 'varchar',
        'ListCost': 'decimal(38, 18)',
        'ListUnitPrice': 'decimal(38, 18)',
        'PricingCategory': 'varchar',
        'PricingCurrency': 'varchar',
        'PricingQuantity': 'decimal(38, 18)',
        'PricingUnit': 'varchar',
        'ProviderName': 'varchar',
        'PublisherName': 'varchar',
        'RegionId': 'varchar',
        'RegionName': 'varchar',
        'ResourceId': 'varchar',
        'ResourceName': 'varchar',
        'ResourceType': 'varchar',
        'ServiceCategory': 'varchar',
        'ServiceName': 'varchar',
        'ServiceSubcategory': 'varchar',
        'SkuId': 'varchar',
        'SkuMeter': 'varchar',
        'SkuPriceDetails': 'varchar',
        'SkuPriceId': 'varchar',
        'SubAccountId': 'varchar',
        'SubAccountName': 'varchar',
        'SubAccountType': 'varchar',
        'Tags': 'varchar',
        'ServiceProviderName': 'varchar',
        'HostProviderName': 'varchar',
        'x_Source': 'varchar',
        'x_SourceFile': 'varchar',
        'x_LandedAt': 'timestamp',
        'x_Model': 'varchar',
        'x_TokenType': 'varchar',
        'x_CostType': 'varchar',
        'x_ServiceTier': 'varchar',
        'x_ContextWindow': 'varchar',
        'x_InferenceGeo': 'varchar',
        'x_InvoicingEntity': 'varchar',
        'x_CostReported': 'boolean',
        'x_ApiKeyId': 'varchar',
        'x_ApiKeyName': 'varchar',
        'x_ActorType': 'varchar',
        'x_ActorId': 'varchar',
        'x_ActorName': 'varchar',
        'x_Product': 'varchar',
        'x_Requests': 'bigint',
        'x_CostAllocation': 'varchar',
        'x_AiModelFamily': 'varchar',
        'x_AiChannel': 'varchar',
    }) }}
{%- endmacro %}

{#- The rows of `relation` (FOCUS column names; any it lacks are null) as every FOCUS column, in order,
    each cast to its type, with units in the FOCUS unit format. A typed empty row comes first in the union
    so that every column exists; the casts after it fix each column's type whatever the provider's was. -#}
{% macro focus_conformed(relation) -%}
    select
        {%- for column, data_type in focus_column_types().items() %}
        {%- set value = focus_unit('"' ~ column ~ '"') if column in ('ConsumedUnit', 'PricingUnit') else '"' ~ column ~ '"' %}
        cast({{ value }} as {{ data_type }}) as "{{ column }}"{{ "," if not loop.last }}
        {%- endfor %}
    from (
        select
            {%- for column, data_type in focus_column_types().items() %}
            cast(null as {{ data_type }}) as "{{ column }}"{{ "," if not loop.last }}
            {%- endfor %}
        where false
        union all by name
        select * from {{ relation }}
    )
{%- endmacro %}
