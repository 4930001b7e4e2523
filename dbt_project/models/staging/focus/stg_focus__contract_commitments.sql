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
        {{ to_money('ContractCommitmentCost') }} as contract_commitment_cost,
        {{ to_money('ContractCommitmentQuantity') }} as contract_commitment_quantity,
        ContractCommitmentUnit as contract_commitment_unit,
        BillingCurrency as billing_currency,
        {{ to_utc_timestamp('ContractPeriodStart') }} as contract_period_start,
        {{ to_utc_timestamp('ContractPeriodEnd') }} as contract_period_end,
        {{ to_utc_timestamp('ContractCommitmentPeriodStart') }} as contract_commitment_period_start,
        {{ to_utc_timestamp('ContractCommitmentPeriodEnd') }} as contract_commitment_period_end,
        _source_file as source_file
    from source
),

final as (
    select * from renamed
)

select * from final
