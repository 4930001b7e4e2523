"""`pump-costs status` as cron or a monitoring system runs it, on stale, fresh and failing data."""

import json
import subprocess
import sys
from datetime import timedelta

from pump_costs.fake_anthropic import Fault
from pump_costs.instance import default_instance
from pump_costs.runs import materialize_days
from pump_costs.settings import BUDGETS_FILE, DAGSTER_HOME, PROJECT_ROOT


def run_status(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pump_costs.cli", "status", *args]
    return subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)


def status(*args: str) -> tuple[int, dict]:
    result = run_status("--json", *args)
    assert result.stdout.startswith("{"), result.stderr
    return result.returncode, json.loads(result.stdout)


def test_status_says_what_arrived_what_ran_and_what_fails(fake_api, yesterday, tmp_path, monkeypatch):
    monkeypatch.delenv(DAGSTER_HOME.name, raising=False)  # the test's data folder holds its run history
    budgets = tmp_path / "budgets.yaml"
    budgets.write_text("budgets:\n  - {scope: total, monthly: 0.01}\n")
    monkeypatch.setenv(BUDGETS_FILE.name, str(budgets))

    code, before = status()
    assert code == 1 and before["stale"] and before["last_run"] is None
    assert before["sources"] == [
        {
            "source": "anthropic_admin_api",
            "provider": "Anthropic",
            "first_day": None,
            "last_day": None,
            "days_behind": None,
            "stale": True,
        }
    ]

    stale_day = yesterday - timedelta(days=3)
    with default_instance() as instance:
        old = materialize_days(stale_day, stale_day, instance=instance)
    code, stale = status()
    assert code == 1 and stale["stale"]
    anthropic = stale["sources"][0]
    assert (anthropic["last_day"], anthropic["days_behind"], anthropic["stale"]) == (str(stale_day), 3, True)
    assert code == status("--max-days-behind", "3")[0] + 1  # within a looser threshold

    with default_instance() as instance:
        fresh_run = materialize_days(yesterday, yesterday, instance=instance)
        fake_api.faults.queue.append(Fault(401))  # the key was revoked
        failed = materialize_days(yesterday, yesterday, instance=instance, raise_on_error=False)
    assert old.success and fresh_run.success and not failed.success
    code, fresh = status()
    assert code == 0 and not fresh["stale"]
    anthropic = fresh["sources"][0]
    assert (anthropic["last_day"], anthropic["days_behind"], anthropic["stale"]) == (str(yesterday), 0, False)
    assert (fresh["last_run"]["run_id"], fresh["last_run"]["status"]) == (failed.run_id, "FAILURE")
    assert fresh["last_successful_run"]["run_id"] == fresh_run.run_id
    [budget_check] = fresh["failing_checks"]
    assert (budget_check["asset"], budget_check["check"], budget_check["severity"], budget_check["run_id"]) == (
        "marts/fct_budget_status",
        "spend_within_budgets",
        "WARN",
        fresh_run.run_id,
    )
    schedules = {s["name"]: s for s in fresh["schedules"]}
    assert schedules["daily_spend_schedule"]["running"]
    assert schedules["daily_spend_schedule"]["next_tick"].endswith("T03:00:00+00:00")
    assert not fresh["daemon_running"] and fresh["daemon_last_heartbeat"] is None
    text = run_status().stdout.splitlines()
    assert text[0].startswith("OK: as of ")
    assert f"  anthropic_admin_api (Anthropic): {stale_day} to {yesterday}, up to yesterday [ok]" in text
    assert f"  last run: FAILURE __ephemeral_asset_job__ {failed.run_id}, started " in "\n".join(text)
    assert "Failing checks: 1" in text
    assert "  dagster-daemon: NOT running: no schedule or sensor ticks (last heartbeat -)" in text
