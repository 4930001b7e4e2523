"""Several Anthropic organizations: the organizations file, each organization's key, pulls kept apart to the
last digit in the mart, and one organization's failing key failing only its own part."""

from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pump_costs import settings
from pump_costs.definitions import defs
from pump_costs.defs.anthropic.organizations import OrganizationsFileError, load_organizations
from pump_costs.defs.jobs import exports_job
from pump_costs.fake_anthropic import (
    DEMO_ORGANIZATION,
    FAKE_ADMIN_KEY,
    SECOND_FAKE_ADMIN_KEY,
    SECOND_ORGANIZATION,
    SyntheticOrganization,
    ground_truth,
)
from pump_costs.fake_anthropic.organization import WORKSPACES
from pump_costs.raw import tables
from pump_costs.runs import materialize_days
from pump_costs.status import collect_status, published_sources
from pump_costs.warehouse import published_dir, warehouse_path
from tests.conftest import query, totals
from tests.file_keyring import KEYRING_FILE_ENV_VAR
from tests.test_cli import run_cli

PRODUCTION_KEY_VAR = "PUMP_COSTS_TEST_PRODUCTION_KEY"
REVOKED_KEY = "sk-ant-admin01-fake-revoked-key-for-tests-only"
ONE_KEY_SOURCE = "give exactly one of key_env_var, key_file and key_in_keyring: where its Admin key is"


def organizations_file(folder: Path, research_key: str = SECOND_FAKE_ADMIN_KEY) -> Path:
    """production's key in an environment variable, research's in a file only its owner can read."""
    key_file = folder / "research.key"
    key_file.write_text(research_key + "\n")
    key_file.chmod(0o600)
    path = folder / "organizations.yaml"
    path.write_text(
        "organizations:\n"
        f"  - name: production\n    key_env_var: {PRODUCTION_KEY_VAR}\n"
        f"  - name: research\n    key_file: {key_file}\n"
    )
    return path


@pytest.fixture
def two_organizations(tmp_path, monkeypatch) -> Path:
    """The pipeline configured with both fake organizations, and no key of its own to fall back on."""
    monkeypatch.setenv(settings.ORGANIZATIONS_FILE.name, str(organizations_file(tmp_path)))
    monkeypatch.setenv(PRODUCTION_KEY_VAR, FAKE_ADMIN_KEY)
    monkeypatch.delenv(settings.ADMIN_API_KEY.name)
    return tmp_path


def expected_cost_by_workspace(organization: SyntheticOrganization, first, last) -> dict[tuple, object]:
    names = {w.id: w.name for w in WORKSPACES}
    by_workspace: Counter = Counter()
    for (_, workspace, _), cents in ground_truth(
        first, last + timedelta(days=1), organization
    ).cost_cents_by_day_workspace_model.items():
        by_workspace[(organization.id, names[workspace])] += cents / 100
    return dict(by_workspace)


