"""Cloud billing export assets: one per provider, each landing its folders' authoritative files.

Folders come from environment variables (several folders separated by ':'); by default each provider
reads data/exports/<provider>/ under PUMP_COSTS_DATA_DIR.
"""

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb as duckdb_module
from dagster_duckdb import DuckDBResource

from pump_costs.defs.exports import landing
from pump_costs.defs.exports.formats import (
    AWS_CUR2,
    AWS_CUR_LEGACY,
    AZURE_COST_DETAILS,
    FOCUS,
    GCP_BILLING,
    ExportFormat,
)
from pump_costs.warehouse import data_dir

Discover = Callable[[duckdb_module.DuckDBPyConnection, Path], dict[ExportFormat, list[landing.ExportFile]]]


@dataclass(frozen=True)
class ExportSource:
    name: str
    env_var: str
    formats: tuple[ExportFormat, ...]
    discover: Discover

    def folders(self) -> list[Path]:
        configured = os.environ.get(self.env_var)
        if configured:
            return [Path(folder).expanduser().resolve() for folder in configured.split(os.pathsep) if folder]
        return [data_dir() / "exports" / self.name]


EXPORT_SOURCES = (
    ExportSource("aws", "PUMP_COSTS_AWS_CUR_DIRS", (AWS_CUR2, AWS_CUR_LEGACY), landing.aws_files),
    ExportSource("gcp", "PUMP_COSTS_GCP_BILLING_DIRS", (GCP_BILLING,), landing.gcp_files),
    ExportSource("azure", "PUMP_COSTS_AZURE_EXPORT_DIRS", (AZURE_COST_DETAILS,), landing.azure_files),
    ExportSource("focus", "PUMP_COSTS_FOCUS_DIRS", (FOCUS,), landing.focus_files),
)


def export_asset(source: ExportSource) -> dg.AssetsDefinition:
    @dg.multi_asset(
        name=f"{source.name}_exports",
        specs=[
            dg.AssetSpec(["exports", fmt.table], description=f"{fmt.label} rows, as exported") for fmt in source.formats
        ],
        group_name="raw_exports",
        can_subset=False,
    )
    def land_source(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
        counted: dict[ExportFormat, list[landing.ExportFile]] = {fmt: [] for fmt in source.formats}
        problems: list[str] = []
        with duckdb.get_connection() as conn:
            for folder in source.folders():
                if not folder.is_dir():
                    context.log.info(f"{source.env_var}: {folder} does not exist; nothing to load there")
                    continue
                try:
                    for fmt, files in source.discover(conn, folder).items():
                        counted[fmt] += files
                except landing.ExportFileError as error:
                    problems.append(str(error))
            changes = {fmt: landing.file_changes(conn, fmt, files) for fmt, files in counted.items()}
            selects: dict[ExportFormat, dict[landing.ExportFile, str]] = {fmt: {} for fmt in source.formats}
            for fmt, change in changes.items():
                for file in change.changed:
                    try:
                        selects[fmt][file] = landing.select_from(conn, file, fmt)
                    except landing.ExportFileError as error:
                        problems.append(str(error))
            if problems:
                raise dg.Failure(
                    description="\n".join(problems) + f"\nNothing was replaced: the {source.name} tables keep "
                    "their last good contents, and other sources load as usual."
                )
            for fmt, change in changes.items():
                rows = landing.land(conn, fmt, selects[fmt], change.removed)
                yield dg.MaterializeResult(
                    asset_key=["exports", fmt.table],
                    metadata={
                        "rows": rows,
                        "files": len(counted[fmt]),
                        "files_landed": len(change.changed),
                        "files_removed": len(change.removed),
                        "folders": ", ".join(str(f) for f in source.folders()),
                    },
                )

    return land_source


aws_exports, gcp_exports, azure_exports, focus_exports = (export_asset(source) for source in EXPORT_SOURCES)


# The landing record every export asset above keeps (raw_exports.landed_files); fct_cloud_spend reads it.
landed_files = dg.AssetSpec(
    ["exports", "landed_files"],
    group_name="raw_exports",
    description="One row per export file whose rows are landed now, written by the export assets.",
)
