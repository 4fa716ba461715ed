{#- One row per element of a list-of-strings column (canvas_steps.next_step_ids,
    canvas_variants.first_step_ids). The loaders store such a list as PostgreSQL text[],
    DuckDB JSON and Snowflake VARIANT, so this is the one place where dialects differ beyond
    dbt's own cross-database macros. Use as
      select ..., {{ braze.list_element('e') }} as x from t {{ braze.unnest_list('t.col', 'e') }}
-#}

{% macro unnest_list(column, alias) %}
  {{ return(adapter.dispatch('unnest_list', 'braze')(column, alias)) }}
{% endmacro %}

{% macro default__unnest_list(column, alias) %}
  cross join lateral unnest({{ column }}) as {{ alias }}(element)
{% endmacro %}

{% macro duckdb__unnest_list(column, alias) %}
  cross join unnest(cast({{ column }} as varchar[])) as {{ alias }}(element)
{% endmacro %}

{% macro snowflake__unnest_list(column, alias) %}
  , lateral flatten(input => {{ column }}) as {{ alias }}
{% endmacro %}

{% macro list_element(alias, field=none) %}
  {{ return(adapter.dispatch('list_element', 'braze')(alias, field)) }}
{% endmacro %}

{% macro default__list_element(alias, field) %}{{ alias }}.element{% endmacro %}

{% macro snowflake__list_element(alias, field) -%}
  {%- if field -%}cast({{ alias }}.value:{{ field }} as {{ dbt.type_string() }})
  {%- else -%}cast({{ alias }}.value as {{ dbt.type_string() }}){%- endif -%}
{%- endmacro %}

{#- One row per object of a list-of-objects column, its `field` as the element
    (canvas_steps.next_paths: [{name, next_step_id}]): PostgreSQL jsonb, DuckDB JSON,
    Snowflake VARIANT. Read the element with list_element(alias, field). -#}

{% macro unnest_field_list(column, field, alias) %}
  {{ return(adapter.dispatch('unnest_field_list', 'braze')(column, field, alias)) }}
{% endmacro %}

{% macro default__unnest_field_list(column, field, alias) %}
  cross join lateral (
      select item ->> '{{ field }}' as element from jsonb_array_elements({{ column }}) as item
  ) as {{ alias }}
{% endmacro %}

{% macro duckdb__unnest_field_list(column, field, alias) %}
  cross join unnest(cast(json_extract_string({{ column }}, '$[*].{{ field }}') as varchar[]))
      as {{ alias }}(element)
{% endmacro %}

{% macro snowflake__unnest_field_list(column, field, alias) %}
  , lateral flatten(input => {{ column }}) as {{ alias }}
{% endmacro %}
