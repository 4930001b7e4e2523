"""What the export benchmarks share: a throwaway data folder, exports-only builds, the figures read back.

Each benchmark times, side by side in one process: a first run with no export at all (it creates the
warehouse), the full build of its exports (land, model, publish), the same run again with nothing changed
(the fixed cost of a run with nothing to do: it lands nothing and does not start dbt), the run after the
exports were removed (the models over the exports built with no rows: the fixed cost of a run that builds
them), and two bare DuckDB `create table as select`s from the same files (what the engine alone takes): of
the FOCUS columns the files map to, and of every column the mart holds (the same values, the others null;
DuckDB writes each text column of 10,000,000 rows in ~0.25 s even when null, and the mart has 70). It
prints the ratio of the cost that grows with rows (the build minus the build of no rows) to each baseline.
"""

import os
import resource
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb

from pump_costs.defs.anthropic.client import last_completed_days
from pump_costs.defs.exports.assets import EXPORT_SOURCES
from pump_costs.defs.exports.landing import forget
from pump_costs.defs.jobs import exports_job
from pump_costs.runs import materialize_days
from pump_costs.warehouse import warehouse_path


@dataclass(frozen=True)
class BuildFigures:
    succeeded: bool
    empty_run_seconds: float
    build_seconds: float
    unchanged_run_seconds: float
    no_exports_build_seconds: float
    baseline_seconds: float
    wide_baseline_seconds: float
    mart_rows: int
    mart_total: Decimal
    peak_rss_mib: float


def exports_run() -> tuple[bool, float]:
    _, yesterday = last_completed_days(1)
    started = time.monotonic()
    result = materialize_days(yesterday, yesterday, selection=exports_job.selection, log_level="WARNING")
    return result.success, time.monotonic() - started


def peak_rss_mib() -> float:
    """The largest resident set of this process so far, in MiB (landing, dbt, which runs in it, publishing)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_exports(write_exports: Callable[[Path], None], baseline_sql: str) -> BuildFigures:
    """Time the runs described above; `baseline_sql` selects the FOCUS columns from the files under {exports}."""
    with tempfile.TemporaryDirectory() as folder:
        os.environ["PUMP_COSTS_DATA_DIR"] = folder
        exports = Path(folder) / "exports"
        empty_ok, empty_seconds = exports_run()
        write_exports(exports)
        build_ok, build_seconds = exports_run()
        unchanged_ok, unchanged_seconds = exports_run()
        with duckdb.connect(str(warehouse_path()), read_only=True) as conn:
            rows, total = conn.execute("select count(*), sum(BilledCost) from marts.fct_spend").fetchone()
            mart_columns = conn.execute("select column_name, column_type from (describe marts.fct_spend)").fetchall()
        # The files go, and their rows are forgotten on purpose, as `pump-costs forget-exports` does (files
        # that vanish alone are refused as an unmounted share).
        kept = Path(folder) / "exports-kept"
        shutil.move(exports, kept)
        with duckdb.connect(str(warehouse_path())) as conn:
            for source in EXPORT_SOURCES:
                forget(conn, source.formats)
        no_exports_ok, no_exports_seconds = exports_run()
        # Before the bare baselines run in this process too: the peak is the pipeline's alone.
        pipeline_peak_rss_mib = peak_rss_mib()
        baseline = baseline_sql.format(exports=kept)
        with duckdb.connect(str(Path(folder) / "baseline.duckdb")) as conn:
            mapped = {row[0] for row in conn.execute(f"describe {baseline}").fetchall()}
            others = ", ".join(f'cast(null as {kind}) as "{name}"' for name, kind in mart_columns if name not in mapped)
            started = time.monotonic()
            conn.execute(f"create table baseline as {baseline}")
            baseline_seconds = time.monotonic() - started
            started = time.monotonic()
            conn.execute(f"create table wide_baseline as select *, {others} from ({baseline})")
            wide_baseline_seconds = time.monotonic() - started
    return BuildFigures(
        empty_ok and build_ok and unchanged_ok and no_exports_ok,
        empty_seconds,
        build_seconds,
        unchanged_seconds,
        no_exports_seconds,
        baseline_seconds,
        wide_baseline_seconds,
        rows,
        total,
        pipeline_peak_rss_mib,
    )


def print_figures(figures: BuildFigures, rows_written: int, expected_rows: int, expected_total: Decimal) -> None:
    growing = figures.build_seconds - figures.no_exports_build_seconds
    equal = figures.mart_total == expected_total
    for label, value in (
        ("rows written to export files", f"{rows_written:,}"),
        ("rows in fct_spend", f"{figures.mart_rows:,} (expected {expected_rows:,})"),
        ("fct_spend total", f"{figures.mart_total} (expected {expected_total}, equal: {equal})"),
        ("runs succeeded", figures.succeeded),
        ("first run, no exports yet", f"{figures.empty_run_seconds:.1f}s"),
        ("landing + dbt build + publish", f"{figures.build_seconds:.1f}s"),
        ("same run, nothing changed", f"{figures.unchanged_run_seconds:.1f}s (target: under 10s)"),
        (
            "run after the exports were removed",
            f"{figures.no_exports_build_seconds:.1f}s (the models over the exports built, with no rows)",
        ),
        ("bare DuckDB create table as", f"{figures.baseline_seconds:.1f}s (the mapped FOCUS columns)"),
        ("  ... of every mart column", f"{figures.wide_baseline_seconds:.1f}s"),
        ("(build - build of no rows) / bare", f"{growing / figures.baseline_seconds:.1f}x (target: 2x or less)"),
        ("  ... / bare of every mart column", f"{growing / figures.wide_baseline_seconds:.1f}x"),
        ("peak RSS", f"{figures.peak_rss_mib:,.0f} MiB (target: under 2 GiB)"),
    ):
        print(f"{label + ':':<37}{value}")
