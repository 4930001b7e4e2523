"""The configurable Admin API resource: the key is bound by environment-variable name, never by value."""

import os

import dagster as dg
from pydantic import Field

from pump_costs.defs.anthropic.client import AnthropicAdminClient

KEY_ENV_VAR = "ANTHROPIC_ADMIN_API_KEY"
BASE_URL_ENV_VAR = "ANTHROPIC_BASE_URL"
DEFAULT_BASE_URL = "https://api.anthropic.com"


class AnthropicAdminResource(dg.ConfigurableResource):
    """Read-only access to the Anthropic Admin API (usage and cost reports, workspaces, API keys)."""

    admin_api_key: str | None = Field(
        default=None, description=f"An Admin key (sk-ant-admin...), bound to the {KEY_ENV_VAR} variable."
    )
    base_url: str = Field(default=DEFAULT_BASE_URL, description=f"Overridden by {BASE_URL_ENV_VAR}.")
    connect_timeout_seconds: float = 10.0
    read_timeout_seconds: float = 60.0
    max_retries: int = Field(default=6, description="Retries on 429, 5xx, 529 and connection errors.")
    max_retry_wait_seconds: float = Field(default=300.0, description="Total time one request may wait.")

    def get_client(self, logger=None) -> AnthropicAdminClient:
        return AnthropicAdminClient(
            api_key=self.admin_api_key,
            base_url=self.base_url,
            connect_timeout=self.connect_timeout_seconds,
            read_timeout=self.read_timeout_seconds,
            max_retries=self.max_retries,
            max_retry_wait=self.max_retry_wait_seconds,
            logger=logger,
        )


def admin_resource_from_env() -> AnthropicAdminResource:
    """Bind the key with EnvVar so only its name reaches run config and the event log.

    An unset variable is left as None rather than bound, so the run fails with pump-costs' own
    message (what an Admin key is, where to create one, `make demo`) instead of a generic one.
    """
    key = dg.EnvVar(KEY_ENV_VAR) if os.environ.get(KEY_ENV_VAR) else None
    return AnthropicAdminResource(admin_api_key=key, base_url=os.environ.get(BASE_URL_ENV_VAR) or DEFAULT_BASE_URL)
