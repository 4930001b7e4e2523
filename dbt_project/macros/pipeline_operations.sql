{#-
  Operations the pipeline runs through dbt (`dbt run-operation`), so that it reaches the engine only through
  the dbt profile, whichever engine that is (pump_costs/defs/dbt/assets.py, defs/publish/assets.py).
-#}

{#- Each statement in turn: Spark's external tables over the raw lake, the published marts' files. -#}
{% macro run_statements(statements) -%}
    {%- for statement in statements -%}
        {%- do run_query(statement) -%}
    {%- endfor -%}
{%- endmacro %}

{#- Declares the raw tables in Spark's metastore (pump_costs/raw/lake.py: spark_catalogue). Each of `views` that an
    older version declared as a table is dropped first (an external table: its files stay): Spark replaces a
    view, not a table, with a view. So are the views `<view><in_place_suffix><n>` of files read in place: the
    statements declare as many as there are now. Then logs the rows of `in_place_check`, if given, as log_rows
    does: the files read in place whose rows Spark reads differ in number from those landing listed. -#}
{% macro declare_raw_tables(statements, views, in_place_suffix, in_place_check=none, rows_prefix=none) -%}
    {%- for qualified in views -%}
        {%- set schema, name = qualified.split('.') -%}
        {%- if adapter.check_schema_exists(target.database, schema) -%}
            {%- set relation = adapter.get_relation(database=target.database, schema=schema, identifier=name) -%}
            {%- if relation is not none and not relation.is_view -%}
                {%- do adapter.drop_relation(relation) -%}
            {%- endif -%}
            {%- set in_place_views = run_query("show views in " ~ schema ~ " like '" ~ name ~ in_place_suffix ~ "*'") -%}
            {%- for row in in_place_views -%}
                {%- do run_query("drop view if exists " ~ schema ~ "." ~ row[1]) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {{ run_statements(statements) }}
    {%- if in_place_check -%}
        {{ log_rows(rows_prefix, in_place_check) }}
    {%- endif -%}
{%- endmacro %}

{#- Logs, after `prefix`, a JSON object: under "daily", every model refreshed by day (tag `daily`), "schema.name":
    its table's row count and latest load time, "view" for a view, or null when the relation does not exist yet;
    under "missing", the other models ("schema.name") whose relation does not exist (not built yet, or dropped
    by hand). An ephemeral model has no relation: it is neither. -#}
{% macro model_states(prefix, load_time_column) -%}
    {%- set models = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
        | rejectattr('config.materialized', 'equalto', 'ephemeral') | list -%}
    {%- set missing = [] -%}
    {%- for node in models if 'daily' not in node.tags -%}
        {%- if adapter.get_relation(node.database, node.schema, node.alias) is none -%}
            {%- do missing.append(node.schema ~ '.' ~ node.alias) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set states = {} -%}
    {%- for node in models if 'daily' in node.tags -%}
        {%- set relation = adapter.get_relation(node.database, node.schema, node.alias) -%}
        {%- set name = node.schema ~ '.' ~ node.alias -%}
        {%- if relation is none -%}
            {%- do states.update({name: none}) -%}
        {%- elif relation.is_table -%}
            {%- set query -%}
                select cast(count(*) as {{ dbt.type_string() }}), cast(max({{ adapter.quote(load_time_column) }}) as {{ dbt.type_string() }})
                from {{ relation }}
            {%- endset -%}
            {%- set row = run_query(query).rows[0] -%}
            {%- do states.update({name: row[0] ~ ' / ' ~ row[1]}) -%}
        {%- else -%}
            {%- do states.update({name: 'view'}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do log(prefix ~ tojson({'daily': states, 'missing': missing | sort}), info=True) -%}
{%- endmacro %}

{#- Spark: each of `marts` (names of models in the marts schema) written as Parquet files into `folder`/<name>,
    the published version (defs/publish/assets.py), except those in `by_source_and_month` (name: the units to
    write, "<x_Source>/<YYYY-MM of ChargePeriodStart>"): of these only the units named are written, in folders
    source=<x_Source>/month=<YYYY-MM>, as DuckDB's publish lays fct_spend out (through a table over the folder,
    dropped after: an external table, so its files stay). Those in `columns_of` also get their columns as one
    file with no rows in `folder`/<name>__columns (for a mart with no rows: a partitioned write of no rows writes
    no file). Timestamps as they read on DuckDB, without a time zone (UTC wall time), so the published files
    have DuckDB's types. -#}
{% macro write_marts(folder, marts, by_source_and_month, columns_of) -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.alias in marts
        and node.fqn[1] == 'marts' -%}
        {%- set relation = adapter.get_relation(node.database, node.schema, node.alias) -%}
        {%- set location = spark_string(folder ~ '/' ~ node.alias) -%}
        {%- set rows -%}
            select
            {%- for column in adapter.get_columns_in_relation(relation) %}
                {% if column.dtype == 'timestamp' -%}
                    cast(`{{ column.name }}` as timestamp_ntz) as `{{ column.name }}`
                {%- else -%}
                    `{{ column.name }}`
                {%- endif %}{{ ',' if not loop.last }}
            {%- endfor %}
            from {{ relation }}
        {%- endset -%}
        {%- if node.alias in by_source_and_month -%}
            {%- set units = by_source_and_month[node.alias] -%}
            {%- if units -%}
                {%- set quoted_units = [] -%}
                {%- for unit in units -%}
                    {%- do quoted_units.append("'" ~ spark_string(unit) ~ "'") -%}
                {%- endfor -%}
                {%- set folders = relation.incorporate(path={'identifier': node.alias ~ '__published'}) -%}
                {%- do run_query('drop table if exists ' ~ folders) -%}
                {%- do run_query(
                    'create table ' ~ folders ~ " using parquet partitioned by (source, month) location '"
                    ~ location ~ "' as select * from (select *, `x_Source` as source,"
                    ~ " date_format(`ChargePeriodStart`, 'yyyy-MM') as month from (" ~ rows ~ ')) as units'
                    ~ " where concat(source, '/', month) in (" ~ quoted_units | join(', ') ~ ')'
                ) -%}
                {%- do run_query('drop table ' ~ folders) -%}
            {%- endif -%}
            {%- if node.alias in columns_of -%}
                {%- do run_query("insert overwrite directory '" ~ location ~ "__columns' using parquet " ~ rows ~ ' limit 0') -%}
            {%- endif -%}
        {%- else -%}
            {%- do run_query("insert overwrite directory '" ~ location ~ "' using parquet " ~ rows) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endmacro %}

{#- `text` inside a Spark SQL string literal. -#}
{% macro spark_string(text) -%}
    {{- text | replace('\\', '\\\\') | replace("'", "\\'") -}}
{%- endmacro %}

{#- Logs, after `prefix`, the rows of `sql` as a JSON list of lists, every value as text (null as null). -#}
{% macro log_rows(prefix, sql) -%}
    {%- set rows = [] -%}
    {%- for row in run_query(sql).rows -%}
        {%- set values = [] -%}
        {%- for value in row.values() -%}
            {%- do values.append(none if value is none else value | string) -%}
        {%- endfor -%}
        {%- do rows.append(values) -%}
    {%- endfor -%}
    {%- do log(prefix ~ tojson(rows), info=True) -%}
{%- endmacro %}
