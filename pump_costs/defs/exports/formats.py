"""The billing export formats pump-costs reads, and the raw columns it keeps from each.

Raw tables keep every listed column as text (nested values as JSON); dbt staging casts them. A column a
file lacks is stored as null, so one staging model serves every variant of a format.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class ExportFormat:
    table: str
    label: str
    required: tuple[str, ...]  # columns that identify the format; a file without them is refused
    columns: tuple[str, ...]

    def recognises(self, file_columns: set[str]) -> bool:
        return set(self.required) <= file_columns


AWS_CUR2 = ExportFormat(
    table="aws_cur2",
    label="AWS CUR 2.0",
    required=("line_item_unblended_cost", "line_item_usage_start_date", "line_item_line_item_type"),
    columns=(
        "identity_line_item_id", "identity_time_interval", "bill_payer_account_id", "bill_payer_account_name",
        "bill_billing_period_start_date", "bill_billing_period_end_date", "bill_bill_type", "bill_invoice_id",
        "bill_invoicing_entity", "line_item_usage_account_id", "line_item_usage_account_name",
        "line_item_usage_start_date", "line_item_usage_end_date", "line_item_line_item_type",
        "line_item_product_code", "line_item_usage_type", "line_item_operation", "line_item_usage_amount",
        "line_item_unblended_cost", "line_item_unblended_rate", "line_item_net_unblended_cost",
        "line_item_currency_code", "line_item_line_item_description", "line_item_resource_id",
        "line_item_availability_zone", "product_servicecode", "product_product_family", "product_region_code",
        "product_sku", "product", "pricing_unit", "pricing_public_on_demand_cost", "pricing_term",
        "reservation_effective_cost", "savings_plan_savings_plan_effective_cost", "resource_tags",
    ),
)

AWS_CUR_LEGACY = ExportFormat(
    table="aws_cur_legacy",
    label="AWS legacy CUR",
    required=("lineItem/UnblendedCost", "lineItem/UsageStartDate", "lineItem/LineItemType"),
    columns=(
        "identity/LineItemId", "identity/TimeInterval", "bill/InvoiceId", "bill/InvoicingEntity", "bill/BillType",
        "bill/PayerAccountId", "bill/BillingPeriodStartDate", "bill/BillingPeriodEndDate",
        "lineItem/UsageAccountId", "lineItem/LineItemType", "lineItem/UsageStartDate", "lineItem/UsageEndDate",
        "lineItem/ProductCode", "lineItem/UsageType", "lineItem/Operation", "lineItem/AvailabilityZone",
        "lineItem/UsageAmount", "lineItem/CurrencyCode", "lineItem/UnblendedRate", "lineItem/UnblendedCost",
        "lineItem/LineItemDescription", "lineItem/ResourceId", "product/ProductName", "product/productFamily",
        "product/region", "product/servicecode", "product/sku", "pricing/publicOnDemandCost", "pricing/term",
        "pricing/unit", "reservation/EffectiveCost", "savingsPlan/SavingsPlanEffectiveCost",
    ),
)

GCP_BILLING = ExportFormat(
    table="gcp_billing",
    label="GCP billing export",
    required=("billing_account_id", "cost", "usage_start_time", "invoice"),
    columns=(
        "billing_account_id", "service", "sku", "usage_start_time", "usage_end_time", "project", "labels",
        "location", "export_time", "cost", "currency", "currency_conversion_rate", "usage", "credits",
        "invoice", "cost_type", "cost_at_list", "transaction_type", "seller_name",
    ),
)

AZURE_COST_DETAILS = ExportFormat(
    table="azure_cost_details",
    label="Azure cost details export",
    required=("Date", "ChargeType", "MeterCategory", "SubscriptionId"),
    columns=(
        "BillingAccountId", "BillingAccountName", "BillingPeriodStartDate", "BillingPeriodEndDate",
        "BillingProfileId", "BillingProfileName", "SubscriptionId", "SubscriptionName", "Date", "ProductName",
        "Product", "MeterId", "MeterCategory", "MeterSubCategory", "MeterName", "MeterRegion", "Quantity",
        "EffectivePrice", "UnitPrice", "PayGPrice", "Cost", "CostInBillingCurrency", "CostInUsd",
        "PaygCostInBillingCurrency", "BillingCurrency", "BillingCurrencyCode", "ResourceLocation", "ResourceId",
        "ResourceName", "ResourceGroup", "ChargeType", "Frequency", "PricingModel", "Tags", "UnitOfMeasure",
        "PublisherName", "PublisherType", "ConsumedService", "ReservationId", "ReservationName", "InvoiceId",
        "benefitId", "benefitName",
    ),
)

FOCUS = ExportFormat(
    table="focus_cost_and_usage",
    label="FOCUS cost and usage",
    required=("BilledCost", "ChargePeriodStart"),
    columns=(
        "AvailabilityZone", "BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency",
        "BillingPeriodEnd", "BillingPeriodStart", "ChargeCategory", "ChargeClass", "ChargeDescription",
        "ChargeFrequency", "ChargePeriodEnd", "ChargePeriodStart", "CommitmentDiscountCategory",
        "CommitmentDiscountId", "CommitmentDiscountName", "CommitmentDiscountStatus", "CommitmentDiscountType",
        "ConsumedQuantity", "ConsumedUnit", "ContractedCost", "ContractedUnitPrice", "EffectiveCost",
        "InvoiceId", "InvoiceIssuerName", "ListCost", "ListUnitPrice", "PricingCategory", "PricingQuantity",
        "PricingUnit", "ProviderName", "PublisherName", "ServiceProviderName", "HostProviderName", "RegionId",
        "RegionName", "ResourceId", "ResourceName", "ResourceType", "ServiceCategory", "ServiceName",
        "ServiceSubcategory", "SkuId", "SkuMeter", "SkuPriceId", "SubAccountId", "SubAccountName",
        "SubAccountType", "Tags",
        # Pre-1.0 names, mapped in staging when the 1.x name is absent.
        "AmortizedCost", "ChargeType", "UsageQuantity", "UsageUnit", "Region", "Provider", "Publisher",
        "InvoiceIssuer",
    ),
)
