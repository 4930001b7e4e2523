"""`make demo`: the whole pipeline on the fake Admin API and the sample exports, with no key needed."""

import contextlib
import os
import time
from datetime import timedelta

from pump_costs.defs.anthropic.client import last_completed_days
from pump_costs.defs.publish.assets import published_connection
from pump_costs.defs.report.assets import report_path
from pump_costs.fake_anthropic import (
    DEMO_ORGANIZATION,
    FAKE_ADMIN_KEY,
    SECOND_FAKE_ADMIN_KEY,
    SECOND_ORGANIZATION,
    FakeAdminApi,
)
from pump_costs.instance import default_instance
from pump_costs.runs import materialize_days
from pump_costs.sample_exports.generate import write_demo_exports
from pump_costs.settings import (
    ADMIN_API_KEY,
    BASE_URL,
    DAGSTER_HOME,
    DATA_DIR,
    ORGANIZATIONS_FILE,
    PROJECT_ROOT,
    data_dir,
    organizations_file,
)
from pump_costs.warehouse import published_dir, warehouse_path

SYNTHETIC = "SYNTHETIC DEMO DATA (fake Admin API)"
DEMO_DATA_DIR = PROJECT_ROOT / "data" / "demo"
# Set so the demo's report shows each budget state: the Anthropic budget is forecast to be passed, the CI
# key's is passed, the total and the second organization's stay within.
DEMO_BUDGETS = f"""\
# Monthly budgets for the demo (the README's Budgets section explains the format).
budgets:
  - scope: total
    monthly: 6000
  - scope: provider
    name: Anthropic
    monthly: 3000
  - scope: billing_account
    name: Anthropic / {SECOND_ORGANIZATION.name}
    monthly: 2000
  - scope: api_key
    name: {DEMO_ORGANIZATION.name} / claude-code-ci
    monthly: 50
  - scope: service
    name: AmazonEC2
    monthly: 25
"""


def use_demo_environment(api: FakeAdminApi) -> None:
    """Point the pipeline at the fake API, and its data and run history at data/demo/, apart from a real
    organization's (whatever PUMP_COSTS_DATA_DIR and DAGSTER_HOME say). The demo pulls the fake's two
    organizations, as the README's "Several organizations" describes: one key in the environment, one in a
    file."""
    os.environ[BASE_URL.name] = api.base_url
    os.environ[ADMIN_API_KEY.name] = FAKE_ADMIN_KEY
    os.environ[DATA_DIR.name] = str(DEMO_DATA_DIR)
    os.environ[DAGSTER_HOME.name] = str(DEMO_DATA_DIR / "dagster_home")
    os.environ.pop(ORGANIZATIONS_FILE.name, None)
    DEMO_DATA_DIR.mkdir(parents=True, exist_ok=True)
    research_key = DEMO_DATA_DIR / "research.key"
    research_key.write_text(SECOND_FAKE_ADMIN_KEY + "\n")
    research_key.chmod(0o600)
    organizations_file().write_text(
        "# The demo's organizations (the README's \"Several organizations\" explains the format).\n"
        f"organizations:\n  - name: demo\n    key_env_var: {ADMIN_API_KEY.name}\n"
        f"  - name: research\n    key_file: {research_key}\n"
    )


def print_table(title: str, rows: list[tuple], headers: tuple[str, ...]) -> None:
    print(f"\n{title}")
    widths = [max(len(str(v)) for v in column) for column in zip(headers, *rows, strict=True)]
    for row in (headers, *rows):
        print(
            "  "
            + "  ".join(
                str(v).rjust(w) if i else str(v).ljust(w) for i, (v, w) in enumerate(zip(row, widths, strict=True))
            )
        )


