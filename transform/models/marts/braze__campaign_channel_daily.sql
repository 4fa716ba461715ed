{#- One row per campaign, day and channel: the channel-normalised measures over variations. -#}
with messages as (
    select
        campaign_id, date, channel,
        {%- for measure in braze_measures() %}
        sum({{ measure }}) as {{ measure }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ ref('braze__int_campaign_messages') }}
    group by campaign_id, date, channel
)
select
    m.campaign_id,
    m.date,
    m.channel,
    n.campaign_name,
    {%- for measure in braze_measures() %}
    m.{{ measure }}{{ "," if not loop.last }}
    {%- endfor %}
from messages as m
left join {{ ref('braze__campaign_names') }} as n on n.campaign_id = m.campaign_id
