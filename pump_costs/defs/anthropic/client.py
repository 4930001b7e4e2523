"""A read-only client for the Anthropic Admin API: key checks, retries, pagination, typed pages.

It only ever sends GET requests, and the key lives in one session header: it is never put in a URL,
a log line or an exception message.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import requests
from pydantic import BaseModel, ValidationError

from pump_costs import __version__
from pump_costs.defs.anthropic.models import (
    ApiKey,
    Bucket,
    CostResult,
    ErrorBody,
    Organization,
    ReportPage,
    UsageResult,
    Workspace,
)

ANTHROPIC_VERSION = "2023-06-01"
DAILY_LIMIT = 31  # the most daily buckets a report page may hold
USAGE_GROUP_BY = ("api_key_id", "workspace_id", "model", "service_tier", "context_window", "inference_geo")
COST_GROUP_BY = ("workspace_id", "description")
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504, 529})
ADMIN_KEYS_URL = "https://console.anthropic.com/settings/admin-keys"

Item = TypeVar("Item", bound=BaseModel)


class AnthropicAdminError(Exception):
    """Anything that stops a pull from the Admin API. Messages never contain the key."""


class AdminKeyError(AnthropicAdminError):
    """The key is missing, of the wrong kind, or refused by the API. Never retried."""


class MalformedResponseError(AnthropicAdminError):
    """The API answered with a shape we cannot store exactly."""


def check_admin_key(key: str | None) -> str:
    """Refuse, before any request, a key that cannot read usage and cost."""
    if not key or not key.strip():
        raise AdminKeyError(
            "No Anthropic Admin API key: set ANTHROPIC_ADMIN_API_KEY to an Admin key (sk-ant-admin...). "
            f"An organization admin creates one at {ADMIN_KEYS_URL}. "
            "To try pump-costs without a key, run `make demo`, which uses the built-in fake Admin API."
        )
    key = key.strip()
    if key.startswith("sk-ant-api"):
        raise AdminKeyError(
            "ANTHROPIC_ADMIN_API_KEY holds a standard API key (sk-ant-api...), which can call models but "
            "cannot read usage or cost. Use an Admin key (sk-ant-admin...): an organization admin creates "
            f"one at {ADMIN_KEYS_URL}."
        )
    if not key.startswith("sk-ant-admin"):
        raise AdminKeyError(
            "ANTHROPIC_ADMIN_API_KEY is not an Anthropic Admin key: Admin keys start with 'sk-ant-admin' and "
            "are read-only for usage and cost reports. An organization admin creates one at "
            f"{ADMIN_KEYS_URL}."
        )
    return key


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


class AnthropicAdminClient:
    """One session, bounded retries with backoff, and a count of the requests made."""

    def __init__(
        self,
        api_key: str | None,
        base_url: str = "https://api.anthropic.com",
        connect_timeout: float = 10.0,
        read_timeout: float = 60.0,
        max_retries: int = 6,
        max_retry_wait: float = 300.0,
        max_pages: int = 500,
        logger: logging.Logger | Any | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self._session = requests.Session()
        self._session.headers.update(
            {
                "x-api-key": check_admin_key(api_key),
                "anthropic-version": ANTHROPIC_VERSION,
                "User-Agent": f"pump-costs/{__version__}",
            }
        )
        self.base_url = base_url.rstrip("/")
        self.timeout = (connect_timeout, read_timeout)
        self.max_retries = max_retries
        self.max_retry_wait = max_retry_wait
        self.max_pages = max_pages
        self.log = logger or logging.getLogger(__name__)
        self._sleep = sleep
        self.requests_made = 0

    def close(self) -> None:
        self._session.close()

    # -- one request ------------------------------------------------------------------------

    def get(self, path: str, params: dict[str, Any] | None = None) -> dict:
        """GET with retries on 429/5xx/529 and connection errors, honouring retry-after."""
        url = f"{self.base_url}/v1/organizations/{path}"
        waited = 0.0
        for attempt in range(self.max_retries + 1):
            self.requests_made += 1
            try:
                response = self._session.get(url, params=params, timeout=self.timeout)
            except (requests.ConnectionError, requests.Timeout) as error:
                reason, response = type(error).__name__, None
            else:
                if response.ok:
                    return response.json()
                if response.status_code in (401, 403):
                    raise AdminKeyError(
                        f"The Admin API refused the key ({response.status_code} {self._describe(response)}): "
                        "it is invalid, revoked, or not an Admin key. Create a new Admin key at "
                        f"{ADMIN_KEYS_URL} and set ANTHROPIC_ADMIN_API_KEY. Nothing already stored was changed."
                    )
                retryable = response.status_code in RETRYABLE_STATUSES
                if not retryable or response.headers.get("x-should-retry") == "false":
                    raise AnthropicAdminError(
                        f"GET /v1/organizations/{path} failed with {response.status_code} {self._describe(response)}"
                    )
                reason = str(response.status_code)
            if attempt == self.max_retries:
                break
            wait = self._retry_wait(response, attempt)
            if waited + wait > self.max_retry_wait:
                raise AnthropicAdminError(
                    f"GET /v1/organizations/{path} kept failing ({reason}); the next retry would wait "
                    f"{wait:.1f}s, past the {self.max_retry_wait:.0f}s retry budget. Try again later."
                )
            self.log.warning(
                f"GET /v1/organizations/{path} failed ({reason}); retrying in {wait:.2f}s "
                f"(retry {attempt + 1} of {self.max_retries})"
            )
            self._sleep(wait)
            waited += wait
        raise AnthropicAdminError(
            f"GET /v1/organizations/{path} failed ({reason}) after {self.max_retries} retries. Try again later."
        )

    @staticmethod
    def _describe(response: requests.Response) -> str:
        try:
            body = ErrorBody.model_validate(response.json())
            detail = f"{body.error.type}: {body.error.message}"
        except (ValueError, ValidationError):
            detail = response.reason or "no error body"
        return f"{detail} (request-id {response.headers.get('request-id', 'unknown')})"

    @staticmethod
    def _retry_wait(response: requests.Response | None, attempt: int) -> float:
        """retry-after-ms, then retry-after (seconds or an HTTP date), else jittered exponential backoff."""
        headers = response.headers if response is not None else {}
        if "retry-after-ms" in headers:
            try:
                return max(0.0, float(headers["retry-after-ms"]) / 1000)
            except ValueError:
                pass
        if "retry-after" in headers:
            value = headers["retry-after"]
            try:
                return max(0.0, float(value))
            except ValueError:
                try:
                    return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
                except (TypeError, ValueError):
                    pass
        return min(0.5 * 2**attempt, 8.0) * (1 - 0.25 * random.random())

    # -- pagination -------------------------------------------------------------------------

    def _report_pages(self, path: str, params: dict[str, Any], page_type: type[ReportPage]) -> Iterator[ReportPage]:
        """Follow the opaque `next_page` cursor until `has_more` is false."""
        params = dict(params)
        for _ in range(self.max_pages):
            raw = self.get(path, params)
            try:
                page = page_type.model_validate(raw)
            except ValidationError as error:
                raise MalformedResponseError(f"GET /v1/organizations/{path}: {_first_error(error)}") from None
            yield page
            if not page.has_more:
                return
            if not page.next_page:
                self.log.warning(
                    f"GET /v1/organizations/{path} said has_more=true but gave no next_page; "
                    "stopping here with the pages received so far"
                )
                return
            params["page"] = page.next_page
        raise AnthropicAdminError(f"GET /v1/organizations/{path} returned more than {self.max_pages} pages")

    def _list_all(self, path: str, item_type: type[Item], params: dict[str, Any] | None = None) -> list[Item]:
        """Follow `after_id=last_id` until `has_more` is false."""
        params = {"limit": 1000, **(params or {})}
        items: list[Item] = []
        for _ in range(self.max_pages):
            page = self.get(path, params)
            try:
                items += [item_type.model_validate(item) for item in page.get("data", [])]
            except ValidationError as error:
                raise MalformedResponseError(f"GET /v1/organizations/{path}: {_first_error(error)}") from None
            if not page.get("has_more") or not page.get("last_id"):
                return items
            params["after_id"] = page["last_id"]
        raise AnthropicAdminError(f"GET /v1/organizations/{path} returned more than {self.max_pages} pages")

    # -- endpoints --------------------------------------------------------------------------

    def organization(self) -> Organization:
        return Organization.model_validate(self.get("me"))

    def workspaces(self) -> list[Workspace]:
        """Every workspace, archived ones included (their history still carries cost)."""
        return self._list_all("workspaces", Workspace, {"include_archived": "true"})

    def api_keys(self) -> list[ApiKey]:
        return self._list_all("api_keys", ApiKey)

    def usage_report(self, start: datetime, end: datetime) -> list[Bucket[UsageResult]]:
        """Daily usage in [start, end), grouped by every dimension the report offers."""
        params = {
            "starting_at": iso(start),
            "ending_at": iso(end),
            "bucket_width": "1d",
            "limit": DAILY_LIMIT,
            "group_by[]": list(USAGE_GROUP_BY),
        }
        return [
            b
            for page in self._report_pages("usage_report/messages", params, ReportPage[UsageResult])
            for b in page.data
        ]

    def cost_report(self, start: datetime, end: datetime) -> list[Bucket[CostResult]]:
        """Daily cost in [start, end) by workspace and line item; completed UTC days only.

        The caller clamps `end` to today 00:00Z. The API still answers 400 "ending date must be after
        starting date" when its clock says the window has no completed day yet: that means no data.
        """
        params = {
            "starting_at": iso(start),
            "ending_at": iso(end),
            "bucket_width": "1d",
            "limit": DAILY_LIMIT,
            "group_by[]": list(COST_GROUP_BY),
        }
        try:
            return [b for page in self._report_pages("cost_report", params, ReportPage[CostResult]) for b in page.data]
        except AnthropicAdminError as error:
            if "ending date must be after starting date" in str(error):
                self.log.info(f"No completed UTC day in [{iso(start)}, {iso(end)}) yet: no cost to pull")
                return []
            raise


def _first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    location = ".".join(str(part) for part in first["loc"])
    return f"unexpected response at {location}: {first['msg']}"
