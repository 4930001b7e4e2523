{#-
  fct_cloud_spend is refreshed by export file: its units (macros/parquet_units.sql) hold the rows of each
  file's current landing (stg_exports__landed_files). cloud_refresh() compares the two and says which units
  to retire (they hold rows of a file landed again, or no longer landed) and which files' rows to write
  (landed since the last build, and the other files of a retired unit). GCP extracts overlap and FOCUS
  files share one category per ServiceName, so a row there depends on the source's other files: a change
  to one of those sources rewrites the whole source. x_Source is the raw table a row was landed in
  (format_table); units built under another name (an older version's) are retired and their files
  written again. A unit whose file is missing (deleted by hand, or not restored from a backup) is lost:
  its files' rows are written again, as if landed again.
-#}
{% macro cloud_refresh() -%}
    {{ return(adapter.dispatch('cloud_refresh')()) }}
{%- endmacro %}

{% macro duckdb__cloud_refresh() -%}
    {%- if not execute or not units_update() -%}
        {{ return({'retire': [], 'reload': none}) }}
    {%- endif -%}
    {%- set folder = units_folder() -%}
    {%- set query -%}
        with recursive landed as (
            {{ landed_spend_files() }}
        ),

        every_built as materialized (
            select distinct unit_path, x_Source, x_SourceFile, x_LandedAt from {{ units_relation() }}
        ),

        present_files as (
            select file from glob('{{ folder }}/**/*.parquet')
        ),

        lost_files as (
            select x_SourceFile from every_built
            where '{{ folder }}/' || unit_path not in (select file from present_files)
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
            where
                not exists (
                    select 1 from built
                    where built.x_SourceFile = landed.source_file and built.x_LandedAt = landed.landed_at
                )
                or source_file in (select x_SourceFile from lost_files)
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

        changed_units as (
            select unit_path from every_built
            where
                x_SourceFile in (select x_SourceFile from gone)
                or x_SourceFile in (select source_file from new_landings)
                or x_Source in (select x_Source from changed_whole_sources)
        ),

        retired as (  -- and every unit sharing a file with a retired one, as that file's rows are all written again
            select unit_path from changed_units
            union
            select sharing.unit_path
            from retired
            inner join every_built as held on retired.unit_path = held.unit_path
            inner join every_built as sharing on held.x_SourceFile = sharing.x_SourceFile
        ),

        reload as (
            select source_file from new_landings
            union
            select source_file from landed where whole_source in (select x_Source from changed_whole_sources)
            union
            select built.x_SourceFile from built
            where
                built.unit_path in (select unit_path from retired)
                and not exists (
                    select 1 from gone
                    where gone.x_SourceFile = built.x_SourceFile and gone.x_LandedAt = built.x_LandedAt
                )
        )

        select distinct 'retire' as action, unit_path as value from retired
        union all
        select 'reload' as action, source_file from reload
    {%- endset -%}
    {%- set files = {'retire': [], 'reload': []} -%}
    {%- for row in run_query(query).rows -%}
        {%- do files[row[0]].append(row[1]) -%}
    {%- endfor -%}
    {{ return(files) }}
{%- endmacro %}

{#- The landed export files of spend (not commitments); `whole_source` names the sources whose rows depend on
    the source's other files. -#}
{% macro landed_spend_files() -%}
    select
        source_file,
        landed_at,
        format_table,
        case when format_table in ('gcp_billing', 'focus_cost_and_usage') then format_table end as whole_source
    from {{ ref('stg_exports__landed_files') }}
    where format_table <> 'focus_contract_commitments'  -- commitments, not spend
{%- endmacro %}

{#- Spark: a unit is a partition of the table, one per export file (x_Source, x_SourceFile), so a file's rows
    are replaced by overwriting its partition; 'retire' lists the (x_Source, x_SourceFile) partitions to drop
    (files no longer landed, or landed under another source name), 'reload' the files whose rows to write. -#}
{% macro spark__cloud_refresh() -%}
    {%- if not execute or not units_update() -%}
        {{ return({'retire': [], 'reload': none}) }}
    {%- endif -%}
    {%- set same_landing -%}
        built.x_Source = landed.format_table
        and built.x_SourceFile = landed.source_file
        and built.x_LandedAt = landed.landed_at
    {%- endset -%}
    {%- set query -%}
        with landed as (
            {{ landed_spend_files() }}
        ),

        built as (
            select distinct x_Source, x_SourceFile, x_LandedAt from {{ this }}
        ),

        new_landings as (
            select * from landed
            where not exists (select 1 from built where {{ same_landing }})
        ),

        gone as (
            select * from built
            where not exists (select 1 from landed where {{ same_landing }})
        ),

        changed_whole_sources as (
            select whole_source as x_Source from new_landings where whole_source is not null
            union
            select x_Source from gone where x_Source in ('gcp_billing', 'focus_cost_and_usage')
        ),

        reload as (
            select format_table, source_file from new_landings
            union
            select format_table, source_file from landed
            where whole_source in (select x_Source from changed_whole_sources)
        ),

        retire as (
            select x_Source, x_SourceFile from gone
            where (x_Source, x_SourceFile) not in (select format_table, source_file from reload)
        )

        select 'retire' as action, x_Source, x_SourceFile from retire
        union all
        select 'reload' as action, format_table, source_file from reload
    {%- endset -%}
    {%- set refresh = {'retire': [], 'reload': []} -%}
    {%- for row in run_query(query).rows -%}
        {%- do refresh[row[0]].append(row[1:] if row[0] == 'retire' else row[2]) -%}
    {%- endfor -%}
    {{ return(refresh) }}
{%- endmacro %}

{#- Text values as a one-column subquery, for `column in {{ text_values(...) }}`; empty matches nothing. -#}
{% macro text_values(values) -%}
    {{ return(adapter.dispatch('text_values')(values)) }}
{%- endmacro %}

{#- Not a constant list `in ('a', 'b')`: DuckDB pushes such a list below the FOCUS casts of the views under
    fct_cloud_spend, and a 10,000,000-row CUR period then took 27-34 s to insert rather than 18-19 s (measured
    when fct_cloud_spend was a table). -#}
{% macro duckdb__text_values(values) -%}
    (select unnest([{%- for value in values -%}'{{ value | replace("'", "''") }}'{{ ", " if not loop.last }}{%- endfor -%}]::string[]))
{%- endmacro %}

{% macro spark__text_values(values) -%}
    (select explode(cast(array({%- for value in values -%}'{{ value | replace("'", "''") }}'{{ ", " if not loop.last }}{%- endfor -%}) as array<string>)))
{%- endmacro %}
