"""Benchmark: 1,000,000 legacy CUR rows through pump-costs and through the FinOps Foundation's converter.

Builds a legacy CUR file of ROWS rows (default 1,000,000) by repeating the real sample shipped in
pump_costs/sample_exports/aws (each copy with its own line item ids), converts it with `focus-converter`
1.0.0 (installed once, with the pins it needs to start, into ~/.cache/pump-costs/focus-converter-venv),
then lands, models and publishes it with pump-costs, and prints wall time, peak memory and whether each
total equals the file's exact sum.
Run: .venv/bin/python benchmarks/legacy_cur_vs_focus_converter.py [--rows N]
"""

import argparse
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    rows = parser.parse_args().rows
    python = focus_converter()

    def write_exports(exports: Path) -> None:
        write_legacy_cur(exports / "aws" / "legacy-cur.csv", rows)

    figures = build_exports(write_exports, f"select * from read_csv('{SAMPLE}', all_varchar = true)")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "cur" / "legacy-cur.csv"
        exact = write_legacy_cur(source, rows)
        command = [str(python), "-m", "focus_converter.main", "convert", "--provider", "aws-cur"]
        command += ["--data-format", "csv", "--data-path", str(source), "--export-path", str(Path(folder) / "out")]
        started = time.monotonic()
        # GNU time reports the converter's own peak resident set (kilobytes) on the last line of stderr.
        converted_run = subprocess.run(
            ["/usr/bin/time", "-f", "%M", *command, "--no-export-include-source-columns"],
            check=True,
            capture_output=True,
            text=True,
        )
        converter_seconds = time.monotonic() - started
        converter_rss = int(converted_run.stderr.strip().splitlines()[-1]) / 1024
        ((converted,),) = duckdb.sql(
            f"select sum(BilledCost) from read_parquet('{Path(folder) / 'out'}/**/*.parquet')"
        ).fetchall()
    growing = figures.build_seconds - figures.no_exports_build_seconds
    pipeline_rss, dbt_rss = figures.peak_rss_mib
    print(f"legacy CUR rows:                   {rows:,}; exact total {exact}")
    print(
        f"focus-converter 1.0.0:             {converter_seconds:.1f}s, peak RSS {converter_rss:,.0f} MiB, "
        f"total {converted!r} (exact: {Decimal(str(converted)) == exact})"
    )
    print(
        f"pump-costs land + model + publish: {figures.build_seconds:.1f}s ({growing:.1f}s more than the same "
        f"build of no rows), peak RSS {pipeline_rss:,.0f} MiB (pipeline) and {dbt_rss:,.0f} MiB (dbt), "
        f"total {figures.mart_total} (exact: {figures.mart_total == exact})"
    )


if __name__ == "__main__":
    main()
