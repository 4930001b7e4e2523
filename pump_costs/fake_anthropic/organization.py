"""A deterministic synthetic Anthropic organization: the fake Admin API's data and its ground truth.

Every number is derived from the date alone (seeded by the ISO date string), so any window can be
generated on demand and two runs on different days agree on the days they share. Cost is computed
from usage with a list-price table, so the usage and cost reports agree the way the real ones do.
"""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache


@dataclass(frozen=True)
class SyntheticOrganization:
    """An organization the fake serves. Organizations share the synthetic workspaces, keys and streams (so a
    join that forgets the organization doubles rows); `seed` salts every random draw, so each has its own
    usage and cost."""

    id: str
    name: str
    seed: str = ""

    def as_json(self) -> dict:
        return {"id": self.id, "type": "organization", "name": self.name}


DEMO_ORGANIZATION = SyntheticOrganization("5ca1ab1e-0000-4000-8000-00000000fa4e", "Synthetic Demo Org (fake data)")
SECOND_ORGANIZATION = SyntheticOrganization(
    "5ca1ab1e-0000-4000-8000-0000000005e2", "Synthetic Research Org (fake data)", seed="research"
)

DEFAULT_WORKSPACE_ID = "wrkspc_01DefaultSyntheticDemo00"


@dataclass(frozen=True)
class Workspace:
    id: str
    name: str
    created_at: str
    display_color: str
    archived_at: str | None = None

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "type": "workspace",
            "name": self.name,
            "created_at": self.created_at,
            "archived_at": self.archived_at,
            "display_color": self.display_color,
        }


WORKSPACES = [
    Workspace(DEFAULT_WORKSPACE_ID, "Default", "2024-01-02T09:00:00Z", "#6C5BB9"),
    Workspace("wrkspc_01ProductionSynthetic00", "Production", "2024-02-01T10:00:00Z", "#2E86AB"),
    Workspace("wrkspc_01ResearchSynthetic0000", "Research", "2024-03-15T10:00:00Z", "#A23B72"),
    Workspace("wrkspc_01ClaudeCodeSynthetic00", "Claude Code", "2024-06-01T10:00:00Z", "#b6613c"),
    Workspace(
        "wrkspc_01LegacyPrototypeSynth0",
        "Legacy Prototype",
        "2024-01-10T10:00:00Z",
        "#888888",
        archived_at="2026-03-31T17:00:00Z",
    ),
]
ARCHIVED_ON = date(2026, 3, 31)


@dataclass(frozen=True)
class ApiKey:
    id: str
    name: str
    workspace_id: str
    created_at: str
    status: str = "active"

    def as_json(self) -> dict:
        # The legacy shape: the default workspace's keys show workspace_id null.
        workspace_id = None if self.workspace_id == DEFAULT_WORKSPACE_ID else self.workspace_id
        return {
            "id": self.id,
            "type": "api_key",
            "name": self.name,
            "created_at": self.created_at,
            "created_by": {"id": "user_01SyntheticAdmin000000", "type": "user"},
            "partial_key_hint": f"sk-ant-api03-{self.id[7:10]}...{self.id[-4:]}",
            "status": self.status,
            "workspace_id": workspace_id,
            "expires_at": None,
        }


API_KEYS = [
    ApiKey("apikey_01ProdBackendSynth0000", "prod-backend", "wrkspc_01ProductionSynthetic00", "2024-02-02T10:00:00Z"),
    ApiKey(
        "apikey_01ProdBatchJobsSynth00", "prod-batch-jobs", "wrkspc_01ProductionSynthetic00", "2024-02-03T10:00:00Z"
    ),
    ApiKey(
        "apikey_01ResearchNotebooks000", "research-notebooks", "wrkspc_01ResearchSynthetic0000", "2024-03-16T10:00:00Z"
    ),
    ApiKey("apikey_01DefaultSandbox000000", "default-sandbox", DEFAULT_WORKSPACE_ID, "2024-01-03T10:00:00Z"),
    ApiKey(
        "apikey_01ClaudeCodeAlice00000",
        "claude_code_key_alice",
        "wrkspc_01ClaudeCodeSynthetic00",
        "2024-06-02T10:00:00Z",
    ),
    ApiKey(
        "apikey_01LegacyPrototype00000",
        "legacy-prototype",
        "wrkspc_01LegacyPrototypeSynth0",
        "2024-01-11T10:00:00Z",
        "archived",
    ),
    ApiKey("apikey_01ClaudeCodeCiBot0000", "claude-code-ci", "wrkspc_01ClaudeCodeSynthetic00", "2025-03-01T10:00:00Z"),
    ApiKey(
        "apikey_01ClaudeCodeDana00000", "claude_code_key_dana", "wrkspc_01ClaudeCodeSynthetic00", "2025-04-01T10:00:00Z"
    ),
]

