{% macro braze_warn_if_no_source() %}
  {#- A wrong braze_schema would otherwise give ten empty marts and a green build: say so. -#}
  {%- if execute -%}
    {%- set found = [] -%}
    {%- for node in graph.sources.values() if node.source_name == 'braze' -%}
      {%- if adapter.get_relation(database=node.database, schema=node.schema,
                                  identifier=node.identifier) is not none -%}
        {%- do found.append(node.name) -%}
      {%- endif -%}
    {%- endfor -%}
    {%- if not found -%}
      {%- set node = (graph.sources.values() | selectattr('source_name', 'equalto', 'braze') | first) -%}
      {%- do exceptions.warn("Warning (braze): no table of tap-braze-sends in schema " ~ node.database ~ "." ~ node.schema ~ ": every mart will be empty (set var braze_schema, or BRAZE_SCHEMA)") -%}
    {%- endif -%}
  {%- endif -%}
{% endmacro %}
