"""Every raw table, declared once: its DDL and its Arrow schema are both read from these declarations."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from pump_costs.raw.export_formats import ExportFormat

ANTHROPIC_SCHEMA = "raw_anthropic"
EXPORTS_SCHEMA = "raw_exports"
CONFIG_SCHEMA = "raw_config"

# What landing adds to every export row: where it came from, and when its file was landed (fct_cloud_spend
# rebuilds a file's rows when that changes).
EXPORT_METADATA_COLUMNS = ("_source_file", "_billing_period", "_dataset", "_scope")
LANDED_AT = "_landed_at"

DECIMAL = re.compile(r"decimal\((\d+), (\d+)\)")


def arrow_type(duckdb_type: str) -> pa.DataType:
    if duckdb_type in ("varchar", "json"):
        return pa.string()
    if duckdb_type == "bigint":
        return pa.int64()
    if duckdb_type == "timestamp":
        return pa.timestamp("us")
    if duckdb_type == "boolean":
        return pa.bool_()
    precision, scale = map(int, DECIMAL.fullmatch(duckdb_type).groups())
    return pa.decimal128(precision, scale)


def spark_type(duckdb_type: str) -> str:
    return {"varchar": "string", "json": "string", "timestamp": "timestamp_ntz"}.get(duckdb_type, duckdb_type)


@dataclass(frozen=True)
class RawTable:
    schema: str
    name: str
    columns: tuple[tuple[str, str], ...]  # (name, DuckDB type)
    not_null: frozenset[str] = frozenset()
    # The part of the lake a row is kept in (pump_costs/raw/lake.py), as SQL on the row: what one write replaces.
    part: str = "'all'"

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def asset_key(self) -> list[str]:
        """The Dagster asset that loads this table: its schema and name, as dbt's models are keyed."""
        return [self.schema, self.name]

    def ddl(self) -> str:
        columns = ",\n    ".join(
            f"{name} {kind}{' not null' if name in self.not_null else ''}" for name, kind in self.columns
        )
        return f"create table if not exists {self.qualified} (\n    {columns}\n);"

    def arrow_schema(self) -> pa.Schema:
        return pa.schema([(name, arrow_type(kind)) for name, kind in self.columns])


# Every Anthropic row names the organization it was pulled from: a pull replaces that organization's rows only.
ORGANIZATION_ID = ("organization_id", "varchar")
# Anthropic rows are kept by organization and, for reports, by month: a pull of a window rewrites its months.
ORGANIZATION_PART = "coalesce(regexp_replace(organization_id, '[^A-Za-z0-9_-]', '_', 'g'), 'none')"
MONTH_PART = f"{ORGANIZATION_PART} || '/' || strftime(bucket_start, '%Y-%m')"


def _anthropic(name: str, columns: list[tuple[str, str]], not_null: set[str]) -> RawTable:
    # The row as received, and when; organization_id is nullable only so that older warehouses can gain it.
    every_row = [("raw_json", "json"), ("loaded_at", "timestamp")]
    organization = [] if ORGANIZATION_ID in columns else [ORGANIZATION_ID]
    return RawTable(
        ANTHROPIC_SCHEMA,
        name,
        (*columns, *organization, *every_row),
        frozenset(not_null | {"raw_json", "loaded_at"}),
        MONTH_PART if ("bucket_start", "timestamp") in columns else ORGANIZATION_PART,
    )


