"""Hit/no-hit across the region (issue 14 item 2): asking another municipality's AF for contact.

The asking AF knows only that a matching signal exists in gemeente X (year, open or closed, what
matched: `selectors.region_hits`). A request names that hit; the other AF is notified and decides
whether to share and what, within the sharing profile for a municipality (`data/sharing_profiles.yaml`,
soort `gemeente`), with a summary in their own words. Each step is audited on both cases, in the
transaction that makes it; the notification goes after the commit.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from ketenzicht.audit.models import AuditAction
from ketenzicht.audit.services import audit_record
from ketenzicht.cases import selectors
from ketenzicht.cases.events import contact_answered, contact_requested
from ketenzicht.cases.models import Case, ContactRequest, ContactState
from ketenzicht.cases.services import CaseError, case_history_add
from ketenzicht.core import policy
from ketenzicht.domain import sharing
from ketenzicht.domain.lifecycles.case import CaseState

GROUP_LABELS = {
    "signaal": "Het signaal (wat, wanneer, vormen)",
    "locatie": "Locatie (adres en plaatsomschrijving)",
    "bedrijf": "Bedrijf (naam en KvK-nummer)",
    "verrijking": "Verrijking (eerdere sancties en aantekeningen)",
    "personen": "Personen",
    "melder": "Melder",
    "bijlagen": "Bijlagen",
}


def shareable_groups() -> tuple[str, ...]:
    """What one municipality's AF may share with another's: the profile for soort `gemeente`."""
    try:
        return sharing.decide(sharing.load_profiles(), "gemeente").shared
    except sharing.SharingInputError:
        return ()


def _extract(case: Case, groups: list[str]) -> dict[str, dict[str, str]]:
    """The chosen field groups of the shared case, as label → text (a snapshot at sharing)."""
    data = {
        "signaal": {
            "Wat is er gezien": case.description,
            "Vormen van uitbuiting": ", ".join(case.form_labels),
            "Ontvangen": case.created_at.strftime("%d-%m-%Y"),
        },
        "locatie": {"Adres": case.location_address, "Plaatsomschrijving": case.location_description},
        "bedrijf": {"Bedrijfsnaam": case.company_name, "KvK-nummer": case.kvk_number},
        "verrijking": {"Eerdere sancties": case.earlier_sanctions, "Aantekeningen": case.enrichment_notes},
    }
    return sharing.filter_groups(data, groups)


def _lapsed_message() -> str:
    return (
        "Het eerdere signaal is er niet meer (de bewaartermijn is verstreken of het is samengevoegd); "
        "contact vragen kan niet meer. Er is niets vastgelegd."
    )


def contact_request_create(*, actor: Any, case: Case, other_case_id: object, question: str = "", now: datetime | None = None) -> ContactRequest:
    """Ask the AF of the municipality with a matching signal for contact about `case`."""
    policy.require(actor, "case.contact_request", case)
    now = now or timezone.now()
    with transaction.atomic():
        own = Case.objects.select_for_update().select_related("municipality").get(pk=case.pk)
        other = Case.objects.select_related("municipality").filter(pk=other_case_id).first()
        if other is None or other.state == CaseState.SAMENGEVOEGD:
            raise CaseError(_lapsed_message())
        hit = next((h for h in selectors.region_hits(own) if h.case_id == other.pk), None)
        if hit is None:
            raise CaseError("Er is geen treffer (meer) met dat signaal; contact vragen kan alleen bij een treffer in uw regio.")
        if hit.request is not None and hit.request.outcome == ContactState.GEVRAAGD:
            raise CaseError(f"U heeft de aandachtsfunctionaris van {other.municipality.name} al om contact gevraagd; wacht op het antwoord.")
        try:
            with transaction.atomic():
                request = ContactRequest.objects.create(
                    from_case=own, to_case=other, to_municipality=other.municipality, matched_on=hit.matched_on,
                    requested_by=actor, requested_at=now, question=question.strip()[:2000],
                )
        except IntegrityError:
            raise CaseError("Er loopt al een contactverzoek over deze treffer.") from None
        case_history_add(actor=actor, case=own, kind="contactverzoek", reason=f"Contact gevraagd aan gemeente {other.municipality.name} over een treffer ({', '.join(hit.matched_on)})")
        audit_record(actor=actor, action=AuditAction.CREATE, object_type="case", object_id=own.pk, object_label=own.reference, fields=["treffer"], reason=f"contactverzoek aan {other.municipality.name}")
        audit_record(actor=actor, action=AuditAction.VIEW, object_type="case", object_id=other.pk, object_label=other.reference, fields=["treffer"], reason=f"treffer vanuit {own.municipality.name}; contactverzoek")
        transaction.on_commit(partial(contact_requested.send, sender=ContactRequest, request_id=request.pk))
    return request


def contact_request_answer(
    *, actor: Any, request: ContactRequest, share: bool, groups: list[str] | None = None, summary: str = "", decline_reason: str = "",
    now: datetime | None = None,
) -> ContactRequest:
    """The other AF decides: share (chosen groups within the profile, and a summary) or not (why)."""
    policy.require(actor, "case.contact_answer", request)
    now = now or timezone.now()
    groups = list(dict.fromkeys(groups or []))
    with transaction.atomic():
        locked = ContactRequest.objects.select_for_update().get(pk=request.pk)
        if locked.outcome != ContactState.GEVRAAGD:
            raise CaseError("Op dit contactverzoek is al geantwoord.")
        other = Case.objects.filter(pk=locked.to_case_id).first() if locked.to_case_id else None
        if other is None or other.state == CaseState.SAMENGEVOEGD:
            raise CaseError("Het signaal waarover contact werd gevraagd is er niet meer; delen kan niet meer.")
        if share:
            not_allowed = sorted(set(groups) - set(shareable_groups()))
            if not_allowed:
                raise CaseError("Dit mag niet naar een andere gemeente volgens het deelprofiel: " + ", ".join(GROUP_LABELS.get(g, g) for g in not_allowed) + ".")
            if not summary.strip():
                raise CaseError("Schrijf een korte samenvatting voor de aandachtsfunctionaris die om contact vroeg.")
            locked.outcome, locked.summary = ContactState.GEDEELD, summary.strip()[:4000]
            locked.shared_groups = _extract(other, groups)
        else:
            if not decline_reason.strip():
                raise CaseError("Leg vast waarom u niet deelt; de andere aandachtsfunctionaris leest dat.")
            locked.outcome, locked.decline_reason = ContactState.GEWEIGERD, decline_reason.strip()[:300]
        locked.decided_by, locked.decided_at = actor, now
        locked.save()
        verb = "gedeeld" if share else "niet gedeeld"
        case_history_add(actor=actor, case=other, kind="contactverzoek", reason=f"Contactverzoek van gemeente {locked.from_case.municipality.name}: {verb}" + (f" ({', '.join(groups) or 'alleen samenvatting'})" if share else ""))
        audit_record(actor=actor, action=AuditAction.SHARE if share else AuditAction.UPDATE, object_type="case", object_id=other.pk, object_label=other.reference, fields=(groups or ["samenvatting"]) if share else ["treffer"], reason=f"contactverzoek van {locked.from_case.municipality.name}: {verb}")
        transaction.on_commit(partial(contact_answered.send, sender=ContactRequest, request_id=locked.pk))
    return locked