MODEL_NAMES = {
    "claude-opus-4-6": "Claude Opus 4.6",
    "claude-sonnet-4-5-20250929": "Claude Sonnet 4.5",
    "claude-haiku-4-5-20251001": "Claude Haiku 4.5",
    "claude-3-5-haiku-20241022": "Claude Haiku 3.5",
}

# USD per million tokens: uncached input, output, cache read, 5m cache write, 1h cache write.
TOKEN_TYPES = (
    "uncached_input_tokens",
    "output_tokens",
    "cache_read_input_tokens",
    "cache_creation.ephemeral_5m_input_tokens",
    "cache_creation.ephemeral_1h_input_tokens",
)
TOKEN_TYPE_LABELS = {
    "uncached_input_tokens": "Input Tokens",
    "output_tokens": "Output Tokens",
    "cache_read_input_tokens": "Input Tokens, Cache Hit",
    "cache_creation.ephemeral_5m_input_tokens": "Input Tokens, Cache Write",
    "cache_creation.ephemeral_1h_input_tokens": "Input Tokens, Cache Write (1h)",
}
LIST_PRICES_USD_PER_MTOK: dict[tuple[str, str], tuple[str, ...]] = {
    ("claude-opus-4-6", "0-200k"): ("5", "25", "0.5", "6.25", "10"),
    ("claude-sonnet-4-5-20250929", "0-200k"): ("3", "15", "0.3", "3.75", "6"),
    ("claude-sonnet-4-5-20250929", "200k-1M"): ("6", "22.5", "0.6", "7.5", "12"),
    ("claude-haiku-4-5-20251001", "0-200k"): ("1", "5", "0.1", "1.25", "2"),
    ("claude-3-5-haiku-20241022", "0-200k"): ("0.8", "4", "0.08", "1", "1.6"),
}
BATCH_DISCOUNT = Decimal("0.5")
US_GEO_MULTIPLIER = Decimal("1.1")
WEB_SEARCH_CENTS_PER_REQUEST = Decimal("1")  # $10 per 1,000 searches
CODE_EXECUTION_CENTS_PER_HOUR = Decimal("5")  # $0.05 per container hour


@dataclass(frozen=True)
class Stream:
    """One steady source of traffic: a key (None = Console) calling one model in one tier."""

    api_key_id: str | None
    workspace_id: str
    model: str
    service_tier: str
    context_window: str
    inference_geo: str
    daily_input_tokens: int
    uses_web_search: bool = False
    uses_1h_cache: bool = False
    active_until: date | None = None
    actor_id: str | None = None  # a key in ACTORS; None: the key itself (an api_actor)
    product: str = "messages_api"


