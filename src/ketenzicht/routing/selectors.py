"""Reads for routing. Reads of personal data (a referral's shared fields) write an audit row."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import DatabaseError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.formats import date_format

from ketenzicht.accounts.models import Organisation, OrganisationKind
from ketenzicht.audit.models import AuditAction
from ketenzicht.audit.services import audit_record
from ketenzicht.cases.models import Case, SubjectRole
from ketenzicht.core import policy
from ketenzicht.domain import routekaart, sharing
from ketenzicht.routing.models import (
    MeldcodeChecklist,
    Referral,
    ReferralState,
    RouteAdvice,
    RoutekaartVersion,
)

# --- routekaart ---------------------------------------------------------------------------------


def user_region_slug(user: Any) -> str | None:
    """A user's region is their organisation's region (the police unit's slug)."""
    org = getattr(user, "organisation", None)
    region = org.region if org is not None else None
    return region.slug if region is not None else None


def active_version(slug: str) -> RoutekaartVersion | None:
    return RoutekaartVersion.objects.filter(slug=slug, is_active=True).first()


@functools.lru_cache(maxsize=32)
def _parsed(slug: str, sha256: str, source: str) -> routekaart.RouteMap:
    # Keyed on the content hash: a newly loaded version is a new key, never a stale hit.
    return routekaart.load_map_text(source, f"{slug}.yaml")


def active_route_map(slug: str) -> tuple[routekaart.RouteMap, RoutekaartVersion | None]:
    """The map the page, the API and the command use: the active loaded version, else the file.

    The file fallback keeps a fresh install (no `load_routekaart` run yet, or no database at
    all for the command) working with the shipped maps. Unknown slugs raise
    `RoutekaartInputError` naming the slug.
    """
    try:
        version = active_version(slug)
    except DatabaseError:
        version = None
    if version is not None:
        return _parsed(slug, version.sha256, version.source), version
    return routekaart.load_region(slug), None


def known_regions() -> list[str]:
    try:
        loaded = set(RoutekaartVersion.objects.filter(is_active=True).values_list("slug", flat=True))
    except DatabaseError:
        loaded = set()
    return sorted(loaded | set(routekaart.available_regions()))


def route_map_json(route_map: routekaart.RouteMap) -> dict[str, Any]:
    """The parsed map as plain JSON, stored with each version for review and comparison."""
    return {
        "regio": route_map.regio,
        "naam": route_map.naam,
        "versie": route_map.versie,
        "geldig_vanaf": route_map.geldig_vanaf.isoformat(),
        "bron": route_map.bron,
        "partners": [
            {
                "id": p.id,
                "soort": p.soort,
                "organisatie": p.organisatie,
                "telefoon": p.telefoon,
                "email": p.email,
                "website": p.website,
                "openingstijden": p.openingstijden,
                "notities": p.notities,
                "bron": p.bron,
                "regio_organisatie": p.regio_organisatie,
            }
            for p in route_map.partners.values()
        ],
        "routes": {
            name: {"start": r.start, "omschrijving": r.omschrijving} for name, r in route_map.routes.items()
        },
        "knopen": [
            {
                "id": n.id,
                "soort": n.soort,
                "vraag": n.vraag,
                "toelichting": n.toelichting,
                "sleutel": n.sleutel,
                "bevat_een_van": list(n.bevat_een_van),
                "antwoorden": dict(n.antwoorden),
                "advies": [{"partner": a.partner, "reden": a.reden} for a in n.advies],
                "daarna": n.daarna,
                "terugval": n.terugval,
            }
            for n in route_map.knopen.values()
        ],
    }


def latest_advice(case: Case) -> RouteAdvice | None:
    return case.route_advices.select_related("actor").first()


# --- sharing profiles -----------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def sharing_profiles() -> Mapping[str, sharing.SharingProfile]:
    # Cached: the profiles file only changes with a deploy (and a DPIA review).
    return sharing.load_profiles()


GROUP_LABELS: dict[str, str] = {
    "signaal": "Signaal (wat, wanneer, vormen van uitbuiting)",
    "locatie": "Locatie (adres)",
    "personen": "Personen (namen, geboortedata, nationaliteit)",
    "bedrijf": "Bedrijf (naam, KvK)",
    "verrijking": "Verrijking (aantekeningen, eerdere sancties)",
    "melder": "Melder (wie meldde)",
    "bijlagen": "Bijlagen",
}
FIELD_LABELS: dict[str, str] = {
    "kenmerk": "Kenmerk",
    "omschrijving": "Omschrijving",
    "gezien_op": "Wanneer gezien",
    "ontvangen_op": "Ontvangen op",
    "vormen": "Vormen van uitbuiting",
    "minderjarig": "Minderjarige betrokken",
    "acuut_gevaar": "Acuut gevaar gemeld",
    "adres": "Adres",
    "plaatsomschrijving": "Plaatsomschrijving",
    "adresgegevens": "Adresgegevens",
    "rol": "Rol",
    "naam": "Naam",
    "geboortedatum": "Geboortedatum",
    "nationaliteit": "Nationaliteit",
    "kvk": "KvK-nummer",
    "aantekeningen": "Aantekeningen",
    "eerdere_sancties": "Eerdere sancties",
    "organisatie": "Organisatie",
    "email": "E-mail",
    "telefoon": "Telefoon",
    "nummer": "Bijlage",
    "soort": "Soort",
    "grootte": "Grootte (bytes)",
}


def case_extract(case: Case) -> dict[str, Any]:
    """The case file split into the field groups the sharing profiles speak about."""
    subjects = list(case.subjects.all())
    reporter = case.reporter
    return {
        "signaal": {
            "kenmerk": case.reference,
            "omschrijving": case.description,
            "gezien_op": case.observed_on.isoformat() if case.observed_on else "",
            "ontvangen_op": timezone.localdate(case.created_at).isoformat(),
            "vormen": ", ".join(case.form_labels),
            "minderjarig": str(case.get_minor_involved_display()),
            "acuut_gevaar": "ja" if case.acute_danger else "nee",
        },
        "locatie": {
            "adres": case.location_address,
            "plaatsomschrijving": case.location_description,
            "adresgegevens": case.address_details,
        },
        "personen": [
            {
                "rol": str(s.get_role_display()),
                "naam": s.name,
                "geboortedatum": s.birth_date.isoformat() if s.birth_date else "",
                "nationaliteit": s.nationality,
                "omschrijving": s.description,
            }
            for s in subjects
            if s.role != SubjectRole.BEDRIJF
        ],
        "bedrijf": [
            *([{"naam": case.company_name, "kvk": case.kvk_number}] if case.company_name or case.kvk_number else []),
            *(
                {"naam": s.name, "kvk": s.kvk_number}
                for s in subjects
                if s.role == SubjectRole.BEDRIJF and (s.name, s.kvk_number) != (case.company_name, case.kvk_number)
            ),
        ],
        "verrijking": {"aantekeningen": case.enrichment_notes, "eerdere_sancties": case.earlier_sanctions},
        "melder": {
            "organisatie": case.reporter_organisation.name if case.reporter_organisation else "",
            "naam": reporter.get_full_name() if reporter is not None else "",
            "email": (reporter.email if reporter is not None else "") or case.reporter_contact_email,
            "telefoon": case.reporter_contact_phone,
        },
        "bijlagen": [
            {"nummer": str(i), "soort": a.content_type, "grootte": str(a.size)}
            for i, a in enumerate(case.attachments.all(), start=1)
        ],
    }


# Snapshot fields holding a date (stored as ISO, the document's contract): shown in the one Dutch format.
_DATE_FIELDS = {"gezien_op", "ontvangen_op", "geboortedatum"}


def _shown(key: str, value: Any) -> Any:
    if key in _DATE_FIELDS and isinstance(value, str):
        try:
            return date_format(date.fromisoformat(value), "DATE_FORMAT")
        except ValueError:
            return value
    return value


def snapshot_display(data: Mapping[str, Any], shared: list[str] | tuple[str, ...]) -> list[dict[str, Any]]:
    """Rows for the template, for the shared groups only (filtered again, defensively)."""
    result = []
    for group, content in sharing.filter_groups(data, shared).items():
        records = content if isinstance(content, list) else [content]
        rows = [
            [(FIELD_LABELS.get(k, k), _shown(k, v)) for k, v in record.items() if v not in ("", None)]
            for record in records
        ]
        result.append({"group": group, "label": GROUP_LABELS[group], "records": [r for r in rows if r]})
    return result


# --- referrals ------------------------------------------------------------------------------------


def referral_recipients(user: Any) -> list[Organisation]:
    """Partner organisations of the user's region that have a sharing profile."""
    org = getattr(user, "organisation", None)
    if org is None or org.region_id is None:
        return []
    kinds = set(sharing_profiles()) - {OrganisationKind.GEMEENTE}
    return list(Organisation.objects.filter(region_id=org.region_id, kind__in=kinds).order_by("name"))


def case_referrals(case: Case) -> list[Referral]:
    return list(case.referrals.select_related("organisation").order_by("-created_at"))


def case_panel(case: Case) -> dict[str, Any]:
    """What the case page shows of routing: latest advice, meldcode, referrals."""
    return {
        "advice": latest_advice(case),
        "meldcode": MeldcodeChecklist.objects.filter(case=case).first(),
        "referrals": case_referrals(case),
    }


def referral_for_af(user: Any, referral_id: object, *, purpose: str = "doorverwijzing") -> Referral:
    referral = get_object_or_404(Referral.objects.select_related("case", "organisation"), pk=referral_id)
    policy.require(user, "referral.manage", referral.case)
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        object_type="doorverwijzing",
        object_id=referral.pk,
        object_label=referral.case_reference,
        fields=referral.shared_groups,
        reason=purpose,
    )
    return referral


