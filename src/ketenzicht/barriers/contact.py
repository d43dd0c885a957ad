"""Hit/no-hit on the region's open integral controls and interventions (issue 14 item 2).

The case page says only that a control or intervention runs in gemeente X (year) and what matched
(`selectors.region_work_hits`). The AF asks the owning municipality for contact; its AFs, who plan
and coordinate the control, are notified and decide whether to share and what, within the sharing
profile for a municipality (`data/sharing_profiles.yaml`, soort `gemeente`), with a summary, or
decline with a reason. Each step is audited on both sides in the transaction that makes it (the
asking case and the control or intervention); the notification goes after the commit.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from ketenzicht.accounts.models import Municipality, Role, User
from ketenzicht.audit.models import AuditAction
from ketenzicht.audit.services import audit_record
from ketenzicht.barriers import selectors
from ketenzicht.barriers.models import IntegralControl, Intervention, WorkContactRequest
from ketenzicht.cases.models import Case, ContactState
from ketenzicht.cases.services import case_history_add
from ketenzicht.core import policy
from ketenzicht.core.errors import ServiceError
from ketenzicht.domain import sharing
from ketenzicht.notifications.models import Kind
from ketenzicht.notifications.services import notify

TARGETS = {"controle": (IntegralControl, "integral_control"), "interventie": (Intervention, "intervention")}

GROUP_LABELS = {
    "signaal": "De controle of interventie (soort, datum, stand)",
    "locatie": "Locatie (adres)",
    "bedrijf": "Bedrijf (naam en KvK-nummer)",
    "verrijking": "Uitkomst (bevindingen of effect, zonder persoonsgegevens)",
}


class ContactError(ServiceError):
    """A contact request that cannot be made or answered; the message says why, in Dutch."""


def shareable_groups() -> tuple[str, ...]:
    """What one municipality may share with another: the profile for soort `gemeente`, as far as a
    control or intervention has it (it holds no persons, reporter or attachments)."""
    try:
        shared = sharing.decide(sharing.load_profiles(), "gemeente").shared
    except sharing.SharingInputError:
        return ()
    return tuple(g for g in shared if g in GROUP_LABELS)


def _extract(obj: Any, groups: list[str], municipality_id: Any = None) -> dict[str, dict[str, str]]:
    """The chosen groups of the control or intervention, as label → text (a snapshot at sharing).

    Of a regional control only the answering municipality's own addresses and findings."""
    location = obj.location_address
    if isinstance(obj, IntegralControl):
        what = {"Soort": "Integrale controle", "Gepland op": obj.planned_on.strftime("%d-%m-%Y"), "Stand": obj.get_status_display()}
        outcome = {"Aantal indicatoren aangetroffen": str(obj.findings_yes) if obj.findings else ""}
        if obj.regional:
            own = list(obj.addresses.filter(municipality_id=municipality_id))
            location = "; ".join(a.location_address for a in own)
            recorded = [a for a in own if a.recorded_at]
            outcome = {"Aantal indicatoren aangetroffen": str(sum(a.findings_yes for a in recorded)) if recorded else ""}
    else:
        what = {"Soort": f"Interventie ({obj.get_instrument_display()})", "Voorgesteld op": obj.proposed_at.strftime("%d-%m-%Y"), "Stand": obj.status_label}
        outcome = {"Effect": obj.get_effect_category_display() if obj.effect_category else ""}
    data = {
        "signaal": what,
        "locatie": {"Adres": location},
        "bedrijf": {"Bedrijfsnaam": obj.company_name, "KvK-nummer": obj.kvk_number},
        "verrijking": outcome,
    }
    return sharing.filter_groups(data, groups)


def _afs_of(municipality_id: int) -> list[User]:
    return list(User.objects.filter(is_active=True, organisation__municipality_id=municipality_id, roles__role=Role.AANDACHTSFUNCTIONARIS).distinct())


def _notify_requested(request_id: object) -> None:
    request = WorkContactRequest.objects.select_related("from_case__municipality").filter(pk=request_id).first()
    if request is None:
        return
    notify(
        recipients=_afs_of(request.municipality_id), kind=Kind.TREFFER,
        title=f"Gemeente {request.from_case.municipality.name} vraagt contact over een treffer op uw {request.kind_label}",
        link=reverse("barriers:contact_answer", kwargs={"request_id": request.pk}), key=f"werkcontactverzoek:{request.pk}",
    )


def _notify_answered(request_id: object) -> None:
    request = WorkContactRequest.objects.select_related("from_case", "municipality", "requested_by").filter(pk=request_id).first()
    if request is None:
        return
    afs = _afs_of(request.from_case.municipality_id)
    asker = [u for u in afs if u.pk == request.requested_by_id]
    verb = "heeft gedeeld" if request.outcome == ContactState.GEDEELD else "deelt niet"
    notify(
        recipients=asker or afs, kind=Kind.TREFFER,
        title=f"Gemeente {request.municipality.name} {verb} over de {request.kind_label} bij {request.from_case.reference}",
        link=reverse("cases:contact_requests"), key=f"werkcontactantwoord:{request.pk}",
    )


