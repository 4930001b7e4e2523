"""Admin API payloads. Unknown fields are kept and optional ones may be missing: the API grows often."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

# The report dimensions pump-costs asks for: every row is one combination of them per day.
USAGE_GROUP_BY = ("api_key_id", "workspace_id", "model", "service_tier", "context_window", "inference_geo")
COST_GROUP_BY = ("workspace_id", "description")
DECIMAL_STRING = re.compile(r"^-?\d+(\.\d+)?$")
# The warehouse keeps cents as DECIMAL(38, 16): at most 16 decimal places and 22 integer digits.
MAX_CENT_DIGITS = 16
MAX_CENT_INTEGER_DIGITS = 22
# Token counts are BIGINT: a count past it (or below zero) is a corrupt response, not usage.
Count = Annotated[int, Field(ge=0, le=2**63 - 1)]


def exact_cents(value: object, what: str) -> Decimal:
    """Cents sent as a decimal string, refused when anything else would silently lose money."""
    if not isinstance(value, str) or not DECIMAL_STRING.match(value):
        raise ValueError(
            f"{what} {value!r} is not a decimal string of cents (e.g. '123.45'); "
            "the Admin API changed shape or the response is corrupt"
        )
    amount = Decimal(value)
    if -amount.as_tuple().exponent > MAX_CENT_DIGITS:
        raise ValueError(f"{what} {value!r} has more than {MAX_CENT_DIGITS} decimal places of cents")
    if amount.adjusted() >= MAX_CENT_INTEGER_DIGITS:
        raise ValueError(
            f"{what} {value!r} has more than {MAX_CENT_INTEGER_DIGITS} digits before the point, far "
            "beyond any bill; the response is corrupt"
        )
    return amount


def usd_only(value: str) -> str:
    """The API documents USD only, and every amount is stored and shown as USD."""
    if value != "USD":
        raise ValueError(
            f"cost currency {value!r}: the Admin API documents USD only, and pump-costs would show this amount as USD"
        )
    return value


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
        return exact_cents(value, "cost amount")

    @field_validator("currency")
    @classmethod
    def usd_only(cls, value: str) -> str:
        return usd_only(value)

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


# -- the Usage and Cost Analytics API (beta) -------------------------------------------------------


class Actor(Payload):
    """Who used it: a user, a service account, a federated identity, or the API key itself."""

    type: str
    user_id: str | None = None
    email_address: str | None = None
    name: str | None = None
    deleted: bool | None = None
    service_account_id: str | None = None
    api_key_id: str | None = None
    subject: str | None = None

    @property
    def id(self) -> str | None:
        return self.user_id or self.service_account_id or self.api_key_id or self.subject


class AnalyticsGroup(Payload):
    """A row's dimensions: every key is sent, null where not grouped (and sometimes where grouped)."""

    workspace_id: str | None = None
    api_key_id: str | None = None
    actor: Actor | None = None
    actor_type: str | None = None
    product: str | None = None
    model: str | None = None
    service_tier: str | None = None
    context_window: str | None = None
    inference_geo: str | None = None
    speed: str | None = None
    cost_type: str | None = None
    token_type: str | None = None

    def grain(self) -> tuple:
        actor = self.actor.model_dump_json() if self.actor else None
        return (
            self.workspace_id,
            self.api_key_id,
            actor,
            self.product,
            self.model,
            self.service_tier,
            self.context_window,
            self.inference_geo,
            self.speed,
            self.cost_type,
            self.token_type,
        )


class AnalyticsUsage(UsageResult):
    requests: Count | None = None


class AnalyticsCost(Payload):
    amount: Decimal
    list_amount: Decimal
    currency: str = "USD"
    requests: Count | None = None  # null on rows grouped by cost or token type

    @field_validator("amount", "list_amount", mode="before")
    @classmethod
    def cents_as_decimal_string(cls, value: object, info: ValidationInfo) -> Decimal:
        return exact_cents(value, f"cost {info.field_name}")

    @field_validator("currency")
    @classmethod
    def usd_only(cls, value: str) -> str:
        return usd_only(value)


class AnalyticsRow(Payload):
    starting_at: datetime
    ending_at: datetime
    group: AnalyticsGroup = Field(default_factory=AnalyticsGroup)


class AnalyticsUsageRow(AnalyticsRow):
    usage: AnalyticsUsage


class AnalyticsCostRow(AnalyticsRow):
    cost: AnalyticsCost


Row = TypeVar("Row", AnalyticsUsageRow, AnalyticsCostRow)


class AnalyticsPage(Payload, Generic[Row]):
    data: list[Row]
    has_more: bool = False
    next_page: str | None = None
    data_refreshed_at: datetime | None = None


# -- the Claude Code report --------------------------------------------------------------------------


class ClaudeCodeActor(Payload):
    type: str
    email_address: str | None = None
    api_key_name: str | None = None


class LinesOfCode(Payload):
    added: Count = 0
    removed: Count = 0


class CoreMetrics(Payload):
    num_sessions: Count = 0
    lines_of_code: LinesOfCode = Field(default_factory=LinesOfCode)
    commits_by_claude_code: Count = 0
    pull_requests_by_claude_code: Count = 0


class ToolAction(Payload):
    accepted: Count = 0
    rejected: Count = 0


class ClaudeCodeTokens(Payload):
    input: Count = 0
    output: Count = 0
    cache_read: Count = 0
    cache_creation: Count = 0


class EstimatedCost(Payload):
    amount: Decimal  # cents, a JSON number; documented as whole cents, kept exact whatever it is
    currency: str = "USD"

    @field_validator("amount", mode="before")
    @classmethod
    def number_of_cents(cls, value: object) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValueError(f"estimated cost {value!r} is not a number of cents")
        return Decimal(str(value))


class ModelBreakdown(Payload):
    model: str
    tokens: ClaudeCodeTokens = Field(default_factory=ClaudeCodeTokens)
    estimated_cost: EstimatedCost | None = None


class ClaudeCodeRecord(Payload):
    """One actor's Claude Code day, local or remote."""

    date: datetime
    actor: ClaudeCodeActor
    organization_id: str | None = None
    customer_type: str | None = None
    subscription_type: str | None = None
    terminal_type: str | None = None
    is_remote: bool = False
    core_metrics: CoreMetrics = Field(default_factory=CoreMetrics)
    tool_actions: dict[str, ToolAction] = Field(default_factory=dict)
    model_breakdown: list[ModelBreakdown] = Field(default_factory=list)


class ClaudeCodePage(Payload):
    data: list[ClaudeCodeRecord]
    has_more: bool = False
    next_page: str | None = None
