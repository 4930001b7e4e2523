"""The production topology of deploy/: a real Postgres, and the code server, the webserver and the daemon as
separate processes on deploy/dagster.yaml and deploy/workspace.yaml, the daily schedule launching the run that
pulls two organizations."""

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import dagster as dg
import duckdb
import yaml
from dagster._core.scheduler.instigation import InstigatorType, ScheduleInstigatorData
from dagster._utils.schedules import reverse_cron_string_iterator

from pump_costs.defs.publish.assets import PUBLISHED_DATABASE
from pump_costs.defs.schedules import daily_spend_schedule
from pump_costs.fake_anthropic import (
    DEMO_ORGANIZATION,
    FAKE_ADMIN_KEY,
    SECOND_FAKE_ADMIN_KEY,
    SECOND_ORGANIZATION,
    ground_truth,
)
from pump_costs.instance import INSTANCE_CONFIG
from pump_costs.settings import ADMIN_API_KEY, ADMIN_API_KEY_FILE, PROJECT_ROOT, organizations_file
from pump_costs.warehouse import published_dir
from tests.dagster_dev import FAST_DAEMON, ProcessGroup, free_port, graphql, wait_until_up

DEPLOY = PROJECT_ROOT / "deploy"
POSTGRES_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), None)
SCHEDULE = daily_spend_schedule.name
START_SCHEDULE = """
mutation ($selector: ScheduleSelector!) {
  startSchedule(scheduleSelector: $selector) {
    __typename ... on ScheduleStateResult { scheduleState { id } } ... on PythonError { message }
  }
}"""
STOP_SCHEDULE = "mutation ($id: String!) { stopRunningSchedule(id: $id) { __typename } }"


class Postgres:
    """A throwaway Postgres on a loopback port, run as its own user when this is root (it refuses root)."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="pump-costs-pg-"))
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.folder, "postgres", "postgres")
        self.port, self.data = free_port(), self.folder / "data"

    def run(self, program: str, *args: str) -> bytes:
        command = [*self.as_postgres, str(POSTGRES_BIN / program), *args]
        return subprocess.run(command, check=True, capture_output=True, timeout=120).stdout

    def client(self, program: str, *args: str) -> bytes:
        return self.run(program, "-h", "127.0.0.1", "-p", str(self.port), "-U", "dagster", *args)


@contextmanager
def postgres() -> Iterator[Postgres]:
    server = Postgres()
    server.run("initdb", "-D", str(server.data), "-A", "trust", "-U", "dagster")
    options = f"-p {server.port} -k {server.folder} -c listen_addresses=127.0.0.1"
    server.run("pg_ctl", "-D", str(server.data), "-l", str(server.folder / "log"), "-o", options, "-w", "start")
    try:
        server.client("createdb", "dagster")
        yield server
    finally:
        server.run("pg_ctl", "-D", str(server.data), "-m", "immediate", "stop")
        shutil.rmtree(server.folder, ignore_errors=True)


def unit_command(unit: str, ports: dict[str, str]) -> list[str]:
    """The systemd unit's ExecStart, with this checkout's venv for /opt/pump-costs/.venv and `ports` for its
    ports, so the test starts what the units start."""
    text = (DEPLOY / "systemd" / unit).read_text()
    [line] = [line for line in text.splitlines() if line.startswith("ExecStart=")]
    venv_bin = str(Path(sys.executable).parent)
    command = shlex.split(line.removeprefix("ExecStart=").replace("/opt/pump-costs/.venv/bin", venv_bin))
    return [ports.get(argument, argument) for argument in command]


def unit_environment_names() -> set[str]:
    lines = (DEPLOY / "systemd" / "pump-costs.env.example").read_text().splitlines()
    return {line.split("=")[0] for line in lines if re.match(r"[A-Z_]+=", line)}


def test_deploy_instance_settings_are_the_dev_ones_plus_postgres():
    deployed = yaml.safe_load((DEPLOY / "dagster.yaml").read_text())
    assert {k: v for k, v in deployed.items() if k != "storage"} == yaml.safe_load(INSTANCE_CONFIG)
    assert deployed["storage"]["postgres"]["postgres_db"] == {
        "hostname": {"env": "DAGSTER_PG_HOST"},
        "port": {"env": "DAGSTER_PG_PORT"},
        "username": {"env": "DAGSTER_PG_USERNAME"},
        "password": {"env": "DAGSTER_PG_PASSWORD"},
        "db_name": {"env": "DAGSTER_PG_DB"},
        "scheme": "postgresql+psycopg2",
    }


def test_the_systemd_units_verify(tmp_path):
    """systemd's own check of the units (directives, specifiers), with this checkout's venv as their install."""
    venv_bin = str(Path(sys.executable).parent)
    for unit in (DEPLOY / "systemd").glob("*.service"):
        (tmp_path / unit.name).write_text(unit.read_text().replace("/opt/pump-costs/.venv/bin", venv_bin))
    units = sorted(str(path) for path in tmp_path.glob("*.service"))
    assert len(units) == 4
    result = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_no_deploy_file_holds_a_key():
    """The image, the compose file and the units get the key's path, never a key."""
    for path in DEPLOY.rglob("*"):
        if path.is_file():
            text = path.read_text()
            assert "sk-ant-" not in text, path
            assert not re.search(rf"{ADMIN_API_KEY.name}\s*[:=]", text), path