STREAMS = [
    Stream(
        "apikey_01ProdBackendSynth0000",
        "wrkspc_01ProductionSynthetic00",
        "claude-sonnet-4-5-20250929",
        "standard",
        "0-200k",
        "global",
        2_400_000,
        uses_web_search=True,
        uses_1h_cache=True,
        actor_id="svac_01ProdBackendSynth0000",
    ),
    Stream(
        "apikey_01ProdBackendSynth0000",
        "wrkspc_01ProductionSynthetic00",
        "claude-sonnet-4-5-20250929",
        "standard",
        "200k-1M",
        "global",
        900_000,
        actor_id="svac_01ProdBackendSynth0000",
    ),
    Stream(
        "apikey_01ProdBackendSynth0000",
        "wrkspc_01ProductionSynthetic00",
        "claude-haiku-4-5-20251001",
        "priority",
        "0-200k",
        "global",
        1_500_000,
        actor_id="svac_01ProdBackendSynth0000",
    ),
    Stream(
        "apikey_01ProdBatchJobsSynth00",
        "wrkspc_01ProductionSynthetic00",
        "claude-3-5-haiku-20241022",
        "batch",
        "0-200k",
        "not_available",
        6_000_000,
        product="message_batches_api",
    ),
    Stream(
        "apikey_01ResearchNotebooks000",
        "wrkspc_01ResearchSynthetic0000",
        "claude-opus-4-6",
        "standard",
        "0-200k",
        "us",
        700_000,
        uses_web_search=True,
        actor_id="user_01DanaSynthetic0000000",
    ),
    Stream(
        "apikey_01ResearchNotebooks000",
        "wrkspc_01ResearchSynthetic0000",
        "claude-opus-4-6",
        "batch",
        "0-200k",
        "global",
        1_100_000,
        actor_id="user_01DanaSynthetic0000000",
        product="message_batches_api",
    ),
    Stream(
        "apikey_01DefaultSandbox000000",
        DEFAULT_WORKSPACE_ID,
        "claude-haiku-4-5-20251001",
        "standard",
        "0-200k",
        "global",
        300_000,
        actor_id="user_01BobSynthetic00000000",
    ),
    Stream(
        None,
        DEFAULT_WORKSPACE_ID,
        "claude-opus-4-6",
        "standard",
        "0-200k",
        "global",
        120_000,
        actor_id="user_01CarolSynthetic000000",
        product="claude_console",
    ),
    Stream(
        "apikey_01ClaudeCodeAlice00000",
        "wrkspc_01ClaudeCodeSynthetic00",
        "claude-sonnet-4-5-20250929",
        "standard",
        "0-200k",
        "global",
        1_800_000,
        uses_1h_cache=True,
        actor_id="user_01AliceSynthetic000000",
        product="claude_code",
    ),
    Stream(
        "apikey_01LegacyPrototype00000",
        "wrkspc_01LegacyPrototypeSynth0",
        "claude-3-5-haiku-20241022",
        "standard",
        "0-200k",
        "not_available",
        400_000,
        active_until=ARCHIVED_ON,
    ),
    # Claude Code run by CI under its own key (no user: an api_actor), on the same price line as Alice's,
    # so the legacy cost report's line is shared by two keys.
    Stream(
        "apikey_01ClaudeCodeCiBot0000",
        "wrkspc_01ClaudeCodeSynthetic00",
        "claude-sonnet-4-5-20250929",
        "standard",
        "0-200k",
        "global",
        600_000,
        uses_1h_cache=True,
        product="claude_code",
    ),
    Stream(
        "apikey_01ClaudeCodeDana00000",
        "wrkspc_01ClaudeCodeSynthetic00",
        "claude-opus-4-6",
        "standard",
        "0-200k",
        "global",
        500_000,
        actor_id="user_01DanaSynthetic0000000",
        product="claude_code",
    ),
]
CODE_EXECUTION_WORKSPACE = "wrkspc_01ResearchSynthetic0000"

# The analytics API's actors: users (Bob's account was deleted), and a service account.
ACTORS = {
    "user_01AliceSynthetic000000": {
        "type": "user_actor",
        "user_id": "user_01AliceSynthetic000000",
        "email_address": "alice@example.com",
        "name": "Alice Example",
        "deleted": False,
    },
    "user_01DanaSynthetic0000000": {
        "type": "user_actor",
        "user_id": "user_01DanaSynthetic0000000",
        "email_address": "dana@example.com",
        "name": "Dana Research",
        "deleted": False,
    },
    "user_01CarolSynthetic000000": {
        "type": "user_actor",
        "user_id": "user_01CarolSynthetic000000",
        "email_address": "carol@example.com",
        "name": "Carol Console",
        "deleted": False,
    },
    "user_01BobSynthetic00000000": {
        "type": "user_actor",
        "user_id": "user_01BobSynthetic00000000",
        "email_address": None,
        "name": "Deleted User",
        "deleted": True,
    },
    "svac_01ProdBackendSynth0000": {
        "type": "service_account_actor",
        "service_account_id": "svac_01ProdBackendSynth0000",
    },
}


def stream_actor(stream: Stream) -> dict:
    if stream.actor_id:
        return ACTORS[stream.actor_id]
    return {"type": "api_actor", "api_key_id": stream.api_key_id}


@dataclass(frozen=True)
class UsageFact:
    """Usage at the finest grain the report offers, with the hour and minute it is reported under."""

    day: date
    hour: int
    minute: int
    stream: Stream
    tokens: dict[str, int]
    web_search_requests: int


@dataclass(frozen=True)
class CostFact:
    """One cost line at the grain of `group_by[]=workspace_id&group_by[]=description`."""

    day: date
    workspace_id: str
    cost_type: str
    amount_cents: Decimal
    model: str | None = None
    token_type: str | None = None
    service_tier: str | None = None
    context_window: str | None = None
    inference_geo: str | None = None

    @property
    def description(self) -> str:
        if self.cost_type == "web_search":
            return "Web Search Usage"
        if self.cost_type == "code_execution":
            return "Code Execution Usage"
        parts = [f"{MODEL_NAMES[self.model]} Usage - {TOKEN_TYPE_LABELS[self.token_type]}"]
        if self.service_tier == "batch":
            parts.append("Batch")
        if self.context_window == "200k-1M":
            parts.append("Long Context")
        if self.inference_geo == "us":
            parts.append("US Inference")
        return " - ".join(parts)


