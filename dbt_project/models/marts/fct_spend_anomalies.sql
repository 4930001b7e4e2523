{#- Days whose spend is far from what the scope's recent days predict: per provider x service, Anthropic
    workspace x model and Anthropic API key, in each billing currency. The expected value is the median of
    the previous `anomaly_history_days` days (a day with no spend counts as zero, a day after the provider's
    last data does not exist yet); a day is an anomaly when it is more than `anomaly_scaled_mads` scaled
    median absolute deviations away from it and by at least `anomaly_min_change` in money, so a small
    service does not alarm on cents. Medians are robust: one spike does not move the baseline that would
    hide the next. -#}
with daily_by_scope as (
    select * from {{ ref('fct_daily_spend_by_scope') }}
    where scope_type in ('provider_service', 'workspace_model', 'api_key')
),

series as (
    select
        scope_type,
        scope_name,
        provider_name,
        billing_currency,
        min(charge_date) as first_date,
        max(last_data_date) as last_data_date
    from daily_by_scope
    group by all
),

series_days as (
    select
        series.*,
        {{ each_day('series.first_date', 'series.last_data_date') }} as charge_date
    from series
),

dense_days as (
    select
        series_days.scope_type,
        series_days.scope_name,
        series_days.provider_name,
        series_days.billing_currency,
        series_days.charge_date,
        coalesce(daily_by_scope.billed_cost, {{ money(0) }}) as billed_cost
    from series_days
    left join daily_by_scope
        on
            series_days.scope_type = daily_by_scope.scope_type
            and series_days.scope_name = daily_by_scope.scope_name
            and series_days.billing_currency = daily_by_scope.billing_currency
            and series_days.charge_date = daily_by_scope.charge_date
),

baselines as (
    select
        *,
        {{ median_and_mad_over('billed_cost', 'history', 'expected_cost', 'median_absolute_deviation') }},
        count(*) over history as history_days
    from dense_days
    window history as (
        partition by
            scope_type,
            scope_name,
            billing_currency
        order by charge_date
        rows between {{ var('anomaly_history_days') }} preceding and 1 preceding
    )
),

scored as (
    select
        *,
        billed_cost - expected_cost as deviation,
        -- 1.4826 x MAD estimates the standard deviation of normally distributed spend.
        {{ money('1.4826 * median_absolute_deviation') }} as scaled_mad
    from baselines
    where history_days >= {{ var('anomaly_min_history_days') }}
),

final as (
    select
        charge_date,
        scope_type,
        scope_name,
        provider_name,
        billing_currency,
        billed_cost,
        expected_cost,
        deviation,
        scaled_mad,
        history_days,
        case when deviation > 0 then 'spike' else 'drop' end as direction
    from scored
    where
        abs(deviation) > {{ var('anomaly_scaled_mads') }} * scaled_mad
        and abs(deviation) >= {{ var('anomaly_min_change') }}
)

select * from final
