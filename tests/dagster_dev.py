"""`dagster dev` for the end-to-end tests that take the user's path: the webserver, the daemon, the queue."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from pump_costs.instance import INSTANCE_CONFIG
from pump_costs.settings import PROJECT_ROOT

FAST_DAEMON = Path(__file__).parent / "fast_daemon"  # its sitecustomize shortens the backfill daemon's interval
ASSET_KEYS = "query { assetNodes { assetKey { path } isMaterializable } }"
# Added to pump-costs' instance settings (as written for `make dev`): the queue hands out a run within a
# second of the last one ending (Dagster's default: 5 seconds), and the automation daemon keeps Dagster's
# 30 s interval, which fast_daemon/sitecustomize.py would otherwise shorten with the backfill daemon's.
TEST_INSTANCE_CONFIG = """\
run_coordinator:
  module: dagster.core.run_coordinator
  class: QueuedRunCoordinator
  config:
    dequeue_interval_seconds: 1
auto_materialize:
  minimum_interval_seconds: 30
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def graphql(url: str, document: str, **variables) -> dict:
    response = requests.post(url, json={"query": document, "variables": variables}, timeout=60)
    response.raise_for_status()
    return response.json()["data"]


def wait_until_up(url: str, processes: list["ProcessGroup"], timeout: float = 120) -> None:
    """Until the webserver at `url` serves pump-costs' assets (so its code location has loaded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert all(p.running() for p in processes), "a Dagster process exited; see its log"
        try:
            if graphql(url, ASSET_KEYS)["assetNodes"]:
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    raise TimeoutError(f"{url} did not answer")


class ProcessGroup:
    """A server process (Dagster's, or Spark's Thrift server) and the processes it starts, in a group of its own,
    logging to `log`, stopped the way Dagster's commands listen to: SIGINT to the group (`dagster dev` ignores
    SIGTERM; a JVM stops on either), then SIGKILL."""

    def __init__(self, command: list[str], env: dict[str, str], log: Path):
        self.log = log.open("w")
        self.process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.running():
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


class DagsterDev:
    """`dagster dev` (webserver, daemon, code location in one command) on a free loopback port."""

    def __init__(self, home: Path, log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/graphql"
        python_path = [str(FAST_DAEMON), *filter(None, [os.environ.get("PYTHONPATH")])]
        self.process = ProcessGroup(
            [sys.executable, "-m", "dagster", "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(self.port)],
            {**os.environ, "DAGSTER_HOME": str(home), "PYTHONPATH": os.pathsep.join(python_path)},
            log,
        )

    def graphql(self, document: str, **variables) -> dict:
        return graphql(self.url, document, **variables)

    def wait_until_up(self, timeout: float = 120) -> None:
        wait_until_up(self.url, [self.process], timeout)

    def stop(self) -> None:
        self.process.stop()


@pytest.fixture
def dagster_dev(tmp_path: Path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(INSTANCE_CONFIG + TEST_INSTANCE_CONFIG)
    server = DagsterDev(home, tmp_path / "dagster-dev.log")
    try:
        server.wait_until_up()
        yield server, home
    finally:
        server.stop()
