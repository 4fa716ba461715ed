{#- The channel-normalised measures (sent, delivered, opens, clicks, bounces,
    unsubscribes): for each, a CASE on the row's channel that picks the Braze metric the var
    braze_channel_measures names for that channel (transform/README.md shows the table). -#}

{% macro braze_measures() %}
  {{ return(['sent', 'delivered', 'opens', 'clicks', 'bounces', 'unsubscribes']) }}
{% endmacro %}

{% macro braze_measure_metrics() %}
  {#- Every Braze metric column some measure reads (the message tables' columns used). -#}
  {%- set names = [] -%}
  {%- for measure, by_channel in var('braze_channel_measures').items() -%}
    {%- for metric in by_channel.values() -%}
      {%- if metric and metric not in names -%}{%- do names.append(metric) -%}{%- endif -%}
    {%- endfor -%}
  {%- endfor -%}
  {{ return(names | sort) }}
{% endmacro %}

{% macro braze_measure(measure, channel_column='channel', endpoint='campaign') %}
  {#- endpoint 'send': /sends/data_series, one metric list for every channel (api_send). -#}
  {%- set by_channel = var('braze_channel_measures').get(measure) or {} -%}
  {%- set null = 'cast(null as ' ~ dbt.type_bigint() ~ ')' -%}
  {%- if endpoint == 'send' -%}
    {{ by_channel.get('api_send') or null }}
  {%- else -%}
    {%- set whens = [] -%}
    {%- for channel, metric in by_channel.items() if channel not in ('api_send', 'other_channels') and metric -%}
      {%- do whens.append("when " ~ channel_column ~ " = '" ~ channel ~ "' then " ~ metric) -%}
    {%- endfor -%}
    {%- if by_channel.get('other_channels') -%}
      {%- do whens.append("when " ~ channel_column ~ " not in ('" ~ (known_channels() | join("', '")) ~ "') then " ~ by_channel['other_channels']) -%}
    {%- endif -%}
    {%- if whens -%}
    case
      {{ whens | join('\n      ') }}
    end
    {%- else -%}{{ null }}{%- endif -%}
  {%- endif -%}
{% endmacro %}

{% macro known_channels() %}
  {#- Every channel the mapping names for some measure: "other_channels" means any other. -#}
  {%- set names = [] -%}
  {%- for by_channel in var('braze_channel_measures').values() -%}
    {%- for channel in by_channel.keys() -%}
      {%- if channel not in ('api_send', 'other_channels') and channel not in names -%}
        {%- do names.append(channel) -%}
      {%- endif -%}
    {%- endfor -%}
  {%- endfor -%}
  {{ return(names | sort) }}
{% endmacro %}

{% macro braze_message_columns() %}
  {#- The columns of a message table that braze_source() needs. -#}
  {%- set columns = {'channel': 'string'} -%}
  {%- for metric in braze_measure_metrics() -%}{%- do columns.update({metric: 'integer'}) -%}{%- endfor -%}
  {{ return(columns) }}
{% endmacro %}
