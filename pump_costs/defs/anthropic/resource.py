"""The configurable Admin API resource: the key is bound by environment-variable name, never by value."""

import dagster as dg
from pydantic import Field

from pump_costs import settings
from pump_costs.defs.anthropic.client import AnthropicAdminClient
from pump_costs.defs.anthropic.organizations import Organization, configured_organizations


class AnthropicAdminResource(dg.ConfigurableResource):
    """Read-only access to the Anthropic Admin API (usage and cost reports, workspaces, API keys) of each
    organization pump-costs pulls (organizations.py).

    Keys are read when a run starts, from where each organization says (by default its environment variable,
    else the file ANTHROPIC_ADMIN_API_KEY_FILE names, else the keyring: key_sources.py), so only the variable's
    name is in the run's config, and a missing key gets pump-costs' own message (what an Admin key is, where
    to create one, `make demo`) rather than a generic one.
    """

    admin_api_key_env_var: str = Field(
        default=settings.ADMIN_API_KEY.name, description="The environment variable holding the Admin key."
    )
    base_url: str | None = Field(default=None, description=f"Default: {settings.BASE_URL.name}, else the Admin API.")
    connect_timeout_seconds: float = 10.0
    read_timeout_seconds: float = 60.0
    max_retries: int = Field(default=6, description="Retries on 429, 5xx, 529 and transport errors.")
    max_retry_wait_seconds: float = Field(default=300.0, description="Total time one request may wait.")

    def organizations(self) -> list[Organization]:
        """The organizations file's, or the one default organization whose key is in admin_api_key_env_var."""
        return configured_organizations(self.admin_api_key_env_var)

    def get_client(self, organization: Organization, logger=None) -> AnthropicAdminClient:
        key = organization.find_key()
        return AnthropicAdminClient(
            api_key=key.value,
            key_source=key.source,
            base_url=self.base_url or settings.BASE_URL.value(),
            connect_timeout=self.connect_timeout_seconds,
            read_timeout=self.read_timeout_seconds,
            max_retries=self.max_retries,
            max_retry_wait=self.max_retry_wait_seconds,
            logger=logger,
        )
