"""What decides whether a run rebuilds the unpartitioned models: each input that changes the fingerprint,
and the budgets that keep their rows when the file did not change. Small DuckDB files, no dbt run."""

import shutil
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from pump_costs.defs.dbt import build_inputs
from pump_costs.defs.dbt.project import dbt_project
from pump_costs.defs.report.budgets import Budget, budget_rows, budgets_changed
from pump_costs.raw.tables import BUDGETS, create_raw_layer

LOADED = datetime(2026, 11, 1, 6)
DAILY = [("marts", "fct_anthropic_spend")]


@pytest.fixture
def conn(tmp_path: Path):
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as conn:
        create_raw_layer(conn)
        conn.execute("create schema marts")
        conn.execute("create table marts.fct_anthropic_spend (BilledCost decimal(38, 18), x_LandedAt timestamp)")
        conn.execute("insert into marts.fct_anthropic_spend values (1.5, ?)", [LOADED])
        conn.execute("create table marts.fct_daily_spend (billed_cost decimal(38, 18))")
        conn.execute(
            "insert into raw_config.budgets values ('total', 'Total', 'USD', 100, ?)",
            [LOADED],
        )
        yield conn


def warehouse(conn) -> str:
    return build_inputs.warehouse_digest(conn, DAILY)


def test_the_same_warehouse_gives_the_same_fingerprint_and_each_input_moves_it(conn):
    before = warehouse(conn)
    assert warehouse(conn) == before

    # A mart the build writes changes with the build: not an input.
    conn.execute("insert into marts.fct_daily_spend values (3)")
    assert warehouse(conn) == before

    changes = [
        # a daily model's table rebuilt with a newer load stamp
        "update marts.fct_anthropic_spend set x_LandedAt = x_LandedAt + interval 1 second",
        # a raw row removed (an export file taken away)
        "delete from marts.fct_anthropic_spend",
        # raw rows landed
        "insert into raw_config.budgets values ('provider', 'AWS', 'USD', 5, '2026-11-01 06:00:00')",
        # a mart dropped by hand
        "drop table marts.fct_daily_spend",
    ]
    seen = {before}
    for change in changes:
        conn.execute(change)
        after = warehouse(conn)
        assert after not in seen, change
        seen.add(after)


def test_the_dbt_project_s_files_move_the_fingerprint(tmp_path):
    project = tmp_path / "dbt_project"
    shutil.copytree(dbt_project.project_dir, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    before = build_inputs.project_digest(project)
    (project / "target").mkdir(exist_ok=True)
    (project / "target" / "manifest.json").write_text("{}")
    assert build_inputs.project_digest(project) == before

    model = project / "models" / "marts" / "fct_daily_spend.sql"
    model.write_text(model.read_text() + "\n")
    assert build_inputs.project_digest(project) != before


def test_the_last_build_is_recorded_with_its_checks_and_replaced_by_the_next(conn):
    assert build_inputs.last_build(conn) is None
    check = build_inputs.CheckOutcome(["marts", "fct_spend"], "not_null_fct_spend_BilledCost", True, "ERROR")
    build_inputs.record_build(conn, build_inputs.Build("inputs-1", "run-1", [check]))
    build_inputs.record_build(conn, build_inputs.Build("inputs-2", "run-2", [check]))
    assert build_inputs.last_build(conn) == build_inputs.Build("inputs-2", "run-2", [check])


def test_unchanged_budgets_are_not_a_change_and_a_new_amount_is(conn):
    stored = [Budget(scope="total", monthly=Decimal("100"))]
    assert not budgets_changed(conn, budget_rows(stored, datetime(2026, 11, 27)))
    assert budgets_changed(conn, budget_rows([Budget(scope="total", monthly=Decimal("100.01"))], LOADED))
    assert budgets_changed(conn, budget_rows([], LOADED))
    assert conn.execute(f"select count(*) from {BUDGETS.qualified}").fetchall() == [(1,)]
