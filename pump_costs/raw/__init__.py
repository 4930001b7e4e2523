"""The raw layer's contract: every table pump-costs loads (schemas raw_anthropic, raw_exports and raw_config), declared
once here, and the one way rows are written to them. Ingestion writes these tables; dbt reads them as its
sources. Nothing here imports Dagster."""
