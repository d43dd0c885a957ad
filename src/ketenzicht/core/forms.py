"""Forms that check against the date are given it: the view reads the clock once, the form never.

`DatedForm(data, now=now)`: `self.now` is the moment the view took, `self.today` its local date.
The view passes the same `now` on to the service, so the form and the service agree on "today"
(issue 18: `timezone.now()` and `date.today()` are not read inside forms and services).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import forms
from django.utils import timezone


class DatedForm(forms.Form):
    def __init__(self, *args: Any, now: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.now = now
        self.today: date = timezone.localdate(now)
