"""Dagster's home: where run history lives, kept beside the data it describes.

The demo (and keyless `make dev`) write under data/demo/, a real organization under the data folder, so
the demo's materialized partitions never show as done for a real organization.
"""

import os
from pathlib import Path

import dagster as dg

from pump_costs import settings
from pump_costs.settings import data_dir

# One run at a time (DuckDB has a single writer, so a schedule tick and a sensor run must queue), and
# schedule and sensor ticks purged after a while. Runs themselves are pruned by the housekeeping job.
INSTANCE_CONFIG = """\
# Written by pump-costs (pump_costs/instance.py) when this folder was created.
concurrency:
  runs:
    max_concurrent_runs: 1
# A run that never got going is failed after 5 minutes; one whose process died is failed by pump-costs'
# orphaned_runs_sensor (Dagster cannot check the health of runs the default launcher started).
run_monitoring:
  enabled: true
  start_timeout_seconds: 300
  poll_interval_seconds: 60
# Self-hosted billing data: Dagster sends no usage events anywhere (dbt's are off in dbt_project.yml).
telemetry:
  enabled: false
retention:
  schedule:
    purge_after_days: 90
  sensor:
    purge_after_days:
      skipped: 7
      failure: 90
      success: 90
"""


def dagster_home() -> Path:
    """DAGSTER_HOME when set, else <data folder>/dagster_home, created with pump-costs' instance settings."""
    home = Path(settings.DAGSTER_HOME.value() or data_dir() / "dagster_home").resolve()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    # Written by pump-costs (and not edited since): brought up to date; a user's own file is left alone.
    if not config.exists() or config.read_text().startswith(INSTANCE_CONFIG.splitlines()[0]):
        config.write_text(INSTANCE_CONFIG)
    return home


def use_dagster_home() -> Path:
    """Point this process (and the processes it starts) at dagster_home()."""
    home = dagster_home()
    os.environ[settings.DAGSTER_HOME.name] = str(home)
    return home


def default_instance() -> dg.DagsterInstance:
    """The persistent instance, so CLI and demo runs show in the UI's history."""
    use_dagster_home()
    return dg.DagsterInstance.get()
