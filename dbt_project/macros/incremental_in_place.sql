{#-
  An incremental table refreshed by its run's window of days (in_run_window() on the model's
  `window_column`): a run replaces the rows of its window with the model's rows, so a day that vanished
  upstream vanishes here too. A first build (or --full-refresh) creates the table. A column the model gained
  (an upgrade) is added to the table, empty on the rows already there until their day is refreshed; a
  column the model lost stops the run before it changes anything, and says how to rebuild.

  DuckDB: the window's rows are deleted and the model's rows inserted straight into the table, in one
  transaction. (dbt-duckdb's own incremental materialization first stores the whole result in an in-memory
  temporary table and then copies it: for a 10,000,000-row billing period that doubles the time and holds
  ~6 GiB.)
-#}
{% materialization incremental_in_place, adapter='duckdb' %}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set updating = in_place_update() -%}
    {%- if updating -%}
        {%- do add_new_columns_or_fail_on_gone(target_relation, sql) -%}
    {%- endif -%}
    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}
    {%- if not updating -%}
        {{ drop_relation_if_exists(load_cached_relation(this)) }}
    {%- endif -%}
    {% call statement('main') -%}
        {%- if updating -%}
            delete from {{ target_relation }} where {{ in_run_window(config.require('window_column')) }};
            insert into {{ target_relation }} by name ({{ sql }})
        {%- else -%}
            {{ create_table_as(False, target_relation, sql) }}
        {%- endif -%}
    {%- endcall %}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {% do adapter.commit() %}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}

{#- Whether this run updates the model's existing table in place (dbt's is_incremental(), for
    incremental_in_place models). -#}
{% macro in_place_update() -%}
    {%- if not execute or should_full_refresh() -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set existing = adapter.get_relation(this.database, this.schema, this.identifier) -%}
    {{ return(existing is not none and existing.is_table) }}
{%- endmacro %}

{% macro add_new_columns_or_fail_on_gone(relation, sql) -%}
    {%- set table_columns = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
    {%- set model_columns = get_column_schema_from_query(sql) -%}
    {%- do fail_on_gone_columns(relation, table_columns, model_columns) -%}
    {%- for column in model_columns if column.name | lower not in table_columns -%}
        {%- call statement('add_column_' ~ loop.index) -%}
            {{ add_column_sql(relation, column) }}
        {%- endcall -%}
    {%- endfor -%}
{%- endmacro %}

{#- Stop, changing nothing, when the stored rows (`held`: lower-case column names) have a column the model no
    longer makes, as after an upgrade. -#}
{% macro fail_on_gone_columns(relation, held, model_columns) -%}
    {%- set gone = held | reject('in', model_columns | map(attribute='name') | map('lower') | list) | list -%}
    {%- if gone -%}
        {{ exceptions.raise_compiler_error(
            relation ~ " has columns its model no longer has (" ~ (gone | join(', ')) ~ "), as after an upgrade. "
            ~ "Nothing was changed. Rebuild it with `dbt build --full-refresh --select " ~ relation.identifier
            ~ "` (from dbt_project/): it is built again from every raw row, every day included for a model refreshed by day."
        ) }}
    {%- endif -%}
{%- endmacro %}

{% macro add_column_sql(relation, column) -%}
    {{ return(adapter.dispatch('add_column_sql')(relation, column)) }}
{%- endmacro %}

{% macro duckdb__add_column_sql(relation, column) -%}
    alter table {{ relation }} add column "{{ column.name }}" {{ column.data_type }}
{%- endmacro %}

{% macro spark__add_column_sql(relation, column) -%}
    alter table {{ relation }} add columns (`{{ column.name }}` {{ column.data_type }})
{%- endmacro %}

{#-
  Spark (plain Parquet tables, which cannot delete rows): the table is partitioned by the window column (a
  day each, as the Anthropic rows are daily), a run overwrites the partitions its rows fall in and drops the
  window's other partitions. Each partition is replaced whole, but not all of them at once: a run stopped
  half-way leaves some days of its window new and some old (never doubled), and the run fails, so nothing is
  published until it is run again.
-#}
{% materialization incremental_in_place, adapter='spark' %}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set window_column = config.require('window_column') -%}
    {%- set updating = in_place_update() -%}
    {%- if updating -%}
        {%- do add_new_columns_or_fail_on_gone(target_relation, sql) -%}
    {%- endif -%}
    {%- set columns = get_column_schema_from_query(sql) | map(attribute='name') | reject('equalto', window_column) | list -%}
    {%- set ordered -%}
        select {% for column in columns %}`{{ column }}`, {% endfor %}`{{ window_column }}` from ({{ sql }})
    {%- endset -%}
    {{ run_hooks(pre_hooks) }}
    {%- if not updating -%}
        {{ drop_relation_if_exists(load_cached_relation(this)) }}
        {% call statement('main') -%}
            create table {{ target_relation }} using parquet partitioned by (`{{ window_column }}`) as {{ ordered }}
        {%- endcall %}
    {%- else -%}
        {#- `cache table` makes a temporary view, which lives as long as the Spark session: the next build in
            the same session (another run in this process) would find it. -#}
        {%- do run_query("drop view if exists " ~ this.identifier ~ "__new_rows") -%}
        {%- call statement('new_rows') -%}
            cache table {{ this.identifier }}__new_rows as {{ ordered }}
        {%- endcall -%}
        {%- do run_query("set spark.sql.sources.partitionOverwriteMode = dynamic") -%}
        {% call statement('main') -%}
            insert overwrite table {{ target_relation }} partition (`{{ window_column }}`)
            select * from {{ this.identifier }}__new_rows
        {%- endcall %}
        {%- set stale -%}
            select distinct cast(`{{ window_column }}` as string) from {{ target_relation }}
            where {{ in_run_window('`' ~ window_column ~ '`') }}
            except
            select distinct cast(`{{ window_column }}` as string) from {{ this.identifier }}__new_rows
        {%- endset -%}
        {%- for row in run_query(stale).rows -%}
            {%- do run_query(
                "alter table " ~ target_relation ~ " drop if exists partition (`" ~ window_column ~ "` = '" ~ row[0] ~ "')"
            ) -%}
        {%- endfor -%}
        {%- do run_query("uncache table " ~ this.identifier ~ "__new_rows") -%}
        {%- do run_query("drop view " ~ this.identifier ~ "__new_rows") -%}
    {%- endif -%}
    {{ run_hooks(post_hooks) }}
    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}

{#- Rows built before several organizations could be pulled (DuckDB warehouses of older versions) have no
    BillingAccountId: they belong to the one organization the warehouse then had. -#}
{% macro adopt_rows_without_organization() -%}
    {{ return(adapter.dispatch('adopt_rows_without_organization')()) }}
{%- endmacro %}

{% macro duckdb__adopt_rows_without_organization() -%}
    update {{ this }} set BillingAccountId = (
        select any_value(organization_id) from {{ source('anthropic', 'organization') }} having count(*) = 1
    )
    where BillingAccountId is null
{%- endmacro %}

{#- No Spark warehouse predates organizations. -#}
{% macro spark__adopt_rows_without_organization() -%}
    select 1
{%- endmacro %}
