"""Benchmark: 1,000,000 legacy CUR rows through pump-costs and through the FinOps Foundation's converter.

Builds a legacy CUR file of ROWS rows (default 1,000,000) by repeating the real sample shipped in
pump_costs/sample_exports/aws (each copy with its own line item ids), converts it with `focus-converter`
1.0.0 (installed once, with the pins it needs to start, into ~/.cache/pump-costs/focus-converter-venv),
then lands, models and publishes it with pump-costs, and prints wall time, peak memory and whether each
total equals the file's exact sum, and what a bare DuckDB `create table as` of the file's columns as text
takes. Each runs REPEAT times (default 3), alternating, and the medians are printed: both vary by several
seconds from run to run here (focus-converter from 11 s to 19 s on the same file).
Run: .venv/bin/python benchmarks/legacy_cur_vs_focus_converter.py [--rows N] [--repeat N]
"""

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import duckdb
from exports_build import build_exports

from pump_costs.sample_exports.generate import REAL_SAMPLES

SAMPLE = REAL_SAMPLES / "aws" / "legacy_cur_sample_anonymous_focus_converters.csv"
# The bare DuckDB baseline (exports_build.py): the file's columns, as text, into a table.
BASELINE = "select * from read_csv('{exports}/aws/legacy-cur.csv', all_varchar = true)"
CONVERTER_VENV = Path.home() / ".cache" / "pump-costs" / "focus-converter-venv"
CONVERTER_PACKAGES = ["focus-converter==1.0.0", "multimethod<2", "click<8.2"]


def write_legacy_cur(target: Path, rows: int) -> Decimal:
    """The sample repeated up to `rows` rows; returns the exact sum of lineItem/UnblendedCost."""
    target.parent.mkdir(parents=True, exist_ok=True)
    duckdb.sql(f"""
        copy (
            select * replace ("identity/LineItemId" || '-' || copy as "identity/LineItemId")
            from read_csv('{SAMPLE}', all_varchar = true, header = true), range({rows} // 1000 + 1) t(copy)
            limit {rows}
        ) to '{target}' (header, delimiter ',')""")
    total = duckdb.sql(f"""select sum(cast("lineItem/UnblendedCost" as decimal(38, 18)))
                           from read_csv('{target}', all_varchar = true, header = true)""").fetchall()[0][0]
    return Decimal(total)


def focus_converter() -> Path:
    python = CONVERTER_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(CONVERTER_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *CONVERTER_PACKAGES], check=True)
    return python


def converter_run(python: Path, source: Path, out: Path) -> tuple[float, float, float]:
    """focus-converter on `source` into a fresh `out`: its wall time, peak RSS (MiB) and BilledCost total."""
    shutil.rmtree(out, ignore_errors=True)
    command = [str(python), "-m", "focus_converter.main", "convert", "--provider", "aws-cur"]
    command += ["--data-format", "csv", "--data-path", str(source), "--export-path", str(out)]
    started = time.monotonic()
    # GNU time reports the converter's own peak resident set (kilobytes) on the last line of stderr.
    converted_run = subprocess.run(
        ["/usr/bin/time", "-f", "%M", *command, "--no-export-include-source-columns"],
        check=True,
        capture_output=True,
        text=True,
    )
    seconds = time.monotonic() - started
    rss = int(converted_run.stderr.strip().splitlines()[-1]) / 1024
    ((total,),) = duckdb.sql(f"select sum(BilledCost) from read_parquet('{out}/**/*.parquet')").fetchall()
    return seconds, rss, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, alternating; medians are printed")
    arguments = parser.parse_args()
    if arguments.repeat < 1:
        parser.error("--repeat must be 1 or more")
    rows = arguments.rows
    python = focus_converter()

    def write_exports(exports: Path) -> None:
        write_legacy_cur(exports / "aws" / "legacy-cur.csv", rows)

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "cur" / "legacy-cur.csv"
        exact = write_legacy_cur(source, rows)
        print(f"legacy CUR rows:                   {rows:,}; exact total {exact}")
        converter_times, pump_costs_times = [], []
        for attempt in range(1, arguments.repeat + 1):
            figures = build_exports(write_exports, BASELINE)
            converter_seconds, converter_rss, converted = converter_run(python, source, Path(folder) / "out")
            converter_times.append(converter_seconds)
            pump_costs_times.append(figures.build_seconds)
            growing = figures.build_seconds - figures.no_exports_build_seconds
            if attempt == 1:  # this process's peak only grows: later runs would count this one's baselines
                pump_costs_rss = figures.peak_rss_mib
            print(
                f"run {attempt}: focus-converter 1.0.0 {converter_seconds:.1f}s, peak RSS {converter_rss:,.0f} MiB, "
                f"total {converted!r} (exact: {Decimal(str(converted)) == exact})"
            )
            print(
                f"run {attempt}: pump-costs land + model + publish {figures.build_seconds:.1f}s ({growing:.1f}s more "
                f"than the same build of no rows), total {figures.mart_total} (exact: {figures.mart_total == exact}); "
                f"a bare DuckDB create table as of the file's columns as text {figures.baseline_seconds:.1f}s"
            )
    print(
        f"median of {arguments.repeat}: focus-converter {statistics.median(converter_times):.1f}s, "
        f"pump-costs {statistics.median(pump_costs_times):.1f}s"
    )
    print(f"pump-costs peak RSS (run 1): {pump_costs_rss:,.0f} MiB (landing, dbt and publishing, in one process)")


if __name__ == "__main__":
    main()
