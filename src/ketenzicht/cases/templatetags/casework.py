"""Small helpers of the work queue's rows."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def age_in_days(received: datetime, today: date) -> str:
    """How long ago a signal came in, in whole days ("vandaag", "1 dag", "12 dagen")."""
    days = (today - timezone.localdate(received)).days
    if days <= 0:
        return _("vandaag")
    return ngettext("%(n)d dag", "%(n)d dagen", days) % {"n": days}


@register.filter
def first_line(text: str) -> str:
    """The first non-empty line of what was reported."""
    return next((line.strip() for line in (text or "").splitlines() if line.strip()), "")
