{#- Claude Code per day, actor, model and local or remote use. A record's sessions, lines, commits, pull
    requests and tool actions are counted on its first model only, so they add up; estimated cost is the
    report's estimate, for attribution: that spend is already in fct_spend, through the cost report. -#}
{{ config(materialized='view', tags=['daily']) }}

with claude_code as (
    select * from {{ ref('stg_anthropic__claude_code') }}
),

counted as (
    select
        usage_date,
        organization_id,
        actor_type,
        coalesce(actor_email, actor_api_key_name) as actor,
        actor_email,
        actor_api_key_name,
        model,
        case when is_remote then 'remote' else 'local' end as environment,
        case when model_index = 0 then num_sessions else 0 end as sessions,
        case when model_index = 0 then lines_added else 0 end as lines_added,
        case when model_index = 0 then lines_removed else 0 end as lines_removed,
        case when model_index = 0 then commits else 0 end as commits,
        case when model_index = 0 then pull_requests else 0 end as pull_requests,
        case when model_index = 0 then tool_actions_accepted else 0 end as tool_actions_accepted,
        case when model_index = 0 then tool_actions_rejected else 0 end as tool_actions_rejected,
        input_tokens,
        output_tokens,
        cache_read_tokens,
        cache_creation_tokens,
        estimated_cost_usd,
        currency
    from claude_code
),

final as (
    select
        usage_date,
        organization_id,
        actor_type,
        actor,
        actor_email,
        actor_api_key_name,
        model,
        environment,
        currency,
        -- Counts as bigint: DuckDB's sum of bigints is a 128-bit integer, which Parquet (the published
        -- files) can only hold as a float; Spark's is a bigint already.
        cast(sum(sessions) as bigint) as sessions,
        cast(sum(lines_added) as bigint) as lines_added,
        cast(sum(lines_removed) as bigint) as lines_removed,
        cast(sum(commits) as bigint) as commits,
        cast(sum(pull_requests) as bigint) as pull_requests,
        cast(sum(tool_actions_accepted) as bigint) as tool_actions_accepted,
        cast(sum(tool_actions_rejected) as bigint) as tool_actions_rejected,
        cast(sum(input_tokens) as bigint) as input_tokens,
        cast(sum(output_tokens) as bigint) as output_tokens,
        cast(sum(cache_read_tokens) as bigint) as cache_read_tokens,
        cast(sum(cache_creation_tokens) as bigint) as cache_creation_tokens,
        sum(estimated_cost_usd) as estimated_cost_usd
    from counted
    group by all
)

select * from final
