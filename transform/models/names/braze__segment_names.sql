{#- Each segment id with its current name: /segments/list's, else /segments/details'. -#}
{{ config(materialized='view') }}
with listed as (
    select segment_id, name
    from {{ braze_source('segments', {'segment_id': 'string', 'name': 'string'}) }} as s
),
detailed as (
    select segment_id, name
    from {{ braze_source('segment_details', {'segment_id': 'string', 'name': 'string'}) }} as d
),
ids as (
    select segment_id from listed
    union
    select segment_id from detailed
)
select ids.segment_id, coalesce(listed.name, detailed.name) as segment_name
from ids
left join listed on listed.segment_id = ids.segment_id
left join detailed on detailed.segment_id = ids.segment_id
