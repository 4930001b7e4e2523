{#- GCP billing export rows as FOCUS 1.2 rows. Credits are negative and netted into EffectiveCost; the
    billing period is invoice.month.
    The BigQuery table is append-only (late and corrected rows come as new rows with a newer export_time),
    so exporting it again repeats rows already in an earlier extract. Within one extract every row counts;
    across extracts a row counts as many times as the extract holding it most often has it. Shards of one
    EXPORT DATA, whose `*` becomes a 12-digit number, are one extract. -#}
{%- set billing_row = gcp_billing_row() | join(', ') %}

with billing as (
    select * from {{ ref('stg_gcp__billing_export') }}
),

numbered_copies as (
    select
        *,
        row_number() over (
            partition by
                {{ billing_row }},
                {{ regex_replace_all('source_file', '([^0-9])[0-9]{12}([.][^/]*)$', '\\1*\\2') }}
            order by source_file
        ) as copy_number
    from billing
),

ranked_copies as (
    select
        *,
        row_number() over (
            partition by {{ billing_row }}, copy_number
            order by source_file
        ) as file_rank
    from numbered_copies
),

distinct_rows as (
    select {{ star_except(['copy_number', 'file_rank']) }}
    from ranked_copies
    where file_rank = 1
),

categories as (
    select * from {{ ref('service_categories') }}
    where provider = 'Google Cloud'
),

mapped as (
    select
        distinct_rows.*,
        cast(make_date(cast(left(distinct_rows.invoice_month, 4) as int), cast(right(distinct_rows.invoice_month, 2) as int), 1) as timestamp)
            as invoice_month_start,
        case distinct_rows.cost_type
            when 'tax' then 'Tax'
            when 'regular' then 'Usage'
            else 'Adjustment'
        end as charge_category,
        distinct_rows.service_description = 'Vertex AI' and lower(distinct_rows.sku_description) like '%claude%' as is_claude
    from distinct_rows
),

focus_rows as (
    select
        zone as AvailabilityZone,
        cost as BilledCost,
        billing_account_id as BillingAccountId,
        currency as BillingCurrency,
        invoice_month_start as BillingPeriodStart,
        invoice_month_start + interval 1 month as BillingPeriodEnd,
        charge_category as ChargeCategory,
        sku_description as ChargeDescription,
        'Usage-Based' as ChargeFrequency,
        usage_start as ChargePeriodStart,
        usage_end as ChargePeriodEnd,
        case when charge_category = 'Usage' then usage_amount end as ConsumedQuantity,
        case when charge_category = 'Usage' and usage_amount is not null then usage_unit end as ConsumedUnit,
        cost + credits_amount as ContractedCost,
        cost + credits_amount as EffectiveCost,
        'Google Cloud' as InvoiceIssuerName,
        coalesce(cost_at_list, cost) as ListCost,
        case when charge_category = 'Usage' then 'Standard' end as PricingCategory,
        case when charge_category = 'Usage' then usage_amount_in_pricing_units end as PricingQuantity,
        case when charge_category = 'Usage' and usage_amount_in_pricing_units is not null then usage_pricing_unit end as PricingUnit,
        'Google Cloud' as ProviderName,
        'Google Cloud' as PublisherName,
        region as RegionId,
        region as RegionName,
        {{ service_category('categories.service_category') }} as ServiceCategory,
        service_description as ServiceName,
        {{ service_subcategory('categories.service_category', 'categories.service_subcategory') }} as ServiceSubcategory,
        sku_id as SkuId,
        sku_description as SkuMeter,
        project_id as SubAccountId,
        coalesce(project_name, project_id) as SubAccountName,
        case when project_id is not null then 'GCP Project' end as SubAccountType,
        case when labels_json is not null and labels_json <> '[]' then {{ json_pairs_to_object('labels_json') }} end as Tags,
        'Google Cloud' as ServiceProviderName,
        'Google Cloud' as HostProviderName,
        'gcp_billing' as x_Source,
        source_file as x_SourceFile,
        landed_at as x_LandedAt,
        case when is_claude then regexp_extract(lower(sku_description), '(claude[a-z0-9 .-]*[a-z0-9])') end as x_Model,
        true as x_CostReported,
        case when is_claude then 'Claude' end as x_AiModelFamily,
        case when is_claude then 'gcp_vertex' end as x_AiChannel
    from mapped
    left join categories on mapped.service_description = categories.service_key
),

final as (
    {{ focus_conformed('focus_rows') }}
)

select * from final
