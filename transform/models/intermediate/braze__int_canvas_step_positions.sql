{#- Each live Canvas step's step_position: the length of the shortest path to it from a
    variant's first step (1 for a first step), following next_step_ids and next_paths
    (next_step_ids names only the message steps that follow; a delay, a Decision Split or
    Audience Paths step, and every path out of a split, are in next_paths). A breadth-first
    search unrolled into var('braze_max_step_depth') levels (plain CTEs: no recursive SQL,
    which dialects and dbt's CTE handling treat differently); each level adds the steps one
    edge away from the last level that no earlier level reached, so a loop in the flow ends.
    Steps no path reaches within the depth get no row (a null step_position). -#}
{{ config(materialized='table') }}
{%- set depth = var('braze_max_step_depth') | int %}
{%- if braze_loaded('canvas_variants') and braze_loaded('canvas_steps') %}
with first_steps as (
    select distinct v.canvas_id, {{ braze.list_element('f') }} as step_id
    from {{ braze_relation('canvas_variants') }} as v
    {{ braze.unnest_list('v.first_step_ids', 'f') }}
),
links as (
    select s.canvas_id, s.step_id as from_step_id, {{ braze.list_element('e') }} as to_step_id
    from {{ braze_relation('canvas_steps') }} as s
    {{ braze.unnest_list('s.next_step_ids', 'e') }}
    union all
    select s.canvas_id, s.step_id as from_step_id,
           {{ braze.list_element('p', 'next_step_id') }} as to_step_id
    from {{ braze_relation('canvas_steps') }} as s
    {{ braze.unnest_field_list('s.next_paths', 'next_step_id', 'p') }}
),
edges as (
    select distinct canvas_id, from_step_id, to_step_id from links where to_step_id is not null
),
level_1 as (
    select canvas_id, step_id, 1 as step_position from first_steps
)
{%- for i in range(2, depth + 1) %},
level_{{ i }} as (
    select canvas_id, step_id, step_position from level_{{ i - 1 }}
    union all
    select distinct e.canvas_id, e.to_step_id as step_id, {{ i }} as step_position
    from level_{{ i - 1 }} as r
    join edges as e on e.canvas_id = r.canvas_id and e.from_step_id = r.step_id
    where r.step_position = {{ i - 1 }}
      and not exists (
          select 1 from level_{{ i - 1 }} as seen
          where seen.canvas_id = e.canvas_id and seen.step_id = e.to_step_id
      )
)
{%- endfor %}
select canvas_id, step_id, min(step_position) as step_position
from level_{{ depth }}
group by canvas_id, step_id
{%- else %}
select
    cast(null as {{ dbt.type_string() }}) as canvas_id,
    cast(null as {{ dbt.type_string() }}) as step_id,
    cast(null as {{ dbt.type_int() }}) as step_position
where 1 = 0
{%- endif %}
