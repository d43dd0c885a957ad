"""Pages of the persons app: delivering encoded registrations, persons and the estimate,
and the linkage status on the imports page.

Thin: the policy decides, selectors read (the release, Cell Key Method), services write.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ketenzicht.accounts.models import Region
from ketenzicht.audit.models import AuditAction
from ketenzicht.audit.services import audit_record
from ketenzicht.core import policy
from ketenzicht.core.decorators import policy_view
from ketenzicht.domain import persons as persons_domain
from ketenzicht.monitor.models import Import
from ketenzicht.monitor.services import MonitorError
from ketenzicht.persons import charts, selectors
from ketenzicht.persons.deliveries import DeliveryConflict, delivery_submit
from ketenzicht.persons.forms import DeliveryForm, PersonsFilterForm
from ketenzicht.persons.models import Delivery


def _own_region(request: HttpRequest, action: str) -> Region:
    org = request.user.organisation
    region = org.region if org is not None else None
    if region is None or not policy.can(request.user, action, region):
        raise PermissionDenied(action)
    return region


@policy_view("persons.encode")
def deliver(request: HttpRequest) -> HttpResponse:
    """The data steward encodes a file with names in the browser and delivers only the result."""
    form = DeliveryForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["bestand"]
        try:
            result = delivery_submit(
                actor=request.user, source=form.cleaned_data["bron"], file_name=upload.name, data=upload.read(),
                idempotency_key=f"pagina:{form.cleaned_data['levering']}",
            )  # fmt: skip
        except DeliveryConflict:
            form.add_error(None, _("Deze levering is al verstuurd met een ander bestand. Laad de pagina opnieuw voor een nieuwe levering."))
        except MonitorError as exc:
            form.add_error("bron", str(exc))
        else:
            if result.accepted and result.created:
                messages.success(request, _("Levering geaccepteerd: %(n)s registraties. De koppeling in de regio is aangevraagd.") % {"n": result.record.row_count})
            elif result.accepted:
                messages.info(request, _("Dit bestand was al eerder aangeleverd; het telt één keer mee."))
            else:
                messages.error(request, _("Levering afgewezen: er is niets ingelezen. Zie de fouten bij de levering hieronder."))
            return redirect("persons:deliver")
    deliveries = (
        Import.objects.filter(pk__in=Delivery.objects.filter(actor=request.user).values("source_import_id"))
        .select_related("source").order_by("-uploaded_at")[:50]
    )  # fmt: skip
    status = 400 if form.errors else 200
    return render(request, "persons/deliver.html", {"form": form, "deliveries": deliveries}, status=status)


EXPLANATION = [
    gettext_lazy("Gesloten populatie binnen het jaar: de schatting gaat over de mensen die in dat jaar bij een van de bronnen hadden kunnen "
      "komen; wie in de loop van het jaar vertrekt of bijkomt, maakt de schatting onzekerder."),
    gettext_lazy("Afhankelijkheid tussen bronnen: bronnen verwijzen naar elkaar door of werken in dezelfde groepen. Het model houdt rekening "
      "met afhankelijkheid tussen twee bronnen (het kiest zelf welke), niet met afhankelijkheid tussen drie of meer."),
    gettext_lazy("Gelijke kans binnen het model: wie voor de ene bron moeilijk zichtbaar is, is dat vaak ook voor de andere. Zulke "
      "verschillen maken de schatting meestal te laag."),
    gettext_lazy("Koppelfouten: registraties worden zonder namen gekoppeld, op gecodeerde kenmerken. Een gemiste koppeling maakt de "
      "schatting hoger, een onterechte lager. Het interval neemt die onzekerheid mee: hoe onzekerder de koppeling, hoe breder."),
    gettext_lazy("Het interval is een 95%-betrouwbaarheidsinterval: bij deze aannames ligt het werkelijke aantal er met grote "
      "waarschijnlijkheid tussen. Het dekt geen schendingen van de aannames."),
]


@policy_view("persons.view")
def persons(request: HttpRequest) -> HttpResponse:
    """Registrations, distinct persons, overlap, repeat registrations and the estimate of a year."""
    region = _own_region(request, "persons.view")
    years = selectors.years(region)
    query = request.GET
    own = request.user.district
    if "district" not in query and own is not None and own.region_id == region.pk:
        # Landing: the user's own district (issue 16 item 7); "Hele regio" stays one choice away.
        query = query.copy()
        query["district"] = own.slug
    form = PersonsFilterForm(query or None, region=region, years=years)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    year = data.get("jaar") or (years[0] if years else None)
    district = data.get("district")
    context: dict[str, Any] = {"region": region, "form": form, "year": year, "district": district, "explanation": EXPLANATION, "status": selectors.status(region)}
    if year is not None:
        found = selectors.published(region, year, district)
        names = selectors.source_names()
        audit_record(actor=request.user, action=AuditAction.VIEW, object_type="persons.figures", object_id=f"{region.slug}:{year}", object_label=district.slug if district else region.slug)
        context.update(
            {
                "figures": found.payload,
                "extra": found.extra,
                "source_names": [names.get(s, s) for s in found.payload["bronnen"]],
                "overlap_rows": [{"names": [names.get(s, s) for s in c["bronnen"]], "aantal": c["aantal"]} for c in found.payload["overlap"]],
                "chart": charts.upset(found.payload["overlap"], found.payload["bronnen"], names, uid="kz-overlap") if found.payload["overlap"] else "",
                "run": found.run,
                "pending": found.pending,
                "min_overlap": persons_domain.MIN_OVERLAP,
            }
        )
    return render(request, "persons/persons.html", context)


@policy_view("persons.linkage_status")
def linkage_status(request: HttpRequest) -> HttpResponse:
    """The linkage state of the user's region (an htmx fragment on the imports page)."""
    region = _own_region(request, "persons.linkage_status")
    return render(request, "persons/_linkage_status.html", {"linkage": selectors.status(region), "region": region})
