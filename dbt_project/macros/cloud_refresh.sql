{#-
  fct_cloud_spend is refreshed by export file: it holds the rows of each file's current landing
  (stg_exports__landed_files). cloud_refresh() compares the two and says which files' rows to delete
  (landed again, or no longer landed) and which to insert (landed since the last build). GCP extracts
  overlap and FOCUS files share one category per ServiceName, so a row there depends on the source's
  other files: a change to one of those sources reloads every file of that source. x_Source is the raw
  table a row was landed in (format_table); rows built under another name (an older version's) are
  unloaded and their files loaded again.
-#}
{% macro cloud_refresh() -%}
    {%- if not execute or not in_place_update() -%}
        {{ return({'unload': [], 'reload': none}) }}
    {%- endif -%}
    {%- set query -%}
        with landed as (
            select
                source_file,
                landed_at,
                format_table,
                case when format_table in ('gcp_billing', 'focus_cost_and_usage') then format_table end as whole_source
            from {{ ref('stg_exports__landed_files') }}
            where format_table <> 'focus_contract_commitments'  -- commitments, not spend
        ),

        every_built as materialized (  -- one scan of the mart
            select distinct x_Source, x_SourceFile, x_LandedAt from {{ this }}
        ),

        built as (
            select * from every_built
            where x_Source in (select format_table from landed)
        ),

        misnamed as (
            select * from every_built
            where x_Source not in (select format_table from landed)
        ),

        new_landings as (
            select * from landed
            where not exists (
                select 1 from built
                where built.x_SourceFile = landed.source_file and built.x_LandedAt = landed.landed_at
            )
        ),

        gone as (
            select * from built
            where not exists (
                select 1 from landed
                where landed.source_file = built.x_SourceFile and landed.landed_at = built.x_LandedAt
            )
            union
            select * from misnamed
        ),

        changed_whole_sources as (
            select whole_source as x_Source from new_landings where whole_source is not null
            union
            select x_Source from gone where x_Source in ('gcp_billing', 'focus_cost_and_usage')
        ),

        unload as (
            select x_SourceFile as source_file from gone
            union
            select x_SourceFile from built where x_Source in (select x_Source from changed_whole_sources)
        ),

        reload as (
            select source_file from new_landings
            union
            select source_file from landed where whole_source in (select x_Source from changed_whole_sources)
        )

        select 'unload' as action, source_file from unload
        union all
        select 'reload' as action, source_file from reload
    {%- endset -%}
    {%- set files = {'unload': [], 'reload': []} -%}
    {%- for row in run_query(query).rows -%}
        {%- do files[row[0]].append(row[1]) -%}
    {%- endfor -%}
    {{ return(files) }}
{%- endmacro %}

{#- Text values as a one-column subquery, for `column in {{ text_values(...) }}`; empty matches nothing.
    Not a constant list `in ('a', 'b')`: DuckDB pushes such a list below the FOCUS casts of the views under
    fct_cloud_spend, and a 10,000,000-row CUR period then took 27-34 s to insert rather than 18-19 s. -#}
{% macro text_values(values) -%}
    (select unnest([{%- for value in values -%}'{{ value | replace("'", "''") }}'{{ ", " if not loop.last }}{%- endfor -%}]::varchar[]))
{%- endmacro %}