def _rng(organization: SyntheticOrganization, *parts: object) -> random.Random:
    salted = (organization.seed, *parts) if organization.seed else parts  # the demo's draws stay as they were
    seed = hashlib.sha256(":".join(str(p) for p in salted).encode()).hexdigest()
    return random.Random(int(seed[:16], 16))


def is_quiet_day(day: date, organization: SyntheticOrganization = DEMO_ORGANIZATION) -> bool:
    """About one day in twenty-five has no traffic at all, so empty buckets are exercised."""
    return _rng(organization, "quiet", day.isoformat()).random() < 0.04


@lru_cache(maxsize=2048)
def usage_facts(day: date, organization: SyntheticOrganization = DEMO_ORGANIZATION) -> tuple[UsageFact, ...]:
    if is_quiet_day(day, organization):
        return ()
    weekend = day.weekday() >= 5
    facts = []
    for index, stream in enumerate(STREAMS):
        if stream.active_until is not None and day >= stream.active_until:
            continue
        rng = _rng(organization, "usage", day.isoformat(), index)
        if rng.random() < 0.1:  # this stream idles today
            continue
        scale = rng.uniform(0.5, 1.5) * (0.35 if weekend else 1.0)
        uncached = int(stream.daily_input_tokens * scale)
        tokens = {
            "uncached_input_tokens": uncached,
            "output_tokens": int(uncached * rng.uniform(0.12, 0.3)),
            "cache_read_input_tokens": int(uncached * rng.uniform(0.5, 3.0)),
            "cache_creation.ephemeral_5m_input_tokens": int(uncached * rng.uniform(0.02, 0.15)),
            "cache_creation.ephemeral_1h_input_tokens": (
                int(uncached * rng.uniform(0.01, 0.05)) if stream.uses_1h_cache else 0
            ),
        }
        web_search = rng.randint(0, 60) if stream.uses_web_search else 0
        facts.append(UsageFact(day, rng.randrange(24), rng.randrange(60), stream, tokens, web_search))
    return tuple(facts)


def token_cost_cents(stream: Stream, token_type: str, tokens: int) -> Decimal:
    prices = LIST_PRICES_USD_PER_MTOK[(stream.model, stream.context_window)]
    usd_per_mtok = Decimal(prices[TOKEN_TYPES.index(token_type)])
    cents = Decimal(tokens) * usd_per_mtok / Decimal(10_000)  # tokens/1e6 * usd * 100
    if stream.service_tier == "batch":
        cents *= BATCH_DISCOUNT
    if stream.inference_geo == "us":
        cents *= US_GEO_MULTIPLIER
    return cents


@lru_cache(maxsize=2048)
def cost_facts(day: date, organization: SyntheticOrganization = DEMO_ORGANIZATION) -> tuple[CostFact, ...]:
    """Cost lines for a day. Priority Tier is billed elsewhere and never appears here."""
    lines: dict[tuple, Decimal] = defaultdict(Decimal)
    web_search: dict[str, int] = defaultdict(int)
    for fact in usage_facts(day, organization):
        stream = fact.stream
        web_search[stream.workspace_id] += fact.web_search_requests
        if stream.service_tier == "priority":
            continue
        for token_type, tokens in fact.tokens.items():
            if tokens:
                key = (
                    stream.workspace_id,
                    stream.model,
                    token_type,
                    stream.service_tier,
                    stream.context_window,
                    stream.inference_geo,
                )
                lines[key] += token_cost_cents(stream, token_type, tokens)
    facts = [
        CostFact(day, workspace, "tokens", amount, model, token_type, tier, window, geo)
        for (workspace, model, token_type, tier, window, geo), amount in sorted(lines.items())
    ]
    facts += [
        CostFact(day, workspace, "web_search", Decimal(requests) * WEB_SEARCH_CENTS_PER_REQUEST)
        for workspace, requests in sorted(web_search.items())
        if requests
    ]
    if facts:
        container_hours = Decimal(_rng(organization, "code", day.isoformat()).randint(0, 400)) / Decimal(10)
        if container_hours:
            facts.append(
                CostFact(
                    day, CODE_EXECUTION_WORKSPACE, "code_execution", container_hours * CODE_EXECUTION_CENTS_PER_HOUR
                )
            )
    return tuple(facts)


def days(start: date, end: date) -> list[date]:
    """The days of the half-open window [start, end)."""
    return [start + timedelta(days=n) for n in range((end - start).days)]


def utc_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


