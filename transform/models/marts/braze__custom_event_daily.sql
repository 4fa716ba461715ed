{#- One row per custom event, app (app_id '*': all apps) and day: its count over all users. -#}
select event_name, app_id, time as date, count
from {{ braze_source('custom_event_analytics', {'event_name': 'string', 'app_id': 'string',
                                                 'segment_id': 'string', 'time': 'date',
                                                 'count': 'integer'}) }} as e
where segment_id = '*'
