"""A read-only client for the Anthropic Admin API: key checks, retries, pagination, typed pages.

It only ever sends GET requests, and the key lives in one session header: it is never put in a URL,
a log line or an exception message.
"""

from __future__ import annotations

import contextlib
import logging
import random
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
from pydantic import BaseModel, ValidationError

from pump_costs import __version__
from pump_costs.defs.anthropic.models import (
    COST_GROUP_BY,
    USAGE_GROUP_BY,
    AnalyticsCostRow,
    AnalyticsPage,
    AnalyticsUsageRow,
    ApiKey,
    Bucket,
    ClaudeCodePage,
    ClaudeCodeRecord,
    CostResult,
    ErrorBody,
    Organization,
    ReportPage,
    UsageResult,
    Workspace,
)

ANTHROPIC_VERSION = "2023-06-01"
DAILY_LIMIT = 31  # the most daily buckets a report page may hold
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504, 529})
# A response cut mid-body or a proxy's error page in place of JSON: transient, retried like a 5xx.
TRANSPORT_ERRORS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)
ADMIN_KEYS_URL = "https://console.anthropic.com/settings/admin-keys"
NOTHING_STORED = ". Nothing was stored and the stored days are unchanged; run the partitions again later."
# Every Anthropic key is ASCII letters, digits, '-' and '_': anything else was pasted by mistake, and
# would otherwise reach requests' own error message (which quotes the header value) in full.
PLAUSIBLE_KEY = re.compile(r"sk-ant-admin[A-Za-z0-9_-]{1,300}")
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})

ANALYTICS_BETA = "analytics-usage-cost-2026-08-24"
ANALYTICS_FIRST_DAY = date(2026, 1, 1)  # the analytics API serves nothing earlier...
ANALYTICS_LOOKBACK_DAYS = 364  # ...nor a day whose midnight is more than 365 days ago
ANALYTICS_MAX_DAYS = 31  # the longest range one request may cover
ANALYTICS_PAGE_ROWS = 1000  # the most rows a page may hold
# The mart's grain has eight dimensions and a request may group by five (cost_type and token_type come
# free on cost). Two groupings meet at workspace x model: BY_PRICE is the legacy cost report's line (the
# price's tier, context window and geo); BY_KEY is who spent it. BY_KEY is then asked again once per
# (tier, window, geo) that BY_PRICE found, filtered to it, which gives every row of the full grain
# exactly; what the filtered answers leave of BY_KEY is usage without a tier (code execution, sessions).
BY_PRICE = ("workspace_id", "model", "service_tier", "context_window", "inference_geo")
BY_KEY = ("workspace_id", "api_key_id", "actor", "product", "model")
COST_FAN_OUT = ("cost_type", "token_type")
UNSET_GEO = "not_available"  # the inference_geos[] value that selects rows whose geo is null

Item = TypeVar("Item", bound=BaseModel)


class AnthropicAdminError(Exception):
    """Anything that stops a pull from the Admin API. Messages never contain the key."""


class AdminKeyError(AnthropicAdminError):
    """The key is missing, of the wrong kind, or refused by the API. Never retried."""


class MalformedResponseError(AnthropicAdminError):
    """The API answered with a shape we cannot store exactly."""


def check_admin_key(key: str | None, source: str = "ANTHROPIC_ADMIN_API_KEY") -> str:
    """Refuse, before any request, a key that cannot read usage and cost; `source` names where it came from."""
    if not key or not key.strip():
        raise AdminKeyError(
            "No Anthropic Admin API key: set ANTHROPIC_ADMIN_API_KEY to an Admin key (sk-ant-admin...), or "
            "ANTHROPIC_ADMIN_API_KEY_FILE to a file holding it, or store it with `pump-costs connect`. "
            f"An organization admin creates one at {ADMIN_KEYS_URL}. "
            "To try pump-costs without a key, run `make demo`, which uses the built-in fake Admin API."
        )
    key = key.strip()
    if key.startswith("sk-ant-api"):
        raise AdminKeyError(
            f"{source} holds a standard API key (sk-ant-api...), which can call models but "
            "cannot read usage or cost. Use an Admin key (sk-ant-admin...): an organization admin creates "
            f"one at {ADMIN_KEYS_URL}."
        )
    if not key.startswith("sk-ant-admin"):
        raise AdminKeyError(
            f"{source} is not an Anthropic Admin key: Admin keys start with 'sk-ant-admin' and "
            "are read-only for usage and cost reports. An organization admin creates one at "
            f"{ADMIN_KEYS_URL}."
        )
    if not PLAUSIBLE_KEY.fullmatch(key):
        raise AdminKeyError(
            f"{source} starts like an Admin key but holds characters no key has (a space, a line "
            "break, a quote or a non-ASCII letter), so it was not sent anywhere. Copy the key again from where "
            f"you saved it, or create a new one at {ADMIN_KEYS_URL}."
        )
    return key


