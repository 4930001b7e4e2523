"""The spend report: one self-contained HTML file (Plotly's JavaScript inlined, nothing fetched) built from
the published marts, so it shows exactly what BI tools read.

Every chart is titled with the UTC days it covers and its currency; amounts in different currencies are
drawn apart, never summed. Each point carries its exact amount (customdata) beside the float Plotly draws.
"""

from __future__ import annotations

import html
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

import duckdb
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

REPORT_FILE = "spend-report.html"
DAILY_DAYS = 90  # the daily charts
BREAKDOWN_DAYS = 30  # the Anthropic breakdowns
MOVER_DAYS = 7  # top movers: the last 7 days against the 7 before
SERVICES_SHOWN = 8  # per provider; the rest are summed as "Other services"
RUN_RATE_DAYS = 7  # as fct_budget_status forecasts
EXACT = Decimal("1e-18")
FORECAST_METHOD = (
    f"run rate: spend to date + the average daily spend of the last {RUN_RATE_DAYS} days x the days left "
    "(as fct_budget_status)"
)
CHANNEL_NAMES = {
    "anthropic_api": "Anthropic API (direct)",
    "aws_bedrock": "Amazon Bedrock",
    "gcp_vertex": "Google Vertex AI",
    "azure": "Microsoft Azure",
}
TOKEN_TYPE_NAMES = {
    "uncached_input_tokens": "input (uncached)",
    "output_tokens": "output",
    "cache_read_input_tokens": "cache reads",
    "cache_creation.ephemeral_5m_input_tokens": "cache writes (5 min)",
    "cache_creation.ephemeral_1h_input_tokens": "cache writes (1 h)",
}
CACHE_TOKEN_TYPES = [token_type for token_type in TOKEN_TYPE_NAMES if token_type.startswith("cache")]
UNCACHED_INPUT = "uncached_input_tokens"


def span(first: date, last: date) -> str:
    return f"{first.isoformat()} to {last.isoformat()}" if first != last else first.isoformat()


def money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def run_rate_forecast(to_date: Decimal, last_days: Decimal, days_left: int) -> Decimal:
    """fct_budget_status's rule, to the same 10^-18: the daily rate is rounded down before multiplying."""
    rate = (last_days / RUN_RATE_DAYS).quantize(EXACT, rounding=ROUND_DOWN)
    return to_date + rate * days_left


@dataclass
class Report:
    as_of: date | None
    html: str
    # For the Dagster materialization: spend per (currency, provider) month to date and in the run's window
    # of days, findings counted.
    month_to_date: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    window_spend: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    budgets_breached: int = 0
    anomalies_recent: int = 0


