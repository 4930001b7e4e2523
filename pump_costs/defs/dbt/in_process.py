"""dbt run in the step's own process, not as a new `dbt` process for every invocation.

dagster-dbt starts dbt with `subprocess.Popen` and turns the JSON lines dbt prints into Dagster events.
Each new process imports dbt and reads the project again: ~3.5 s here before the first model, paid by
both dbt steps of a run, against ~0.1 s for a process that has read the project once. `DbtInThisProcess`
stands in for the Popen object: it runs dbt's programmatic entry point (`dbtRunner`) in a thread and
writes the same JSON lines into a pipe, so dagster-dbt's events, errors and artifacts are as before.
The parsed project is kept per project digest and target: an edited model is parsed again.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import threading
import types
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

from dagster_dbt.core import dbt_cli_invocation
from dbt.constants import DEFAULT_ENV_PLACEHOLDER

from pump_costs.defs.dbt.assets import WINDOW_END_ENV_VAR, WINDOW_START_ENV_VAR
from pump_costs.defs.dbt.build_inputs import project_digest
from pump_costs.settings import DBT_PROFILES_DIR

# dbt's runner and adapter are imported when dbt first runs, not by every process that loads the definitions
# (the webserver, the daemon, a sensor's evaluation): ~0.25 s each.
if TYPE_CHECKING:
    from dbt.contracts.graph.manifest import Manifest
    from dbt_common.events.base_types import EventMsg

# dbt's programmatic entry point runs one invocation at a time in a process.
ONE_INVOCATION_AT_A_TIME = threading.Lock()
PARSED_PROJECTS: dict[str, Manifest] = {}
# dagster-dbt hands these to the dbt process as environment variables; here they are the invocation's
# options (this process's environment is the run's, shared by everything in it).
OPTIONS_FROM_ENVIRONMENT = {
    "DBT_PROJECT_DIR": "--project-dir",
    "DBT_PROFILES_DIR": "--profiles-dir",
    "DBT_TARGET_PATH": "--target-path",
    "DBT_LOG_PATH": "--log-path",
}
# Nothing on this process's stdout (dagster-dbt prints the lines it relays there itself), dbt's debug log in the
# target folder as before, and no usage statistics (dagster-dbt turns them off for its processes too).
QUIET = ["--log-level", "none", "--log-level-file", "debug", "--no-send-anonymous-usage-stats"]
FAILED_TO_START = 2  # dbt's own exit code when it cannot run (bad project, no warehouse)
# Where dbt writes its artifacts and log (a folder per data folder) does not change what it parses, so a
# process that serves several data folders (a test worker) parses the project once, not ~1.4 s per folder.
NOT_PARSED_FROM = ("--target-path", "--log-path")


@contextmanager
def dbt_in_this_process() -> Iterator[None]:
    """While this is open, dagster-dbt's DbtCliResource.cli starts dbt in this process."""
    popen = dbt_cli_invocation.subprocess
    dbt_cli_invocation.subprocess = types.SimpleNamespace(
        Popen=DbtInThisProcess, PIPE=subprocess.PIPE, STDOUT=subprocess.STDOUT
    )
    try:
        yield
    finally:
        dbt_cli_invocation.subprocess = popen


