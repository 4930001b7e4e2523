"""`pump-costs check-key` as a user runs it: a real process against the fake Admin API."""

import json
import os
import subprocess
import sys

import pytest

from pump_costs import settings
from pump_costs.fake_anthropic import FAKE_ADMIN_KEY, Fault
from pump_costs.settings import ADMIN_API_KEY, ADMIN_API_KEY_FILE, BASE_URL, PROJECT_ROOT, data_dir
from tests.file_keyring import KEYRING_FILE_ENV_VAR


def run_cli(fake_api, *args: str, key: str | None = None, stdin: str = "", **env: str) -> subprocess.CompletedProcess:
    """`pump-costs ARGS` in a process of its own, with only the key sources given here."""
    inherited = {k: v for k, v in os.environ.items() if k not in (ADMIN_API_KEY.name, ADMIN_API_KEY_FILE.name)}
    full_env = {**inherited, BASE_URL.name: fake_api.base_url, **env}
    if key is not None:
        full_env[ADMIN_API_KEY.name] = key
    return subprocess.run(
        [sys.executable, "-m", "pump_costs.cli", *args],
        env=full_env,
        input=stdin,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def check_key(fake_api, key: str | None, **env: str) -> subprocess.CompletedProcess:
    return run_cli(fake_api, "check-key", key=key, **env)


def test_check_key_prints_the_organization_and_its_workspaces(fake_api):
    result = check_key(fake_api, FAKE_ADMIN_KEY)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Key: from ANTHROPIC_ADMIN_API_KEY",
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


def test_a_data_folder_duckdb_would_read_as_a_file_pattern_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("PUMP_COSTS_DATA_DIR", str(tmp_path / "costs [old]"))
    with pytest.raises(ValueError) as refused:
        data_dir()
    assert str(refused.value) == (
        f"PUMP_COSTS_DATA_DIR='{tmp_path}/costs [old]': the data folder {tmp_path}/costs [old] has '[' in its path, "
        "which DuckDB reads as a file pattern; choose a folder without '*', '?' or '['."
    )


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


def key_file(folder, mode: int, text: str = FAKE_ADMIN_KEY + "\n"):
    path = folder / "admin-key"
    path.write_text(text)
    path.chmod(mode)
    return path


def test_check_key_reads_a_key_file_only_its_owner_can_read(fake_api, tmp_path):
    path = key_file(tmp_path, 0o600)
    result = check_key(fake_api, None, **{ADMIN_API_KEY_FILE.name: str(path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:2] == [
        f"Key: from ANTHROPIC_ADMIN_API_KEY_FILE ({path})",
        "OK: the key reads usage and cost for organization 'Synthetic Demo Org (fake data)' "
        "(5ca1ab1e-0000-4000-8000-00000000fa4e)",
    ]
    assert {r.status for r in fake_api.requests} == {200}  # the fake answers only its own key
    assert FAKE_ADMIN_KEY not in result.stdout + result.stderr


def test_a_key_file_others_can_read_is_refused_before_any_request(fake_api, tmp_path):
    path = key_file(tmp_path, 0o644)
    result = check_key(fake_api, None, **{ADMIN_API_KEY_FILE.name: str(path)})
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"pump-costs check-key: FAILED: ANTHROPIC_ADMIN_API_KEY_FILE={path} can be read or changed by other users "
        f"of this machine (mode 0644), so the key was not used. Run `chmod 600 {path}` (or mount the secret with "
        "mode 0400, as Kubernetes' defaultMode does). Nothing was sent and nothing stored was changed."
    )
    missing = check_key(fake_api, None, **{ADMIN_API_KEY_FILE.name: str(tmp_path / "nowhere")})
    assert missing.stderr.strip() == (
        f"pump-costs check-key: FAILED: ANTHROPIC_ADMIN_API_KEY_FILE={tmp_path / 'nowhere'} cannot be read (No "
        "such file or directory). Point it at the file holding your Admin key, or unset it. Nothing was sent and "
        "nothing stored was changed."
    )
    standard = key_file(tmp_path, 0o400, "sk-ant-api03-Standard-Key-In-A-File")
    refused = check_key(fake_api, None, **{ADMIN_API_KEY_FILE.name: str(standard)})
    assert f"FAILED: ANTHROPIC_ADMIN_API_KEY_FILE ({standard}) holds a standard API key" in refused.stderr
    assert "sk-ant-api03-Standard-Key-In-A-File" not in refused.stdout + refused.stderr
    assert fake_api.requests == []


def test_connect_validates_the_key_then_keeps_it_in_the_keyring(fake_api, tmp_path):
    keyring = {"PYTHON_KEYRING_BACKEND": "tests.file_keyring.FileKeyring", KEYRING_FILE_ENV_VAR: str(tmp_path / "kr")}
    refused = run_cli(fake_api, "connect", stdin="sk-ant-api03-not-an-admin-key\n", **keyring)
    assert refused.returncode == 1
    assert "pump-costs connect: FAILED: the key given to `pump-costs connect` holds a standard API key" in (
        refused.stderr
    )
    assert not (tmp_path / "kr").exists()  # nothing stored

    stored = run_cli(fake_api, "connect", stdin=FAKE_ADMIN_KEY + "\n", **keyring)
    assert stored.returncode == 0, stored.stderr
    assert stored.stdout.splitlines()[-1] == (
        "Stored in the keyring (tests.file_keyring.FileKeyring) for this user; runs and check-key read it from there."
    )
    assert json.loads((tmp_path / "kr").read_text()) == {"pump-costs/anthropic-admin-api-key": FAKE_ADMIN_KEY}
    checked = check_key(fake_api, None, **keyring)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.splitlines()[0] == "Key: from the keyring (tests.file_keyring.FileKeyring)"
    for result in (refused, stored, checked):
        assert FAKE_ADMIN_KEY not in result.stdout + result.stderr


def test_connect_without_a_keyring_says_to_use_a_key_file(fake_api):
    result = run_cli(fake_api, "connect", stdin=FAKE_ADMIN_KEY + "\n")  # the tests' keyring: none
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "pump-costs connect: FAILED: This machine has no keyring to keep the key in (NoKeyringError); nothing was "
        "stored. On a server, put the key in a file only the service's user can read and set "
        "ANTHROPIC_ADMIN_API_KEY_FILE to its path."
    )
