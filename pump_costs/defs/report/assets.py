"""What people look at: the spend report (rebuilt after every publish), budget and anomaly checks, and
alerts for what they find and for failed runs."""

from collections.abc import Mapping
from datetime import date

import dagster as dg

from pump_costs.defs.partitions import partition_range_tags
from pump_costs.defs.publish.assets import PUBLISHED_DATABASE, published_connection, published_marts
from pump_costs.defs.report import alerts
from pump_costs.defs.report.spend_report import REPORT_FILE, write_report
from pump_costs.warehouse import published_dir

LISTED = 20  # a check's description lists this many findings, then counts the rest


def report_path():
    return published_dir() / REPORT_FILE


def run_window(tags: Mapping[str, str]) -> tuple[date, date] | None:
    """The days a partitioned run covers (a schedule tick, a backfill), from its partition range tags."""
    first, last = (tags.get(name) for name in partition_range_tags("", ""))
    return (date.fromisoformat(first), date.fromisoformat(last)) if first and last else None


@dg.asset(deps=[published_marts], group_name="published", kinds={"html", "plotly"})
def spend_report(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """data/published/spend-report.html: charts of the published marts, one file that opens offline."""
    path = report_path()
    window = run_window(context.run.tags)
    report = write_report(published_dir() / PUBLISHED_DATABASE, path, window)
    context.log.info(f"Spend report: {path}")
    # Numeric, so Dagster plots each provider's spend across runs: month to date, and in the run's days.
    spend = {
        f"{label} {currency} {provider}": dg.MetadataValue.float(float(amount))
        for label, amounts in (("month_to_date", report.month_to_date), ("run_window", report.window_spend))
        for (currency, provider), amount in sorted(amounts.items())
    }
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(path)),
            "last_complete_day": str(report.as_of),
            "run_window": " to ".join(str(day) for day in window) if window else f"{report.as_of} (no window)",
            "budgets_over_or_forecast_over": report.budgets_breached,
            "anomalies_last_30_days": report.anomalies_recent,
            **spend,
        }
    )


@dg.asset(deps=[published_marts], group_name="published", kinds={"slack"})
def spend_alerts(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """Budget breaches and recent anomalies, each recorded once and posted once to the alert webhook when
    one is set. A webhook that refuses is logged and retried by the next run; it never fails this one."""
    with published_connection() as conn:
        budgets, anomalies = alerts.current_findings(conn)
    new, posted = alerts.record_and_post([*budgets, *anomalies], context.log, context.run.run_id)
    return dg.MaterializeResult(
        metadata={"budget_findings": len(budgets), "anomaly_findings": len(anomalies), "new": new, "posted": posted}
    )


def _listed(findings: list[alerts.Finding]) -> str:
    more = len(findings) - LISTED
    return "\n".join(f.text for f in findings[:LISTED]) + (f"\n… and {more} more" if more > 0 else "")


# Checks of what BI tools see, the published marts, whichever engine built them.
@dg.asset_check(
    asset=published_marts,
    description="No budget's scope has spent, or is forecast to spend, more than its budget this month.",
)
def spend_within_budgets() -> dg.AssetCheckResult:
    with published_connection() as conn:
        findings = alerts.budget_findings(conn.execute(alerts.BUDGET_FINDINGS_SQL).fetchall())
    over = sum(1 for f in findings if f.finding_id.startswith("budget:over_budget"))
    return dg.AssetCheckResult(
        passed=not findings,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"over_budget": over, "forecast_over_budget": len(findings) - over},
        description=_listed(findings) if findings else None,
    )


@dg.asset_check(
    asset=published_marts,
    description=f"No spend anomaly in the last {alerts.RECENT_DAYS} complete days that no earlier run reported.",
)
def no_new_spend_anomalies(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
    with published_connection() as conn:
        recent = alerts.anomaly_findings(conn.execute(alerts.ANOMALY_FINDINGS_SQL, [alerts.RECENT_DAYS]).fetchall())
    new = alerts.unseen(recent, context.run.run_id)
    return dg.AssetCheckResult(
        passed=not new,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"new_anomalies": len(new), "recent_anomalies": len(recent)},
        description=_listed(new) if new else None,
    )


@dg.run_failure_sensor(default_status=dg.DefaultSensorStatus.RUNNING, monitor_all_code_locations=False)
def failed_run_alerts(context: dg.RunFailureSensorContext) -> None:
    """Each failed run, posted once to the alert webhook (when one is set)."""
    run = context.dagster_run
    finding = alerts.run_failure_finding(run.run_id, run.job_name, context.failure_event.message or "")
    alerts.record_and_post([finding], context.log, run.run_id)
