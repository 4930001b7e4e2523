"""A fake Anthropic Admin API over real HTTP on a loopback port.

It follows the checklist in the project's Admin API reference: auth and error shapes, parameter
validation, bucket snapping with an exclusive `ending_at`, empty buckets, null semantics, opaque
cursors, a cost report that serves completed UTC days only, and injectable faults.
"""

from __future__ import annotations

import base64
import copy
import json
import threading
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from pump_costs.fake_anthropic import analytics
from pump_costs.fake_anthropic import organization as org
from pump_costs.fake_anthropic.errors import ApiError, invalid, parse_time

# Obviously fake keys: the demo and the tests use them, and they unlock nothing real. The second reads a second
# organization, for pulling several organizations at once.
FAKE_ADMIN_KEY = "sk-ant-admin01-fake-demo-key-for-the-synthetic-organization-only"
SECOND_FAKE_ADMIN_KEY = "sk-ant-admin01-fake-key-for-the-second-synthetic-organization"

BUCKET_WIDTHS = {
    "1d": (timedelta(days=1), 7, 31),
    "1h": (timedelta(hours=1), 24, 168),
    "1m": (timedelta(minutes=1), 60, 1440),
}
USAGE_GROUP_BY = (
    "api_key_id",
    "workspace_id",
    "model",
    "service_tier",
    "context_window",
    "inference_geo",
    "speed",
    "account_id",
    "service_account_id",
)
USAGE_FILTERS = {
    "api_key_ids[]": ("api_key_id", None),
    "workspace_ids[]": ("workspace_id", None),
    "models[]": ("model", None),
    "service_tiers[]": (
        "service_tier",
        {"standard", "batch", "priority", "priority_on_demand", "flex", "flex_discount"},
    ),
    "context_window[]": ("context_window", {"0-200k", "200k-1M"}),
    "inference_geos[]": ("inference_geo", {"global", "us", "not_available"}),
}
COST_GROUP_BY = ("workspace_id", "description")


@dataclass
class Fault:
    """One injected failure, served to a request whose path starts with `path` once `after` such
    requests have passed (after=1 fails a report's second page)."""

    status: int
    path: str = "/v1/"
    retry_after: str | None = None
    retry_after_ms: str | None = None
    should_retry: str | None = None
    after: int = 0
    location: str | None = None  # a redirect's target
    body: bytes | None = None  # served as is instead of an error body (a proxy's HTML page, say)
    cut: bool = False  # promise the whole body, send half of it, close: a response cut mid-body

    @property
    def error_type(self) -> str:
        return {
            401: "authentication_error",
            403: "permission_error",
            429: "rate_limit_error",
            500: "api_error",
            504: "timeout_error",
            529: "overloaded_error",
        }.get(self.status, "api_error")


@dataclass
class FaultPlan:
    """Faults the server applies, set by tests or the demo."""

    queue: deque[Fault] = field(default_factory=deque)
    delay_seconds: float = 0.0
    malformed_amount: bool = False
    drop_next_page_token: bool = False
    standard_key_status: int = 401
    # Days whose usage and cost vanished upstream (a restatement): their buckets come back empty.
    empty_days: set[date] = field(default_factory=set)
    # Rewrites every successful answer (path, body) -> body: a response the API should never send.
    rewrite: Callable[[str, dict], dict] | None = None
    # Adds this many cents to one analytics cost line of the day (its first token line): the two APIs then
    # disagree, for tests of reconciliation.
    skew_analytics_cost: tuple[date, Decimal] | None = None

    def take(self, path: str) -> Fault | None:
        for fault in list(self.queue):
            if path.startswith(fault.path):
                if fault.after:
                    fault.after -= 1
                    return None
                self.queue.remove(fault)
                return fault
        return None


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    status: int
    organization_id: str | None = None  # whose key it carried; None when the key was refused


def parse_limit(params: dict[str, list[str]], default: int, maximum: int) -> int:
    raw = params.get("limit", [str(default)])[0]
    try:
        limit = int(raw)
    except ValueError:
        raise invalid(f"limit: Input should be a valid integer, got {raw!r}") from None
    if not 1 <= limit <= maximum:
        raise invalid(f"limit: Input should be between 1 and {maximum} for this bucket width, got {limit}")
    return limit


