{#- One row per app and day (app_id '*': all apps): the KPIs, stickiness = dau / mau (null
    when mau is 0 or unknown), and the sessions of all users (segment_id '*'). -#}
with kpis as (
    select app_id, time as date, dau, mau, new_users, uninstalls
    from {{ braze_source('app_kpis', {'app_id': 'string', 'time': 'date', 'dau': 'integer',
                                       'mau': 'integer', 'new_users': 'integer',
                                       'uninstalls': 'integer'}) }} as k
),
sessions as (
    select app_id, time as date, sessions
    from {{ braze_source('session_analytics', {'app_id': 'string', 'segment_id': 'string',
                                                'time': 'date', 'sessions': 'integer'}) }} as s
    where segment_id = '*'
),
keys as (
    select app_id, date from kpis
    union
    select app_id, date from sessions
)
select
    k.app_id,
    k.date,
    p.dau,
    p.mau,
    cast(p.dau as {{ dbt.type_float() }})
        / nullif(cast(p.mau as {{ dbt.type_float() }}), 0) as stickiness,
    p.new_users,
    p.uninstalls,
    s.sessions
from keys as k
left join kpis as p on p.app_id = k.app_id and p.date = k.date
left join sessions as s on s.app_id = k.app_id and s.date = k.date