class DbtInThisProcess:
    """What dagster-dbt uses of a Popen: `args`, `stdout` (dbt's JSON lines), `wait`, `returncode` and
    `send_signal`. The dbt arguments and the environment dagster-dbt gives the process are read; the
    variables the models read (data folder, window) are already in this process's environment."""

    def __init__(self, args: Sequence[str], env: Mapping[str, str], **popen_options: object) -> None:
        self.args = list(args)
        self.returncode: int | None = None
        options = {option: env[name] for name, option in OPTIONS_FROM_ENVIRONMENT.items() if name in env}
        # dagster-dbt names the project's own profiles folder (whatever DBT_PROFILES_DIR says: a folder set for
        # other dbt projects); a cluster's profile, as the README shows, is named by a setting of pump-costs' own.
        if profiles_dir := DBT_PROFILES_DIR.value():
            options["--profiles-dir"] = profiles_dir
        read_end, write_end = os.pipe()
        self.stdout = os.fdopen(read_end, "rb")
        # A daemon thread: a run whose process is stopped is not kept alive by its dbt invocation.
        self._thread = threading.Thread(
            target=self._invoke, args=(self.args[1:], options, os.fdopen(write_end, "wb")), name="dbt", daemon=True
        )
        self._thread.start()

    def _invoke(self, args: list[str], options: dict[str, str], lines: IO[bytes]) -> None:
        from dbt.cli.main import dbtRunner
        from dbt_common.events.functions import msg_to_dict

        unheard = threading.Event()  # the step stopped reading (it failed): dbt finishes, unheard

        def relay(event: EventMsg) -> None:
            # The lines a dbt process prints at its default level: no debug lines.
            if event.info.level != "debug" and not unheard.is_set():
                try:
                    lines.write(json.dumps(msg_to_dict(event)).encode() + b"\n")
                    lines.flush()
                except BrokenPipeError:
                    unheard.set()

        where = [part for option in options.items() for part in option]
        # The target's adapter decides which materializations and macros the parsed project has.
        target = args[args.index("--target") :][:2] if "--target" in args else []
        with ONE_INVOCATION_AT_A_TIME:
            try:
                manifest = parsed_project(Path(options["--project-dir"]), [*where, *target], relay)
                if manifest is None:
                    self.returncode = FAILED_TO_START
                    return
                result = dbtRunner(manifest=manifest, callbacks=[relay]).invoke([*QUIET, *args, *where])
                self.returncode = 0 if result.success else 1 if result.exception is None else FAILED_TO_START
            except Exception as error:  # as a dbt process would print it before exiting
                line = {"info": {"level": "error", "msg": f"{type(error).__name__}: {error}", "name": "Error"}}
                with contextlib.suppress(BrokenPipeError):
                    lines.write(json.dumps(line).encode() + b"\n")
                self.returncode = FAILED_TO_START
            finally:
                close_warehouse_connection()
                with contextlib.suppress(BrokenPipeError):
                    lines.close()

    def wait(self, timeout: float | None = None) -> int | None:
        self._thread.join(timeout)
        return self.returncode

    def send_signal(self, sig: signal.Signals) -> None:
        """A thread cannot be interrupted: a run being stopped ends with its process, and dbt with it; the
        warehouse keeps what each statement committed, as after a killed dbt process."""


def parsed_project(project_dir: Path, where: list[str], relay: Callable[[EventMsg], None]) -> Manifest | None:
    """The project's manifest, parsed in this process once (dbt's partial parsing of the target folder does
    the work) and again when a file, or an environment variable read while parsing, changed; None, dbt's
    errors relayed, when the project does not parse."""
    from dbt.cli.main import dbtRunner

    options = zip(where[::2], where[1::2], strict=True)
    parsed_from = [part for option in options if option[0] not in NOT_PARSED_FROM for part in option]
    key = " ".join([project_digest(project_dir), *parsed_from])
    manifest = PARSED_PROJECTS.get(key)
    if manifest is None or not parsed_with_this_environment(manifest):
        result = dbtRunner(callbacks=[relay]).invoke([*QUIET, "parse", *where])
        if not result.success:
            return None
        manifest = PARSED_PROJECTS[key] = result.result
    return manifest


def parsed_with_this_environment(manifest: Manifest) -> bool:
    """Whether the environment variables dbt read while parsing have the values they had. The run's window
    is not compared: models read it only in SQL and hooks rendered when they run (fct_anthropic_spend), so
    one manifest serves every window; were it read in a model's configuration, a manifest of another window
    would refresh the wrong days, which the suite's window tests would catch."""
    return all(
        os.environ.get(name, DEFAULT_ENV_PLACEHOLDER) == value
        for name, value in manifest.env_vars.items()
        if name not in (WINDOW_START_ENV_VAR, WINDOW_END_ENV_VAR)
    )


def close_warehouse_connection() -> None:
    """dbt-duckdb keeps its database open in the process after an invocation (a subprocess closed it on
    exit); close it, so the warehouse is free for the run's next step or another process."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        environment, DuckDBConnectionManager._ENV = DuckDBConnectionManager._ENV, None
    if environment is not None:
        environment.close()