SUMMARY_QUERIES = {
    "Spend by provider (billing currency)": (
        ("provider", "currency", "billed"),
        """
        select ProviderName, BillingCurrency, round(sum(BilledCost), 2)
        from marts.fct_spend group by all order by 3 desc""",
    ),
    "Top services": (
        ("provider", "service", "category", "billed"),
        """
        select ProviderName, ServiceName, ServiceCategory, round(sum(BilledCost), 2)
        from marts.fct_spend group by all order by 4 desc limit 8""",
    ),
    "Anthropic by model": (
        ("model", "billed usd"),
        """
        select coalesce(x_Model, '(' || x_CostType || ')'), round(sum(BilledCost), 2)
        from marts.fct_spend where ProviderName = 'Anthropic' group by all order by 2 desc""",
    ),
    "Anthropic by organization": (
        ("organization", "billed usd"),
        """
        select BillingAccountName, round(sum(BilledCost), 2)
        from marts.fct_spend where ProviderName = 'Anthropic' group by all order by 2 desc""",
    ),
    "Anthropic by workspace": (
        ("workspace", "billed usd"),
        """
        select sub_account_label, round(sum(billed_cost), 2)
        from marts.fct_daily_spend where provider_name = 'Anthropic' group by all order by 2 desc""",
    ),
    "Anthropic by API key, actor and product (top 8)": (
        ("api key", "actor", "product", "billed usd"),
        """
        select coalesce(api_key_name, '(no key)'), coalesce(actor_name, actor_id, '(none)'),
               coalesce(product, '(none)'), round(sum(billed_cost), 2)
        from marts.fct_anthropic_daily_cost_by_key group by all order by 4 desc limit 8""",
    ),
    "Claude Code by user or key (estimated cost: attribution, already in the spend above)": (
        ("actor", "sessions", "lines added", "commits", "estimated usd"),
        """
        select actor, sum(sessions), sum(lines_added), sum(commits), round(sum(estimated_cost_usd), 2)
        from marts.fct_claude_code_usage group by all order by 5 desc""",
    ),
    "Claude across channels": (
        ("channel", "provider", "billed"),
        """
        select x_AiChannel, ProviderName, round(sum(BilledCost), 2)
        from marts.fct_spend where x_AiModelFamily = 'Claude' group by all order by 3 desc""",
    ),
    "Budgets this month, through the last complete day (data/demo/budgets.yaml)": (
        # "actual through": a lagging export's last day, from which the forecast runs (its crossing day can
        # then be before today).
        (
            "scope",
            "name",
            "budget",
            "actual",
            "actual through",
            "forecast",
            "status",
            "passed on",
            "forecast to pass on",
        ),
        """
        select scope_type, scope_name, round(budget_amount, 2), round(actual_cost, 2), actual_through,
               round(forecast_cost, 2), budget_status, coalesce(cast(breach_date as varchar), ''),
               coalesce(cast(forecast_breach_date as varchar), '')
        from marts.fct_budget_status where budget_month = date_trunc('month', as_of_date) order by all""",
    ),
    "Anthropic tokens by type": (
        ("type", "tokens"),
        """
        unpivot (select sum(uncached_input_tokens) as uncached_input, sum(output_tokens) as output,
                        sum(cache_read_input_tokens) as cache_read,
                        sum(cache_creation_5m_input_tokens) as cache_write_5m,
                        sum(cache_creation_1h_input_tokens) as cache_write_1h,
                        sum(web_search_requests) as web_search_requests
                 from marts.fct_anthropic_token_usage) on columns(*) into name type value tokens""",
    ),
}


def print_summary() -> None:
    """Read back what BI tools see: the published copy of the marts."""
    with published_connection() as conn:
        anthropic_total = conn.execute(
            "select sum(BilledCost) from marts.fct_spend where ProviderName = 'Anthropic'"
        ).fetchone()[0]
        print(f"\n=== Unified spend. Anthropic: {SYNTHETIC}. Cloud: public samples and synthetic exports ===")
        print(f"Anthropic billed: ${anthropic_total:,.2f} (exact: {anthropic_total} USD)")
        for title, (headers, sql) in SUMMARY_QUERIES.items():
            print_table(title, conn.execute(sql).fetchall(), headers)


def run_demo(days: int) -> int:
    started = time.monotonic()
    with FakeAdminApi() as api:
        use_demo_environment(api)
        first, last = last_completed_days(days)
        periods = sorted({(first + timedelta(days=n)).strftime("%Y-%m") for n in range(days)})
        write_demo_exports(data_dir() / "exports", periods)
        (data_dir() / "budgets.yaml").write_text(DEMO_BUDGETS)
        print(f"{SYNTHETIC} at {api.base_url}; sample cloud exports in {data_dir() / 'exports'}")
        run_log = data_dir() / "demo-run.log"
        print(f"Materializing {first}..{last} ({days} days) in one run; dbt's output goes to {run_log}")
        with default_instance() as instance, run_log.open("w") as log, contextlib.redirect_stdout(log):
            result = materialize_days(first, last, instance=instance, raise_on_error=False, log_level="WARNING")
    if not result.success:
        print(f"pump-costs demo: the run failed; the errors are above and dbt's output is in {run_log}")
        return 1
    print_summary()
    print(
        f"\nDemo finished in {time.monotonic() - started:.0f}s. BI tools read {published_dir()} "
        f"(working warehouse: {warehouse_path()})"
    )
    print(f"Spend report (open it in a browser; it needs no network): {report_path()}")
    return 0