TOKENS = [
    "uncached_input_tokens",
    "cache_read_input_tokens",
    "cache_creation_5m_input_tokens",
    "cache_creation_1h_input_tokens",
    "output_tokens",
    "web_search_requests",
]
USAGE_REPORT = _anthropic(
    "usage_report",
    [
        ("bucket_start", "timestamp"),
        ("bucket_end", "timestamp"),
        *((name, "varchar") for name in ("api_key_id", "workspace_id", "model", "service_tier")),
        *((name, "varchar") for name in ("context_window", "inference_geo")),
        *((name, "bigint") for name in TOKENS),
        ("group_by", "varchar"),
    ],
    {"bucket_start", "bucket_end", *TOKENS, "group_by"},
)
# Money is exact: cents as the API sent them, and USD as cents / 100 with two more decimal places.
COST_REPORT = _anthropic(
    "cost_report",
    [
        ("bucket_start", "timestamp"),
        ("bucket_end", "timestamp"),
        *((name, "varchar") for name in ("workspace_id", "description", "cost_type", "model", "service_tier")),
        *((name, "varchar") for name in ("context_window", "token_type", "inference_geo", "currency")),
        ("amount_cents", "decimal(38, 16)"),
        ("amount_usd", "decimal(38, 18)"),
        ("group_by", "varchar"),
    ],
    {"bucket_start", "bucket_end", "currency", "amount_cents", "amount_usd", "group_by"},
)
ORGANIZATION = _anthropic(
    "organization", [("organization_id", "varchar"), ("organization_name", "varchar")], {"organization_id"}
)
WORKSPACES = _anthropic(
    "workspaces",
    [
        ("workspace_id", "varchar"),
        ("workspace_name", "varchar"),
        ("created_at", "timestamp"),
        ("archived_at", "timestamp"),
        ("display_color", "varchar"),
    ],
    {"workspace_id"},
)
API_KEYS = _anthropic(
    "api_keys",
    [
        ("api_key_id", "varchar"),
        ("api_key_name", "varchar"),
        ("workspace_id", "varchar"),
        ("status", "varchar"),
        ("created_at", "timestamp"),
    ],
    {"api_key_id"},
)
# The analytics API's rows, as each query answered them (`query`, `group_by`, `filters`). Rows of
# by_key_and_price hold their filter's tier, context window and geo in those columns.
ANALYTICS_DIMENSIONS = [
    ("bucket_start", "timestamp"),
    ("bucket_end", "timestamp"),
    ("query", "varchar"),
    *((name, "varchar") for name in ("workspace_id", "api_key_id", "actor_type", "actor_id", "actor_name")),
    ("actor_email", "varchar"),
    ("actor_deleted", "boolean"),
    *((name, "varchar") for name in ("product", "model", "service_tier", "context_window", "inference_geo", "speed")),
]
ANALYTICS_QUERY = [("group_by", "varchar"), ("filters", "varchar")]
ANALYTICS_USAGE = _anthropic(
    "analytics_usage",
    [*ANALYTICS_DIMENSIONS, *((name, "bigint") for name in TOKENS), ("requests", "bigint"), *ANALYTICS_QUERY],
    {"bucket_start", "bucket_end", "query", *TOKENS, "group_by", "filters"},
)
ANALYTICS_COST = _anthropic(
    "analytics_cost",
    [
        *ANALYTICS_DIMENSIONS,
        ("cost_type", "varchar"),
        ("token_type", "varchar"),
        ("currency", "varchar"),
        ("amount_cents", "decimal(38, 16)"),
        ("list_amount_cents", "decimal(38, 16)"),
        ("requests", "bigint"),
        *ANALYTICS_QUERY,
    ],
    {"bucket_start", "bucket_end", "query", "currency", "amount_cents", "list_amount_cents", "group_by", "filters"},
)
# The days an analytics cost pull covered, empty ones included: those days take their cost from it.
ANALYTICS_COST_DAYS = RawTable(
    ANTHROPIC_SCHEMA,
    "analytics_cost_days",
    (("bucket_start", "timestamp"), ("bucket_end", "timestamp"), ORGANIZATION_ID, ("loaded_at", "timestamp")),
    frozenset({"bucket_start", "bucket_end", "loaded_at"}),
    MONTH_PART,
)
# One row per Claude Code record and model (a record without models has one row, model null). The
# record's own metrics (sessions, lines, commits, pull requests, tool actions) are on every row of it;
# model_index 0 is the row that counts them.
CLAUDE_CODE = _anthropic(
    "claude_code",
    [
        ("bucket_start", "timestamp"),
        *((name, "varchar") for name in ("actor_type", "actor_email", "actor_api_key_name", "organization_id")),
        *((name, "varchar") for name in ("customer_type", "subscription_type", "terminal_type")),
        ("is_remote", "boolean"),
        *((name, "bigint") for name in ("num_sessions", "lines_added", "lines_removed", "commits", "pull_requests")),
        ("tool_actions_accepted", "bigint"),
        ("tool_actions_rejected", "bigint"),
        ("model_index", "bigint"),
        ("model", "varchar"),
        *((name, "bigint") for name in ("input_tokens", "output_tokens", "cache_read_tokens", "cache_creation_tokens")),
        ("estimated_cost_cents", "decimal(38, 16)"),
        ("currency", "varchar"),
    ],
    {"bucket_start", "is_remote", "model_index"},
)
ANTHROPIC_TABLES = (
    USAGE_REPORT,
    COST_REPORT,
    ORGANIZATION,
    WORKSPACES,
    API_KEYS,
    ANALYTICS_USAGE,
    ANALYTICS_COST,
    ANALYTICS_COST_DAYS,
    CLAUDE_CODE,
)

