"""Cloud billing export assets: one per provider, each landing its folders' authoritative files.

Folders come from environment variables (several folders separated by ':'); by default each provider
reads data/exports/<provider>/ under PUMP_COSTS_DATA_DIR.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from pump_costs import settings
from pump_costs.defs.exports import landing
from pump_costs.raw.export_formats import (
    AWS_CUR2,
    AWS_CUR_LEGACY,
    AZURE_COST_DETAILS,
    FOCUS,
    FOCUS_CONTRACT_COMMITMENT,
    GCP_BILLING,
    ExportFormat,
)
from pump_costs.raw.tables import LANDED_FILES, export_table
from pump_costs.settings import Setting, data_dir

PROBLEM = "problem"  # materialization metadata of a source that kept its last good rows

Discover = landing.Discover


@dataclass(frozen=True)
class ExportSource:
    name: str
    setting: Setting
    formats: tuple[ExportFormat, ...]
    discover: Discover

    def configured_folders(self) -> list[tuple[Path, str]]:
        """Each folder with the setting that names it ('' for the default folder, which may be absent)."""
        configured = self.setting.value()
        if configured:
            return [
                (Path(folder).expanduser().resolve(), self.setting.name)
                for folder in configured.split(os.pathsep)
                if folder
            ]
        return [(data_dir() / "exports" / self.name, "")]

    def folders(self) -> list[Path]:
        return [folder for folder, _ in self.configured_folders()]

    def describe_folders(self) -> str:
        return ", ".join(str(folder) for folder in self.folders())


EXPORT_SOURCES = (
    ExportSource("aws", settings.AWS_CUR_DIRS, (AWS_CUR2, AWS_CUR_LEGACY), landing.aws_files),
    ExportSource("gcp", settings.GCP_BILLING_DIRS, (GCP_BILLING,), landing.gcp_files),
    ExportSource("azure", settings.AZURE_EXPORT_DIRS, (AZURE_COST_DETAILS,), landing.azure_files),
    ExportSource("focus", settings.FOCUS_DIRS, (FOCUS, FOCUS_CONTRACT_COMMITMENT), landing.focus_files),
)


def export_asset(source: ExportSource) -> dg.AssetsDefinition:
    @dg.multi_asset(
        name=f"{source.name}_exports",
        specs=[
            dg.AssetSpec(export_table(fmt).asset_key, description=f"{fmt.label} rows, as exported")
            for fmt in source.formats
        ],
        group_name="raw_exports",
        can_subset=False,
    )
    def land_source(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
        """A source that cannot be landed whole keeps its last good rows and is still reported as
        materialized (with the problem), so the other sources and Anthropic are modelled and published;
        its `loaded` check then fails the run, naming the files."""
        with duckdb.get_connection() as conn:
            try:
                landed = landing.land_source(conn, source.formats, source.configured_folders(), source.discover)
            except landing.ExportSourceError as error:
                context.log.error(f"{source.name} exports were not landed; their last good rows are kept:\n{error}")
                for fmt in source.formats:
                    (rows,) = conn.execute(f"select count(*) from {export_table(fmt).qualified}").fetchone()
                    yield dg.MaterializeResult(
                        asset_key=export_table(fmt).asset_key,
                        metadata={PROBLEM: str(error), "rows": rows, "folders": source.describe_folders()},
                    )
                return
        for fmt, result in landed.items():
            if result.copies:
                context.log.warning(
                    f"{len(result.copies)} {fmt.label} files are byte-identical copies of others and count once: "
                    + "; ".join(f"{copy} (same as {original})" for copy, original in sorted(result.copies.items()))
                )
            yield dg.MaterializeResult(
                asset_key=export_table(fmt).asset_key,
                metadata={
                    "rows": result.rows,
                    "files": result.files,
                    "files_landed": result.changed,
                    "files_removed": result.removed,
                    "identical_copies_skipped": len(result.copies),
                    "folders": source.describe_folders(),
                },
            )

    return land_source


def loaded_check(source: ExportSource) -> dg.AssetChecksDefinition:
    @dg.multi_asset_check(
        name=f"{source.name}_exports_loaded",
        specs=[
            dg.AssetCheckSpec(
                "loaded",
                asset=export_table(fmt).asset_key,
                description="Every file in the source's folders was landed; if not, the last good rows are kept.",
            )
            for fmt in source.formats
        ],
    )
    def check_loaded(context: dg.AssetCheckExecutionContext):
        problems = set()
        for fmt in source.formats:
            event = context.instance.get_latest_materialization_event(dg.AssetKey(export_table(fmt).asset_key))
            problem = event.asset_materialization.metadata.get(PROBLEM) if event else None
            problem = problem.value if problem else None
            if problem:
                problems.add(problem)
            yield dg.AssetCheckResult(
                asset_key=export_table(fmt).asset_key,
                check_name="loaded",
                passed=problem is None,
                severity=dg.AssetCheckSeverity.ERROR,
                description=problem,
            )
        if problems:
            # A failed check alone leaves the run green: failing the step makes the run fail, so schedules,
            # alerts and `pump-costs` exit codes see it, while the other sources are already modelled.
            raise dg.Failure(
                description=f"{source.name} exports were not landed (their last good rows are kept):\n"
                + "\n".join(sorted(problems))
            )

    return check_loaded


aws_exports, gcp_exports, azure_exports, focus_exports = (export_asset(source) for source in EXPORT_SOURCES)
aws_loaded, gcp_loaded, azure_loaded, focus_loaded = (loaded_check(source) for source in EXPORT_SOURCES)


# The landing record every export asset above keeps (raw_exports.landed_files); fct_cloud_spend reads it.
landed_files = dg.AssetSpec(
    LANDED_FILES.asset_key,
    group_name="raw_exports",
    description="One row per export file whose rows are landed now, written by the export assets.",
)
