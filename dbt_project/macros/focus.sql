{#-
  The FOCUS 1.2 Cost and Usage columns the mart carries (plus the 1.3 provider names and pump-costs'
  x_ columns), in order, with their types. Every provider's intermediate model selects through
  focus_columns(), so the union in fct_spend lines up by construction.
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
        'x_AiModelFamily': 'varchar',
        'x_AiChannel': 'varchar',
    }) }}
{%- endmacro %}

{#- Select every FOCUS column: the given expressions, typed nulls for the rest. Units are put in the
    FOCUS unit format on the way. -#}
{% macro focus_columns(expressions) -%}
    {%- for column, data_type in focus_column_types().items() %}
        {%- set expression = expressions.get(column, 'null') %}
        {%- if column in ('ConsumedUnit', 'PricingUnit') %}{% set expression = focus_unit(expression) %}{% endif %}
        cast({{ expression }} as {{ data_type }}) as "{{ column }}"{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- Providers' unit spellings in the FOCUS unit format: 'Hrs' -> 'Hours', 'GB-Mo' -> 'GB-Months',
    '1K tokens' -> '1000 tokens', '1 GB/Month' -> 'GB/Month', '1/Month' -> 'Units/Month', 'OCPU Per Hour' -> 'OCPU/Hour',
    'Lambda-GB-Seconds' -> 'Lambda GB-Seconds'. -#}
{% macro focus_unit(expression) -%}
    regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
        replace(replace({{ expression }}, 'Hrs', 'Hours'), ' Per ', '/'),
        '^[0-9]+/', 'Units/'),
        '-Mo(nth)?$', '-Months'),
        '^([0-9]+)K( |$)', '\1000\2'),
        '^([0-9]+)$', '\1 Units'),
        '^1 (.+/.+)$', '\1'),
        '^([A-Za-z]+)-(.+-(Seconds|Hours|Months|Days))$', '\1 \2'),
        '^([A-Za-z]+)/Second-Months$', '\1-Seconds')
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

{#- The calendar month containing a timestamp, as FOCUS billing period bounds. -#}
{% macro month_start(column) -%}
    date_trunc('month', {{ column }})
{%- endmacro %}

{% macro month_end(column) -%}
    (date_trunc('month', {{ column }}) + interval 1 month)
{%- endmacro %}

