{#-
  An incremental table whose run deletes what it replaces (the model's pre_hook) and inserts the model's
  rows straight into the table, in one transaction. dbt-duckdb's own incremental materialization first
  stores the whole result in an in-memory temporary table and then copies it: for a 10,000,000-row
  billing period that doubles the time and holds ~6 GiB. A first build (or --full-refresh) creates the
  table. A column the model gained (an upgrade) is added to the table, empty on the rows already there
  until their unit is refreshed; a column the model lost stops the run before it changes anything, and
  says how to rebuild.
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
            alter table {{ relation }} add column "{{ column.name }}" {{ column.data_type }}
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
            ~ "` (from dbt_project/), then, for a model refreshed by day, run the backfill again (`make backfill`)."
        ) }}
    {%- endif -%}
{%- endmacro %}
