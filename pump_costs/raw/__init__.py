"""The raw layer: every table pump-costs loads (schemas raw_anthropic, raw_exports and raw_config), declared once
(tables.py), and the lake of Parquet files that holds them, with the one way rows are written to it (lake.py).
Ingestion writes these tables; dbt reads them as its sources, on DuckDB or on Spark. Nothing here imports Dagster."""
