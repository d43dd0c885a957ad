"""Adapters for external registries: BAG (PDOK Locatieserver, BAG API Individuele Bevragingen),
BRP bewoning and the KvK.

Each adapter wraps one HTTP API behind a small typed interface, with a real HTTP client
(`requests`, see `http.request_json`). Failures of the registry (timeouts, refused
connections, error statuses, answers that do not parse) all surface as `RegistryUnavailable`,
so callers have one thing to catch and fall back from; an adapter never lets a registry outage
break intake or leave a case half-changed. Every adapter is off until its URL is configured
(settings, from the environment); `docs/registries.md` says which source gives what.

What is sent (an address, a KvK number) and what comes back is personal data in the context
of a signal: it never goes into log lines or exception messages, only the source and the kind
of failure do.
"""

from __future__ import annotations

# Kinds of failure, for the message the user gets.
TIMEOUT, UNREACHABLE, STATUS, GARBAGE = "timeout", "unreachable", "status", "garbage"


class RegistryUnavailable(Exception):
    """The registry did not give a usable answer; the caller falls back or says so."""

    def __init__(self, message: str, *, source: str = "", kind: str = "", status: int | None = None, timeout: float | None = None) -> None:
        super().__init__(message)
        self.source = source
        self.kind = kind
        self.status = status
        self.timeout = timeout

    @property
    def user_message(self) -> str:
        """What went wrong, in Dutch, for the person who asked: never the data asked about."""
        source = self.source or "Het register"
        if self.kind == TIMEOUT:
            seconds = f"{self.timeout:g}" if self.timeout is not None else ""
            what = f"{source} gaf geen antwoord binnen {seconds} seconden." if seconds else f"{source} gaf niet op tijd antwoord."
        elif self.kind == STATUS:
            what = f"{source} gaf een foutmelding (status {self.status})."
        elif self.kind == GARBAGE:
            what = f"{source} gaf een antwoord dat Ketenzicht niet kan lezen."
        else:
            what = f"{source} is nu niet bereikbaar."
        return f"{what} Er is niets gewijzigd; probeer het later opnieuw."