def floor_to(moment: datetime, width: timedelta) -> datetime:
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return epoch + ((moment - epoch) // width) * width


def encode_page(moment: datetime) -> str:
    return "page_" + base64.b64encode(moment.strftime("%Y-%m-%dT%H:%M:%SZ").encode()).decode()


def decode_page(token: str) -> datetime:
    try:
        assert token.startswith("page_")
        return datetime.fromisoformat(base64.b64decode(token[5:]).decode().replace("Z", "+00:00"))
    except Exception:
        raise invalid("page: Invalid page token") from None


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def to_report_workspace(workspace_id: str | None) -> str | None:
    """Reports show the default workspace as null."""
    return None if workspace_id == org.DEFAULT_WORKSPACE_ID else workspace_id


class FakeAdminApi:
    """The fake server: start it, point the client at `base_url`, read `requests` afterwards."""

    def __init__(self, admin_key: str = FAKE_ADMIN_KEY, today: date | None = None, port: int = 0):
        self.organizations = {admin_key: org.DEMO_ORGANIZATION, SECOND_FAKE_ADMIN_KEY: org.SECOND_ORGANIZATION}
        self._today = today
        self.faults = FaultPlan()
        # Whether the analytics cost prices Priority Tier (unknown for the real API; the legacy report does not,
        # and neither does the fake unless a test turns this on).
        self.analytics_prices_priority = False
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._in_flight = 0
        self._idle = threading.Condition(self._lock)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def today(self) -> date:
        return self._today or datetime.now(UTC).date()

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeAdminApi:
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="fake-anthropic", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> FakeAdminApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Wait for requests still being served (a client that timed out leaves them running)."""
        with self._idle:
            self._idle.wait_for(lambda: self._in_flight == 0, timeout)

    # -- request handling ------------------------------------------------------------------

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes; with Nagle's algorithm the body waits for the client's
            # delayed ACK of the headers on a kept-alive connection: 40 ms a response, not the API's pace.
            disable_nagle_algorithm = True

            def do_GET(self) -> None:
                api._handle(self)

            do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

            def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
                pass

        return Handler

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self._in_flight += 1
        try:
            self._serve(handler)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test); nothing to answer
        finally:
            with self._idle:
                self._in_flight -= 1
                self._idle.notify_all()

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        url = urlsplit(handler.path)
        params = parse_qs(url.query, keep_blank_values=True)
        request_id = "req_fake" + uuid.uuid4().hex[:20]
        headers: dict[str, str] = {}
        organization = None
        try:
            if self.faults.delay_seconds:
                time.sleep(self.faults.delay_seconds)
            organization = self._authenticate(handler)
            if handler.command != "GET":
                raise ApiError(405, "invalid_request_error", f"Method {handler.command} not allowed")
            if url.path.startswith("/v1/organizations/analytics/"):
                self._require_beta(handler)
            fault = self.faults.take(url.path)
            if fault and (fault.body is not None or fault.cut or fault.location):
                return self._send_fault(handler, url.path, params, fault, organization)
            if fault:
                headers = {
                    k: v
                    for k, v in {
                        "retry-after": fault.retry_after,
                        "retry-after-ms": fault.retry_after_ms,
                        "x-should-retry": fault.should_retry,
                    }.items()
                    if v
                }
                raise ApiError(fault.status, fault.error_type, f"Injected {fault.status}", headers)
            status, body = 200, self._route(url.path, params, organization)
            if self.faults.rewrite:
                body = self.faults.rewrite(url.path, copy.deepcopy(body))  # the organization's data stays intact
        except ApiError as error:
            status = error.status
            headers = error.headers
            body = {
                "type": "error",
                "error": {"type": error.error_type, "message": error.message},
                "request_id": request_id,
            }
        with self._lock:
            self.requests.append(
                RecordedRequest(handler.command, url.path, params, status, organization and organization.id)
            )
        payload = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("content-type", "application/json")
        handler.send_header("request-id", request_id)
        if organization is not None:
            handler.send_header("anthropic-organization-id", organization.id)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("content-length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    def _send_fault(
        self,
        handler: BaseHTTPRequestHandler,
        path: str,
        params: dict,
        fault: Fault,
        organization: org.SyntheticOrganization,
    ) -> None:
        """A redirect, a body that is not JSON, or a body cut short."""
        with self._lock:
            self.requests.append(RecordedRequest(handler.command, path, params, fault.status, organization.id))
        payload = fault.body if fault.body is not None else json.dumps(self._route(path, params, organization)).encode()
        handler.send_response(fault.status)
        if fault.location:
            handler.send_header("location", fault.location)
        handler.send_header("content-length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload[: len(payload) // 2] if fault.cut else payload)
        if fault.cut:
            handler.close_connection = True

    def _authenticate(self, handler: BaseHTTPRequestHandler) -> org.SyntheticOrganization:
        """The organization the request's key reads."""
        key = handler.headers.get("x-api-key")
        authorization = handler.headers.get("authorization", "")
        if not key and authorization.lower().startswith("bearer "):
            key = authorization[7:]
        if key and key.startswith("sk-ant-api") and self.faults.standard_key_status == 403:
            raise ApiError(
                403, "permission_error", "Your API key does not have permission to use the specified resource."
            )
        if key not in self.organizations:
            raise ApiError(401, "authentication_error", "invalid x-api-key")
        if not handler.headers.get("anthropic-version"):
            raise invalid("anthropic-version: header is required")
        return self.organizations[key]

    @staticmethod
    def _require_beta(handler: BaseHTTPRequestHandler) -> None:
        """The analytics endpoints need their beta, in one comma-joined header or in repeated ones."""
        betas = {b.strip() for value in handler.headers.get_all("anthropic-beta") or [] for b in value.split(",")}
        if analytics.BETA not in betas:
            raise invalid(f"anthropic-beta: this endpoint requires the {analytics.BETA} beta")

    def _route(self, path: str, params: dict[str, list[str]], organization: org.SyntheticOrganization) -> dict:
        prefix = "/v1/organizations"
        routes = {
            f"{prefix}/me": organization.as_json,
            f"{prefix}/workspaces": lambda: self._workspaces(params),
            f"{prefix}/api_keys": lambda: self._api_keys(params),
            f"{prefix}/usage_report/messages": lambda: self._usage_report(params, organization),
            f"{prefix}/cost_report": lambda: self._cost_report(params, organization),
            f"{prefix}/usage_report/claude_code": lambda: self._claude_code_report(params, organization),
            f"{prefix}/analytics/usage": lambda: self._analytics(params, organization, cost=False),
            f"{prefix}/analytics/cost": lambda: self._analytics(params, organization, cost=True),
        }
        if path in routes:
            return routes[path]()
        for collection, items in (("workspaces", org.WORKSPACES), ("api_keys", org.API_KEYS)):
            if path.startswith(f"{prefix}/{collection}/"):
                object_id = path.rsplit("/", 1)[1]
                for item in items:
                    if item.id == object_id:
                        return item.as_json()
        raise ApiError(404, "not_found_error", "The requested resource could not be found.")

    # -- lists ------------------------------------------------------------------------------

    @staticmethod
    def _id_page(items: list[dict], params: dict[str, list[str]]) -> dict:
        limit = parse_limit(params, 20, 1000)
        after, before = params.get("after_id", [None])[0], params.get("before_id", [None])[0]
        ids = [item["id"] for item in items]
        if after:
            items = items[ids.index(after) + 1 :] if after in ids else []
            page = items[:limit]
            has_more = len(items) > limit
        elif before:
            items = items[: ids.index(before)] if before in ids else []
            page = items[-limit:]
            has_more = len(items) > limit
        else:
            page, has_more = items[:limit], len(items) > limit
        return {
            "data": page,
            "has_more": has_more,
            "first_id": page[0]["id"] if page else None,
            "last_id": page[-1]["id"] if page else None,
        }

    def _workspaces(self, params: dict[str, list[str]]) -> dict:
        include_archived = params.get("include_archived", ["false"])[0] == "true"
        items = [
            w.as_json()
            for w in org.WORKSPACES
            if w.id != org.DEFAULT_WORKSPACE_ID and (include_archived or w.archived_at is None)
        ]
        return self._id_page(items, params)

    def _api_keys(self, params: dict[str, list[str]]) -> dict:
        status = params.get("status", [None])[0]
        workspace = params.get("workspace_id", [None])[0]
        items = [
            k.as_json()
            for k in org.API_KEYS
            if (status is None or k.status == status) and (workspace is None or k.workspace_id == workspace)
        ]
        return self._id_page(items, params)

    # -- reports ----------------------------------------------------------------------------

    def _bucket_window(
        self, params: dict[str, list[str]], width: timedelta, default_limit: int, max_limit: int, latest_end: datetime
    ) -> tuple[list[datetime], bool, datetime]:
        """The bucket starts of this page, whether more pages follow, and the next page's start."""
        start = floor_to(parse_time(params, "starting_at", required=True), width)
        requested_end = parse_time(params, "ending_at", required=False)
        end = min(requested_end or latest_end, latest_end)
        limit = parse_limit(params, default_limit, max_limit)
        if "page" in params:
            start = max(start, decode_page(params["page"][0]))
        starts = []
        cursor = start
        while cursor + width <= end and len(starts) < limit:
            starts.append(cursor)
            cursor += width
        return starts, cursor + width <= end, cursor

    def _report_page(self, buckets: list[dict], has_more: bool, next_start: datetime) -> dict:
        next_page = encode_page(next_start) if has_more else None
        if has_more and self.faults.drop_next_page_token:
            next_page = None
        return {"data": buckets, "has_more": has_more, "next_page": next_page}

    def _usage_report(self, params: dict[str, list[str]], organization: org.SyntheticOrganization) -> dict:
        bucket_width = params.get("bucket_width", ["1d"])[0]
        if bucket_width not in BUCKET_WIDTHS:
            raise invalid(f"bucket_width: Input should be '1d', '1h' or '1m', got {bucket_width!r}")
        width, default_limit, max_limit = BUCKET_WIDTHS[bucket_width]
        group_by = params.get("group_by[]", [])
        for value in group_by:
            if value not in USAGE_GROUP_BY:
                raise invalid(f"group_by[]: Input should be one of {', '.join(USAGE_GROUP_BY)}, got {value!r}")
        filters = {}
        for name, (column, allowed) in USAGE_FILTERS.items():
            values = params.get(name)
            if values:
                bad = [v for v in values if allowed is not None and v not in allowed]
                if bad:
                    raise invalid(f"{name}: Input should be one of {', '.join(sorted(allowed))}, got {bad[0]!r}")
                filters[column] = set(values)
        latest_end = floor_to(datetime.now(UTC), width) + width  # the current, partial bucket
        starts, has_more, next_start = self._bucket_window(params, width, default_limit, max_limit, latest_end)
        buckets = [
            {
                "starting_at": iso(s),
                "ending_at": iso(s + width),
                "results": []
                if s.date() in self.faults.empty_days
                else self._usage_results(organization, s, width, set(group_by), filters),
            }
            for s in starts
        ]
        return self._report_page(buckets, has_more, next_start)

    @staticmethod
    def _usage_results(
        organization: org.SyntheticOrganization,
        bucket_start: datetime,
        width: timedelta,
        group_by: set[str],
        filters: dict[str, set[str]],
    ) -> list[dict]:
        totals: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for fact in org.usage_facts(bucket_start.date(), organization):
            moment = org.utc_midnight(fact.day) + timedelta(hours=fact.hour, minutes=fact.minute)
            if not bucket_start <= moment < bucket_start + width:
                continue
            stream = fact.stream
            dims = {
                "api_key_id": stream.api_key_id,
                "workspace_id": to_report_workspace(stream.workspace_id),
                "model": stream.model,
                "service_tier": stream.service_tier,
                "context_window": stream.context_window,
                "inference_geo": stream.inference_geo,
            }
            if any(dims[column] not in allowed for column, allowed in filters.items()):
                continue
            key = tuple(dims[d] if d in group_by else None for d in dims)
            for token_type, count in fact.tokens.items():
                totals[key][token_type] += count
            totals[key]["web_search_requests"] += fact.web_search_requests
        results = []
        for key, counts in totals.items():
            results.append(
                {
                    "uncached_input_tokens": counts["uncached_input_tokens"],
                    "cache_creation": {
                        "ephemeral_1h_input_tokens": counts["cache_creation.ephemeral_1h_input_tokens"],
                        "ephemeral_5m_input_tokens": counts["cache_creation.ephemeral_5m_input_tokens"],
                    },
                    "cache_read_input_tokens": counts["cache_read_input_tokens"],
                    "output_tokens": counts["output_tokens"],
                    "server_tool_use": {"web_search_requests": counts["web_search_requests"]},
                    **dict(
                        zip(
                            ["api_key_id", "workspace_id", "model", "service_tier", "context_window", "inference_geo"],
                            key,
                            strict=True,
                        )
                    ),
                    "account_id": None,
                    "service_account_id": None,
                }
            )
        return results

    def _cost_report(self, params: dict[str, list[str]], organization: org.SyntheticOrganization) -> dict:
        bucket_width = params.get("bucket_width", ["1d"])[0]
        if bucket_width != "1d":
            raise invalid(f"bucket_width: Input should be '1d', got {bucket_width!r}")
        group_by = params.get("group_by[]", [])
        for value in group_by:
            if value not in COST_GROUP_BY:
                raise invalid(f"group_by[]: Input should be 'workspace_id' or 'description', got {value!r}")
        today = org.utc_midnight(self.today)
        start = floor_to(parse_time(params, "starting_at", required=True), timedelta(days=1))
        requested_end = parse_time(params, "ending_at", required=False) or today
        if floor_to(min(requested_end, today), timedelta(days=1)) <= start:
            raise invalid("Invalid date range: ending date must be after starting date")
        width, default_limit, max_limit = BUCKET_WIDTHS["1d"]
        starts, has_more, next_start = self._bucket_window(params, width, default_limit, max_limit, today)
        buckets = [
            {
                "starting_at": iso(s),
                "ending_at": iso(s + width),
                "results": []
                if s.date() in self.faults.empty_days
                else self._cost_results(organization, s.date(), set(group_by)),
            }
            for s in starts
        ]
        return self._report_page(buckets, has_more, next_start)

    def _cost_results(self, organization: org.SyntheticOrganization, day: date, group_by: set[str]) -> list[dict]:
        by_description = "description" in group_by
        totals: dict[tuple, Decimal] = defaultdict(Decimal)
        details: dict[tuple, org.CostFact] = {}
        for fact in org.cost_facts(day, organization):
            key = (
                to_report_workspace(fact.workspace_id) if "workspace_id" in group_by else None,
                fact.description if by_description else None,
            )
            totals[key] += fact.amount_cents
            details[key] = fact
        results = []
        for key, amount in totals.items():
            fact = details[key]
            amount_text = "12,34" if self.faults.malformed_amount else format(amount, "f")
            results.append(
                {
                    "amount": amount_text,
                    "currency": "USD",
                    "workspace_id": key[0],
                    "description": key[1],
                    "cost_type": fact.cost_type if by_description else None,
                    "model": fact.model if by_description else None,
                    "service_tier": fact.service_tier if by_description else None,
                    "context_window": fact.context_window if by_description else None,
                    "token_type": fact.token_type if by_description else None,
                    "inference_geo": fact.inference_geo if by_description else None,
                }
            )
        return results

    def _analytics(self, params: dict[str, list[str]], organization: org.SyntheticOrganization, cost: bool) -> dict:
        now = datetime.combine(self.today, datetime.min.time(), tzinfo=UTC) + timedelta(hours=6)
        query = analytics.parse_query(params, cost, now)
        facts = []
        for day in org.days(query.start.date(), query.end.date() + timedelta(days=1)):
            if day in self.faults.empty_days:
                continue
            if cost:
                facts += self._skewed(day, analytics.cost_facts(day, self.analytics_prices_priority, organization))
            else:
                facts += analytics.usage_facts(day, organization)
        return analytics.report(facts, query, cost, params.get("page", [None])[0], now)

    def _skewed(self, day: date, facts: list[analytics.Fact]) -> list[analytics.Fact]:
        skew = self.faults.skew_analytics_cost
        if not skew or skew[0] != day or not facts:
            return facts
        first = facts[0]
        metrics = {**first.metrics, "amount": first.metrics["amount"] + skew[1]}
        return [analytics.Fact(first.moment, first.group, metrics), *facts[1:]]

    def _claude_code_report(self, params: dict[str, list[str]], organization: org.SyntheticOrganization) -> dict:
        raw_day = params.get("starting_at", [None])[0]
        if not raw_day:
            raise invalid("starting_at: Field required")
        try:
            day = date.fromisoformat(raw_day)
        except ValueError:
            raise invalid(f"starting_at: Input should be a UTC date in YYYY-MM-DD format, got {raw_day!r}") from None
        limit = parse_limit(params, 20, 1000)
        records = org.claude_code_records(day, organization)
        offset = 0
        if "page" in params:
            try:
                offset = int(base64.b64decode(params["page"][0][5:]).decode())
            except Exception:
                raise invalid("page: Invalid page token") from None
        page = records[offset : offset + limit]
        has_more = offset + limit < len(records)
        next_page = "page_" + base64.b64encode(str(offset + limit).encode()).decode() if has_more else None
        return {"data": page, "has_more": has_more, "next_page": next_page}