def failed_checks(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckSeverity]:
    evaluations = [
        e.asset_check_evaluation_data for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    return {e.check_name: e.severity for e in evaluations if not e.passed}


def cost_report_by_organization() -> dict[str, tuple]:
    """Per organization: rows, exact cents, and when they were last loaded."""
    rows = query("""select organization_id, count(*), sum(amount_cents), max(loaded_at)
                    from raw_anthropic.cost_report group by all""")
    return {organization: tuple(rest) for organization, *rest in rows}


def anthropic_cost_by_organization_and_workspace() -> dict[tuple, object]:
    return totals("""select BillingAccountId, SubAccountName, sum(BilledCost) from marts.fct_spend
                     where ProviderName = 'Anthropic' and BilledCost <> 0 group by all""")


def days_with_cost(organization, first: date, last: date) -> tuple[date, date]:
    """The first and last day of first..last the organization spent on (research does not spend every day)."""
    days = {
        day for day, *_ in ground_truth(first, last + timedelta(days=1), organization).cost_cents_by_day_workspace_model
    }
    return min(days), max(days)


def test_two_organizations_are_kept_apart_to_the_last_digit_and_a_failing_key_fails_only_its_part(
    two_organizations, fake_api, yesterday, monkeypatch
):
    # Five days up to the day before yesterday; the second run below reaches yesterday.
    first, last = yesterday - timedelta(days=5), yesterday - timedelta(days=1)
    assert materialize_days(first, last).success

    by_organization = totals("""select BillingAccountId, BillingAccountName, sum(BilledCost) from marts.fct_spend
                                where ProviderName = 'Anthropic' group by all""")
    assert by_organization == {
        (org.id, org.name): ground_truth(first, last + timedelta(days=1), org).total_cost_usd
        for org in (DEMO_ORGANIZATION, SECOND_ORGANIZATION)
    }
    # Both organizations have the same workspace ids: a join that forgot the organization would mix them.
    assert anthropic_cost_by_organization_and_workspace() == {
        **expected_cost_by_workspace(DEMO_ORGANIZATION, first, last),
        **expected_cost_by_workspace(SECOND_ORGANIZATION, first, last),
    }
    assert totals("select organization_id, count(*) from raw_anthropic.workspaces group by all") == {
        (DEMO_ORGANIZATION.id,): len(WORKSPACES),
        (SECOND_ORGANIZATION.id,): len(WORKSPACES),
    }
    # So have their workspaces the same names: budgets, anomalies and the report tell a name both have apart
    # by organization, and leave a name one alone has as it is.
    names = {DEMO_ORGANIZATION.id: DEMO_ORGANIZATION.name, SECOND_ORGANIZATION.id: SECOND_ORGANIZATION.name}
    shared = {
        name
        for (name,) in query("""select SubAccountName from marts.fct_spend where ProviderName = 'Anthropic'
                                            group by 1 having count(distinct BillingAccountId) = 2""")
    }
    assert "Default" in shared
    workspace_scopes = totals("""select scope_name, sum(billed_cost) from marts.fct_daily_spend_by_scope
                                 where scope_type = 'workspace' and billed_cost <> 0 group by all""")
    expected_scopes: Counter = Counter()
    for (organization, workspace), cost in anthropic_cost_by_organization_and_workspace().items():
        expected_scopes[(f"{names[organization]} / {workspace}" if workspace in shared else workspace,)] += cost
    assert workspace_scopes == dict(expected_scopes)
    # A budget on a name both have, or on a misspelt one, would match no spend: that check warns (the run still
    # publishes the day's spend).
    budgets = two_organizations / "budgets.yaml"
    monkeypatch.setenv(settings.BUDGETS_FILE.name, str(budgets))
    workspace_budget = "  - scope: workspace\n    name: {}\n    monthly: 1000000\n"
    budgets.write_text("budgets:\n" + workspace_budget.format("Default") + workspace_budget.format("Defualt"))
    result = materialize_days(last, last, selection=exports_job.selection)
    assert failed_checks(result) == {"assert_budgets_name_a_scope_with_spend": dg.AssetCheckSeverity.WARN}
    with duckdb.connect(str(warehouse_path()), read_only=True) as conn:
        compiled = next(
            warehouse_path().parent.glob("dbt_target/compiled/**/assert_budgets_name_a_scope_with_spend.sql")
        )
        assert conn.execute(compiled.read_text() + " order by all").fetchall() == [
            (
                "workspace",
                "Default",
                "USD",
                f"{DEMO_ORGANIZATION.name} / Default, {SECOND_ORGANIZATION.name} / Default",
            ),
            ("workspace", "Defualt", "USD", None),
        ]
    budgets.write_text("budgets:\n" + workspace_budget.format(f"{DEMO_ORGANIZATION.name} / Default"))
    # Each organization costs exactly the requests one alone does: one page per report for five days.
    by_organization_and_path = Counter(
        (r.organization_id, r.path.rsplit("/v1/organizations/")[-1]) for r in fake_api.requests
    )
    production = {path: n for (org, path), n in by_organization_and_path.items() if org == DEMO_ORGANIZATION.id}
    research = {path: n for (org, path), n in by_organization_and_path.items() if org == SECOND_ORGANIZATION.id}
    assert production == research
    assert (production["usage_report/messages"], production["cost_report"], production["me"]) == (1, 1, 1)
    assert sum(by_organization_and_path.values()) == len(fake_api.requests)  # no request without a known key

    # `pump-costs status` shows each organization's days on their own.
    sources = published_sources(published_dir() / "pump_costs.duckdb", yesterday, 1, None)
    assert [(s.organization, s.first_day, s.last_day, s.stale) for s in sources if s.provider == "Anthropic"] == [
        (org.name, *days_with_cost(org, first, last), False) for org in (DEMO_ORGANIZATION, SECOND_ORGANIZATION)
    ]

    # Then research's key is revoked, and the next run reaches yesterday: its part fails, and only its part.
    stored_before = cost_report_by_organization()
    fake_api.requests.clear()

    monkeypatch.setenv(settings.ORGANIZATIONS_FILE.name, str(organizations_file(two_organizations, REVOKED_KEY)))
    with dg.instance_for_test() as instance:
        result = materialize_days(first, yesterday, instance=instance, raise_on_error=False)
        # production's days are fresh, but `pump-costs status` exits 1 and names research.
        found = collect_status(instance, defs, 1, None, expect_anthropic=True)
    assert (found.stale, found.organizations_left_out) == (True, ["research"])
    assert [s.stale for s in found.sources if s.provider == "Anthropic"] == [False, False]

    assert not result.success
    assert set(failed_checks(result)) == {"every_organization_pulled"}  # the budget on one Default passes
    failed_steps = {e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"}
    assert failed_steps == {
        f"raw_anthropic__{name}_every_organization_pulled"
        for name in ("usage_report", "cost_report", "analytics_usage", "analytics_cost", "claude_code", "organization")
    }
    evaluation = next(
        e.asset_check_evaluation_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
        and e.step_key == "raw_anthropic__cost_report_every_organization_pulled"
    )
    assert not evaluation.passed
    assert evaluation.description.startswith(
        "raw_anthropic.cost_report left out these organizations; what they stored is unchanged:\nresearch: "
        "The Admin API refused the key (401 authentication_error: invalid x-api-key"
    )
    assert (
        f"replace the one in {two_organizations / 'research.key'} (organization 'research')" in evaluation.description
    )
    # research's stored rows are untouched; production's are reloaded.
    stored_after = cost_report_by_organization()
    assert stored_after[SECOND_ORGANIZATION.id] == stored_before[SECOND_ORGANIZATION.id]
    assert stored_after[DEMO_ORGANIZATION.id][2] > stored_before[DEMO_ORGANIZATION.id][2]  # reloaded
    # The mart has production's new day and research's days as they were: exact, each.
    assert totals("""select BillingAccountId, sum(BilledCost) from marts.fct_spend
                     where ProviderName = 'Anthropic' group by all""") == {
        (DEMO_ORGANIZATION.id,): ground_truth(first, yesterday + timedelta(days=1)).total_cost_usd,
        (SECOND_ORGANIZATION.id,): ground_truth(first, last + timedelta(days=1), SECOND_ORGANIZATION).total_cost_usd,
    }
    assert [r.status for r in fake_api.requests if r.organization_id is None] == [401] * 6  # never retried


def test_check_key_validates_every_organization_and_names_the_one_that_fails(tmp_path, fake_api):
    env = {settings.ORGANIZATIONS_FILE.name: str(organizations_file(tmp_path)), PRODUCTION_KEY_VAR: FAKE_ADMIN_KEY}
    checked = run_cli(fake_api, "check-key", **env)
    assert checked.returncode == 0, checked.stderr
    lines = checked.stdout.splitlines()
    assert lines[0] == "Organization 'production':"
    assert lines[1] == f"Key: from {PRODUCTION_KEY_VAR} (organization 'production')"
    assert (
        lines[2]
        == f"OK: the key reads usage and cost for organization {DEMO_ORGANIZATION.name!r} ({DEMO_ORGANIZATION.id})"
    )
    research = lines.index("Organization 'research':")
    assert lines[research + 1] == f"Key: from {tmp_path / 'research.key'} (organization 'research')"
    assert lines[research + 2] == (
        f"OK: the key reads usage and cost for organization {SECOND_ORGANIZATION.name!r} ({SECOND_ORGANIZATION.id})"
    )

    env[settings.ORGANIZATIONS_FILE.name] = str(organizations_file(tmp_path, REVOKED_KEY))
    failing = run_cli(fake_api, "check-key", **env)
    assert failing.returncode == 1
    assert failing.stdout.splitlines()[0] == "Organization 'production':"
    assert "Organization 'research':" not in failing.stdout
    assert failing.stderr.startswith(
        "pump-costs check-key: FAILED for organization 'research': The Admin API refused the key (401"
    )
    assert failing.stderr.splitlines()[-1] == "pump-costs check-key: 1 of 2 keys failed: research"
    assert REVOKED_KEY not in failing.stdout + failing.stderr


def test_connect_keeps_an_organizations_key_under_its_own_name(tmp_path, fake_api):
    path = tmp_path / "organizations.yaml"
    path.write_text("organizations:\n  - name: lab\n    key_in_keyring: true\n")
    env = {
        settings.ORGANIZATIONS_FILE.name: str(path),
        "PYTHON_KEYRING_BACKEND": "tests.file_keyring.FileKeyring",
        KEYRING_FILE_ENV_VAR: str(tmp_path / "keyring.json"),
    }
    unknown = run_cli(fake_api, "connect", "--organization", "research", stdin=SECOND_FAKE_ADMIN_KEY + "\n", **env)
    assert unknown.returncode == 1
    assert unknown.stderr == (
        f"pump-costs connect: FAILED: {path} does not list an organization 'research' with `key_in_keyring: true`; "
        'add it there first (the README\'s "Several organizations" shows how). Nothing was stored.\n'
    )
    stored = run_cli(fake_api, "connect", "--organization", "lab", stdin=SECOND_FAKE_ADMIN_KEY + "\n", **env)
    assert stored.returncode == 0, stored.stderr
    assert stored.stdout.splitlines()[-1] == (
        "Stored in the keyring (tests.file_keyring.FileKeyring) for organization 'lab' for this user; runs and "
        "check-key read it from there."
    )
    checked = run_cli(fake_api, "check-key", **env)
    assert checked.stdout.splitlines()[:3] == [
        "Organization 'lab':",
        "Key: from the keyring (tests.file_keyring.FileKeyring, organization 'lab')",
        f"OK: the key reads usage and cost for organization {SECOND_ORGANIZATION.name!r} ({SECOND_ORGANIZATION.id})",
    ]


@pytest.mark.parametrize(
    "entries, problem",
    [
        (
            "  - name: research\n",
            f"organization 1 (research): {ONE_KEY_SOURCE}",
        ),
        (
            "  - name: research\n    key_env_var: A\n    key_in_keyring: true\n",
            f"organization 1 (research): {ONE_KEY_SOURCE}",
        ),
        (
            "  - name: research\n    key_envvar: A\n",
            "organization 1 (research), key_envvar: Extra inputs are not permitted",
        ),
        (
            "  - name: Research Org\n    key_env_var: A\n",
            "organization 1 (Research Org), name: 'Research Org' is not a usable name: lower-case letters, digits, "
            "'-' and '_', starting with a letter or digit (it names the organization in messages and its keyring "
            "entry)",
        ),
    ],
)
def test_a_bad_organizations_file_is_refused_naming_the_entry_and_the_fix(tmp_path, entries, problem):
    path = tmp_path / "organizations.yaml"
    path.write_text("organizations:\n" + entries)
    with pytest.raises(OrganizationsFileError) as refused:
        load_organizations(path)
    assert str(refused.value) == (
        f'Organizations file {path}: {problem}. Fix {path} (the README\'s "Several organizations" section shows '
        "the format) or remove it to pull one organization with the usual key."
    )


def test_an_organization_named_twice_is_refused(tmp_path):
    path = tmp_path / "organizations.yaml"
    path.write_text("organizations:\n  - name: a\n    key_env_var: A\n  - name: a\n    key_env_var: B\n")
    with pytest.raises(OrganizationsFileError, match=r"names 'a' twice\. Fix "):
        load_organizations(path)


def test_a_warehouse_from_before_organizations_keeps_its_days_under_its_one_organization(fake_api, yesterday):
    first = yesterday - timedelta(days=3)
    assert materialize_days(first, yesterday).success
    # As an older pump-costs left it: the raw rows stored in the warehouse file, with no organization on them,
    # nor on the mart's Anthropic rows.
    with duckdb.connect(str(warehouse_path())) as conn:
        for table in tables.ANTHROPIC_TABLES:
            had_it = table in (tables.ORGANIZATION, tables.CLAUDE_CODE)  # these two had organization_id already
            columns = "*" if had_it else "* exclude (organization_id)"
            conn.execute(f"create table {table.qualified}__stored as select {columns} from {table.qualified}")
            conn.execute(f"drop view {table.qualified}")
            conn.execute(f"alter table {table.qualified}__stored rename to {table.name}")
            conn.execute("delete from raw_lake.files where table_name = ?", [table.qualified])
        conn.execute("update marts.fct_anthropic_spend set BillingAccountId = null")

    assert materialize_days(yesterday, yesterday).success  # a daily run refreshes one day only

    unassigned = " + ".join(
        f"(select count(*) from {t.qualified} where organization_id is null)" for t in tables.ANTHROPIC_TABLES
    )
    assert query(f"select {unassigned}") == [(0,)]
    assert totals("""select BillingAccountId, BillingAccountName, sum(BilledCost) from marts.fct_spend
                     where ProviderName = 'Anthropic' group by all""") == {
        (DEMO_ORGANIZATION.id, DEMO_ORGANIZATION.name): ground_truth(
            first, yesterday + timedelta(days=1)
        ).total_cost_usd
    }
