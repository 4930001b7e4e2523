{#-
  Every provider's cost and usage in one FOCUS 1.2 table (with the 1.3 provider names and x_ columns): a
  view over the tables each source refreshes by its own unit (Anthropic by day, cloud exports by file).
  Anthropic rows (whose billing account is their organization) get the organization's, workspaces' and
  API keys' current names here, so a rename shows on every day. The analytics API reports the default workspace under its real id, which the workspace
  list leaves out: an id the list lacks is that workspace, 'default', as the legacy reports have it.
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

api_keys as (
    select * from {{ ref('stg_anthropic__api_keys') }}
),

cloud_exports as (
    select * from {{ ref('fct_cloud_spend') }}
),

anthropic_named as (
    select
        {{ focus_select('anthropic', {
            'BillingAccountName': 'organization.organization_name',
            'SubAccountId': 'coalesce(workspaces.workspace_id, default_workspace.workspace_id, anthropic.SubAccountId)',
            'SubAccountName': 'coalesce(workspaces.workspace_name, default_workspace.workspace_name, anthropic.SubAccountId)',
            'x_ApiKeyName': 'api_keys.api_key_name',
        }) }}
    from anthropic
    left join organization on anthropic.BillingAccountId = organization.organization_id
    left join workspaces
        on
            anthropic.BillingAccountId = workspaces.organization_id
            and anthropic.SubAccountId = workspaces.workspace_id
    left join workspaces as default_workspace
        on
            workspaces.workspace_id is null
            and anthropic.BillingAccountId = default_workspace.organization_id
            and default_workspace.workspace_id = 'default'
    left join api_keys
        on
            anthropic.BillingAccountId = api_keys.organization_id
            and anthropic.x_ApiKeyId = api_keys.api_key_id
),

cloud_rows as (
    select {{ focus_select('cloud_exports') }}
    from cloud_exports
),

-- the FOCUS columns in order on both sides (a mart refreshed in place adds a new column last)
final as (
    select * from anthropic_named
    union all
    select * from cloud_rows
)

select * from final
