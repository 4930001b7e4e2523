"""pump-costs: Anthropic API spend next to cloud spend, in one FOCUS-aligned DuckDB mart."""

__version__ = "0.1.0"
