{#- Each Canvas id with its current name: /canvas/list's, else /canvas/details'. -#}
{{ config(materialized='view') }}
with listed as (
    select canvas_id, name
    from {{ braze_source('canvases', {'canvas_id': 'string', 'name': 'string'}) }} as c
),
detailed as (
    select canvas_id, name
    from {{ braze_source('canvas_details', {'canvas_id': 'string', 'name': 'string'}) }} as d
),
ids as (
    select canvas_id from listed
    union
    select canvas_id from detailed
)
select ids.canvas_id, coalesce(listed.name, detailed.name) as canvas_name
from ids
left join listed on listed.canvas_id = ids.canvas_id
left join detailed on detailed.canvas_id = ids.canvas_id
