{#- One row per API-campaign send and day: the channel-normalised measures over channels and
    variations. /sends/data_series documents one metric list for every channel, so each
    measure reads the metric braze_channel_measures names for `api_send`. -#}
{%- set columns = braze_message_columns() -%}
{%- do columns.update({'campaign_id': 'string', 'send_id': 'string', 'time': 'date'}) %}
with messages as (
    select
        campaign_id, send_id, time as date,
        {%- for measure in braze_measures() %}
        sum({{ braze_measure(measure, endpoint='send') }}) as {{ measure }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ braze_source('send_message_analytics', columns) }} as m
    group by campaign_id, send_id, time
),
days as (
    select distinct campaign_id, send_id, time as date
    from {{ braze_source('send_analytics', {'campaign_id': 'string', 'send_id': 'string',
                                             'time': 'date'}) }} as a
),
keys as (
    select campaign_id, send_id, date from days
    union
    select campaign_id, send_id, date from messages
)
select
    k.campaign_id,
    k.send_id,
    k.date,
    n.campaign_name,
    {%- for measure in braze_measures() %}
    m.{{ measure }}{{ "," if not loop.last }}
    {%- endfor %}
from keys as k
left join messages as m
    on m.campaign_id = k.campaign_id and m.send_id = k.send_id and m.date = k.date
left join {{ ref('braze__campaign_names') }} as n on n.campaign_id = k.campaign_id