# One row per export file whose rows are landed now.
LANDED_FILES = RawTable(
    EXPORTS_SCHEMA,
    "landed_files",
    (
        ("format_table", "varchar"),
        ("path", "varchar"),
        ("size", "bigint"),
        ("modified_ns", "bigint"),
        ("billing_period", "varchar"),
        ("dataset", "varchar"),
        ("scope", "varchar"),
        ("landed_at", "timestamp"),
        ("rows", "bigint"),
        ("content_sha256", "varchar"),
    ),
    frozenset({"format_table", "path", "size", "modified_ns", "landed_at", "rows"}),
    "format_table",
)


# Landing reads each number and timestamp once, whatever the file's type for it: staging only renames.
EXPORT_NUMBER_TYPE = "decimal(38, 18)"  # the mart's money type (dbt's money macro)
EXPORT_TIMESTAMP_TYPE = "timestamp"  # UTC


# The budgets file as last loaded (pump_costs/defs/report/budgets.py validates it): one row per budget.
BUDGETS = RawTable(
    CONFIG_SCHEMA,
    "budgets",
    (
        ("scope_type", "varchar"),
        ("scope_name", "varchar"),
        ("billing_currency", "varchar"),
        ("monthly_amount", "decimal(38, 10)"),
        ("loaded_at", "timestamp"),
    ),
    frozenset({"scope_type", "scope_name", "billing_currency", "monthly_amount", "loaded_at"}),
)


def export_column_type(fmt: ExportFormat, name: str) -> str:
    if name in fmt.numbers:
        return EXPORT_NUMBER_TYPE
    return EXPORT_TIMESTAMP_TYPE if name in fmt.timestamps else "varchar"


def export_table(fmt: ExportFormat) -> RawTable:
    """A format's raw table: numbers exact, timestamps in UTC, every other listed column as text (nested
    values as JSON), then where it came from."""
    columns = tuple((f'"{name}"', export_column_type(fmt, name)) for name in fmt.columns)
    metadata = tuple((name, "varchar") for name in EXPORT_METADATA_COLUMNS)
    # Each export file's rows are a part of their own (lake.file_part computes the same from a path).
    return RawTable(
        EXPORTS_SCHEMA,
        fmt.table,
        (*columns, *metadata, (LANDED_AT, "timestamp")),
        part="left(md5(coalesce(_source_file, '')), 16)",
    )


@contextmanager
def transaction(conn: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All of the block's writes, or none: a failure (or a kill) leaves the tables as they were."""
    conn.execute("begin transaction")
    try:
        yield conn
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
