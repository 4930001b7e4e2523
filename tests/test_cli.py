"""`pump-costs check-key` as a user runs it: a real process against the fake Admin API."""

import os
import subprocess
import sys

from pump_costs import settings
from pump_costs.fake_anthropic import FAKE_ADMIN_KEY, Fault
from pump_costs.settings import ADMIN_API_KEY, BASE_URL, PROJECT_ROOT, data_dir


def check_key(fake_api, key: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != ADMIN_API_KEY.name}
    env[BASE_URL.name] = fake_api.base_url
    if key is not None:
        env[ADMIN_API_KEY.name] = key
    return subprocess.run(
        [sys.executable, "-m", "pump_costs.cli", "check-key"], env=env, capture_output=True, text=True, timeout=120
    )


def test_check_key_prints_the_organization_and_its_workspaces(fake_api):
    result = check_key(fake_api, FAKE_ADMIN_KEY)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "OK: the key reads usage and cost for organization 'Synthetic Demo Org (fake data)' "
        "(5ca1ab1e-0000-4000-8000-00000000fa4e)",
        "Workspaces: Default and 4 more",
        "  - Production [wrkspc_01ProductionSynthetic00]",
        "  - Research [wrkspc_01ResearchSynthetic0000]",
        "  - Claude Code [wrkspc_01ClaudeCodeSynthetic00]",
        "  - Legacy Prototype [wrkspc_01LegacyPrototypeSynth0] (archived)",
        "Usage and Cost Analytics API: available (exact cost per API key, actor and product)",
    ]
    paths = [r.path for r in fake_api.requests]
    assert paths == [
        "/v1/organizations/me",
        "/v1/organizations/usage_report/messages",
        "/v1/organizations/workspaces",
        "/v1/organizations/analytics/usage",
    ]
    assert FAKE_ADMIN_KEY not in result.stdout + result.stderr


def test_check_key_says_when_the_analytics_api_is_not_available_and_what_to_set(fake_api):
    fake_api.faults.queue.append(Fault(403, path="/v1/organizations/analytics/usage"))
    result = check_key(fake_api, FAKE_ADMIN_KEY)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        "Usage and Cost Analytics API: not available (it refused this key). Cost per API key will be allocated "
        "from the legacy reports; set PUMP_COSTS_ANTHROPIC_REPORTS=legacy,claude_code so runs do not ask for it."
    )


def test_check_key_refuses_a_standard_key_without_calling_the_api(fake_api):
    result = check_key(fake_api, "sk-ant-api03-fake-standard-key")
    assert result.returncode == 1
    assert "pump-costs check-key: FAILED: ANTHROPIC_ADMIN_API_KEY holds a standard API key" in result.stderr
    assert fake_api.requests == []


def test_check_key_reports_a_revoked_key_and_a_missing_one(fake_api):
    revoked = check_key(fake_api, "sk-ant-admin01-fake-revoked")
    assert revoked.returncode == 1
    assert "refused the key (401 authentication_error: invalid x-api-key" in revoked.stderr
    missing = check_key(fake_api, None)
    assert missing.returncode == 1
    assert "No Anthropic Admin API key" in missing.stderr and "make demo" in missing.stderr


def test_a_relative_data_folder_is_the_same_from_any_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("PUMP_COSTS_DATA_DIR", "data/elsewhere")
    seen = set()
    for folder in (tmp_path, PROJECT_ROOT / "pump_costs"):
        monkeypatch.chdir(folder)
        seen.add(data_dir())
    assert seen == {PROJECT_ROOT / "data" / "elsewhere"}


def test_check_key_starts_without_dagster_or_dbt(fake_api):
    """`pump-costs check-key` is the first thing a new user runs: it imports neither Dagster nor dbt."""
    probe = (
        "import sys; from pump_costs import cli; code = cli.main(['check-key']); "
        "loaded = sorted({m.split('.')[0] for m in sys.modules} & {'dagster', 'dbt', 'dagster_dbt'}); "
        "print(code, loaded)"
    )
    env = {**os.environ, BASE_URL.name: fake_api.base_url, ADMIN_API_KEY.name: FAKE_ADMIN_KEY}
    result = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120)
    assert result.stdout.splitlines()[-1] == "0 []", result.stderr


def test_the_readme_configuration_table_is_the_settings_module():
    readme = (PROJECT_ROOT / "README.md").read_text()
    assert settings.markdown_table() in readme
    assert all(f"`{setting.name}`" in readme for setting in settings.SETTINGS)
