"""`pump-costs status` as cron or a monitoring system runs it, on stale, fresh and failing data."""

import json
import subprocess
import sys
from datetime import timedelta

import pytest

from pump_costs.cli import main
from pump_costs.defs.housekeeping import housekeeping_job
from pump_costs.fake_anthropic import DEMO_ORGANIZATION, Fault
from pump_costs.instance import default_instance
from pump_costs.runs import materialize_days
from pump_costs.settings import BUDGETS_FILE, DAGSTER_HOME, PROJECT_ROOT


def run_status(*args: str) -> subprocess.CompletedProcess:
    """The command as cron or a monitoring system runs it: a process of its own."""
    command = [sys.executable, "-m", "pump_costs.cli", "status", *args]
    return subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)


def status(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, dict]:
    """`pump-costs status --json`, in this process (the same code, without a second's start-up)."""
    capsys.readouterr()  # what the test's runs printed
    code = main(["status", "--json", *args])
    out = capsys.readouterr().out
    assert out.startswith("{"), out
    return code, json.loads(out)


def test_status_says_what_arrived_what_ran_and_what_fails(fake_api, yesterday, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(DAGSTER_HOME.name, raising=False)  # the test's data folder holds its run history
    budgets = tmp_path / "budgets.yaml"
    budgets.write_text(
        "budgets:\n  - {scope: total, monthly: 0.01}\n"
        f"  - {{scope: billing_account, name: 'Anthropic / {DEMO_ORGANIZATION.name}', monthly: 0.01}}\n"
    )
    monkeypatch.setenv(BUDGETS_FILE.name, str(budgets))

    code, before = status(capsys)
    assert code == 1 and before["stale"] and before["last_run"] is None
    assert before["sources"] == [
        {
            "source": "anthropic_admin_api",
            "provider": "Anthropic",
            "organization": None,
            "first_day": None,
            "last_day": None,
            "days_behind": None,
            "stale": True,
        }
    ]

    last_day = yesterday - timedelta(days=2)
    with default_instance() as instance:
        pulled = materialize_days(last_day, last_day, instance=instance)
        fake_api.faults.queue.append(Fault(401))  # then the key was revoked
        failed = materialize_days(yesterday, yesterday, instance=instance, raise_on_error=False)
        housekeeping = housekeeping_job.execute_in_process(instance=instance)  # its daily run comes after
    assert pulled.success and not failed.success and housekeeping.success
    code, stale = status(capsys)
    assert code == 1 and stale["stale"]
    anthropic = stale["sources"][0]
    assert (anthropic["organization"], anthropic["last_day"], anthropic["days_behind"], anthropic["stale"]) == (
        DEMO_ORGANIZATION.name,
        str(last_day),
        2,
        True,
    )

    code, found = status(capsys, "--max-days-behind", "2")  # a looser threshold: not stale
    assert code == 0 and not found["stale"] and found["sources"][0]["stale"] is False
    assert (found["last_run"]["run_id"], found["last_run"]["status"]) == (failed.run_id, "FAILURE")
    assert found["last_successful_run"]["run_id"] == pulled.run_id
    [budget_check] = found["failing_checks"]
    assert (budget_check["asset"], budget_check["check"], budget_check["severity"], budget_check["run_id"]) == (
        "published_marts",
        "spend_within_budgets",
        "WARN",
        pulled.run_id,
    )
    assert f"Budget passed: billing account Anthropic / {DEMO_ORGANIZATION.name} spent " in budget_check["description"]
    schedules = {s["name"]: s for s in found["schedules"]}
    assert schedules["daily_spend_schedule"]["running"]
    assert schedules["daily_spend_schedule"]["next_tick"].endswith("T03:00:00+00:00")
    assert not found["daemon_running"] and found["daemon_last_heartbeat"] is None
    run = run_status("--max-days-behind", "2")
    text = run.stdout.splitlines()
    assert run.returncode == 0 and text[0].startswith("OK: as of "), run.stderr
    assert (
        f"  anthropic_admin_api (Anthropic, {DEMO_ORGANIZATION.name}): {last_day} to {last_day}, 2 days behind "
        "yesterday [ok]"
    ) in text
    assert f"  last run: FAILURE __ephemeral_asset_job__ {failed.run_id}, started " in "\n".join(text)
    assert "Failing checks: 1" in text
    assert "  dagster-daemon: NOT running: no schedule or sensor ticks (last heartbeat -)" in text