@dataclass(frozen=True)
class GroundTruth:
    """What the organization really used and was billed for in a window, for tests to compare to."""

    cost_cents_by_day_workspace_model: dict[tuple[date, str | None, str | None], Decimal]
    cost_cents_by_cost_type: dict[str, Decimal]
    tokens_by_type: dict[str, int]
    web_search_requests: int
    priority_input_tokens: int

    @property
    def total_cost_usd(self) -> Decimal:
        return sum(self.cost_cents_by_cost_type.values(), Decimal(0)) / 100


def ground_truth(start: date, end: date, organization: SyntheticOrganization = DEMO_ORGANIZATION) -> GroundTruth:
    """Totals for [start, end). Workspace ids are real ids (the default workspace's included)."""
    by_day_workspace_model: dict[tuple, Decimal] = defaultdict(Decimal)
    by_cost_type: dict[str, Decimal] = defaultdict(Decimal)
    tokens: dict[str, int] = defaultdict(int)
    web_search = priority = 0
    for day in days(start, end):
        for cost in cost_facts(day, organization):
            by_day_workspace_model[(day, cost.workspace_id, cost.model)] += cost.amount_cents
            by_cost_type[cost.cost_type] += cost.amount_cents
        for fact in usage_facts(day, organization):
            for token_type, count in fact.tokens.items():
                tokens[token_type] += count
            web_search += fact.web_search_requests
            if fact.stream.service_tier == "priority":
                priority += fact.tokens["uncached_input_tokens"]
    return GroundTruth(dict(by_day_workspace_model), dict(by_cost_type), dict(tokens), web_search, priority)


CLAUDE_CODE_TOOLS = ("edit_tool", "multi_edit_tool", "write_tool", "notebook_edit_tool")
CLAUDE_CODE_TOKENS = {  # the report's token names -> the usage report's
    "input": ("uncached_input_tokens",),
    "output": ("output_tokens",),
    "cache_read": ("cache_read_input_tokens",),
    "cache_creation": ("cache_creation.ephemeral_5m_input_tokens", "cache_creation.ephemeral_1h_input_tokens"),
}


def claude_code_actor(stream: Stream) -> dict:
    """The report names people by e-mail and keys acting on their own by name."""
    if stream.actor_id:
        return {"type": "user_actor", "email_address": ACTORS[stream.actor_id]["email_address"]}
    return {"type": "api_actor", "api_key_name": next(k.name for k in API_KEYS if k.id == stream.api_key_id)}


def claude_code_records(day: date, organization: SyntheticOrganization = DEMO_ORGANIZATION) -> list[dict]:
    """The Claude Code report's records for a day: per user (or API key) of Claude Code, a local and a
    remote row that split its tokens exactly (four fifths local), activity that varies by day, and the cost
    estimated at list price in whole cents (attribution only: the same spend is in the cost report)."""
    records = []
    for fact in usage_facts(day, organization):
        stream = fact.stream
        if stream.product != "claude_code":
            continue
        local = {usage_type: count * 4 // 5 for usage_type, count in fact.tokens.items()}
        remote = {usage_type: count - local[usage_type] for usage_type, count in fact.tokens.items()}
        for is_remote, tokens in ((False, local), (True, remote)):
            rng = _rng(organization, "claude_code", day.isoformat(), stream.actor_id or stream.api_key_id, is_remote)
            estimate = sum((token_cost_cents(stream, t, count) for t, count in tokens.items()), Decimal(0))
            records.append(
                {
                    "date": f"{day.isoformat()}T00:00:00Z",
                    "actor": claude_code_actor(stream),
                    "organization_id": organization.id,
                    "customer_type": "api",
                    "subscription_type": None,
                    "terminal_type": "web" if is_remote else "vscode",
                    "is_remote": is_remote,
                    "core_metrics": {
                        "num_sessions": rng.randint(1, 12),
                        "lines_of_code": {"added": rng.randint(10, 900), "removed": rng.randint(0, 400)},
                        "commits_by_claude_code": rng.randint(0, 9),
                        "pull_requests_by_claude_code": rng.randint(0, 3),
                    },
                    "tool_actions": {
                        tool: {"accepted": rng.randint(0, 40), "rejected": rng.randint(0, 6)}
                        for tool in CLAUDE_CODE_TOOLS
                    },
                    "model_breakdown": [
                        {
                            "model": stream.model,
                            "tokens": {
                                name: sum(tokens[t] for t in types) for name, types in CLAUDE_CODE_TOKENS.items()
                            },
                            "estimated_cost": {"amount": int(estimate.to_integral_value()), "currency": "USD"},
                        }
                    ],
                }
            )
    return records