def check_base_url(url: str) -> str:
    """Refuse a base URL the key must not be sent to, before any request: not http(s), no host, or plain
    http to anything but this machine (the key would cross the network unencrypted)."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
    except ValueError:
        parts, host = None, None
    if parts is None or parts.scheme not in ("http", "https") or not host:
        raise AnthropicAdminError(
            f"ANTHROPIC_BASE_URL {url!r} is not a URL like https://api.anthropic.com (it needs https:// and a "
            "host). Fix it, or unset it to use the Admin API itself."
        )
    if parts.scheme == "http" and host not in LOOPBACK_HOSTS:
        raise AnthropicAdminError(
            f"ANTHROPIC_BASE_URL {url!r} uses plain http to another machine, which would send the Admin key "
            "unencrypted. Use https://, or unset it to use the Admin API itself."
        )
    if parts.username or parts.password or parts.query or parts.fragment:
        raise AnthropicAdminError(
            f"ANTHROPIC_BASE_URL {parts.scheme}://{host}/… carries a user name, password, query or fragment; "
            "give only the scheme, host and path, e.g. https://api.anthropic.com."
        )
    return url.strip().rstrip("/")


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def today_utc() -> datetime:
    return utc_midnight(datetime.now(UTC).date())


def analytics_complete_until(answers: Sequence[AnalyticsAnswer], end: datetime) -> datetime:
    """The end of the whole UTC days every answer's data_refreshed_at vouches for (or `end`): the days
    after may still be filling in, so they do not count as covered yet."""
    watermarks = [a.refreshed_at.astimezone(UTC) for a in answers if a.refreshed_at is not None]
    if not watermarks:
        return end
    return min(end, utc_midnight(min(watermarks).date()))


def analytics_first_day(today: date) -> date:
    """The earliest day the analytics API serves today."""
    return max(ANALYTICS_FIRST_DAY, today - timedelta(days=ANALYTICS_LOOKBACK_DAYS))


@dataclass(frozen=True)
class AnalyticsAnswer:
    """The rows of one grouping (and filter) over one window."""

    query: str  # by_price, by_key, or by_key_and_price (BY_KEY filtered to one tier x window x geo)
    group_by: tuple[str, ...]
    filters: dict[str, str]
    rows: list
    refreshed_at: datetime | None  # the answer's data_refreshed_at: data after it may be incomplete


def last_completed_days(days: int) -> tuple[date, date]:
    """The first and last of the `days` most recent completed UTC days."""
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    return yesterday - timedelta(days=days - 1), yesterday


class AnthropicAdminClient:
    """One session, bounded retries with backoff, and a count of the requests made."""

    def __init__(
        self,
        api_key: str | None,
        base_url: str = "https://api.anthropic.com",
        key_source: str = "ANTHROPIC_ADMIN_API_KEY",
        connect_timeout: float = 10.0,
        read_timeout: float = 60.0,
        max_retries: int = 6,
        max_retry_wait: float = 300.0,
        max_pages: int = 500,
        logger: logging.Logger | Any | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self._key = check_admin_key(api_key, key_source)
        self.key_source = key_source
        self._session = requests.Session()
        self._session.headers.update(
            {
                "x-api-key": self._key,
                "anthropic-version": ANTHROPIC_VERSION,
                "User-Agent": f"pump-costs/{__version__}",
            }
        )
        self.base_url = check_base_url(base_url)
        self.timeout = (connect_timeout, read_timeout)
        self.max_retries = max_retries
        self.max_retry_wait = max_retry_wait
        self.max_pages = max_pages
        self.log = logger or logging.getLogger(__name__)
        self._sleep = sleep
        self.requests_made = 0
        self._organization_id: str | None = None

    def close(self) -> None:
        self._session.close()

    # -- one request ------------------------------------------------------------------------

    def get(self, path: str, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> dict:
        """GET with retries on 429/5xx/529 and transport errors, honouring retry-after.

        Redirects are not followed: the key is only ever sent to the configured base URL.
        """
        url = f"{self.base_url}/v1/organizations/{path}"
        waited = 0.0
        for attempt in range(self.max_retries + 1):
            self.requests_made += 1
            try:
                response = self._session.get(
                    url, params=params, headers=headers, timeout=self.timeout, allow_redirects=False
                )
                succeeded = 200 <= response.status_code < 300  # a redirect is not followed, nor is it success
                body = response.json() if succeeded else None
            except TRANSPORT_ERRORS as error:
                reason, response = self._transport_reason(error), None
            except requests.JSONDecodeError:
                reason = f"{response.status_code} with a body that is not JSON"
            else:
                if succeeded:
                    self._note_organization(url, response)
                    return body
                self._raise_unless_retryable(url, response)
                reason = str(response.status_code)
            if attempt == self.max_retries:
                break
            wait = self._retry_wait(response, attempt)
            if waited + wait > self.max_retry_wait:
                raise AnthropicAdminError(
                    f"GET {url} kept failing ({reason}); the next retry would wait "
                    f"{wait:.1f}s, past the {self.max_retry_wait:.0f}s retry budget. Try again later."
                )
            self.log.warning(
                f"GET {url} failed ({reason}); retrying in {wait:.2f}s (retry {attempt + 1} of {self.max_retries})"
            )
            self._sleep(wait)
            waited += wait
        raise AnthropicAdminError(
            f"GET {url} failed ({reason}) after {self.max_retries} retries over {waited:.0f}s. Check that "
            f"{self.base_url} is reachable from this machine (ANTHROPIC_BASE_URL, proxy, firewall), or try "
            "again later. Nothing already stored was changed."
        )

    def _note_organization(self, url: str, response: requests.Response) -> None:
        answered = response.headers.get("anthropic-organization-id")
        if answered and self._organization_id and answered != self._organization_id:
            raise AnthropicAdminError(
                f"GET {url} answered for organization {answered}, an earlier answer for {self._organization_id}: "
                f"one key reads one organization, so these answers cannot be trusted{NOTHING_STORED}"
            )
        self._organization_id = self._organization_id or answered

    def organization_id(self) -> str:
        """The organization the key reads: every answer names it (header anthropic-organization-id); asked
        with GET /v1/organizations/me when no answer did."""
        if self._organization_id is None:
            self._organization_id = self.organization().id
        return self._organization_id

    def _raise_unless_retryable(self, url: str, response: requests.Response) -> None:
        status = response.status_code
        if status in (401, 403):
            raise AdminKeyError(
                f"The Admin API refused the key ({status} {self._describe(response)}): "
                "it is invalid, revoked, or not an Admin key. Create a new Admin key at "
                f"{ADMIN_KEYS_URL} and replace the one in {self.key_source}. Nothing already stored was changed."
            )
        if response.is_redirect:
            target = urlsplit(response.headers.get("location", ""))
            raise AnthropicAdminError(
                f"GET {url} answered {status} with a redirect to {target.scheme}://{target.hostname or '?'}; "
                "pump-costs does not follow redirects, so the key never leaves the configured host. If a proxy "
                "you trust moved, set ANTHROPIC_BASE_URL to its new address."
            )
        if status not in RETRYABLE_STATUSES or response.headers.get("x-should-retry") == "false":
            raise AnthropicAdminError(f"GET {url} failed with {status} {self._describe(response)}")

    def _transport_reason(self, error: requests.RequestException) -> str:
        """The socket-level cause ('[Errno 111] Connection refused'), not urllib3's nested retelling."""
        text = self._redact(str(error))
        errno = re.search(r"\[Errno [^\]]+\][^'\")]*", text)
        return f"{type(error).__name__}: {errno.group(0).strip() if errno else text[:160]}"

    def _redact(self, text: str) -> str:
        return text.replace(self._key, "sk-ant-admin…")

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

    def _report_pages(
        self, path: str, params: dict[str, Any], page_type: type, headers: dict[str, str] | None = None
    ) -> Iterator:
        """Follow the opaque `next_page` cursor until `has_more` is false."""
        params = dict(params)
        for _ in range(self.max_pages):
            raw = self.get(path, params, headers)
            try:
                page = page_type.model_validate(raw)
            except ValidationError as error:
                raise MalformedResponseError(
                    f"GET /v1/organizations/{path} ({_window(params)}): {_first_error(error, raw)}{NOTHING_STORED}"
                ) from None
            yield page
            if not page.has_more:
                return
            if not page.next_page:
                raise MalformedResponseError(
                    f"GET /v1/organizations/{path} ({_window(params)}) said has_more=true but gave no next_page, "
                    f"so the rest of the window cannot be fetched{NOTHING_STORED}"
                )
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
                raise MalformedResponseError(f"GET /v1/organizations/{path}: {_first_error(error, page)}") from None
            if not page.get("has_more") or not page.get("last_id"):
                return items
            params["after_id"] = page["last_id"]
        raise AnthropicAdminError(f"GET /v1/organizations/{path} returned more than {self.max_pages} pages")

    # -- endpoints --------------------------------------------------------------------------

    def organization(self) -> Organization:
        raw = self.get("me")
        try:
            return Organization.model_validate(raw)
        except ValidationError as error:
            raise MalformedResponseError(f"GET /v1/organizations/me: {_first_error(error, raw)}") from None

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
        path = "usage_report/messages"
        buckets = [b for page in self._report_pages(path, params, ReportPage[UsageResult]) for b in page.data]
        check_buckets(path, buckets, start, end, today_utc(), lambda r: tuple(getattr(r, g) for g in USAGE_GROUP_BY))
        return buckets

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
            buckets = [
                b for page in self._report_pages("cost_report", params, ReportPage[CostResult]) for b in page.data
            ]
        except AnthropicAdminError as error:
            if "ending date must be after starting date" in str(error):
                self.log.info(f"No completed UTC day in [{iso(start)}, {iso(end)}) yet: no cost to pull")
                return []
            raise
        check_buckets("cost_report", buckets, start, end, today_utc(), CostResult.grain)
        return buckets

    def analytics_report(self, report: str, start: datetime, end: datetime) -> list[AnalyticsAnswer]:
        """The analytics `usage` or `cost` report for [start, end) by day, at the mart's grain (BY_PRICE,
        BY_KEY, then BY_KEY per tier x window x geo), in windows of at most 31 days."""
        answers = []
        window_start = start
        while window_start < end:
            window_end = min(end, window_start + timedelta(days=ANALYTICS_MAX_DAYS))
            by_price = self._analytics(report, window_start, window_end, "by_price", BY_PRICE, {})
            prices = sorted(
                {
                    (g.service_tier, g.context_window, g.inference_geo or UNSET_GEO)
                    for g in (row.group for row in by_price.rows)
                    if g.service_tier and g.context_window
                }
            )
            answers += [by_price, self._analytics(report, window_start, window_end, "by_key", BY_KEY, {})]
            for tier, context_window, geo in prices:
                price = {"service_tiers[]": tier, "context_windows[]": context_window, "inference_geos[]": geo}
                answers.append(self._analytics(report, window_start, window_end, "by_key_and_price", BY_KEY, price))
            window_start = window_end
        return answers

    def _analytics(
        self, report: str, start: datetime, end: datetime, query: str, group_by: tuple, filters: dict[str, str]
    ) -> AnalyticsAnswer:
        path = f"analytics/{report}"
        row_type = AnalyticsCostRow if report == "cost" else AnalyticsUsageRow
        params = {
            "starting_at": iso(start),
            "ending_at": iso(end),
            "time_bucket_width": "1d",
            "limit": ANALYTICS_PAGE_ROWS,
            "group_by[]": [*group_by, *(COST_FAN_OUT if report == "cost" else ())],
            **filters,
        }
        pages = list(self._report_pages(path, params, AnalyticsPage[row_type], {"anthropic-beta": ANALYTICS_BETA}))
        rows = [row for page in pages for row in page.data]
        # Rows without an actor the API could render come one per identity, alike: they are not repeats.
        check_rows(path, rows, start, end, repeats_allowed=lambda row: "actor" in group_by and row.group.actor is None)
        watermarks = [page.data_refreshed_at for page in pages if page.data_refreshed_at is not None]
        return AnalyticsAnswer(query, group_by, filters, rows, min(watermarks) if watermarks else None)

    def analytics_probe(self, start: datetime, end: datetime) -> None:
        """One small request that the analytics API answers only if this organization and key may use it."""
        params = {"starting_at": iso(start), "ending_at": iso(end), "limit": 1}
        self.get("analytics/usage", params, {"anthropic-beta": ANALYTICS_BETA})

    def claude_code_report(self, day: date) -> list[ClaudeCodeRecord]:
        """The Claude Code report of one UTC day (the endpoint takes one day a request)."""
        params = {"starting_at": day.isoformat(), "limit": ANALYTICS_PAGE_ROWS}
        path = "usage_report/claude_code"
        records = [r for page in self._report_pages(path, params, ClaudeCodePage) for r in page.data]
        where = f"GET /v1/organizations/{path} ({day.isoformat()})"
        for record in records:
            if record.date.astimezone(UTC).date() != day:
                raise MalformedResponseError(
                    f"{where} returned a record for {record.date:%Y-%m-%d}, another day{NOTHING_STORED}"
                )
        return records


