with source as (
    select * from {{ source('focus', 'focus_contract_commitments') }}
),

renamed as (
    select
        ContractId as contract_id,
        ContractCommitmentId as contract_commitment_id,
        ContractCommitmentCategory as contract_commitment_category,
        ContractCommitmentType as contract_commitment_type,
        ContractCommitmentDescription as contract_commitment_description,
        ContractCommitmentCost as contract_commitment_cost,
        ContractCommitmentQuantity as contract_commitment_quantity,
        ContractCommitmentUnit as contract_commitment_unit,
        BillingCurrency as billing_currency,
        ContractPeriodStart as contract_period_start,
        ContractPeriodEnd as contract_period_end,
        ContractCommitmentPeriodStart as contract_commitment_period_start,
        ContractCommitmentPeriodEnd as contract_commitment_period_end,
        _source_file as source_file
    from source
),

final as (
    select * from renamed
)

select * from final
