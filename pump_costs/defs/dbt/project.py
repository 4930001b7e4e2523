"""The dbt project as Dagster sees it. Its manifest is prepared by `make` (dagster-dbt prepare)."""

from dagster_dbt import DbtProject

from pump_costs.settings import PROJECT_ROOT

DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
