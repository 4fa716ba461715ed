{#- The tap's tables, each read through braze_source(): the table when the loader created
    it, else an empty relation of the same (used) columns, so that a stream the user did not
    select leaves its marts empty instead of breaking the build. -#}

{% macro braze_relation(name) %}
  {#- The loaded table, or none. source() is always called, so that dbt's graph (and
      `dbt docs`) shows the dependency whether or not the table exists yet. -#}
  {%- set declared = source('braze', name) -%}
  {%- if not execute -%}{{ return(none) }}{%- endif -%}
  {{ return(adapter.get_relation(database=declared.database, schema=declared.schema,
                                 identifier=declared.identifier)) }}
{% endmacro %}

{% macro braze_loaded(name) %}
  {{ return(braze_relation(name) is not none) }}
{% endmacro %}

{% macro braze_source(name, columns) %}
  {#- columns: {column: kind}, kind one of string, integer, number, date, boolean. -#}
  {%- set relation = braze_relation(name) -%}
  {%- if relation is not none -%}
    {{ relation }}
  {%- else -%}
    (select
    {%- for column, kind in columns.items() %}
      cast(null as {{ braze_type(kind) }}) as {{ column }}{{ "," if not loop.last }}
    {%- endfor %}
    where 1 = 0)
  {%- endif -%}
{% endmacro %}

{% macro braze_type(kind) %}
  {%- if kind == 'string' -%}{{ dbt.type_string() }}
  {%- elif kind == 'integer' -%}{{ dbt.type_bigint() }}
  {%- elif kind == 'number' -%}{{ dbt.type_float() }}
  {%- elif kind == 'boolean' -%}{{ dbt.type_boolean() }}
  {%- elif kind == 'date' -%}date
  {%- else -%}{{ exceptions.raise_compiler_error("braze_type: unknown kind " ~ kind) }}
  {%- endif -%}
{% endmacro %}
