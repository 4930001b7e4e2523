"""`pump-costs`: check or store an Admin key, backfill from the command line, rebuild the report, say whether
the data is up to date, or run the demo.

Dagster and dbt are imported by the commands that run them, so `check-key` starts in a moment.
"""

import argparse
import getpass
import subprocess
import sys
from datetime import date, timedelta

from pump_costs import settings
from pump_costs.defs.anthropic.client import (
    AdminKeyError,
    AnthropicAdminClient,
    AnthropicAdminError,
    last_completed_days,
    utc_midnight,
)
from pump_costs.defs.anthropic.key_sources import KEYRING_USERNAME, AdminKey, find_admin_key, store_in_keyring
from pump_costs.defs.anthropic.organizations import (
    DEFAULT_NAME,
    OrganizationsFileError,
    configured_organizations,
)


def check_key() -> int:
    """Validate each organization's key runs would use (environment, key file or keyring) as the product's
    Connect step would; every organization is checked, and the command fails if any key does."""
    try:
        organizations = configured_organizations()
    except OrganizationsFileError as error:
        print(f"pump-costs check-key: FAILED: {error}", file=sys.stderr)
        return 1
    failed = []
    for organization in organizations:
        named = "" if organization.name == DEFAULT_NAME else f" for organization {organization.name!r}"
        try:
            key = organization.find_key()
            lines = validate_key(key)
        except AnthropicAdminError as error:
            print(f"pump-costs check-key: FAILED{named}: {error}", file=sys.stderr)
            failed.append(organization.name)
            continue
        heading = [f"Organization {organization.name!r}:"] if named else []
        print("\n".join([*heading, f"Key: from {key.source}", *lines]))
    if failed and len(organizations) > 1:
        summary = f"{len(failed)} of {len(organizations)} keys failed: {', '.join(failed)}"
        print(f"pump-costs check-key: {summary}", file=sys.stderr)
    return 1 if failed else 0


