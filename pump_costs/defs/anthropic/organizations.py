"""The Anthropic organizations pump-costs pulls: one by default, or those the organizations file lists.

Without the file there is one organization, named `default`, whose key comes from the usual places
(key_sources.find_admin_key). With it, each organization names where its own key is: an environment
variable, a secret file, or the keyring (`pump-costs connect --organization NAME`). The README's "Several
organizations" section shows the format.
"""

import os
import re
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from pump_costs import settings
from pump_costs.config_files import validation_problems
from pump_costs.defs.anthropic.key_sources import (
    KEYRING_USERNAME,
    AdminKey,
    find_admin_key,
    keyring_backend_name,
    keyring_key,
    read_key_file,
)

DEFAULT_NAME = "default"
NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")


class OrganizationsFileError(ValueError):
    """The organizations file cannot be used; the message names the file, the entry and the fix."""


class Organization(BaseModel):
    """One organization to pull and where its Admin key is (exactly one of the three, or none for the
    default organization, which uses the usual places)."""

    # A config file a person types: a misspelt key is an error, not an organization silently keyless.
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    key_env_var: str | None = None
    key_file: Path | None = None
    key_in_keyring: bool = False

    @field_validator("name")
    @classmethod
    def simple_name(cls, value: str) -> str:
        if not NAME.fullmatch(value):
            raise ValueError(
                f"{value!r} is not a usable name: lower-case letters, digits, '-' and '_', starting with a letter "
                "or digit (it names the organization in messages and its keyring entry)"
            )
        return value

    @model_validator(mode="after")
    def one_key_source(self) -> "Organization":
        sources = [self.key_env_var is not None, self.key_file is not None, self.key_in_keyring]
        if sum(sources) != 1:
            raise ValueError("give exactly one of key_env_var, key_file and key_in_keyring: where its Admin key is")
        return self

    @property
    def keyring_username(self) -> str:
        return KEYRING_USERNAME if self.name == DEFAULT_NAME else f"{KEYRING_USERNAME}/{self.name}"

    def find_key(self) -> AdminKey:
        """This organization's key, with a source that names the organization for messages."""
        where = f"organization {self.name!r}"
        if self.key_env_var is not None:
            return AdminKey(os.environ.get(self.key_env_var) or None, f"{self.key_env_var} ({where})")
        if self.key_file is not None:
            path = self.key_file.expanduser()
            return AdminKey(read_key_file(path, f"key_file of {where}"), f"{path} ({where})")
        return AdminKey(keyring_key(self.keyring_username), f"the keyring ({keyring_backend_name()}, {where})")


class DefaultOrganization(Organization):
    """The only organization when there is no organizations file: its key from the usual places."""

    model_config = ConfigDict(frozen=True)
    name: str = DEFAULT_NAME
    admin_api_key_env_var: str = settings.ADMIN_API_KEY.name

    @model_validator(mode="after")
    def one_key_source(self) -> "DefaultOrganization":
        return self

    def find_key(self) -> AdminKey:
        return find_admin_key(self.admin_api_key_env_var)


class OrganizationsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organizations: list[Organization]


def configured_organizations(default_env_var: str = settings.ADMIN_API_KEY.name) -> list[Organization]:
    """The organizations in the organizations file, or the default one when there is no file."""
    path = settings.organizations_file()
    if not path.exists():
        return [DefaultOrganization(admin_api_key_env_var=default_env_var)]
    return load_organizations(path)


def load_organizations(path: Path) -> list[Organization]:
    fix = (
        f'Fix {path} (the README\'s "Several organizations" section shows the format) or remove it to pull one '
        "organization with the usual key."
    )
    try:
        document = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        raise OrganizationsFileError(f"Organizations file {path} is not valid YAML ({error}). {fix}") from None
    if not isinstance(document, dict):
        raise OrganizationsFileError(
            f"Organizations file {path} must hold a mapping with an `organizations:` list. {fix}"
        )
    try:
        organizations = OrganizationsFile.model_validate(document).organizations
    except ValidationError as error:
        problems = validation_problems(error, document, "organizations", ("name",))
        raise OrganizationsFileError(f"Organizations file {path}: {problems}. {fix}") from None
    if not organizations:
        raise OrganizationsFileError(f"Organizations file {path} lists no organization. {fix}")
    names = [organization.name for organization in organizations]
    if duplicates := sorted({name for name in names if names.count(name) > 1}):
        raise OrganizationsFileError(f"Organizations file {path} names {', '.join(map(repr, duplicates))} twice. {fix}")
    return organizations
