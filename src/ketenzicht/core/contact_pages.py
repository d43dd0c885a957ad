"""The answer page of a contact request on a hit (issue 14 item 2), shared by the two kinds of
request: about a signal (`cases.contact_views`) and about a control or intervention of the region
(`barriers.views`). Each passes its own request, form, service and template."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ketenzicht.core.errors import ServiceError


def contact_answer_page(request: HttpRequest, contact_request: Any, form: forms.Form, record: Callable[..., Any], template: str) -> HttpResponse:
    """The answer page of a contact request on a hit, the same for a signal and for the region's
    controls and interventions (barriers): the form, `record` (the service that records the answer
    under its own lock and audit), the message, and back to the requests; a refusal shows the form
    again with what was typed (400)."""
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record(
                actor=request.user, request=contact_request, share=data["share"] == "ja", groups=data["groups"],
                summary=data["summary"], decline_reason=data["decline_reason"],
            )
        except ServiceError as exc:
            error = str(exc)
        else:
            messages.success(request, _("Uw antwoord is vastgelegd en de andere aandachtsfunctionaris is bericht."))
            return redirect("cases:contact_requests")
    status = 400 if request.method == "POST" else 200
    return render(request, template, {"contact_request": contact_request, "form": form, "error": error}, status=status)
