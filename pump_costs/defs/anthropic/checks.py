"""Reconciliation: on every day both APIs cover, the analytics API's cost equals the legacy cost report's
line for line, to the last digit. The check blocks: a failure stops the run before the marts are published.

And on each raw Anthropic asset: its last pull reached every organization."""

from collections.abc import Iterator
from decimal import Decimal

import dagster as dg
from dagster_dbt import DbtCliResource

from pump_costs.defs.anthropic.assets import FAILED_ORGANIZATIONS
from pump_costs.defs.dbt.assets import engine_rows
from pump_costs.raw import tables

LEFT_OUT = "left_out"  # every_organization_pulled's evaluation: the organizations the pull left out, by name

RECONCILIATION = dg.AssetKey(["intermediate", "int_anthropic__cost_reconciliation"])
SPEND = dg.AssetKey(["marts", "fct_spend"])
LINES_NAMED = 10  # a failure names this many differing lines, then counts the rest


@dg.asset_check(
    asset=SPEND,
    additional_deps=[RECONCILIATION],
    blocking=True,
    description="On days both the analytics API and the legacy cost report cover, they agree per day x workspace "
    "x model x token type x cost type to the last digit (Priority Tier aside: the legacy report never priced it).",
)
def analytics_cost_matches_cost_report(dbt: DbtCliResource) -> dg.AssetCheckResult:
    # On the engine that built the model (through dbt): every value as text, the amounts' digits exact.
    relation = ".".join(RECONCILIATION.path)
    [[compared, days]] = engine_rows(dbt, f"select count(*), count(distinct cost_date) from {relation}")
    differing = engine_rows(
        dbt,
        f"""
        select cost_date, workspace_id, concat_ws(' ', cost_type, model, token_type, service_tier,
               context_window, inference_geo) as line, analytics_cents, legacy_cents
        from {relation}
        where not amounts_match
        order by cost_date, workspace_id, line
        """,
    )
    metadata = {"lines_compared": int(compared), "days_compared": int(days), "lines_differing": len(differing)}
    if not differing:
        return dg.AssetCheckResult(passed=True, metadata=metadata)
    named = [
        f"{day} {workspace} {line}: analytics {_cents(analytics)}, cost report {_cents(legacy)}"
        for day, workspace, line, analytics, legacy in differing[:LINES_NAMED]
    ]
    more = len(differing) - LINES_NAMED
    return dg.AssetCheckResult(
        passed=False,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata=metadata,
        description=(
            f"The analytics API and the legacy cost report disagree on {len(differing)} of {compared} lines "
            f"(amounts in cents); nothing was published:\n"
            + "\n".join(named)
            + (f"\n… and {more} more" if more > 0 else "")
        ),
    )


def _cents(amount: str | None) -> str:
    return "no line" if amount is None else f"{Decimal(amount).normalize():f}"


def _every_organization_pulled(table: tables.RawTable) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=table.asset_key,
        name="every_organization_pulled",
        description="The last pull reached every configured organization. One whose key or API failed is named "
        "here and fails the run, while the others' rows go on to the marts.",
    )
    def check(context: dg.AssetCheckExecutionContext) -> Iterator[dg.AssetCheckResult]:
        event = context.instance.get_latest_materialization_event(dg.AssetKey(table.asset_key))
        metadata = event.asset_materialization.metadata if event and event.asset_materialization else {}
        failed = metadata.get(FAILED_ORGANIZATIONS)
        if failed is None:
            yield dg.AssetCheckResult(passed=True)
            return
        description = f"{'.'.join(table.asset_key)} left out these organizations; what they stored is unchanged:\n" + (
            "\n".join(f"{name}: {error}" for name, error in failed.value.items())
        )
        yield dg.AssetCheckResult(
            passed=False,
            severity=dg.AssetCheckSeverity.ERROR,
            description=description,
            metadata={LEFT_OUT: dg.MetadataValue.json(sorted(failed.value))},
        )
        # And the run fails: a run that left an organization out must not show as a success.
        raise dg.Failure(description=description)

    return check


every_organization_pulled = [
    _every_organization_pulled(table)
    for table in (
        tables.USAGE_REPORT,
        tables.COST_REPORT,
        tables.ANALYTICS_USAGE,
        tables.ANALYTICS_COST,
        tables.CLAUDE_CODE,
        tables.ORGANIZATION,
    )
]
