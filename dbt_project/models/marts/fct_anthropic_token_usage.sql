{#- Anthropic token usage at the usage report's full grain, with the current workspace and API key names.
    A view: the usage report is already at this grain, so there is nothing to store twice. -#}
{{ config(materialized='view') }}

with usage as (
    select * from {{ ref('stg_anthropic__usage') }}
),

workspaces as (
    select * from {{ ref('stg_anthropic__workspaces') }}
),

api_keys as (
    select * from {{ ref('stg_anthropic__api_keys') }}
),

final as (
    select
        usage.usage_date,
        usage.organization_id,
        usage.api_key_id,
        case when usage.api_key_id is null then 'Console (no API key)' else api_keys.api_key_name end
            as api_key_name,
        usage.workspace_id,
        workspaces.workspace_name,
        usage.model,
        usage.service_tier,
        usage.context_window,
        usage.inference_geo,
        usage.uncached_input_tokens,
        usage.output_tokens,
        usage.cache_read_input_tokens,
        usage.cache_creation_5m_input_tokens,
        usage.cache_creation_1h_input_tokens,
        usage.web_search_requests,
        usage.uncached_input_tokens + usage.output_tokens + usage.cache_read_input_tokens
        + usage.cache_creation_5m_input_tokens + usage.cache_creation_1h_input_tokens as total_tokens
    from usage
    left join workspaces
        on
            usage.organization_id = workspaces.organization_id
            and usage.workspace_id = workspaces.workspace_id
    left join api_keys
        on
            usage.organization_id = api_keys.organization_id
            and usage.api_key_id = api_keys.api_key_id
)

select * from final
