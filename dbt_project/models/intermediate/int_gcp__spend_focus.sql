{#- GCP billing export rows as FOCUS 1.2 rows. Credits are negative and netted into EffectiveCost; the
    billing period is invoice.month.
    The BigQuery table is append-only (late and corrected rows come as new rows with a newer export_time),
    so exporting it again repeats rows already in an earlier extract. Within one extract every row counts;
    across extracts a row counts as many times as the extract holding it most often has it. Shards of one
    EXPORT DATA, whose `*` becomes a 12-digit number, are one extract. -#}
with billing as (
    select * from {{ ref('stg_gcp__billing_export') }}
),

numbered_copies as (
    select
        *,
        row_number() over (
            partition by
                row(*columns(* exclude (source_file, landed_at))),
                regexp_replace(source_file, '([^0-9])[0-9]{12}(\.[^/]*)$', '\1*\2')
        ) as copy_number
    from billing
),

ranked_copies as (
    select
        *,
        row_number() over (
            partition by row(*columns(* exclude (source_file, landed_at, copy_number))), copy_number
            order by source_file
        ) as file_rank
    from numbered_copies
),

distinct_rows as (
    select * exclude (copy_number, file_rank)
    from ranked_copies
    where file_rank = 1
),

categories as (
    select * from {{ ref('service_categories') }} where provider = 'Google Cloud'
),

mapped as (
    select
        distinct_rows.*,
        strptime(invoice_month, '%Y%m') as invoice_month_start,
        case cost_type
            when 'tax' then 'Tax'
            when 'regular' then 'Usage'
            else 'Adjustment'
        end as charge_category,
        service_description = 'Vertex AI' and lower(sku_description) like '%claude%' as is_claude
    from distinct_rows
),

final as (
    select
        {{ focus_columns({
            'AvailabilityZone': 'zone',
            'BilledCost': 'cost',
            'BillingAccountId': 'billing_account_id',
            'BillingCurrency': 'currency',
            'BillingPeriodStart': 'invoice_month_start',
            'BillingPeriodEnd': 'invoice_month_start + interval 1 month',
            'ChargeCategory': 'charge_category',
            'ChargeDescription': 'sku_description',
            'ChargeFrequency': "'Usage-Based'",
            'ChargePeriodStart': 'usage_start',
            'ChargePeriodEnd': 'usage_end',
            'ConsumedQuantity': "case when charge_category = 'Usage' then usage_amount end",
            'ConsumedUnit': "case when charge_category = 'Usage' and usage_amount is not null then usage_unit end",
            'ContractedCost': 'cost + credits_amount',
            'EffectiveCost': 'cost + credits_amount',
            'InvoiceIssuerName': "'Google Cloud'",
            'ListCost': 'coalesce(cost_at_list, cost)',
            'PricingCategory': "case when charge_category = 'Usage' then 'Standard' end",
            'PricingQuantity': "case when charge_category = 'Usage' then usage_amount_in_pricing_units end",
            'PricingUnit': "case when charge_category = 'Usage' and usage_amount_in_pricing_units is not null then usage_pricing_unit end",
            'ProviderName': "'Google Cloud'",
            'PublisherName': "'Google Cloud'",
            'RegionId': 'region',
            'RegionName': 'region',
            'ServiceCategory': service_category('categories.service_category'),
            'ServiceName': 'service_description',
            'ServiceSubcategory': service_subcategory('categories.service_category', 'categories.service_subcategory'),
            'SkuId': 'sku_id',
            'SkuMeter': 'sku_description',
            'SubAccountId': 'project_id',
            'SubAccountName': 'coalesce(project_name, project_id)',
            'SubAccountType': "case when project_id is not null then 'GCP Project' end",
            'Tags': "case when labels_json is not null and labels_json <> '[]' then to_json(map_from_entries(from_json(labels_json, '[{\"key\": \"VARCHAR\", \"value\": \"VARCHAR\"}]'))) end",
            'ServiceProviderName': "'Google Cloud'",
            'HostProviderName': "'Google Cloud'",
            'x_Source': "'gcp_billing_export'",
            'x_SourceFile': 'source_file',
            'x_LandedAt': 'landed_at',
            'x_Model': "case when is_claude then regexp_extract(lower(sku_description), '(claude[a-z0-9 .\\-]*[a-z0-9])') end",
            'x_CostReported': 'true',
            'x_AiModelFamily': "case when is_claude then 'Claude' end",
            'x_AiChannel': "case when is_claude then 'gcp_vertex' end",
        }) }}
    from mapped
    left join categories on categories.service_key = mapped.service_description
)

select * from final
