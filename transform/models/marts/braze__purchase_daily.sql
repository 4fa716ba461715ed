{#- One row per product (product '*': all products), app (app_id '*': all apps) and day. -#}
select product, app_id, time as date, quantity, revenue
from {{ braze_source('purchase_analytics', {'product': 'string', 'app_id': 'string',
                                             'time': 'date', 'quantity': 'integer',
                                             'revenue': 'number'}) }} as p
