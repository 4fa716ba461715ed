{#- One row per analytics-tracked segment and day: its size (Braze's estimate) and
    size_change, the size less the day before's (null when the day before has no size). -#}
with sizes as (
    select segment_id, time as date, size
    from {{ braze_source('segment_analytics', {'segment_id': 'string', 'time': 'date',
                                                'size': 'integer'}) }} as s
)
select
    s.segment_id,
    s.date,
    n.segment_name,
    s.size,
    s.size - before.size as size_change
from sizes as s
left join sizes as before
    on before.segment_id = s.segment_id
    and before.date = cast({{ dbt.dateadd('day', -1, 's.date') }} as date)
left join {{ ref('braze__segment_names') }} as n on n.segment_id = s.segment_id
