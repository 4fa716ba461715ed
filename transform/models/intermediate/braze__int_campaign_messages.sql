{#- campaign_message_analytics with the channel-normalised measures (macros/measures.sql). A
    variation Braze reports by name only (variation_api_id null) keeps the tap's `variation`
    (its name, or "(unnamed)") as its id, so that the variation key is never null. -#}
{{ config(materialized='view') }}
{%- set columns = braze_message_columns() -%}
{%- do columns.update({'campaign_id': 'string', 'time': 'date', 'variation': 'string',
                       'variation_api_id': 'string', 'variation_name': 'string'}) %}
select
    m.campaign_id,
    m.time as date,
    m.channel,
    coalesce(m.variation_api_id, m.variation) as variation_api_id,
    m.variation_name,
    {%- for measure in braze_measures() %}
    {{ braze_measure(measure, 'm.channel') }} as {{ measure }}{{ "," if not loop.last }}
    {%- endfor %}
from {{ braze_source('campaign_message_analytics', columns) }} as m
