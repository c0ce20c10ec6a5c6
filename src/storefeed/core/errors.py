"""Typed domain errors with stable codes; each delivery layer maps them once to its shape."""

from typing import Any


class DomainError(Exception):
    """A refused request: `code` is stable for clients, `message` is for people."""

    code = "invalid"
    http_status = 422

    def __init__(self, message: str, *, field: str | None = None, **details: Any) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.details = details


class ValidationFailed(DomainError):
    code = "validation_failed"


class NotFound(DomainError):
    code = "not_found"
    http_status = 404
    # Whether the API says `message` (else Mastodon's "Record not found", which names nothing).
    shown = False


class Forbidden(DomainError):
    code = "forbidden"
    http_status = 403


class Conflict(DomainError):
    code = "conflict"
    http_status = 409
