"""The one Definitions object: everything under pump_costs/defs, run one step at a time.

DuckDB allows a single writer, so steps run in process, one after another.
"""

from pathlib import Path

import dagster as dg

defs = dg.Definitions.merge(
    dg.load_from_defs_folder(path_within_project=Path(__file__).parent),
    dg.Definitions(executor=dg.in_process_executor),
)
