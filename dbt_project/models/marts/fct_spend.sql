{#-
  Every provider's cost and usage in one FOCUS 1.2 table (with the 1.3 provider names and x_ columns): a
  view over the tables each source refreshes by its own unit (Anthropic by day, cloud exports by file).
  Anthropic rows get the organization's and workspaces' current names here, so a rename shows on every day.
-#}
{{ config(materialized='view') }}

with anthropic as (
    select * from {{ ref('fct_anthropic_spend') }}
),

organization as (
    select * from {{ ref('stg_anthropic__organization') }}
),

workspaces as (
    select * from {{ ref('stg_anthropic__workspaces') }}
),

cloud_exports as (
    select * from {{ ref('fct_cloud_spend') }}
),

anthropic_named as (
    select
        anthropic.* replace (
            organization.organization_id as BillingAccountId,
            organization.organization_name as BillingAccountName,
            coalesce(workspaces.workspace_name, anthropic.SubAccountId) as SubAccountName
        )
    from anthropic
    left join organization on true
    left join workspaces on anthropic.SubAccountId = workspaces.workspace_id
),

final as (
    select * from anthropic_named
    union all by name
    select * from cloud_exports
)

select * from final
