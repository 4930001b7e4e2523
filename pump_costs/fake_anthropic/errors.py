"""The fake's error answers, and the request values every endpoint reads the same way."""

from __future__ import annotations

from datetime import UTC, datetime


class ApiError(Exception):
    def __init__(self, status: int, error_type: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.error_type, self.message = status, error_type, message
        self.headers = headers or {}


def invalid(message: str) -> ApiError:
    return ApiError(400, "invalid_request_error", message)


def parse_time(params: dict[str, list[str]], name: str, required: bool) -> datetime | None:
    values = params.get(name)
    if not values:
        if required:
            raise invalid(f"{name}: Field required")
        return None
    try:
        parsed = datetime.fromisoformat(values[0].replace("Z", "+00:00"))
    except ValueError:
        raise invalid(f"{name}: Input should be a valid RFC 3339 datetime, got {values[0]!r}") from None
    if parsed.tzinfo is None:
        raise invalid(f"{name}: Input should have a timezone (RFC 3339)")
    return parsed.astimezone(UTC)