def test_the_daily_schedule_runs_on_the_production_topology(fake_api, tmp_path, monkeypatch):
    assert POSTGRES_BIN, "PostgreSQL is not installed: `make test` installs Debian's"
    key_file = tmp_path / "anthropic-admin-api-key"
    key_file.write_text(FAKE_ADMIN_KEY)
    key_file.chmod(0o600)
    # A second organization, listed with the first in the organizations file, its key in a file of its own.
    research_key_file = tmp_path / "anthropic-research"
    research_key_file.write_text(SECOND_FAKE_ADMIN_KEY)
    research_key_file.chmod(0o600)
    organizations_file().parent.mkdir(parents=True, exist_ok=True)
    organizations_file().write_text(
        f"organizations:\n  - name: production\n    key_file: {key_file}\n"
        f"  - name: research\n    key_file: {research_key_file}\n"
    )
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(DEPLOY / "dagster.yaml", home / "dagster.yaml")
    code_port, web_port = free_port(), free_port()
    with postgres() as database:
        settings = {
            "DAGSTER_HOME": str(home),
            "DAGSTER_PG_HOST": "127.0.0.1",
            "DAGSTER_PG_PORT": str(database.port),
            "DAGSTER_PG_USERNAME": "dagster",
            "DAGSTER_PG_PASSWORD": "unused-with-trust-authentication",
            "DAGSTER_PG_DB": "dagster",
            "PUMP_COSTS_CODE_SERVER_HOST": "127.0.0.1",
            "PUMP_COSTS_CODE_SERVER_PORT": str(code_port),
            "PUMP_COSTS_TRAILING_DAYS": "1",
        }
        assert unit_environment_names() == {*settings, "PUMP_COSTS_DATA_DIR"} - {"PUMP_COSTS_TRAILING_DAYS"}
        for name, value in settings.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv(ADMIN_API_KEY.name)  # as on a server: the key is only in the code server's file
        services = dict(os.environ)
        ports = {"4000": str(code_port), "3000": str(web_port)}
        # As systemd orders them: the tables first, so the services do not race to create them.
        storage = subprocess.run(
            unit_command("pump-costs-storage.service", ports), env=services, capture_output=True, text=True, timeout=300
        )
        assert storage.returncode == 0, storage.stdout + storage.stderr
        code_server = ProcessGroup(
            unit_command("pump-costs-code-server.service", ports),
            {**services, ADMIN_API_KEY_FILE.name: str(key_file)},
            tmp_path / "code-server.log",
        )
        web_url = f"http://127.0.0.1:{web_port}/graphql"
        webserver = ProcessGroup(
            unit_command("pump-costs-webserver.service", ports),
            services,
            tmp_path / "webserver.log",
        )
        daemon = None
        try:
            wait_until_up(web_url, [code_server, webserver], timeout=180)
            # The schedule as a user would have had it running since yesterday: toggled off and on in the UI (a
            # schedule running by default has no stored state until then), then its start moved back a day, so
            # the daemon's first look finds the latest 03:00 tick due.
            selector = {
                "repositoryLocationName": "pump_costs",
                "repositoryName": "__repository__",
                "scheduleName": SCHEDULE,
            }
            state_id = graphql(web_url, START_SCHEDULE, selector=selector)["startSchedule"]["scheduleState"]["id"]
            assert graphql(web_url, STOP_SCHEDULE, id=state_id)["stopRunningSchedule"]["__typename"] == (
                "ScheduleStateResult"
            )
            assert (
                graphql(web_url, START_SCHEDULE, selector=selector)["startSchedule"]["scheduleState"]["id"] == state_id
            )
            with dg.DagsterInstance.get() as instance:
                [state] = [
                    s
                    for s in instance.all_instigator_state(instigator_type=InstigatorType.SCHEDULE)
                    if s.name == SCHEDULE
                ]
                since_yesterday = ScheduleInstigatorData(state.instigator_data.cron_schedule, time.time() - 86400)
                instance.update_instigator_state(state.with_data(since_yesterday))
                python_path = os.pathsep.join([str(FAST_DAEMON), *filter(None, [os.environ.get("PYTHONPATH")])])
                daemon = ProcessGroup(
                    unit_command("pump-costs-daemon.service", ports),
                    {**services, "PYTHONPATH": python_path},
                    tmp_path / "daemon.log",
                )
                scheduled = dg.RunsFilter(tags={"dagster/schedule_name": SCHEDULE})
                deadline = time.monotonic() + 300
                while time.monotonic() < deadline:
                    runs = instance.get_runs(scheduled)
                    if runs and runs[0].is_finished:
                        break
                    assert daemon.running() and code_server.running(), "a service exited; see its log"
                    time.sleep(2)
                [run] = instance.get_runs(scheduled)
                assert run.status == dg.DagsterRunStatus.SUCCESS, (tmp_path / "code-server.log").read_text()[-3000:]

            latest_tick = next(reverse_cron_string_iterator(time.time(), daily_spend_schedule.cron_schedule, "UTC"))
            day = latest_tick.date() - timedelta(days=1)
            assert run.tags["dagster/asset_partition_range_start"] == day.isoformat()
            with duckdb.connect(str(published_dir() / PUBLISHED_DATABASE), read_only=True) as conn:
                published = conn.execute(
                    "select BillingAccountName, sum(BilledCost) from marts.fct_spend where ProviderName = 'Anthropic' "
                    "and cast(ChargePeriodStart as date) = ? group by all",
                    [day],
                ).fetchall()
            assert dict(published) == {
                org.name: ground_truth(day, day + timedelta(days=1), org).total_cost_usd
                for org in (DEMO_ORGANIZATION, SECOND_ORGANIZATION)
            }

            status = subprocess.run(
                [sys.executable, "-m", "pump_costs.cli", "status", "--json"],
                cwd=PROJECT_ROOT,
                env={**services, ADMIN_API_KEY_FILE.name: str(key_file)},
                capture_output=True,
                text=True,
                timeout=120,
            )
            report = json.loads(status.stdout)
            assert status.returncode == 0 and report["daemon_running"], status.stderr
            # Before 03:00 UTC the latest tick pulled the day before yesterday: 1 day behind, within the default.
            assert [(s["source"], s["organization"], s["last_day"], s["stale"]) for s in report["sources"]] == [
                ("anthropic_admin_api", DEMO_ORGANIZATION.name, day.isoformat(), False),
                ("anthropic_admin_api", SECOND_ORGANIZATION.name, day.isoformat(), False),
            ]
            with dg.DagsterInstance.get() as instance:
                succeeded = instance.get_runs(dg.RunsFilter(statuses=[dg.DagsterRunStatus.SUCCESS]), limit=1)
            assert report["last_successful_run"]["run_id"] == succeeded[0].run_id
            assert {s["name"]: s["running"] for s in report["schedules"]}[SCHEDULE]
        finally:
            for service in (daemon, webserver, code_server):
                if service:
                    service.stop()
        dump = database.client("pg_dump", "dagster")
    keys = (FAKE_ADMIN_KEY.encode(), SECOND_FAKE_ADMIN_KEY.encode())
    assert b"daily_spend_schedule" in dump and not any(key in dump for key in keys)
    for path in tmp_path.rglob("*"):
        if path.is_file() and path not in (key_file, research_key_file):
            assert not any(key in path.read_bytes() for key in keys), path