class ReportBuilder:
    def __init__(self, conn: duckdb.DuckDBPyConnection):
        self.conn = conn
        self.parts: list[str] = []
        self.as_of: date | None = conn.execute(
            "select max(charge_date) from marts.fct_daily_spend where charge_date < current_date"
        ).fetchone()[0]

    # --- helpers ---------------------------------------------------------------------------------------
    def last_days(self, count: int) -> tuple[date, list[date]]:
        """The first of the `count` days ending with the last complete day, and all of them."""
        first = self.as_of - timedelta(days=count - 1)
        return first, [first + timedelta(days=n) for n in range(count)]

    def rows(self, sql: str, params: list | None = None) -> list[tuple]:
        return self.conn.execute(sql, params or []).fetchall()

    def heading(self, text: str, note: str = "") -> None:
        self.parts.append(f"<h2>{html.escape(text)}</h2>")
        if note:
            self.parts.append(f"<p class='note'>{html.escape(note)}</p>")

    def paragraph(self, text: str) -> None:
        self.parts.append(f"<p>{html.escape(text)}</p>")

    def table(self, headers: list[str], rows: list[list[object]], empty: str) -> None:
        if not rows:
            self.paragraph(empty)
            return
        head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
        body = "".join("<tr>" + "".join(cell(v) for v in row) + "</tr>" for row in rows)
        self.parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")

    def chart(self, chart_id: str, figure: go.Figure, title: str, y_title: str = "") -> None:
        figure.update_layout(
            title={"text": html.escape(title), "font": {"size": 15}},
            template="plotly_white",
            height=420,
            margin={"l": 60, "r": 20, "t": 60, "b": 50},
            legend={"orientation": "h", "y": -0.15},
            yaxis_title=y_title,
        )
        self.parts.append(
            figure.to_html(full_html=False, include_plotlyjs=False, div_id=chart_id, config={"displaylogo": False})
        )

    @staticmethod
    def trace_values(amounts: list[Decimal]) -> dict:
        """What Plotly draws (floats) and, per point, the exact amount."""
        return {"y": [float(a) for a in amounts], "customdata": [str(a) for a in amounts]}

    def stacked_daily(self, chart_id: str, title: str, series: dict[str, dict[date, Decimal]], days: list[date]):
        figure = go.Figure()
        for name, by_day in sorted(series.items(), key=lambda item: -sum(item[1].values())):
            present = [d for d in days if d in by_day]
            figure.add_trace(
                go.Bar(
                    name=name,
                    x=[d.isoformat() for d in present],
                    **self.trace_values([by_day[d] for d in present]),
                    hovertemplate=f"{html.escape(name)}<br>%{{x}}: %{{customdata}}<extra></extra>",
                )
            )
        figure.update_layout(barmode="stack")
        # The whole period, so days without data read as gaps rather than being cut off.
        figure.update_xaxes(
            range=[(days[0] - timedelta(days=1)).isoformat(), (days[-1] + timedelta(days=1)).isoformat()]
        )
        self.chart(chart_id, figure, title, "billed cost")

    def bars(self, chart_id: str, title: str, labelled: list[tuple[str, Decimal]]) -> None:
        labelled = sorted(labelled, key=lambda item: item[1])
        figure = go.Figure(
            go.Bar(
                orientation="h",
                x=[float(a) for _, a in labelled],
                y=[label for label, _ in labelled],
                customdata=[str(a) for _, a in labelled],
                hovertemplate="%{y}: %{customdata}<extra></extra>",
            )
        )
        figure.update_layout(height=max(260, 60 + 28 * len(labelled)))
        self.chart(chart_id, figure, title)

    def currencies(self, first: date, last: date, where: str = "true") -> list[str]:
        return [
            c
            for (c,) in self.rows(
                f"select distinct billing_currency from marts.fct_daily_spend where charge_date between ? and ? "
                f"and {where} order by 1",
                [first, last],
            )
        ]

    # --- sections --------------------------------------------------------------------------------------
    def month_to_date(self) -> dict[tuple[str, str], Decimal]:
        as_of = self.as_of
        month_start = as_of.replace(day=1)
        month_end = (month_start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        previous_start = (month_start - timedelta(days=1)).replace(day=1)
        previous_end = month_start - timedelta(days=1)
        previous_same_day = min(previous_start + timedelta(days=as_of.day - 1), previous_end)
        days_left = (month_end - as_of).days
        self.heading(
            f"Month to date: {span(month_start, as_of)} against {span(previous_start, previous_same_day)}",
            f"Forecast to {month_end.isoformat()}: {FORECAST_METHOD}.",
        )
        daily = self.rows(
            """
            select billing_currency, charge_date, sum(billed_cost)
            from marts.fct_daily_spend where charge_date between ? and ? group by all order by all""",
            [previous_start, as_of],
        )
        by_currency: dict[str, dict[date, Decimal]] = defaultdict(dict)
        for currency, day, amount in daily:
            by_currency[currency][day] = amount
        headline = []
        for currency, by_day in sorted(by_currency.items()):
            to_date = sum((a for d, a in by_day.items() if d >= month_start), Decimal(0))
            same_days = sum((a for d, a in by_day.items() if previous_start <= d <= previous_same_day), Decimal(0))
            last_days = sum((a for d, a in by_day.items() if d > as_of - timedelta(days=RUN_RATE_DAYS)), Decimal(0))
            forecast = run_rate_forecast(to_date, last_days, days_left)
            change = f"{(to_date - same_days) / same_days:+.1%}" if same_days else "n/a (nothing last month)"
            headline.append(
                [currency, money(to_date, currency), money(same_days, currency), change, money(forecast, currency)]
            )
            figure = go.Figure()
            for name, first, last, dash in (
                (f"{month_start:%B %Y}", month_start, as_of, "solid"),
                (f"{previous_start:%B %Y}", previous_start, previous_end, "dot"),
            ):
                days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
                cumulative, running = [], Decimal(0)
                for day in days:
                    running += by_day.get(day, Decimal(0))
                    cumulative.append(running)
                figure.add_trace(
                    go.Scatter(
                        name=name,
                        x=[d.day for d in days],
                        mode="lines",
                        line={"dash": dash},
                        **self.trace_values(cumulative),
                        hovertemplate=f"{name} day %{{x}}: %{{customdata}}<extra></extra>",
                    )
                )
            figure.add_trace(
                go.Scatter(
                    name="forecast",
                    x=[as_of.day, month_end.day],
                    mode="lines",
                    line={"dash": "dash"},
                    **self.trace_values([to_date, forecast]),
                    hovertemplate="forecast day %{x}: %{customdata}<extra></extra>",
                )
            )
            figure.update_xaxes(title="day of the month")
            self.chart(
                f"month-to-date-{currency}",
                figure,
                f"Cumulative spend, {span(month_start, as_of)} (forecast to {month_end}) and "
                f"{span(previous_start, previous_end)}, {currency}",
                f"cumulative billed cost ({currency})",
            )
        self.table(
            [
                "Currency",
                f"Month to date ({span(month_start, as_of)})",
                f"Same days last month ({span(previous_start, previous_same_day)})",
                "Change",
                f"Forecast to {month_end}",
            ],
            headline,
            "No spend this month or last.",
        )
        return self.spend_by_provider(month_start, as_of)

    def spend_by_provider(self, first: date, last: date) -> dict[tuple[str, str], Decimal]:
        return {
            (currency, provider): amount
            for currency, provider, amount in self.rows(
                "select billing_currency, coalesce(provider_name, '(no provider)'), sum(billed_cost) "
                "from marts.fct_daily_spend where charge_date between ? and ? group by all",
                [first, last],
            )
        }

    def daily_spend(self) -> None:
        first, days = self.last_days(DAILY_DAYS)
        self.heading(f"Daily spend, last {DAILY_DAYS} days: {span(first, self.as_of)}")
        rows = self.rows(
            """
            select billing_currency, coalesce(provider_name, '(no provider)'), coalesce(service_name, '(no service)'),
                   charge_date, sum(billed_cost)
            from marts.fct_daily_spend where charge_date between ? and ? group by all""",
            [first, self.as_of],
        )
        by_provider: dict[str, dict[str, dict[date, Decimal]]] = defaultdict(lambda: defaultdict(dict))
        by_service: dict[tuple[str, str], dict[str, dict[date, Decimal]]] = defaultdict(lambda: defaultdict(dict))
        for currency, provider, service, day, amount in rows:
            by_provider[currency][provider][day] = by_provider[currency][provider].get(day, Decimal(0)) + amount
            by_service[(currency, provider)][service][day] = amount
        for currency, series in sorted(by_provider.items()):
            self.stacked_daily(
                f"daily-by-provider-{currency}",
                f"Daily spend by provider, {span(first, self.as_of)}, {currency}",
                series,
                days,
            )
        for (currency, provider), services in sorted(by_service.items()):
            ranked = sorted(services, key=lambda s: -sum(services[s].values()))
            shown = {s: services[s] for s in ranked[:SERVICES_SHOWN]}
            other: dict[date, Decimal] = defaultdict(Decimal)
            for service in ranked[SERVICES_SHOWN:]:
                for day, amount in services[service].items():
                    other[day] += amount
            if other:
                shown["Other services"] = dict(other)
            self.stacked_daily(
                f"daily-by-service-{slug(provider)}-{currency}",
                f"{provider}: daily spend by service, {span(first, self.as_of)}, {currency}",
                shown,
                days,
            )

    def claude_channels(self) -> None:
        first, days = self.last_days(DAILY_DAYS)
        self.heading(
            f"Claude by channel: {span(first, self.as_of)}",
            "Claude bought directly from Anthropic and through each cloud's marketplace.",
        )
        rows = self.rows(
            """
            select billing_currency, ai_channel, charge_date, sum(billed_cost)
            from marts.fct_daily_spend where ai_model_family = 'Claude' and charge_date between ? and ?
            group by all""",
            [first, self.as_of],
        )
        series: dict[str, dict[str, dict[date, Decimal]]] = defaultdict(lambda: defaultdict(dict))
        for currency, channel, day, amount in rows:
            series[currency][CHANNEL_NAMES.get(channel, channel or "(other)")][day] = amount
        if not series:
            self.paragraph("No Claude spend in these days.")
        for currency, by_channel in sorted(series.items()):
            self.stacked_daily(
                f"claude-by-channel-{currency}",
                f"Claude spend by channel, {span(first, self.as_of)}, {currency}",
                by_channel,
                days,
            )

    def anthropic_breakdowns(self) -> None:
        first = self.as_of - timedelta(days=BREAKDOWN_DAYS - 1)
        dates = span(first, self.as_of)
        self.heading(f"Anthropic, last {BREAKDOWN_DAYS} days: {dates}")
        for chart_id, label, sql in (
            ("anthropic-by-organization", "organization", "coalesce(billing_account_name, billing_account_id)"),
            ("anthropic-by-workspace", "workspace", "sub_account_label"),
            ("anthropic-by-model", "model", "coalesce(model, '(web search, code execution)')"),
            ("anthropic-by-api-key", "API key", "coalesce(api_key_label, '(no key)')"),
        ):
            for currency, by_label in self.grouped(
                f"select billing_currency, {sql}, sum(billed_cost) from marts.fct_daily_spend "
                "where provider_name = 'Anthropic' and charge_date between ? and ? group by all",
                [first, self.as_of],
            ).items():
                self.bars(f"{chart_id}-{currency}", f"Anthropic spend by {label}, {dates}, {currency}", by_label)
        for currency, by_user in self.grouped(
            """
            select billing_currency,
                   case when actor_type is null then '(not attributed: legacy-report days)'
                        else coalesce(actor_name, actor_id) || ' (' || actor_type || ')' end,
                   sum(billed_cost)
            from marts.fct_anthropic_daily_cost_by_key where charge_date between ? and ? group by all""",
            [first, self.as_of],
        ).items():
            self.bars(f"anthropic-by-user-{currency}", f"Anthropic spend by user or key, {dates}, {currency}", by_user)
        self.token_types(first, dates)

    def grouped(self, sql: str, params: list) -> dict[str, list[tuple[str, Decimal]]]:
        grouped: dict[str, list[tuple[str, Decimal]]] = defaultdict(list)
        for currency, label, amount in self.rows(sql, params):
            grouped[currency].append((label, amount))
        return dict(sorted(grouped.items()))

    def token_types(self, first: date, dates: str) -> None:
        """Cost per token type, and what caching saved or cost: cache reads against the same tokens at the
        uncached input price of the same model, tier and day; cache writes likewise (their premium)."""
        rows = self.rows(
            """
            select BillingCurrency, x_Model, x_ServiceTier, cast(ChargePeriodStart as date), x_TokenType,
                   sum(BilledCost), sum(ConsumedQuantity)
            from marts.fct_spend
            where ProviderName = 'Anthropic' and x_TokenType is not null and x_CostReported
              and ChargePeriodStart >= ? and ChargePeriodStart < ?
            group by all""",
            [first, self.as_of + timedelta(days=1)],
        )
        by_type: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        lines: dict[tuple, dict[str, tuple[Decimal, Decimal]]] = defaultdict(dict)
        for currency, model, tier, day, token_type, cost, tokens in rows:
            by_type[currency][token_type] += cost
            lines[(currency, model, tier, day)][token_type] = (cost, Decimal(tokens or 0))
        effect: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for (currency, *_), types in lines.items():
            input_cost, input_tokens = types.get(UNCACHED_INPUT, (Decimal(0), Decimal(0)))
            if not input_tokens:
                continue
            for token_type in CACHE_TOKEN_TYPES:
                cost, tokens = types.get(token_type, (Decimal(0), Decimal(0)))
                effect[currency][TOKEN_TYPE_NAMES[token_type]] += tokens * input_cost / input_tokens - cost
        for currency, costs in sorted(by_type.items()):
            self.bars(
                f"anthropic-by-token-type-{currency}",
                f"Anthropic token spend by token type, {dates}, {currency}",
                [(TOKEN_TYPE_NAMES.get(t, t), a) for t, a in costs.items()],
            )
            self.table(
                ["Caching", f"Saved (+) or cost extra (-) against uncached input, {currency}"],
                [[label, f"{amount:+,.2f}"] for label, amount in effect[currency].items()],
                "No cache use in these days.",
            )

    def top_movers(self) -> None:
        recent_first = self.as_of - timedelta(days=MOVER_DAYS - 1)
        before_first = recent_first - timedelta(days=MOVER_DAYS)
        before_last = recent_first - timedelta(days=1)
        self.heading(
            f"Top movers: {span(recent_first, self.as_of)} against {span(before_first, before_last)}",
            "Services, Anthropic workspaces x models and API keys whose spend changed most week over week.",
        )
        rows = self.rows(
            """
            with weeks as (
                select billing_currency, scope_type, scope_name,
                       coalesce(sum(billed_cost) filter (where charge_date >= ?), 0) as recent,
                       coalesce(sum(billed_cost) filter (where charge_date < ?), 0) as before
                from marts.fct_daily_spend_by_scope
                where scope_type in ('provider_service', 'workspace_model', 'api_key')
                  and charge_date between ? and ?
                group by all
            )
            select billing_currency, scope_type, scope_name, before, recent, recent - before as change
            from weeks where recent != before order by abs(change) desc, scope_name limit 10""",
            [recent_first, recent_first, before_first, self.as_of],
        )
        self.table(
            ["Currency", "Scope", "Name", span(before_first, before_last), span(recent_first, self.as_of), "Change"],
            [[c, SCOPE_NAMES[t], n, f"{b:,.2f}", f"{r:,.2f}", f"{ch:+,.2f}"] for c, t, n, b, r, ch in rows],
            "No spend changed between these weeks.",
        )

    def budgets(self) -> int:
        self.heading(
            f"Budgets: {self.as_of:%B %Y} through {self.as_of}",
            f"Budgets come from the budgets file; forecast: {FORECAST_METHOD}.",
        )
        rows = self.rows(
            """
            select billing_currency, scope_type, scope_name, budget_amount, actual_cost, forecast_cost,
                   budget_status, breach_date, forecast_breach_date, actual_through
            from marts.fct_budget_status where budget_month = date_trunc('month', cast(? as date))
            order by billing_currency, scope_type, scope_name""",
            [self.as_of],
        )
        by_currency: dict[str, list[tuple]] = defaultdict(list)
        for row in rows:
            by_currency[row[0]].append(row)
        for currency, budgets in sorted(by_currency.items()):
            labels = [f"{SCOPE_NAMES[t]}: {n}" for _, t, n, *_ in budgets]
            figure = go.Figure()
            for name, index in (("actual to date", 4), ("forecast to month end", 5), ("budget", 3)):
                figure.add_trace(
                    go.Bar(
                        name=name,
                        x=labels,
                        **self.trace_values([b[index] for b in budgets]),
                        hovertemplate=f"%{{x}} {name}: %{{customdata}}<extra></extra>",
                    )
                )
            figure.update_layout(barmode="group")
            self.chart(
                f"budgets-{currency}",
                figure,
                f"Budgets against actual and forecast, {span(self.as_of.replace(day=1), self.as_of)}, {currency}",
                currency,
            )
        self.table(
            [
                "Currency",
                "Scope",
                "Name",
                "Budget",
                "Actual",
                "Actual through",
                "Forecast",
                "Status",
                "Passed on",
                "Forecast to pass on",
            ],
            [
                [c, SCOPE_NAMES[t], n, f"{b:,.2f}", f"{a:,.2f}", th, f"{f:,.2f}", s.replace("_", " "), bd, fbd]
                for c, t, n, b, a, f, s, bd, fbd, th in rows
            ],
            "No budgets: add a budgets file (see the README's Budgets section).",
        )
        return sum(1 for row in rows if row[6] != "within_budget")

    def anomalies(self) -> int:
        first = self.as_of - timedelta(days=BREAKDOWN_DAYS - 1)
        self.heading(
            f"Anomalies: {span(first, self.as_of)}",
            "A day far from the median of the days before it, by both a robust spread (median absolute deviation) "
            "and a minimum amount; the README gives the method and its thresholds.",
        )
        rows = self.rows(
            """
            select charge_date, billing_currency, scope_type, scope_name, billed_cost, expected_cost, deviation,
                   direction
            from marts.fct_spend_anomalies where charge_date between ? and ? order by charge_date desc, scope_name""",
            [first, self.as_of],
        )
        self.table(
            ["Day", "Currency", "Scope", "Name", "Spend", "Expected", "Deviation", "Direction"],
            [
                [d, c, SCOPE_NAMES[t], n, f"{b:,.2f}", f"{e:,.2f}", f"{dv:+,.2f}", di]
                for d, c, t, n, b, e, dv, di in rows
            ],
            "No anomalies in these days.",
        )
        return len(rows)

    def freshness(self) -> None:
        self.heading("Data freshness", "The last day each source has data for (UTC).")
        self.table(
            ["Source", "First day", "Last day with data", "Days behind the report's last day"],
            [
                [source, first, last, (self.as_of - last).days]
                for source, first, last in self.rows(
                    "select x_Source, min(cast(ChargePeriodStart as date)), max(cast(ChargePeriodStart as date)) "
                    "from marts.fct_spend group by all order by 1"
                )
            ],
            "No data yet.",
        )
        first = self.as_of - timedelta(days=BREAKDOWN_DAYS - 1)
        self.heading(
            f"Usage no cost line prices: {span(first, self.as_of)}",
            "Priority Tier usage on days the legacy cost report serves: the tokens are real, the cost report "
            "does not price them (Anthropic bills Priority Tier on its commitment).",
        )
        self.table(
            ["Model", "Service tier", "Token type", "Tokens"],
            [
                [m, t, k, f"{q:,}"]
                for m, t, k, q in self.rows(
                    """
                    select x_Model, x_ServiceTier, x_TokenType, cast(sum(ConsumedQuantity) as hugeint)
                    from marts.fct_spend
                    where not x_CostReported and ChargePeriodStart >= ? and ChargePeriodStart < ?
                    group by all order by all""",
                    [first, self.as_of + timedelta(days=1)],
                )
            ],
            "None: every day's usage is priced.",
        )


SCOPE_NAMES = {
    "total": "total",
    "provider": "provider",
    "service": "service",
    "provider_service": "provider / service",
    "billing_account": "billing account",
    "workspace": "workspace",
    "workspace_model": "workspace / model",
    "api_key": "API key",
}


NUMBER = re.compile(r"[+-]?[\d,]+(\.\d+)?%?( [A-Z]{3})?")


def cell(value: object) -> str:
    text = "" if value is None else str(value)
    numeric = " class='number'" if NUMBER.fullmatch(text) else ""
    return f"<td{numeric}>{html.escape(text)}</td>"


def slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")


STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 1200px;
       color: #1f2933; padding: 0 1rem; }
h1 { margin-bottom: 0.2rem; } h2 { margin-top: 2.5rem; border-bottom: 1px solid #d9e2ec; }
.note { color: #52606d; margin-top: -0.5rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.9rem; }
th, td { border: 1px solid #d9e2ec; padding: 0.3rem 0.6rem; text-align: left; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
"""


def build_report(
    conn: duckdb.DuckDBPyConnection, window: tuple[date, date] | None = None, generated_at: datetime | None = None
) -> Report:
    """The report from a connection to the published marts; `window` (first and last day) is the run's,
    whose spend per provider the materialization records (the last complete day when there is none)."""
    generated_at = generated_at or datetime.now(UTC)
    builder = ReportBuilder(conn)
    header = (
        f"<h1>pump-costs spend report</h1><p class='note'>Built {generated_at:%Y-%m-%d %H:%M} UTC from the "
        f"published marts. All days are UTC; amounts are billed cost in each billing currency.</p>"
    )
    if builder.as_of is None:
        builder.paragraph("No spend has been published yet: run the pipeline first.")
        return Report(as_of=None, html=page(header + "".join(builder.parts)))
    builder.paragraph(f"Last complete day: {builder.as_of} (the latest day with spend before today).")
    month_to_date = builder.month_to_date()
    builder.daily_spend()
    builder.claude_channels()
    builder.anthropic_breakdowns()
    builder.top_movers()
    breached = builder.budgets()
    anomalies = builder.anomalies()
    builder.freshness()
    return Report(
        as_of=builder.as_of,
        html=page(header + "".join(builder.parts)),
        month_to_date=month_to_date,
        window_spend=builder.spend_by_provider(*(window or (builder.as_of, builder.as_of))),
        budgets_breached=breached,
        anomalies_recent=anomalies,
    )


def page(body: str) -> str:
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>pump-costs spend report</title>"
        f"<style>{STYLE}</style><script>{get_plotlyjs()}</script></head><body>{body}</body></html>"
    )


def write_report(published_database: Path, target: Path, window: tuple[date, date] | None = None) -> Report:
    """Build from the published DuckDB file and replace `target` in one rename: a reader opening the
    report never sees half of it."""
    with duckdb.connect(str(published_database), read_only=True) as conn:
        report = build_report(conn, window)
    staged = target.with_name(f".{target.name}.tmp")
    staged.write_text(report.html, encoding="utf-8")
    os.replace(staged, target)
    return report
