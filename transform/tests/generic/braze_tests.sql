{#- The package's generic tests (no dbt_utils: the package installs nothing at build time). -#}

{% test braze_unique_key(model, columns) %}
{#- One row per key: the rows whose key (the given columns) appears more than once. -#}
select {{ columns | join(', ') }}, count(*) as copies
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}

{% test braze_named(model, column_name, table, field, only_where=none) %}
{#- Every id finds its row in the tap's name table (a relationships test that passes when
    the name table was not loaded: its stream was not selected). -#}
{%- if braze_loaded(table) %}
select m.{{ column_name }}
from {{ model }} as m
where m.{{ column_name }} is not null
  {%- if only_where %} and ({{ only_where }}){% endif %}
  and not exists (
      select 1 from {{ braze_relation(table) }} as n where n.{{ field }} = m.{{ column_name }}
  )
{%- else %}
select 1 as missing where 1 = 0
{%- endif %}
{% endtest %}
