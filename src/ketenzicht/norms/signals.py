"""Sent after a region's norms were loaded; the meetings and monitor apps follow (their tables
and default sources) without the norms app importing them."""

from django.dispatch import Signal

# kwargs: slug (str), norms (domain.deadlines.Norms)
norms_loaded = Signal()