def connect(organization_name: str | None) -> int:
    """Validate a key typed (or piped) in, then keep it in the operating system's keyring for later runs: the
    key runs use without an organizations file, or the named organization's (listed with key_in_keyring)."""
    try:
        username = keyring_username(organization_name)
    except (OrganizationsFileError, AdminKeyError) as error:
        print(f"pump-costs connect: FAILED: {error}", file=sys.stderr)
        return 1
    prompt = "Anthropic Admin key (sk-ant-admin..., not shown): "
    typed = getpass.getpass(prompt) if sys.stdin.isatty() else sys.stdin.readline()
    key = AdminKey(typed.strip(), "the key given to `pump-costs connect`")
    try:
        lines = validate_key(key)
        backend = store_in_keyring(key.value or "", username)
    except AnthropicAdminError as error:
        print(f"pump-costs connect: FAILED: {error}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    whose = f" for organization {organization_name!r}" if organization_name else ""
    print(f"Stored in the keyring ({backend}){whose} for this user; runs and check-key read it from there.")
    overriding = [] if organization_name else [settings.ADMIN_API_KEY, settings.ADMIN_API_KEY_FILE]
    for setting in overriding:
        if setting.value():
            print(f"Note: {setting.name} is set here and is used before the keyring; unset it to use the stored key.")
    return 0


def keyring_username(organization_name: str | None) -> str:
    """Where `connect` stores the key: the default entry, or an organization's that the file keeps in the keyring."""
    if organization_name is None:
        return KEYRING_USERNAME
    organization = next((o for o in configured_organizations() if o.name == organization_name), None)
    if organization is None or not organization.key_in_keyring:
        raise AdminKeyError(
            f"{settings.organizations_file()} does not list an organization {organization_name!r} with "
            '`key_in_keyring: true`; add it there first (the README\'s "Several organizations" shows how). '
            "Nothing was stored."
        )
    return organization.keyring_username


def validate_key(key: AdminKey) -> list[str]:
    """The organization the key reads and one day of its usage, or AnthropicAdminError saying why not."""
    client = AnthropicAdminClient(key.value, base_url=settings.BASE_URL.value(), key_source=key.source)
    organization = client.organization()
    day, _ = last_completed_days(1)
    client.usage_report(utc_midnight(day), utc_midnight(day + timedelta(days=1)))
    workspaces = client.workspaces()
    lines = [
        f"OK: the key reads usage and cost for organization {organization.name!r} ({organization.id})",
        f"Workspaces: Default and {len(workspaces)} more",
    ]
    for workspace in workspaces:
        archived = " (archived)" if workspace.archived_at else ""
        lines.append(f"  - {workspace.name} [{workspace.id}]{archived}")
    if "analytics" in settings.anthropic_reports():
        lines.append(analytics_availability(client, day))
    return lines


def analytics_availability(client: AnthropicAdminClient, day: date) -> str:
    """Whether the Usage and Cost Analytics API answers for this key; without it the legacy reports serve."""
    try:
        client.analytics_probe(utc_midnight(day), utc_midnight(day + timedelta(days=1)))
    except AnthropicAdminError as error:
        # The key reads the legacy reports, so a refusal here is about this API, not the key.
        reason = "it refused this key" if isinstance(error, AdminKeyError) else str(error).rstrip(".")
        others = ",".join(name for name in settings.ANTHROPIC_REPORT_NAMES if name != "analytics")
        return (
            f"Usage and Cost Analytics API: not available ({reason}). Cost per API key will be allocated from the "
            f"legacy reports; set {settings.ANTHROPIC_REPORTS.name}={others} so runs do not ask for it."
        )
    return "Usage and Cost Analytics API: available (exact cost per API key, actor and product)"


def backfill(days: int) -> int:
    from pump_costs.instance import default_instance
    from pump_costs.runs import materialize_days

    first, last = last_completed_days(days)
    print(f"Backfilling {first}..{last} ({days} days) in one run")
    with default_instance() as instance:
        result = materialize_days(first, last, instance=instance, raise_on_error=False)
    if not result.success:
        print("pump-costs backfill: the run failed (see above); nothing already stored was lost", file=sys.stderr)
        return 1
    return 0


def forget_exports(source_name: str) -> int:
    """Drop a source's landed rows on purpose: the only way a source's rows leave the warehouse."""
    import duckdb

    from pump_costs.defs.exports.assets import EXPORT_SOURCES
    from pump_costs.defs.exports.landing import forget
    from pump_costs.warehouse import open_warehouse

    source = next(s for s in EXPORT_SOURCES if s.name == source_name)
    try:
        with open_warehouse() as conn:
            files = forget(conn, source.formats)
    except duckdb.Error as error:
        print(f"pump-costs forget-exports: FAILED: {error}", file=sys.stderr)
        return 1
    print(
        f"Forgot {files} {source.name} export files and their rows. The marts and the published copy drop them on "
        f"the next run (`make backfill DAYS=1`, the daily schedule, or the export sensor under `make dev`). "
        f"Remove the folders from {source.setting.name} too, or their files are landed again."
    )
    return 0


def report() -> int:
    """Rebuild the spend report from what is published now (the pipeline rebuilds it after every publish)."""
    from pump_costs.defs.publish.assets import PUBLISHED_DATABASE
    from pump_costs.defs.report.assets import report_path
    from pump_costs.defs.report.spend_report import write_report
    from pump_costs.warehouse import published_dir

    database = published_dir() / PUBLISHED_DATABASE
    if not database.exists():
        print(
            f"pump-costs report: nothing is published in {published_dir()} yet; run the pipeline first "
            f"(`make backfill` or `make dev`). The demo publishes to data/demo: {settings.DATA_DIR.name}=data/demo "
            "pump-costs report",
            file=sys.stderr,
        )
        return 1
    result = write_report(database, report_path())
    print(f"Spend report through {result.as_of}: {report_path()}")
    return 0


def status(as_json: bool, max_days_behind: int, exports_max_days_behind: int | None) -> int:
    """What arrived, what ran, what fails, what runs next; exit code 1 when the data is stale."""
    from pump_costs import status as report_status
    from pump_costs.definitions import defs
    from pump_costs.instance import default_instance

    try:
        expect_anthropic = settings.organizations_file().exists() or find_admin_key().value is not None
    except AnthropicAdminError:
        expect_anthropic = True  # a key is configured, even if it cannot be used: its data is expected
    with default_instance() as instance:
        found = report_status.collect_status(instance, defs, max_days_behind, exports_max_days_behind, expect_anthropic)
    print(report_status.as_json(found) if as_json else report_status.as_text(found))
    return 1 if found.stale else 0


def dev() -> int:
    """The Dagster UI. Without a key it runs on the fake Admin API, with the demo's data and run history."""
    from pump_costs.defs.housekeeping import fail_orphaned_runs
    from pump_costs.instance import default_instance, use_dagster_home

    api = None
    try:
        key = find_admin_key()
    except AnthropicAdminError as error:
        print(f"pump-costs dev: {error}", file=sys.stderr)
        return 1
    if key.value is None and not settings.organizations_file().exists():
        from pump_costs.demo import SYNTHETIC, use_demo_environment
        from pump_costs.fake_anthropic import FakeAdminApi

        api = FakeAdminApi().start()
        use_demo_environment(api)
        print(f"No Admin key is set or stored: the UI runs on {SYNTHETIC} at {api.base_url}")
    print(f"Run history: {use_dagster_home()}")
    with default_instance() as instance:
        for run_id in fail_orphaned_runs(instance):
            print(f"Run {run_id} was left running by a process that is gone: marked failed")
    try:
        return subprocess.call(
            [sys.executable, "-m", "dagster", "dev", "-w", "workspace.yaml"], cwd=settings.PROJECT_ROOT
        )
    except KeyboardInterrupt:
        return 0
    finally:
        if api:
            api.stop()


def day_count(text: str) -> int:
    """At least one day (0 would do nothing and look like success), and none before the first partition."""
    most = (date.today() - settings.FIRST_DAY).days
    try:
        days = int(text)
    except ValueError:
        days = 0
    if not 1 <= days <= most:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of days from 1 to {most} (partitions start on {settings.FIRST_DAY})"
        )
    return days


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pump-costs", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("dev", help="start the Dagster UI (on the fake Admin API when no key is set)")
    commands.add_parser("check-key", help="validate each organization's Admin key runs would use")
    connect_parser = commands.add_parser("connect", help="validate an Admin key and keep it in this user's keyring")
    connect_parser.add_argument(
        "--organization", help="the organizations file's entry (with key_in_keyring: true) the key is for"
    )
    backfill_parser = commands.add_parser("backfill", help="pull the last N completed days in one run")
    backfill_parser.add_argument("--days", type=day_count, default=365)
    forget_parser = commands.add_parser(
        "forget-exports", help="drop every landed row of one export source (after removing its folders)"
    )
    forget_parser.add_argument("source", choices=["aws", "gcp", "azure", "focus"])
    commands.add_parser("report", help="rebuild the HTML spend report from the published marts")
    status_parser = commands.add_parser(
        "status", help="last day of data per source, last runs, failing checks, next ticks; exit 1 when stale"
    )
    status_parser.add_argument("--json", action="store_true", help="machine-readable output")
    status_parser.add_argument(
        "--max-days-behind",
        type=int,
        default=1,
        help="Anthropic data whose last day is more than this many days before yesterday (UTC) is stale",
    )
    status_parser.add_argument(
        "--exports-max-days-behind",
        type=int,
        default=None,
        help="the same for each cloud export source (not checked unless given: exports arrive on each "
        "provider's own schedule)",
    )
    demo_parser = commands.add_parser("demo", help="run the whole pipeline on the fake Admin API")
    demo_parser.add_argument("--days", type=day_count, default=settings.DEMO_DAYS.number())
    args = parser.parse_args(argv)
    if args.command == "check-key":
        return check_key()
    if args.command == "connect":
        return connect(args.organization)
    if args.command == "dev":
        return dev()
    if args.command == "backfill":
        return backfill(args.days)
    if args.command == "forget-exports":
        return forget_exports(args.source)
    if args.command == "report":
        return report()
    if args.command == "status":
        return status(args.json, args.max_days_behind, args.exports_max_days_behind)
    from pump_costs.demo import run_demo  # the demo package is only needed here

    return run_demo(args.days)


if __name__ == "__main__":
    sys.exit(main())