def work_contact_request_create(
    *, actor: Any, case: Case, target: str, object_id: object, question: str = "", now: datetime | None = None,
) -> WorkContactRequest:
    """Ask the AFs of the municipality running a matching control or intervention for contact."""
    policy.require(actor, "case.contact_request", case)
    if target not in TARGETS:
        raise ContactError("Kies de treffer waarover u contact vraagt.")
    model, object_type = TARGETS[target]
    now = now or timezone.now()
    with transaction.atomic():
        own = Case.objects.select_for_update().select_related("municipality").get(pk=case.pk)
        hit = next((h for h in selectors.region_work_hits(own) if h.target == target and str(h.object_id) == str(object_id)), None)
        if hit is None:
            raise ContactError(
                f"Deze {'integrale controle' if target == 'controle' else 'interventie'} loopt niet meer of komt niet meer overeen "
                "met uw signaal; contact vragen kan alleen bij een lopende treffer in uw regio. Er is niets vastgelegd."
            )
        if hit.request is not None and hit.request.outcome == ContactState.GEVRAAGD:
            raise ContactError(f"U heeft de aandachtsfunctionaris van {hit.municipality} al om contact gevraagd; wacht op het antwoord.")
        obj = model.objects.select_related("municipality").get(pk=hit.object_id)
        # A regional control's hit is on one address: that municipality's AF answers.
        owner = Municipality.objects.get(pk=hit.municipality_id) if hit.municipality_id else obj.municipality
        try:
            with transaction.atomic():
                request = WorkContactRequest.objects.create(
                    from_case=own, municipality=owner, matched_on=list(hit.matched_on), requested_by=actor,
                    requested_at=now, question=question.strip()[:2000], **{"control" if target == "controle" else "intervention": obj},
                )
        except IntegrityError:
            raise ContactError("Er loopt al een contactverzoek over deze treffer.") from None
        case_history_add(actor=actor, case=own, kind="contactverzoek", reason=f"Contact gevraagd aan gemeente {owner.name} over een lopende {hit.kind} ({', '.join(hit.matched_on)})")
        audit_record(actor=actor, action=AuditAction.CREATE, object_type="case", object_id=own.pk, object_label=own.reference, fields=["treffer"], reason=f"contactverzoek aan {owner.name} ({hit.kind})")
        audit_record(actor=actor, action=AuditAction.VIEW, object_type=object_type, object_id=obj.pk, fields=["treffer"], reason=f"treffer vanuit {own.municipality.name}; contactverzoek")
        transaction.on_commit(partial(_notify_requested, request.pk))
    return request


def work_contact_request_answer(
    *, actor: Any, request: WorkContactRequest, share: bool, groups: list[str] | None = None, summary: str = "",
    decline_reason: str = "", now: datetime | None = None,
) -> WorkContactRequest:
    """The owning municipality's AF decides: share (chosen groups within the profile, a summary) or not (why)."""
    policy.require(actor, "barriers.contact_answer", request)
    now = now or timezone.now()
    groups = list(dict.fromkeys(groups or []))
    with transaction.atomic():
        locked = WorkContactRequest.objects.select_for_update().get(pk=request.pk)
        if locked.outcome != ContactState.GEVRAAGD:
            raise ContactError("Op dit contactverzoek is al geantwoord.")
        obj = locked.control or locked.intervention
        if obj is None:
            raise ContactError("De controle of interventie waarover contact werd gevraagd is er niet meer; delen kan niet meer.")
        if share:
            not_allowed = sorted(set(groups) - set(shareable_groups()))
            if not_allowed:
                raise ContactError("Dit mag niet naar een andere gemeente volgens het deelprofiel: " + ", ".join(GROUP_LABELS.get(g, g) for g in not_allowed) + ".")
            if not summary.strip():
                raise ContactError("Schrijf een korte samenvatting voor de aandachtsfunctionaris die om contact vroeg.")
            locked.outcome, locked.summary, locked.shared_groups = ContactState.GEDEELD, summary.strip()[:4000], _extract(obj, groups, locked.municipality_id)
        else:
            if not decline_reason.strip():
                raise ContactError("Leg vast waarom u niet deelt; de andere aandachtsfunctionaris leest dat.")
            locked.outcome, locked.decline_reason = ContactState.GEWEIGERD, decline_reason.strip()[:300]
        locked.decided_by, locked.decided_at = actor, now
        locked.save()
        verb = "gedeeld" if share else "niet gedeeld"
        object_type = "integral_control" if locked.control_id else "intervention"
        audit_record(
            actor=actor, action=AuditAction.SHARE if share else AuditAction.UPDATE, object_type=object_type, object_id=obj.pk,
            fields=(groups or ["samenvatting"]) if share else ["treffer"], reason=f"contactverzoek van {locked.from_case.municipality.name}: {verb}",
        )
        # The asking side too: what reached its case, and from whom.
        audit_record(
            actor=actor, action=AuditAction.SHARE if share else AuditAction.UPDATE, object_type="case", object_id=locked.from_case_id,
            object_label=locked.from_case.reference, fields=(groups or ["samenvatting"]) if share else ["treffer"],
            reason=f"antwoord van {locked.municipality.name} op contactverzoek ({locked.kind_label}): {verb}",
        )
        transaction.on_commit(partial(_notify_answered, locked.pk))
    return locked