def _window(params: dict[str, Any]) -> str:
    if "ending_at" not in params:
        return params["starting_at"]
    return f"[{params['starting_at']}, {params['ending_at']})"


def _one_day_inside(
    where: str, what: str, starting_at: datetime, ending_at: datetime, start: datetime, end: datetime
) -> datetime:
    """The UTC day [starting_at, ending_at) is, refused unless it is one whole UTC day inside [start, end)."""
    day = starting_at.astimezone(UTC)
    if not (start <= day < end) or ending_at - starting_at != timedelta(days=1) or day.hour:
        raise MalformedResponseError(
            f"{where} returned the {what} [{iso(starting_at)}, {iso(ending_at)}), which is not one UTC day inside "
            f"the window{NOTHING_STORED}"
        )
    return day


def check_rows(
    path: str, rows: Sequence, start: datetime, end: datetime, repeats_allowed: Callable = lambda row: False
) -> None:
    """Refuse an analytics answer with a row that is not one UTC day inside [start, end), or the same
    combination twice on a day (unless `repeats_allowed` says it may be): storing it would lose or double
    money. Empty combinations (and empty days) are simply absent."""
    where = f"GET /v1/organizations/{path} ([{iso(start)}, {iso(end)}))"
    seen: set[tuple] = set()
    for row in rows:
        day = _one_day_inside(where, "row", row.starting_at, row.ending_at, start, end)
        key = (day, row.group.grain())
        if key in seen and not repeats_allowed(row):
            raise MalformedResponseError(
                f"{where} returned the same combination twice on {day:%Y-%m-%d} "
                f"({', '.join(str(v) for v in row.group.grain() if v is not None)}){NOTHING_STORED}"
            )
        seen.add(key)


