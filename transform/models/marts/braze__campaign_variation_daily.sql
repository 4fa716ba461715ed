{#- One row per campaign, day, channel and variation (control groups kept): A/B comparisons. -#}
with messages as (
    select
        campaign_id, date, channel, variation_api_id,
        max(variation_name) as reported_name,
        {%- for measure in braze_measures() %}
        sum({{ measure }}) as {{ measure }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ ref('braze__int_campaign_messages') }}
    group by campaign_id, date, channel, variation_api_id
),
variations as (
    select campaign_id, variation_api_id, name
    from {{ braze_source('campaign_variations', {'campaign_id': 'string',
                                                  'variation_api_id': 'string',
                                                  'name': 'string'}) }} as v
)
select
    m.campaign_id,
    m.date,
    m.channel,
    m.variation_api_id,
    n.campaign_name,
    coalesce(v.name, m.reported_name) as variation_name,
    {%- for measure in braze_measures() %}
    m.{{ measure }}{{ "," if not loop.last }}
    {%- endfor %}
from messages as m
left join {{ ref('braze__campaign_names') }} as n on n.campaign_id = m.campaign_id
left join variations as v
    on v.campaign_id = m.campaign_id and v.variation_api_id = m.variation_api_id
