{#- Each campaign id with its current name: /campaigns/list's, else /campaigns/details'. -#}
{{ config(materialized='view') }}
with listed as (
    select campaign_id, name
    from {{ braze_source('campaigns', {'campaign_id': 'string', 'name': 'string'}) }} as c
),
detailed as (
    select campaign_id, name
    from {{ braze_source('campaign_details', {'campaign_id': 'string', 'name': 'string'}) }} as d
),
ids as (
    select campaign_id from listed
    union
    select campaign_id from detailed
)
select ids.campaign_id, coalesce(listed.name, detailed.name) as campaign_name
from ids
left join listed on listed.campaign_id = ids.campaign_id
left join detailed on detailed.campaign_id = ids.campaign_id
