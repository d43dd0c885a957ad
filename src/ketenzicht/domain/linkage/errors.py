"""Exceptions of the linkage domain."""

from __future__ import annotations

from ketenzicht.domain.errors import LocatedInputError


class LinkageInputError(LocatedInputError):
    """Input that cannot be linked; names the file, the row and the column where possible."""
