{#- One row per campaign and day: the day totals, and `sent` summed over channels and
    variations (the channel-normalised measure). -#}
with days as (
    select campaign_id, time as date, unique_recipients, conversions, revenue
    from {{ braze_source('campaign_analytics', {'campaign_id': 'string', 'time': 'date',
                                                 'unique_recipients': 'integer',
                                                 'conversions': 'integer',
                                                 'revenue': 'number'}) }} as a
),
messages as (
    select campaign_id, date, sum(sent) as sent
    from {{ ref('braze__int_campaign_messages') }}
    group by campaign_id, date
),
keys as (
    select campaign_id, date from days
    union
    select campaign_id, date from messages
)
select
    k.campaign_id,
    k.date,
    n.campaign_name,
    d.unique_recipients,
    d.conversions,
    d.revenue,
    m.sent
from keys as k
left join days as d on d.campaign_id = k.campaign_id and d.date = k.date
left join messages as m on m.campaign_id = k.campaign_id and m.date = k.date
left join {{ ref('braze__campaign_names') }} as n on n.campaign_id = k.campaign_id
