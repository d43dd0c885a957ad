"""One base error for every service: a Dutch message a user can act on, and a stable code.

Services raise `ServiceError` (or a subclass per app, kept for readability: `CaseError`,
`RoutingError` …). Views show the message on the form or page they re-render; the API turns it
into a problem+json document (`core.api.problem_exception_handler`): the same text, the code as
`code`, the HTTP status from `status`. A refused transition of a lifecycle is a conflict with
the object's current state (409); bad input is 400.
"""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """A change that cannot be made; ``message`` says what to fix, in Dutch."""

    status: int = 400
    default_code: str = "ongeldige-invoer"

    def __init__(self, message: str, *, code: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        if status is not None:
            self.status = status

    def __str__(self) -> str:
        return self.message


class TransitionRefused(ServiceError):
    """A lifecycle refused the step in the object's current state (domain `TransitionNotAllowed`)."""

    status = 409
    default_code = "stap-niet-toegestaan"
    reason: str = ""

    @classmethod
    def from_domain(cls, exc: Any) -> TransitionRefused:
        refused = cls(str(exc))
        refused.reason = getattr(exc, "code", "guard")  # which check refused: invalid_source, guard, venue …
        return refused
