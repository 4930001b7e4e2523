"""Admin API payloads. Unknown fields are kept and optional ones may be missing: the API grows often."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

# The report dimensions pump-costs asks for: every row is one combination of them per day.
USAGE_GROUP_BY = ("api_key_id", "workspace_id", "model", "service_tier", "context_window", "inference_geo")
COST_GROUP_BY = ("workspace_id", "description")
DECIMAL_STRING = re.compile(r"^-?\d+(\.\d+)?$")
# The warehouse keeps cents as DECIMAL(38, 16): at most 16 decimal places and 22 integer digits.
MAX_CENT_DIGITS = 16
MAX_CENT_INTEGER_DIGITS = 22
# Token counts are BIGINT: a count past it (or below zero) is a corrupt response, not usage.
Count = Annotated[int, Field(ge=0, le=2**63 - 1)]


class Payload(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class Organization(Payload):
    id: str
    name: str


class Workspace(Payload):
    id: str
    name: str
    created_at: datetime | None = None
    archived_at: datetime | None = None
    display_color: str | None = None


class ApiKeyScope(Payload):
    type: str | None = None
    workspace_id: str | None = None


class ApiKey(Payload):
    id: str
    name: str | None = None
    status: str | None = None
    created_at: datetime | None = None
    workspace_id: str | None = None
    scope: ApiKeyScope | None = None
    partial_key_hint: str | None = None

    @property
    def effective_workspace_id(self) -> str | None:
        """`workspace_id` in the legacy shape, else `scope.workspace_id` (newer shape)."""
        if "workspace_id" in self.model_fields_set:
            return self.workspace_id
        return self.scope.workspace_id if self.scope else None


class CacheCreation(Payload):
    ephemeral_1h_input_tokens: Count = 0
    ephemeral_5m_input_tokens: Count = 0


class ServerToolUse(Payload):
    web_search_requests: Count = 0


class UsageResult(Payload):
    uncached_input_tokens: Count = 0
    cache_read_input_tokens: Count = 0
    output_tokens: Count = 0
    cache_creation: CacheCreation = Field(default_factory=CacheCreation)
    server_tool_use: ServerToolUse = Field(default_factory=ServerToolUse)
    api_key_id: str | None = None
    workspace_id: str | None = None
    model: str | None = None
    service_tier: str | None = None
    context_window: str | None = None
    inference_geo: str | None = None


class CostResult(Payload):
    amount: Decimal
    currency: str = "USD"
    workspace_id: str | None = None
    description: str | None = None
    cost_type: str | None = None
    model: str | None = None
    service_tier: str | None = None
    context_window: str | None = None
    token_type: str | None = None
    inference_geo: str | None = None

    @field_validator("amount", mode="before")
    @classmethod
    def cents_as_decimal_string(cls, value: object) -> Decimal:
        """`amount` is cents as a decimal string; anything else would silently lose money."""
        if not isinstance(value, str) or not DECIMAL_STRING.match(value):
            raise ValueError(
                f"cost amount {value!r} is not a decimal string of cents (e.g. '123.45'); "
                "the Admin API changed shape or the response is corrupt"
            )
        amount = Decimal(value)
        if -amount.as_tuple().exponent > MAX_CENT_DIGITS:
            raise ValueError(f"cost amount {value!r} has more than {MAX_CENT_DIGITS} decimal places of cents")
        if amount.adjusted() >= MAX_CENT_INTEGER_DIGITS:
            raise ValueError(
                f"cost amount {value!r} has more than {MAX_CENT_INTEGER_DIGITS} digits before the point, far "
                "beyond any bill; the response is corrupt"
            )
        return amount

    @field_validator("currency")
    @classmethod
    def usd_only(cls, value: str) -> str:
        """The API documents USD only, and every amount is stored and shown as USD."""
        if value != "USD":
            raise ValueError(
                f"cost currency {value!r}: the Admin API documents USD only, and pump-costs would show this "
                "amount as USD"
            )
        return value

    def grain(self) -> tuple:
        """What one row stands for: no two rows of a day may share it."""
        return (
            self.workspace_id,
            self.description,
            self.cost_type,
            self.model,
            self.service_tier,
            self.context_window,
            self.token_type,
            self.inference_geo,
        )

    @property
    def amount_usd(self) -> Decimal:
        return self.amount / 100


Result = TypeVar("Result", UsageResult, CostResult)


class Bucket(Payload, Generic[Result]):
    starting_at: datetime
    ending_at: datetime
    results: list[Result]  # an empty day is `[]`; a bucket without the list is a corrupt response


class ReportPage(Payload, Generic[Result]):
    data: list[Bucket[Result]]
    has_more: bool = False
    next_page: str | None = None


class ErrorDetail(Payload):
    type: str = "unknown_error"
    message: str = ""


class ErrorBody(Payload):
    error: ErrorDetail = Field(default_factory=ErrorDetail)
    request_id: str | None = None
