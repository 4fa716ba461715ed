{#- One row per Canvas step and day: the step's stats, `sent` summed over its messages (the
    channel-normalised measure), its position in the flow, and whether it was deleted (no
    canvas_steps row: /canvas/details lists live steps only; null when canvas_steps was not
    loaded). -#}
{%- set columns = braze_message_columns() -%}
{%- do columns.update({'canvas_id': 'string', 'step_id': 'string', 'time': 'date'}) %}
{%- set steps_loaded = braze_loaded('canvas_steps') %}
with days as (
    select canvas_id, step_id, time as date, step_name, unique_recipients, conversions, revenue
    from {{ braze_source('canvas_step_analytics', {'canvas_id': 'string', 'time': 'date',
                                                    'step_id': 'string', 'step_name': 'string',
                                                    'unique_recipients': 'integer',
                                                    'conversions': 'integer',
                                                    'revenue': 'number'}) }} as a
),
messages as (
    select canvas_id, step_id, time as date, sum({{ braze_measure('sent', 'm.channel') }}) as sent
    from {{ braze_source('canvas_step_message_analytics', columns) }} as m
    group by canvas_id, step_id, time
),
keys as (
    select canvas_id, step_id, date from days
    union
    select canvas_id, step_id, date from messages
),
steps as (
    select canvas_id, step_id, name
    from {{ braze_source('canvas_steps', {'canvas_id': 'string', 'step_id': 'string',
                                           'name': 'string'}) }} as s
)
select
    k.canvas_id,
    k.step_id,
    k.date,
    n.canvas_name,
    coalesce(s.name, d.step_name) as step_name,
    p.step_position,
    d.unique_recipients,
    d.conversions,
    d.revenue,
    m.sent,
    {% if steps_loaded -%}
    s.step_id is null
    {%- else -%}
    cast(null as {{ dbt.type_boolean() }})
    {%- endif %} as deleted
from keys as k
left join days as d on d.canvas_id = k.canvas_id and d.step_id = k.step_id and d.date = k.date
left join messages as m on m.canvas_id = k.canvas_id and m.step_id = k.step_id and m.date = k.date
left join steps as s on s.canvas_id = k.canvas_id and s.step_id = k.step_id
left join {{ ref('braze__int_canvas_step_positions') }} as p
    on p.canvas_id = k.canvas_id and p.step_id = k.step_id
left join {{ ref('braze__canvas_names') }} as n on n.canvas_id = k.canvas_id
