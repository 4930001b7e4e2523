"""Every setting pump-costs reads from the environment: its name, default and meaning, in one place.

Settings are read when they are used (a run starting, a CLI command), never when definitions load, so
what Dagster loads is the same whatever the environment. The README's Configuration table is this
module's `markdown_table()` (a test keeps the two the same). Nothing here imports Dagster or dbt.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The first day pump-costs keeps: daily partitions start here, far enough back for a 365-day backfill.
FIRST_DAY = date(2025, 1, 1)


@dataclass(frozen=True)
class Setting:
    name: str
    default: str | None  # as a value; None: no default
    meaning: str
    shown_default: str | None = None  # how the README shows the default, when it is not the value itself

    def value(self) -> str | None:
        """The variable when set and not empty, else the default."""
        return os.environ.get(self.name) or self.default

    def number(self) -> int:
        text = self.value()
        try:
            return int(text or "")
        except ValueError:
            raise ValueError(f"{self.name}={text!r} is not a whole number; unset it to use {self.default}") from None


ADMIN_API_KEY = Setting(
    "ANTHROPIC_ADMIN_API_KEY",
    None,
    "The Admin key. Read by environment-variable name when a run starts: its value never reaches run config, "
    "logs or storage.",
)
ADMIN_API_KEY_FILE = Setting(
    "ANTHROPIC_ADMIN_API_KEY_FILE",
    None,
    "A file holding the Admin key (the Docker and Kubernetes secrets convention), read when "
    "`ANTHROPIC_ADMIN_API_KEY` is unset; refused when other users could read it (`chmod 600`). Without either, "
    "the key `pump-costs connect` stored in the keyring is used.",
)
ORGANIZATIONS_FILE = Setting(
    "PUMP_COSTS_ORGANIZATIONS_FILE",
    None,
    "The Anthropic organizations to pull, each with where its key is (see Several organizations); without "
    "the file, one organization with the key above.",
    shown_default="$PUMP_COSTS_DATA_DIR/organizations.yaml",
)
BASE_URL = Setting(
    "ANTHROPIC_BASE_URL",
    "https://api.anthropic.com",
    "Where the Admin API is (the demo points it at the fake server).",
)
DATA_DIR = Setting(
    "PUMP_COSTS_DATA_DIR",
    "data",
    "Everything pump-costs writes (see below); a relative path is taken from the project folder, wherever you "
    "start from. The demo uses `./data/demo`.",
    shown_default="./data",
)
ANTHROPIC_REPORTS = Setting(
    "PUMP_COSTS_ANTHROPIC_REPORTS",
    "analytics,legacy,claude_code",
    "Which Anthropic reports are pulled (`,`-separated): `analytics` (the Usage and Cost Analytics API: cost per "
    "key, actor and product, from 2026-01-01 and 365 days back), `legacy` (the usage and cost reports, any day) "
    "and `claude_code` (the Claude Code report). A report left out keeps what it stored.",
)
TRAILING_DAYS = Setting("PUMP_COSTS_TRAILING_DAYS", "3", "Days the daily schedule re-pulls, yesterday included.")
AWS_CUR_DIRS = Setting(
    "PUMP_COSTS_AWS_CUR_DIRS",
    None,
    "Folders (`:`-separated) with AWS CUR 2.0 or legacy CUR exports.",
    shown_default="$PUMP_COSTS_DATA_DIR/exports/aws",
)
GCP_BILLING_DIRS = Setting(
    "PUMP_COSTS_GCP_BILLING_DIRS",
    None,
    "Folders with GCP billing export extracts.",
    shown_default="$PUMP_COSTS_DATA_DIR/exports/gcp",
)
AZURE_EXPORT_DIRS = Setting(
    "PUMP_COSTS_AZURE_EXPORT_DIRS",
    None,
    "Folders with Azure Cost Management exports.",
    shown_default="$PUMP_COSTS_DATA_DIR/exports/azure",
)
FOCUS_DIRS = Setting(
    "PUMP_COSTS_FOCUS_DIRS",
    None,
    "Folders with FOCUS 1.0 to 1.3 files from any provider.",
    shown_default="$PUMP_COSTS_DATA_DIR/exports/focus",
)
BUDGETS_FILE = Setting(
    "PUMP_COSTS_BUDGETS_FILE",
    None,
    "Monthly budgets per scope (see Budgets below); without the file, no budgets are checked.",
    shown_default="$PUMP_COSTS_DATA_DIR/budgets.yaml",
)
ALERT_WEBHOOK_URL = Setting(
    "PUMP_COSTS_ALERT_WEBHOOK_URL",
    None,
    "A Slack incoming webhook (or anything taking its JSON): budget breaches, anomalies and failed runs are "
    "posted there, each once. Never logged.",
)
READ_EXPORTS_IN_PLACE = Setting(
    "PUMP_COSTS_READ_EXPORTS_IN_PLACE",
    "false",
    "`true`: export files in Parquet that hold numbers and timestamps as such (as AWS CUR 2.0, GCP and FOCUS "
    "Parquet exports do) are read where they are, not copied into the raw lake; other files are copied either "
    "way. See Exports already in a lake below.",
)
DEMO_DAYS = Setting("PUMP_COSTS_DEMO_DAYS", "30", "Days `make demo` pulls.")
RUN_RETENTION_DAYS = Setting(
    "PUMP_COSTS_RUN_RETENTION_DAYS",
    "90",
    "Finished runs older than this are deleted by `housekeeping_job` (daily, 04:30 UTC).",
)
ENGINE = Setting(
    "PUMP_COSTS_ENGINE",
    "duckdb",
    "What builds the dbt models and writes the published marts: `duckdb` (in this process) or `spark` (the dbt "
    "profile's `spark` target; see Apache Spark below). Landing writes the raw lake either way.",
)
DBT_PROFILES_DIR = Setting(
    "PUMP_COSTS_DBT_PROFILES_DIR",
    None,
    "A folder whose `profiles.yml` pump-costs' dbt reads instead of the project's own: a Spark cluster's profile "
    "(see A real cluster below), whose `pump_costs` profile has the output the engine runs on (`spark`; `local` "
    "for `duckdb`). dbt's own `DBT_PROFILES_DIR`, set for other dbt projects, is not read.",
    shown_default="dbt_project/",
)
DAGSTER_HOME = Setting(
    "DAGSTER_HOME",
    None,
    "Dagster's run history and schedules (the demo always uses `data/demo/dagster_home`).",
    shown_default="$PUMP_COSTS_DATA_DIR/dagster_home",
)

SETTINGS = (
    ADMIN_API_KEY,
    ADMIN_API_KEY_FILE,
    ORGANIZATIONS_FILE,
    BASE_URL,
    DATA_DIR,
    ANTHROPIC_REPORTS,
    TRAILING_DAYS,
    AWS_CUR_DIRS,
    GCP_BILLING_DIRS,
    AZURE_EXPORT_DIRS,
    FOCUS_DIRS,
    BUDGETS_FILE,
    ALERT_WEBHOOK_URL,
    READ_EXPORTS_IN_PLACE,
    DEMO_DAYS,
    RUN_RETENTION_DAYS,
    ENGINE,
    DBT_PROFILES_DIR,
    DAGSTER_HOME,
)


ANTHROPIC_REPORT_NAMES = ("analytics", "legacy", "claude_code")


def anthropic_reports() -> frozenset[str]:
    """The Anthropic reports to pull; an unknown name is an error rather than a report silently skipped."""
    names = {name.strip() for name in (ANTHROPIC_REPORTS.value() or "").split(",") if name.strip()}
    unknown = sorted(names - set(ANTHROPIC_REPORT_NAMES))
    if unknown:
        raise ValueError(
            f"{ANTHROPIC_REPORTS.name} names {', '.join(map(repr, unknown))}, which is not a report pump-costs "
            f"pulls; use any of {', '.join(ANTHROPIC_REPORT_NAMES)} (`,`-separated), or unset it for all three."
        )
    return frozenset(names)


# Each engine and the dbt profile target that runs the models on it.
DBT_TARGETS = {"duckdb": "local", "spark": "spark"}


def engine() -> str:
    """The engine that models and publishes; an unknown one is an error, not the default taken silently."""
    name = (ENGINE.value() or "").strip().lower()
    if name not in DBT_TARGETS:
        raise ValueError(
            f"{ENGINE.name}={ENGINE.value()!r} is not an engine pump-costs runs on; use duckdb or spark, or unset "
            "it for duckdb."
        )
    return name


def read_exports_in_place() -> bool:
    """Whether typed Parquet exports are read where they are; a value that is neither is an error."""
    text = (READ_EXPORTS_IN_PLACE.value() or "").strip().lower()
    if text not in ("true", "false"):
        raise ValueError(
            f"{READ_EXPORTS_IN_PLACE.name}={READ_EXPORTS_IN_PLACE.value()!r} is neither true nor false; unset it to "
            "copy every export file into the raw lake."
        )
    return text == "true"


def data_dir() -> Path:
    """The data folder. DuckDB reads the lake's files and the published marts by their paths, as patterns: a
    folder whose path has '*', '?' or '[' would be read as one (with its neighbours, or not at all)."""
    folder = (PROJECT_ROOT / Path(DATA_DIR.value() or "data").expanduser()).resolve()
    if pattern := next((character for character in "*?[" if character in str(folder)), None):
        raise ValueError(
            f"{DATA_DIR.name}={DATA_DIR.value()!r}: the data folder {folder} has {pattern!r} in its path, which "
            "DuckDB reads as a file pattern; choose a folder without '*', '?' or '['."
        )
    return folder


def organizations_file() -> Path:
    return Path(ORGANIZATIONS_FILE.value() or data_dir() / "organizations.yaml").expanduser()


def budgets_file() -> Path:
    return Path(BUDGETS_FILE.value() or data_dir() / "budgets.yaml").expanduser()


def markdown_table() -> str:
    rows = [
        f"| `{s.name}` | {f'`{s.shown_default or s.default}`' if (s.shown_default or s.default) else 'none'} "
        f"| {s.meaning} |"
        for s in SETTINGS
    ]
    return "\n".join(["| Variable | Default | Meaning |", "|---|---|---|", *rows])