def referral_for_partner(user: Any, referral_id: object, *, purpose: str = "partnerinbox") -> Referral:
    """A referral as its recipient sees it; concepts are never visible to a partner."""
    referral = get_object_or_404(
        Referral.objects.select_related("organisation").exclude(state=ReferralState.CONCEPT), pk=referral_id
    )
    policy.require(user, "referral.respond", referral)
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        object_type="doorverwijzing",
        object_id=referral.pk,
        object_label=referral.case_reference,
        fields=referral.shared_groups,
        reason=purpose,
    )
    return referral


def partner_inbox(user: Any) -> QuerySet[Referral]:
    """Referrals sent to the user's own organisation; the policy decides who has an inbox."""
    if not policy.can(user, "partner.inbox"):
        return Referral.objects.none()
    return (
        Referral.objects.filter(organisation_id=user.organisation_id)
        .exclude(state=ReferralState.CONCEPT)
        .select_related("case__municipality", "sent_by__organisation")
        .order_by("-sent_at", "pk")
    )


INBOX_SORTS = {"nieuwste": ("-sent_at", "pk"), "oudste": ("sent_at", "pk"), "kenmerk": ("case_reference", "pk"), "status": ("state", "-sent_at", "pk")}


def partner_inbox_page(user: Any, *, search: str = "", state: str = "", sort: str = "nieuwste", page: object = None) -> Any:
    """One page (25) of the partner inbox; search over the reference and the sending municipality."""
    from django.core.paginator import Paginator
    from django.db.models import Q

    qs = partner_inbox(user)
    search = search.strip()
    if len(search) >= 2:
        qs = qs.filter(Q(case_reference__icontains=search) | Q(case__municipality__name__icontains=search))
    if state:
        qs = qs.filter(state=state)
    qs = qs.order_by(*INBOX_SORTS.get(sort, INBOX_SORTS["nieuwste"]))
    return Paginator(qs, 25).get_page(page)


def handover_register(user: Any) -> QuerySet[Referral]:
    """Every hand-over (sent referral) in the privacy officer's own scope (policy decides)."""
    policy.require(user, "sharing.register")
    qs = Referral.objects.exclude(sent_at__isnull=True).select_related("organisation", "sent_by", "case__municipality")
    return policy.handovers_visible_to(user, qs).order_by("-sent_at")