def _first_error(error: ValidationError, raw: Any) -> str:
    """The first problem, located by day (`data.3` becomes the bucket's starting_at) rather than by index."""
    first = error.errors()[0]
    location = [str(part) for part in first["loc"]]
    if len(location) > 1 and location[0] == "data" and isinstance(raw, dict):
        with contextlib.suppress(KeyError, IndexError, TypeError, ValueError):
            location[1] = f"[{raw['data'][int(location[1])]['starting_at']}]"
    return f"unexpected response at {'.'.join(location)}: {first['msg']}"


def check_buckets(
    path: str, buckets: Sequence[Bucket], start: datetime, end: datetime, complete_until: datetime, grain: Callable
) -> None:
    """Refuse a pull that is not exactly one bucket per UTC day of [start, end), each holding each grain once.

    The API returns a bucket for every day, empty or not; a missing, repeated or stray day means the pull
    is incomplete or inconsistent, and storing it would lose or double money. Days from `complete_until`
    on (today) may be absent.
    """
    where = f"GET /v1/organizations/{path} ([{iso(start)}, {iso(end)}))"
    seen: set[datetime] = set()
    for bucket in buckets:
        day = _one_day_inside(where, "bucket", bucket.starting_at, bucket.ending_at, start, end)
        if day in seen:
            raise MalformedResponseError(f"{where} returned the day {day:%Y-%m-%d} twice{NOTHING_STORED}")
        seen.add(day)
        grains = [grain(result) for result in bucket.results]
        if len(set(grains)) != len(grains):
            repeated = next(g for g in grains if grains.count(g) > 1)
            raise MalformedResponseError(
                f"{where} returned the same row twice on {day:%Y-%m-%d} ({', '.join(map(str, repeated))})"
                f"{NOTHING_STORED}"
            )
    day = start
    while day < min(end, complete_until):
        if day not in seen:
            raise MalformedResponseError(
                f"{where} returned no bucket for {day:%Y-%m-%d} (the API sends one for every day, empty or not): "
                f"the pull is incomplete{NOTHING_STORED}"
            )
        day += timedelta(days=1)
