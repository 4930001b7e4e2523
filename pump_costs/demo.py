"""`make demo`: the whole pipeline on the fake Admin API and the sample exports, with no key needed."""

import os
import time

import dagster as dg
import duckdb

from pump_costs.defs.anthropic.resource import BASE_URL_ENV_VAR, KEY_ENV_VAR
from pump_costs.fake_anthropic import FAKE_ADMIN_KEY, FakeAdminApi
from pump_costs.runs import last_completed_days, materialize_days
from pump_costs.warehouse import PROJECT_ROOT, warehouse_path

SYNTHETIC = "SYNTHETIC DEMO DATA (fake Admin API)"


def use_demo_environment(api: FakeAdminApi) -> None:
    """Point the pipeline at the fake API and keep demo data apart from real data."""
    os.environ[BASE_URL_ENV_VAR] = api.base_url
    os.environ[KEY_ENV_VAR] = FAKE_ADMIN_KEY
    os.environ.setdefault("PUMP_COSTS_DATA_DIR", str(PROJECT_ROOT / "data" / "demo"))


def print_table(title: str, rows: list[tuple], headers: tuple[str, ...]) -> None:
    print(f"\n{title}")
    widths = [max(len(str(v)) for v in column) for column in zip(headers, *rows, strict=True)]
    for row in (headers, *rows):
        print("  " + "  ".join(str(v).rjust(w) if i else str(v).ljust(w) for i, (v, w) in
                               enumerate(zip(row, widths, strict=True))))


def print_summary() -> None:
    with duckdb.connect(str(warehouse_path()), read_only=True) as conn:
        total = conn.execute("select sum(amount_usd) from raw_anthropic.cost_report").fetchone()[0]
        by_workspace = conn.execute("""
            select coalesce(w.workspace_name, c.workspace_id, 'Default'), round(sum(c.amount_usd), 2)
            from raw_anthropic.cost_report c
            left join raw_anthropic.workspaces w on w.workspace_id = coalesce(c.workspace_id, 'default')
            group by 1 order by 2 desc""").fetchall()
        by_model = conn.execute("""
            select coalesce(model, '(' || cost_type || ')'), round(sum(amount_usd), 2)
            from raw_anthropic.cost_report group by 1 order by 2 desc""").fetchall()
        tokens = conn.execute("""
            select sum(uncached_input_tokens), sum(output_tokens), sum(cache_read_input_tokens),
                   sum(cache_creation_5m_input_tokens), sum(cache_creation_1h_input_tokens),
                   sum(web_search_requests)
            from raw_anthropic.usage_report""").fetchone()
    print(f"\n=== Anthropic spend: {SYNTHETIC} ===")
    print(f"Billed: ${total:,.2f} (exact: {total} USD)")
    print_table("Billed USD by workspace", by_workspace, ("workspace", "usd"))
    print_table("Billed USD by model", by_model, ("model", "usd"))
    print_table("Tokens by type", list(zip(
        ("uncached input", "output", "cache read", "cache write 5m", "cache write 1h", "web search requests"),
        (f"{t:,}" for t in tokens), strict=True)), ("type", "count"))


def run_demo(days: int) -> int:
    started = time.monotonic()
    with FakeAdminApi() as api:
        use_demo_environment(api)
        first, last = last_completed_days(days)
        print(f"{SYNTHETIC} at {api.base_url}")
        print(f"Materializing {first}..{last} ({days} days) in one run into {warehouse_path()}")
        instance = dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else dg.DagsterInstance.ephemeral()
        with instance:
            result = materialize_days(first, last, instance=instance, raise_on_error=False)
    if not result.success:
        print("pump-costs demo: the run failed; see the errors above")
        return 1
    print_summary()
    print(f"\nDemo finished in {time.monotonic() - started:.0f}s. Data: {warehouse_path()}")
    return 0
