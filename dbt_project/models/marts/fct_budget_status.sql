{#- Each budget against its scope's spend, per month up to the last complete day (`as_of_date`: the
    latest day with spend before today, UTC). Actual spend counts through `actual_through`: the month's
    end, as_of_date, or the scope's provider's last day with data when its export lags. The month is
    forecast to its end from there by run rate: spend to date plus the average daily spend of the last 7
    days through actual_through (early in a month, days of the month before count) for each day left, so a
    late export is not forecast as zero spend.
    Money stays exact: the average is taken in whole 10^-18 units, rounded down. -#}
with budgets as (
    select * from {{ ref('stg_config__budgets') }}
),

daily_by_scope as (
    select * from {{ ref('fct_daily_spend_by_scope') }}
),

as_of as (
    select max(charge_date) as as_of_date
    from daily_by_scope
    where charge_date < current_date
),

scope_freshness as (
    select
        scope_type,
        scope_name,
        billing_currency,
        max(last_data_date) as last_data_date
    from daily_by_scope
    group by all
),

months as (
    select distinct date_trunc('month', daily_by_scope.charge_date) as budget_month
    from daily_by_scope
    cross join as_of
    where daily_by_scope.charge_date <= as_of.as_of_date
),

budget_months as (
    select
        budgets.*,
        cast(months.budget_month as date) as budget_month,
        as_of.as_of_date,
        cast(last_day(months.budget_month) as date) as month_end,
        least(
            cast(last_day(months.budget_month) as date),
            as_of.as_of_date,
            coalesce(scope_freshness.last_data_date, as_of.as_of_date)
        ) as actual_through
    from budgets
    cross join months
    cross join as_of
    left join scope_freshness
        on
            budgets.scope_type = scope_freshness.scope_type
            and budgets.scope_name = scope_freshness.scope_name
            and budgets.billing_currency = scope_freshness.billing_currency
),

budget_days as (
    select
        budget_months.scope_type,
        budget_months.scope_name,
        budget_months.billing_currency,
        budget_months.budget_month,
        budget_months.budget_amount,
        budget_months.actual_through,
        daily_by_scope.charge_date,
        daily_by_scope.billed_cost,
        sum(daily_by_scope.billed_cost) over (
            partition by
                budget_months.scope_type,
                budget_months.scope_name,
                budget_months.billing_currency,
                budget_months.budget_month
            order by daily_by_scope.charge_date
        ) as cumulative_cost
    from budget_months
    inner join daily_by_scope
        on
            budget_months.scope_type = daily_by_scope.scope_type
            and budget_months.scope_name = daily_by_scope.scope_name
            and budget_months.billing_currency = daily_by_scope.billing_currency
            and budget_months.budget_month <= daily_by_scope.charge_date
            and budget_months.actual_through >= daily_by_scope.charge_date
),

month_actuals as (
    select
        scope_type,
        scope_name,
        billing_currency,
        budget_month,
        sum(billed_cost) as actual_cost,
        min(charge_date) filter (where cumulative_cost > budget_amount) as breach_date
    from budget_days
    group by all
),

recent_spend as (
    select
        budget_months.scope_type,
        budget_months.scope_name,
        budget_months.billing_currency,
        budget_months.budget_month,
        sum(daily_by_scope.billed_cost) as last_7_days_cost
    from budget_months
    inner join daily_by_scope
        on
            budget_months.scope_type = daily_by_scope.scope_type
            and budget_months.scope_name = daily_by_scope.scope_name
            and budget_months.billing_currency = daily_by_scope.billing_currency
            and budget_months.actual_through - 7 < daily_by_scope.charge_date
            and budget_months.actual_through >= daily_by_scope.charge_date
    group by all
),

run_rates as (
    select
        budget_months.*,
        coalesce(month_actuals.actual_cost, {{ money(0) }}) as actual_cost,
        month_actuals.breach_date,
        -- Days the forecast adds: those after actual_through in as_of_date's month, none in a month gone by.
        greatest({{ dbt.datediff('budget_months.actual_through', 'budget_months.month_end', 'day') }}, 0) as days_left,
        {{ integer_divide(money_units('coalesce(recent_spend.last_7_days_cost, 0)'), '7') }} as daily_rate_units
    from budget_months
    left join month_actuals
        on
            budget_months.scope_type = month_actuals.scope_type
            and budget_months.scope_name = month_actuals.scope_name
            and budget_months.billing_currency = month_actuals.billing_currency
            and budget_months.budget_month = month_actuals.budget_month
    left join recent_spend
        on
            budget_months.scope_type = recent_spend.scope_type
            and budget_months.scope_name = recent_spend.scope_name
            and budget_months.billing_currency = recent_spend.billing_currency
            and budget_months.budget_month = recent_spend.budget_month
),

forecasts as (
    select
        *,
        actual_cost + {{ units_to_money('daily_rate_units * days_left') }} as forecast_cost,
        case
            when budget_month = date_trunc('month', as_of_date) then {{ units_to_money('daily_rate_units') }}
        end as daily_run_rate,
        -- The first day the run rate takes spend past the budget: whole days, rounded up.
        case
            when breach_date is null and daily_rate_units > 0
                then actual_through + cast(
                    {{ integer_divide(money_units('budget_amount - actual_cost') ~ ' + daily_rate_units', 'daily_rate_units') }}
                    as integer
                )
        end as run_rate_crossing_date
    from run_rates
),

final as (
    select
        scope_type,
        scope_name,
        billing_currency,
        budget_month,
        as_of_date,
        actual_through,
        budget_amount,
        actual_cost,
        daily_run_rate,
        forecast_cost,
        'run rate: spend to date + average daily spend of the last 7 days x days left' as forecast_method,
        breach_date,
        case
            when breach_date is null and run_rate_crossing_date <= month_end then run_rate_crossing_date
        end as forecast_breach_date,
        case
            when actual_cost > budget_amount then 'over_budget'
            when forecast_cost > budget_amount then 'forecast_over_budget'
            else 'within_budget'
        end as budget_status
    from forecasts
)

select * from final
