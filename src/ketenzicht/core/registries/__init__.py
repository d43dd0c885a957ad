"""Adapters for external registries (BAG, later KvK/BRP).

Each adapter wraps one HTTP API behind a small typed interface. Failures of the registry
(timeouts, server errors, answers that do not parse) all surface as `RegistryUnavailable`, so
callers have one thing to catch and fall back from; an adapter never lets a registry outage
break intake.
"""


class RegistryUnavailable(Exception):
    """The registry did not give a usable answer; the caller falls back."""
