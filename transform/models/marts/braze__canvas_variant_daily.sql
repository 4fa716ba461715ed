{#- One row per Canvas variant and day; conversion_rate = conversions / entries (null when
    nobody entered). -#}
with days as (
    select canvas_id, variant_id, time as date, variant_name, entries, conversions, revenue
    from {{ braze_source('canvas_variant_analytics', {'canvas_id': 'string', 'time': 'date',
                                                       'variant_id': 'string',
                                                       'variant_name': 'string',
                                                       'entries': 'integer',
                                                       'conversions': 'integer',
                                                       'revenue': 'number'}) }} as a
),
variants as (
    select canvas_id, variant_id, name
    from {{ braze_source('canvas_variants', {'canvas_id': 'string', 'variant_id': 'string',
                                              'name': 'string'}) }} as v
)
select
    d.canvas_id,
    d.variant_id,
    d.date,
    n.canvas_name,
    coalesce(v.name, d.variant_name) as variant_name,
    d.entries,
    d.conversions,
    d.revenue,
    cast(d.conversions as {{ dbt.type_float() }})
        / nullif(cast(d.entries as {{ dbt.type_float() }}), 0) as conversion_rate
from days as d
left join variants as v on v.canvas_id = d.canvas_id and v.variant_id = d.variant_id
left join {{ ref('braze__canvas_names') }} as n on n.canvas_id = d.canvas_id
