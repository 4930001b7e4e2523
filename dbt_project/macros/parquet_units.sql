{#-
  A model stored as Parquet files ("units"), each holding rows of one source and month of
  ChargePeriodStart, in units/<model>/ beside the warehouse file (the pipeline creates that folder); the
  model's relation is a view over the current units, and <model>__units lists which export files' rows each
  unit holds. fct_cloud_spend's rows are so written once: the published mart links these files rather than
  writing the rows again (defs/publish/assets.py).

  A run writes the model's rows (the files cloud_refresh() reloads) as new units, and, in one transaction,
  retires the units cloud_refresh() names and points the view at the rest and the new ones. Files of units
  no longer listed are removed by the pipeline after the build (defs/dbt/assets.py), so a run stopped
  half-way leaves nothing that counts. A first build (or --full-refresh) writes every row. A column the model
  gained is null on the units written before; a column the model lost stops the run before it changes
  anything, and says how to rebuild.
-#}
{% materialization parquet_units, adapter='duckdb' %}
    {%- set view_relation = this.incorporate(type='view') -%}
    {%- set units = units_relation() -%}
    {%- set updating = units_update() -%}
    {%- set model_columns = get_column_schema_from_query(sql) -%}
    {%- set folder = units_folder() -%}
    {#- The units table lists each unit by its path in `folder`, so a data folder moved elsewhere keeps them. -#}
    {%- set kept_paths = [] -%}
    {%- if updating -%}
        {%- set retired = cloud_refresh()['retire'] -%}
        {%- for row in run_query("select distinct unit_path from " ~ units ~ " order by 1").rows
            if row[0] not in retired -%}
            {%- do kept_paths.append(row[0]) -%}
        {%- endfor -%}
        {%- do fail_on_gone_columns(this, unit_columns(folder, kept_paths), model_columns) -%}
    {%- endif -%}
    {%- set batch = folder ~ '/' ~ invocation_id -%}
    {%- set unit_of_row = "x_Source || '-' || coalesce(strftime(ChargePeriodStart, '%Y-%m'), 'none')" -%}
    {%- set new_units = run_query("select distinct " ~ unit_of_row ~ " from (" ~ sql ~ ")").columns[0].values() -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {#- Rows in no particular order: a Parquet reader may rely on none, and unordered writing is faster (the
        setting is the connection's, which dbt shares between models: it is reset below). -#}
    {%- do run_query("set preserve_insertion_order = false") -%}
    {%- if new_units | length == 1 -%}
        {#- One unit (a billing period delivered again): one file, not partitioned, which takes twice as long. -#}
        {%- do run_query("copy (" ~ sql ~ ") to '" ~ batch ~ "-" ~ new_units[0] ~ ".parquet' (format parquet)") -%}
    {%- elif new_units | length > 1 -%}
        {%- do run_query(
            "copy (select *, " ~ unit_of_row ~ " as unit from (" ~ sql ~ ")) to '" ~ batch
            ~ "' (format parquet, partition_by (unit), write_partition_columns false)"
        ) -%}
    {%- endif -%}
    {%- do run_query("reset preserve_insertion_order") -%}
    {%- set new_paths = [] -%}
    {%- if new_units | length > 0 -%}
        {%- set written -%}
            select file from glob('{{ batch }}-*.parquet')
            union all
            select file from glob('{{ batch }}/*/*.parquet')
            order by 1
        {%- endset -%}
        {%- for row in run_query(written).rows -%}
            {%- do new_paths.append(row[0][folder | length + 1:]) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set paths = kept_paths + new_paths -%}

    {{ run_hooks(pre_hooks, inside_transaction=True) }}
    {%- if not updating -%}
        {{ drop_relation_if_exists(load_cached_relation(this)) }}
        {% call statement('drop_units') -%}
            drop table if exists {{ units }}
        {%- endcall %}
    {%- endif -%}
    {% call statement('record_units') -%}
        create table if not exists {{ units }} (
            unit_path string, x_Source string, charge_month string, x_SourceFile string, x_LandedAt timestamp
        );
        delete from {{ units }} where unit_path not in {{ text_values(kept_paths) }};
        {%- if new_paths %}
        insert into {{ units }}
        select distinct
            substr(filename, {{ folder | length + 2 }}),
            x_Source,
            strftime(ChargePeriodStart, '%Y-%m'),
            x_SourceFile,
            x_LandedAt
        from read_parquet({{ unit_files(folder, new_paths) }}, filename = true, hive_partitioning = false);
        {%- endif %}
    {%- endcall %}
    {% call statement('main') -%}
        {{ units_view(view_relation, folder, paths, model_columns) }}
    {%- endcall %}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {% do adapter.commit() %}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
    {{ return({'relations': [view_relation]}) }}
{% endmaterialization %}

{#- Whether this run updates the model's units (dbt's is_incremental(), for parquet_units models). -#}
{% macro units_update() -%}
    {{ return(adapter.dispatch('units_update')()) }}
{%- endmacro %}

{% macro duckdb__units_update() -%}
    {%- if not execute or should_full_refresh() -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set existing = adapter.get_relation(this.database, this.schema, this.identifier) -%}
    {%- set units = adapter.get_relation(this.database, this.schema, this.identifier ~ '__units') -%}
    {{ return(existing is not none and existing.is_view and units is not none) }}
{%- endmacro %}

{% macro units_relation() -%}
    {{ return(this.incorporate(path={'identifier': this.identifier ~ '__units'}, type='table')) }}
{%- endmacro %}

{#- units/<model> in the warehouse file's folder, as an absolute path (the view is read from anywhere). -#}
{% macro units_folder() -%}
    {%- set query -%}
        select parse_dirpath(path) from duckdb_databases() where database_name = current_database()
    {%- endset -%}
    {{ return(run_query(query).columns[0].values()[0] ~ '/units/' ~ this.identifier) }}
{%- endmacro %}

{#- The view over the units, with the model's columns in its order and types: a column no unit holds yet
    (the model gained it) is null. -#}
{% macro units_view(relation, folder, paths, model_columns) -%}
    {%- set held = unit_columns(folder, paths) -%}
    create or replace view {{ relation }} as
    select
    {%- for column in model_columns %}
        {% if column.name | lower in held -%}
            cast("{{ column.name }}" as {{ column.data_type }})
        {%- else -%}
            cast(null as {{ column.data_type }})
        {%- endif %} as "{{ column.name }}"{{ "," if not loop.last }}
    {%- endfor %}
    {%- if paths %}
    from read_parquet({{ unit_files(folder, paths) }}, union_by_name = true, hive_partitioning = false)
    {%- else %}
    where false
    {%- endif %}
{%- endmacro %}

{#- The (lower-case) names of the columns the unit files hold. -#}
{% macro unit_columns(folder, paths) -%}
    {%- if not paths -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set query -%}
        select column_name
        from (describe select * from read_parquet({{ unit_files(folder, paths) }}, union_by_name = true, hive_partitioning = false))
    {%- endset -%}
    {{ return(run_query(query).columns[0].values() | map('lower') | list) }}
{%- endmacro %}

{#- The units' files, as a DuckDB list of absolute paths for read_parquet. -#}
{% macro unit_files(folder, paths) -%}
    [{%- for path in paths -%}'{{ (folder ~ '/' ~ path) | replace("'", "''") }}'{{ ", " if not loop.last }}{%- endfor -%}]
{%- endmacro %}

{#- Spark: the units are the partitions of the model's table. -#}
{% macro spark__units_update() -%}
    {{ return(in_place_update()) }}
{%- endmacro %}

{#-
  Spark: a table partitioned by export file (x_Source, x_SourceFile), each partition a unit (see
  spark__cloud_refresh). A run overwrites the partitions of the files it writes, then drops those of the
  files retired; a run stopped half-way leaves each file's rows whole (old or new) and fails, so nothing is
  published until it is run again.
-#}
{% materialization parquet_units, adapter='spark' %}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set updating = units_update() -%}
    {%- set refresh = cloud_refresh() -%}
    {%- if updating -%}
        {%- do add_new_columns_or_fail_on_gone(target_relation, sql) -%}
    {%- endif -%}
    {%- set unit_columns = ['x_Source', 'x_SourceFile'] -%}
    {%- set columns = get_column_schema_from_query(sql) | map(attribute='name') | reject('in', unit_columns) | list -%}
    {%- set ordered -%}
        select {% for column in columns + unit_columns %}`{{ column }}`{{ ', ' if not loop.last }}{% endfor %} from ({{ sql }})
    {%- endset -%}
    {{ run_hooks(pre_hooks) }}
    {%- if not updating -%}
        {{ drop_relation_if_exists(load_cached_relation(this)) }}
        {% call statement('main') -%}
            create table {{ target_relation }} using parquet partitioned by (`x_Source`, `x_SourceFile`) as {{ ordered }}
        {%- endcall %}
    {%- else -%}
        {%- do run_query("set spark.sql.sources.partitionOverwriteMode = dynamic") -%}
        {% call statement('main') -%}
            {%- if refresh['reload'] -%}
                insert overwrite table {{ target_relation }} partition (`x_Source`, `x_SourceFile`) {{ ordered }}
            {%- else -%}
                select 1
            {%- endif -%}
        {%- endcall %}
        {%- for source, file in refresh['retire'] -%}
            {%- do run_query(
                "alter table " ~ target_relation ~ " drop if exists partition (`x_Source` = '" ~ source
                ~ "', `x_SourceFile` = '" ~ (file | replace("'", "''")) ~ "')"
            ) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ run_hooks(post_hooks) }}
    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
