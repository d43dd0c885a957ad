"""The registry lookups on the case page (htmx; a plain page without JavaScript). Thin."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from ketenzicht.cases import registry, selectors
from ketenzicht.cases.models import Case
from ketenzicht.cases.registry_forms import AddressLookupForm, KvkLookupForm, TakeOverForm
from ketenzicht.core import policy
from ketenzicht.core.decorators import policy_view
from ketenzicht.core.registries.address import address_lookup_configured, company_lookup_configured
from ketenzicht.domain.addresses import guess_query


def panel_context(case: Case, **extra: Any) -> dict[str, Any]:
    """The lookup panel: both forms (prefilled from the case), whether each registry is set up."""
    guess = guess_query(case.location_address)
    context = {
        "case": case,
        "address_enabled": address_lookup_configured(),
        "company_enabled": company_lookup_configured(),
        "address_form": AddressLookupForm(initial=guess),
        "kvk_form": KvkLookupForm(initial={"kvk_number": case.kvk_number}),
        "result": None,
        "error": "",
    }
    context.update(extra)
    return context


def _render(request: HttpRequest, case: Case, status: int = 200, **extra: Any) -> HttpResponse:
    context = panel_context(case, **extra)
    if request.htmx and not request.htmx.boosted:
        # htmx swaps only 2xx answers: errors come back as 200 with their message in the panel.
        return render(request, "cases/_registry_panel.html", context)
    return render(request, "cases/registry_lookup.html", context, status=status)


def _case(request: HttpRequest, case_id: str, purpose: str) -> Case:
    case = selectors.case_for_work(request.user, case_id, purpose=purpose)
    policy.require(request.user, "registry.lookup", case)
    return case


@require_POST
@policy_view("registry.lookup")
def lookup_address(request: HttpRequest, case_id: str) -> HttpResponse:
    case = _case(request, case_id, "opzoeken in registers (adres)")
    form = AddressLookupForm(request.POST)
    if not form.is_valid():
        return _render(request, case, 400, address_form=form)
    try:
        result = registry.lookup_case_address(actor=request.user, case=case, query=form.query(), today=timezone.localdate())
    except registry.RegistryLookupError as exc:
        return _render(request, case, address_form=form, error=str(exc))
    return _render(request, case, address_form=form, result=result)


@require_POST
@policy_view("registry.lookup")
def lookup_company(request: HttpRequest, case_id: str) -> HttpResponse:
    case = _case(request, case_id, "opzoeken in registers (bedrijf)")
    form = KvkLookupForm(request.POST)
    if not form.is_valid():
        return _render(request, case, 400, kvk_form=form)
    try:
        result = registry.lookup_case_company(actor=request.user, case=case, kvk_number=form.cleaned_data["kvk_number"], today=timezone.localdate())
    except registry.RegistryLookupError as exc:
        return _render(request, case, kvk_form=form, error=str(exc))
    return _render(request, case, kvk_form=form, result=result)


@require_POST
@policy_view("registry.lookup")
def take_over(request: HttpRequest, case_id: str) -> HttpResponse:
    case = _case(request, case_id, "registergegevens overnemen")
    form = TakeOverForm(request.POST)
    if not form.is_valid():
        return _render(request, case, 400, error=_("Zoek eerst op; er is nog niets om over te nemen."))
    try:
        registry.take_over(actor=request.user, case=case, token=form.cleaned_data["token"])
    except registry.RegistryLookupError as exc:
        return _render(request, case, 400, error=str(exc))
    messages.success(request, _("De gegevens uit het register zijn overgenomen in de verrijking."))
    # A query string, not only a fragment: a fragment-only change would not reload the page.
    target = reverse("cases:detail", args=[case.pk]) + "?overgenomen=1#h-verrijken"
    return HttpResponseClientRedirect(target) if request.htmx else redirect(target)
