{#- FOCUS 1.3 contract commitments in FOCUS column names: what was committed, beside what was spent. -#}
with commitments as (
    select * from {{ ref('stg_focus__contract_commitments') }}
),

final as (
    select
        contract_id as ContractId,
        contract_commitment_id as ContractCommitmentId,
        contract_commitment_category as ContractCommitmentCategory,
        contract_commitment_type as ContractCommitmentType,
        contract_commitment_description as ContractCommitmentDescription,
        contract_commitment_cost as ContractCommitmentCost,
        contract_commitment_quantity as ContractCommitmentQuantity,
        contract_commitment_unit as ContractCommitmentUnit,
        billing_currency as BillingCurrency,
        contract_period_start as ContractPeriodStart,
        contract_period_end as ContractPeriodEnd,
        contract_commitment_period_start as ContractCommitmentPeriodStart,
        contract_commitment_period_end as ContractCommitmentPeriodEnd,
        source_file as x_SourceFile
    from commitments
)

select * from final
