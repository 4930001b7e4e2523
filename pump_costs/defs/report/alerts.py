"""Findings (budget breaches, anomalies, failed runs), each recorded once and posted once to a webhook in
Slack's incoming-webhook format (PUMP_COSTS_ALERT_WEBHOOK_URL).

The ledger is a small SQLite file beside the warehouse, not the warehouse itself: the run failure sensor
writes to it from Dagster's daemon while a run may hold DuckDB's single writer lock. A finding is claimed
before it is posted and released when the post fails, so a dead webhook is retried by the next run and a
finding is never posted twice. Posting never fails the pipeline: a refusal is logged, without the URL
(a Slack webhook URL is a secret).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import requests

from pump_costs import settings

RECENT_DAYS = 7  # anomalies on the last complete day and the 6 before it are news; older ones are history
POST_TIMEOUT_SECONDS = 10
MESSAGE_CHARACTERS = 300


@dataclass(frozen=True)
class Finding:
    finding_id: str  # the same finding has the same id in every run
    kind: str  # budget, anomaly or run
    text: str


def ledger_path() -> Path:
    return settings.data_dir() / "alerts" / "findings.sqlite"


def _ledger() -> sqlite3.Connection:
    path = ledger_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    conn.execute(
        "create table if not exists findings (finding_id text primary key, kind text not null, text text not null, "
        "first_seen_at text not null, first_seen_run_id text not null, posted_at text)"
    )
    return conn


def unseen(findings: Iterable[Finding], run_id: str) -> list[Finding]:
    """The findings no run before `run_id` recorded (this run may have recorded them already: its checks and
    its alerts step run in no fixed order)."""
    findings = list(findings)
    with closing(_ledger()) as conn:
        seen = {
            row[0] for row in conn.execute("select finding_id from findings where first_seen_run_id != ?", [run_id])
        }
    return [f for f in findings if f.finding_id not in seen]


def record_and_post(findings: Iterable[Finding], log: logging.Logger, run_id: str) -> tuple[int, int]:
    """Record every finding; post each not posted before (when a webhook is set). Returns (new, posted)."""
    url = settings.ALERT_WEBHOOK_URL.value()
    now = datetime.now(UTC).isoformat()
    new = posted = 0
    with closing(_ledger()) as conn:
        for finding in findings:
            new += conn.execute(
                "insert or ignore into findings (finding_id, kind, text, first_seen_at, first_seen_run_id) "
                "values (?, ?, ?, ?, ?)",
                (finding.finding_id, finding.kind, finding.text, now, run_id),
            ).rowcount
            if not url:
                continue
            # Claim it: only the process whose update took the row posts it.
            claimed = conn.execute(
                "update findings set posted_at = ? where finding_id = ? and posted_at is null",
                (now, finding.finding_id),
            ).rowcount
            if not claimed:
                continue
            if post(url, finding.text, log):
                posted += 1
            else:
                conn.execute("update findings set posted_at = null where finding_id = ?", (finding.finding_id,))
    return new, posted


def post(url: str, text: str, log: logging.Logger) -> bool:
    """POST Slack's {"text": …}; False (logged, never raised) when the receiver cannot be reached or refuses."""
    receiver = urlsplit(url).netloc or "the webhook"
    try:
        response = requests.post(url, json={"text": text}, timeout=POST_TIMEOUT_SECONDS, allow_redirects=False)
    except requests.RequestException as error:
        log.warning(f"Alert not posted: {receiver} could not be reached ({type(error).__name__}); retried next run")
        return False
    if not response.ok:
        log.warning(f"Alert not posted: {receiver} answered HTTP {response.status_code}; retried next run")
        return False
    return True


def budget_findings(rows: Iterable[tuple]) -> list[Finding]:
    """From fct_budget_status rows of the current month that are not within budget: (scope_type, scope_name,
    currency, month, actual_through, budget, actual, forecast, status, breach_date, forecast_breach_date)."""
    findings = []
    for scope_type, name, currency, month, through, budget, actual, forecast, status, breached, forecast_on in rows:
        scope = f"{scope_type.replace('_', ' ')} {name}" if scope_type != "total" else "total spend"
        if status == "over_budget":
            text = (
                f":rotating_light: Budget passed: {scope} spent {actual:,.2f} {currency} in {month:%Y-%m} through "
                f"{through}, over its {budget:,.2f} budget since {breached}."
            )
        else:
            text = (
                f":warning: Budget forecast: {scope} is forecast to spend {forecast:,.2f} {currency} in "
                f"{month:%Y-%m}, over its {budget:,.2f} budget from {forecast_on} ({actual:,.2f} through {through})."
            )
        findings.append(Finding(f"budget:{status}:{scope_type}:{name}:{currency}:{month:%Y-%m}", "budget", text))
    return findings


def anomaly_findings(rows: Iterable[tuple]) -> list[Finding]:
    """From fct_spend_anomalies rows: (day, scope_type, scope_name, currency, spend, expected, deviation)."""
    return [
        Finding(
            f"anomaly:{scope_type}:{name}:{currency}:{day}",
            "anomaly",
            f":chart_with_upwards_trend: Spend anomaly on {day}: {scope_type.replace('_', ' ')} {name} spent "
            f"{spend:,.2f} {currency}, {deviation:+,.2f} from the expected {expected:,.2f}.",
        )
        for day, scope_type, name, currency, spend, expected, deviation in rows
    ]


BUDGET_FINDINGS_SQL = """
select scope_type, scope_name, billing_currency, budget_month, actual_through, budget_amount, actual_cost,
       forecast_cost, budget_status, breach_date, forecast_breach_date
from marts.fct_budget_status
where budget_month = date_trunc('month', as_of_date) and budget_status != 'within_budget'
order by all
"""

ANOMALY_FINDINGS_SQL = """
select charge_date, scope_type, scope_name, billing_currency, billed_cost, expected_cost, deviation
from marts.fct_spend_anomalies
where charge_date > (select max(charge_date) from marts.fct_daily_spend where charge_date < current_date) - ?
order by all
"""


def current_findings(conn) -> tuple[list[Finding], list[Finding]]:
    """Budget and recent anomaly findings from a connection holding the marts."""
    budgets = budget_findings(conn.execute(BUDGET_FINDINGS_SQL).fetchall())
    anomalies = anomaly_findings(conn.execute(ANOMALY_FINDINGS_SQL, [RECENT_DAYS]).fetchall())
    return budgets, anomalies


def run_failure_finding(run_id: str, job_name: str, message: str) -> Finding:
    # The failure message names the step; its full error is in the run's logs, which the link-less text points to.
    reason = (message.strip() or "see the run's logs")[:MESSAGE_CHARACTERS]
    return Finding(f"run:{run_id}", "run", f":x: pump-costs run {run_id[:8]} of {job_name} failed: {reason}")
