"""Budgets: one YAML file of monthly amounts per scope (total, provider, service, billing_account, workspace,
api_key; the README's Budgets section shows the format), validated on load and landed as raw_config.budgets,
which fct_budget_status compares with the spend in each budget's currency.
"""

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Literal

import dagster as dg
import duckdb
import pyarrow as pa
import yaml
from dagster_duckdb import DuckDBResource
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from pump_costs import settings
from pump_costs.config_files import validation_problems
from pump_costs.raw.lake import create_raw_layer, replace_rows
from pump_costs.raw.tables import BUDGETS

Scope = Literal["total", "provider", "service", "billing_account", "workspace", "api_key"]
TOTAL_NAME = "Total"


class BudgetFileError(ValueError):
    """The budgets file cannot be used; the message names the file, the entry and the fix."""


class Budget(BaseModel):
    # A config file a person types: a misspelt key is an error, not a budget silently ignored.
    model_config = ConfigDict(extra="forbid")

    scope: Scope
    name: str | None = None
    monthly: Decimal
    currency: str = "USD"

    @field_validator("monthly", mode="before")
    @classmethod
    def exact_amount(cls, value: object) -> Decimal:
        # YAML reads 1500.10 as a float; its shortest repr is the number as typed.
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(f'{value!r} is not an amount; write a number such as 1500 or "1500.00"') from None
        if not amount.is_finite() or amount <= 0:
            raise ValueError(f"{value!r} is not an amount above zero")
        return amount

    @field_validator("currency")
    @classmethod
    def currency_code(cls, value: str) -> str:
        if len(value) != 3 or not value.isalpha():
            raise ValueError(f"{value!r} is not a three-letter currency code such as USD")
        return value.upper()

    @model_validator(mode="after")
    def name_matches_scope(self) -> "Budget":
        if self.scope == "total" and self.name:
            raise ValueError("a total budget has no name (it covers every provider); remove `name`")
        if self.scope != "total" and not (self.name or "").strip():
            raise ValueError(f"a {self.scope} budget needs `name`: which {self.scope.replace('_', ' ')} it covers")
        return self

    @property
    def scope_name(self) -> str:
        return TOTAL_NAME if self.scope == "total" else (self.name or "").strip()


class BudgetFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    budgets: list[Budget]


def load_budgets(path: Path) -> list[Budget]:
    """The budgets in `path` (none when there is no file), or a BudgetFileError saying what to fix."""
    if not path.exists():
        return []
    fix = f"Fix {path} (the README's Budgets section shows the format) or unset {settings.BUDGETS_FILE.name}."
    try:
        document = yaml.safe_load(path.read_text()) or {"budgets": []}
    except yaml.YAMLError as error:
        raise BudgetFileError(f"Budgets file {path} is not valid YAML ({error}). {fix}") from None
    if not isinstance(document, dict):
        raise BudgetFileError(f"Budgets file {path} must hold a mapping with a `budgets:` list. {fix}")
    try:
        budgets = BudgetFile.model_validate(document).budgets
    except ValidationError as error:
        problems = validation_problems(error, document, "budgets", ("scope", "name"))
        raise BudgetFileError(f"Budgets file {path}: {problems}. {fix}") from None
    seen: set[tuple[str, str, str]] = set()
    for budget in budgets:
        key = (budget.scope, budget.scope_name, budget.currency)
        if key in seen:
            raise BudgetFileError(
                f"Budgets file {path} has two {budget.currency} budgets for {budget.scope} {budget.scope_name!r}; "
                f"keep one. {fix}"
            )
        seen.add(key)
    return budgets


def budget_rows(budgets: list[Budget], loaded_at: datetime) -> pa.Table:
    return pa.Table.from_pylist(
        [
            {
                "scope_type": b.scope,
                "scope_name": b.scope_name,
                "billing_currency": b.currency,
                "monthly_amount": b.monthly,
                "loaded_at": loaded_at,
            }
            for b in budgets
        ],
        schema=BUDGETS.arrow_schema(),
    )


def budgets_changed(conn: duckdb.DuckDBPyConnection, rows: pa.Table) -> bool:
    """Whether `rows` differ from the stored budgets, load times aside."""
    conn.register("new_budgets", rows)
    try:
        ((differences,),) = conn.execute(
            f"""
            select count(*) from (
                (select * exclude (loaded_at) from {BUDGETS.qualified}
                 except all select * exclude (loaded_at) from new_budgets)
                union all
                (select * exclude (loaded_at) from new_budgets
                 except all select * exclude (loaded_at) from {BUDGETS.qualified})
            )"""
        ).fetchall()
    finally:
        conn.unregister("new_budgets")
    return differences > 0


@dg.asset(key=BUDGETS.asset_key, group_name="raw_config", kinds={"yaml", "duckdb"})
def budgets(context: dg.AssetExecutionContext, duckdb: DuckDBResource) -> dg.MaterializeResult:
    """The budgets file (PUMP_COSTS_BUDGETS_FILE), validated, as raw_config.budgets. A bad file fails
    the run before anything is replaced. Unchanged budgets keep their rows and loaded_at, so the models
    see no new input (a run with nothing new skips dbt, pump_costs/defs/dbt/build_inputs.py)."""
    path = settings.budgets_file()
    rows = budget_rows(load_budgets(path), datetime.now(UTC).replace(tzinfo=None))
    with duckdb.get_connection() as conn:
        create_raw_layer(conn)
        if budgets_changed(conn, rows):
            replace_rows(conn, {BUDGETS: rows})
    if not path.exists():
        context.log.info(f"No budgets file at {path}: no budgets are checked")
    return dg.MaterializeResult(metadata={"budgets": rows.num_rows, "file": dg.MetadataValue.path(str(path))})
