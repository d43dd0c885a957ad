"""Every change in routing goes through one of these functions.

Each runs in one transaction, locks the row it changes, checks the policy and the rules
(routekaart engine, sharing profiles, referral lifecycle), saves, and writes the history row
and the audit row in that same transaction. A referral moves its case only through
`cases.services.case_transition`. Mail goes out on commit.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from ketenzicht.accounts.models import Organisation, Role
from ketenzicht.audit.models import AuditAction
from ketenzicht.audit.services import audit_record
from ketenzicht.cases import services as case_services
from ketenzicht.cases.models import Case, CaseEvent
from ketenzicht.core import policy
from ketenzicht.domain import routekaart, sharing
from ketenzicht.domain.case_states import CaseState
from ketenzicht.routing import selectors
from ketenzicht.routing.events import referral_answered
from ketenzicht.routing.models import (
    MeldcodeChecklist,
    Referral,
    ReferralEvent,
    ReferralState,
    RouteAdvice,
    RoutekaartVersion,
    SendMethod,
)

logger = logging.getLogger(__name__)


class RoutingError(Exception):
    """A change that cannot be made; the message says what to fix, in Dutch."""


# --- helpers ----------------------------------------------------------------------------------


def _label(actor: Any) -> str:
    return actor.get_username() if actor is not None and actor.is_authenticated else "systeem"


def _case_event(case: Case, actor: Any, kind: str, reason: str) -> CaseEvent:
    authenticated = actor is not None and actor.is_authenticated
    return CaseEvent.objects.create(
        case=case,
        actor=actor if authenticated else None,
        actor_label=_label(actor),
        organisation=actor.organisation if authenticated else None,
        kind=kind,
        reason=reason,
    )


def _locked_case(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


# --- routekaart versions ----------------------------------------------------------------------


def routekaart_load(
    *, slug: str, data_dir: str | Path | None = None, actor: Any = None
) -> tuple[RoutekaartVersion, bool]:
    """Validate a region's map file with the engine and make it the active version.

    Returns (version, created). Loading the same content again only re-activates it. A
    malformed map raises `routekaart.RoutekaartError` naming the node; nothing is stored.
    """
    directory = Path(data_dir) if data_dir is not None else routekaart.default_data_dir()
    path = directory / f"{slug}.yaml"
    if not path.is_file():
        beschikbaar = ", ".join(routekaart.available_regions(directory)) or "geen"
        raise routekaart.RoutekaartInputError(f"onbekende regio '{slug}' (beschikbaar: {beschikbaar})")
    text = path.read_text(encoding="utf-8")
    route_map = routekaart.load_map_text(text, path.name)  # raises, naming the node
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    with transaction.atomic():
        existing = RoutekaartVersion.objects.select_for_update().filter(slug=slug)
        current = next((v for v in existing if v.is_active), None)
        same = next((v for v in existing if v.sha256 == digest), None)
        if same is not None and same.is_active:
            return same, False
        if current is not None:
            RoutekaartVersion.objects.filter(pk=current.pk).update(is_active=False)
        if same is not None:
            RoutekaartVersion.objects.filter(pk=same.pk).update(is_active=True)
            version, created = RoutekaartVersion.objects.get(pk=same.pk), False
        else:
            version = RoutekaartVersion.objects.create(
                slug=slug,
                name=route_map.naam,
                versie=route_map.versie,
                geldig_vanaf=route_map.geldig_vanaf,
                sha256=digest,
                source=text,
                content=selectors.route_map_json(route_map),
                is_active=True,
                loaded_by=actor if actor is not None and actor.is_authenticated else None,
            )
            created = True
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="routekaart",
            object_id=version.pk,
            object_label=f"{slug} {version.versie}"[:64],
            fields=["routekaart"],
            reason="actieve versie ingelezen" if created else "eerdere versie opnieuw actief",
        )
    return version, created


# --- advice on a case -------------------------------------------------------------------------


def route_advice_record(*, actor: Any, case: Case, answers: Mapping[str, Any]) -> RouteAdvice:
    """Store the routekaart walked for a case: answers, path and advice, with the map version."""
    policy.require(actor, "routekaart.case", case)
    slug = selectors.user_region_slug(actor)
    if slug is None:
        raise RoutingError("Uw organisatie hoort niet bij een regio; er is geen routekaart voor u.")
    route_map, version = selectors.active_route_map(slug)
    try:
        advice = routekaart.advise(route_map, answers)
    except routekaart.RoutekaartInputError as exc:
        raise RoutingError(str(exc)) from exc
    stored_answers = {
        key: sorted(value) if isinstance(value, list | tuple | set | frozenset) else value
        for key, value in answers.items()
        if value is not None
    }
    with transaction.atomic():
        locked = _locked_case(case)
        row = RouteAdvice.objects.create(
            case=locked,
            region_slug=slug,
            versie=route_map.versie,
            map_version=version,
            answers=stored_answers,
            advice=advice.to_json(),
            actor=actor,
        )
        partners = ", ".join(item.organisatie for item in advice.items)
        _case_event(locked, actor, "routekaart", f"Routekaart {slug} {route_map.versie}: {partners}"[:1000])
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="routeadvies",
            object_id=row.pk,
            object_label=locked.reference,
            fields=["routekaart"],
        )
    return row


# --- meldcode ---------------------------------------------------------------------------------

MELDCODE_STEPS: tuple[tuple[int, str], ...] = (
    (1, "Signalen in kaart brengen"),
    (2, "Collegiale consultatie en zo nodig Veilig Thuis raadplegen"),
    (3, "Gesprek met de betrokkene"),
    (4, "Wegen van het geweld of de mishandeling (afwegingskader)"),
    (5, "Beslissen: melden bij Veilig Thuis en/of hulp bieden of organiseren"),
)


@dataclass
class MeldcodeInput:
    done: set[int]
    notes: dict[int, str]
    melden: bool | None = None
    hulp_organiseren: bool | None = None
    decision_reason: str = ""


def meldcode_save(*, actor: Any, case: Case, data: MeldcodeInput) -> MeldcodeChecklist:
    """Record progress on the five steps; the decision (step 5) only after steps 1 to 4."""
    policy.require(actor, "meldcode.manage", case)
    deciding = data.melden is not None or data.hulp_organiseren is not None
    if deciding:
        missing = [n for n, _label_ in MELDCODE_STEPS[:4] if n not in data.done]
        if missing:
            raise RoutingError(
                "Het besluit (stap 5) kan pas als stap 1 tot en met 4 zijn gezet; nog open: stap "
                + ", ".join(str(n) for n in missing)
                + "."
            )
        if data.melden is None or data.hulp_organiseren is None:
            raise RoutingError("Beantwoord bij stap 5 beide vragen: melden bij Veilig Thuis, en hulp bieden of organiseren.")
        if not data.decision_reason.strip():
            raise RoutingError("Onderbouw het besluit van stap 5.")
    with transaction.atomic():
        locked = _locked_case(case)
        checklist, _created = MeldcodeChecklist.objects.select_for_update().get_or_create(case=locked)
        if checklist.decided_at is not None:
            raise RoutingError("Het besluit van de meldcode is al vastgelegd en wordt niet meer gewijzigd.")
        checklist.steps = {
            str(n): {"gedaan": n in data.done, "notitie": data.notes.get(n, "").strip()}
            for n, _label_ in MELDCODE_STEPS[:4]
        }
        if deciding:
            checklist.melden = data.melden
            checklist.hulp_organiseren = data.hulp_organiseren
            checklist.decision_reason = data.decision_reason.strip()
            checklist.decided_at = timezone.now()
            checklist.decided_by = actor
        checklist.save()
        done = sorted(data.done & {1, 2, 3, 4})
        if deciding:
            reason = "Meldcode stap 5: " + ("melden bij Veilig Thuis" if data.melden else "niet melden bij Veilig Thuis") + (
                "; hulp bieden of organiseren" if data.hulp_organiseren else "; geen hulp organiseren"
            )
        else:
            reason = "Meldcode: stappen gezet: " + (", ".join(map(str, done)) or "geen")
        _case_event(locked, actor, "meldcode", reason)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="meldcode",
            object_id=checklist.pk,
            object_label=locked.reference,
            fields=["meldcode"],
        )
    return checklist


# --- referrals --------------------------------------------------------------------------------

# action → (allowed source states, target state). The whole lifecycle in one table.
LIFECYCLE: dict[str, tuple[frozenset[str], str]] = {
    "verzenden": (frozenset({ReferralState.CONCEPT}), ReferralState.VERZONDEN),
    "ontvangen": (frozenset({ReferralState.VERZONDEN}), ReferralState.ONTVANGEN),
    "accepteren": (frozenset({ReferralState.ONTVANGEN}), ReferralState.GEACCEPTEERD),
    "afwijzen": (frozenset({ReferralState.ONTVANGEN}), ReferralState.AFGEWEZEN),
    "afronden": (frozenset({ReferralState.GEACCEPTEERD}), ReferralState.AFGEROND),
}


def allowed_referral_actions(state: str) -> list[str]:
    return [action for action, (sources, _target) in LIFECYCLE.items() if state in sources]


def _target(referral: Referral, action: str) -> str:
    sources, target = LIFECYCLE[action]
    if referral.state not in sources:
        raise RoutingError(
            f"Deze stap kan niet: de doorverwijzing heeft de status '{referral.get_state_display()}'."
        )
    return target


def _referral_event(referral: Referral, actor: Any, from_state: str, to_state: str, note: str = "") -> None:
    authenticated = actor is not None and actor.is_authenticated
    ReferralEvent.objects.create(
        referral=referral,
        actor=actor if authenticated else None,
        actor_label=_label(actor),
        organisation=actor.organisation if authenticated else None,
        from_state=from_state,
        to_state=to_state,
        note=note,
    )


def _locked_referral(referral: Referral) -> Referral:
    return Referral.objects.select_for_update(of=("self",)).select_related("organisation", "case").get(pk=referral.pk)


def referral_create(
    *,
    actor: Any,
    case: Case,
    organisation: Organisation,
    question: str,
    override: str = "",
    override_reason: str = "",
    profiles: Mapping[str, sharing.SharingProfile] | None = None,
) -> Referral:
    """A concept referral with the sharing decision of the recipient's profile."""
    policy.require(actor, "referral.manage", case)
    if organisation not in selectors.referral_recipients(actor):
        raise RoutingError("Kies een ketenpartner uit de eigen regio.")
    if not question.strip():
        raise RoutingError("Schrijf wat u van de partner vraagt.")
    try:
        decision = sharing.decide(
            profiles if profiles is not None else selectors.sharing_profiles(),
            organisation.kind,
            override,
            override_reason,
        )
    except sharing.SharingInputError as exc:
        raise RoutingError(str(exc)[:1].upper() + str(exc)[1:] + ".") from exc
    with transaction.atomic():
        locked = _locked_case(case)
        if locked.state == CaseState.AFGESLOTEN:
            raise RoutingError("Een afgesloten signaal kan niet meer worden doorverwezen.")
        referral = Referral.objects.create(
            case=locked,
            organisation=organisation,
            recipient_kind=organisation.kind,
            question=question.strip(),
            shared_groups=list(decision.shared),
            withheld_groups=list(decision.withheld),
            legal_basis=decision.grondslag,
            purpose=decision.doel,
            override=decision.override.value,
            override_reason=decision.override_reden,
            case_reference=locked.reference,
            created_by=actor,
        )
        _referral_event(referral, actor, "", ReferralState.CONCEPT)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="doorverwijzing",
            object_id=referral.pk,
            object_label=locked.reference,
            fields=decision.shared,
            reason=f"concept voor {organisation.slug}"
            + (f"; uitzondering vastgelegd: {decision.override.value}" if decision.override else ""),
        )
    return referral


def referral_send(
    *,
    actor: Any,
    referral: Referral,
    method: str = SendMethod.PLATFORM,
    sent_at: datetime | None = None,
    note: str = "",
) -> Referral:
    """Send (or record the sending of) a referral: snapshot the shared fields, move the case.

    Partners on the platform receive it in their inbox; for others the AF records how and when
    the referral document went out. The snapshot is taken here, so later edits of the case
    never reach the partner.
    """
    policy.require(actor, "referral.manage", referral.case)
    on_platform = referral.organisation.on_platform
    if on_platform and method != SendMethod.PLATFORM:
        raise RoutingError("Deze partner werkt in Ketenzicht: verzend de doorverwijzing via Ketenzicht.")
    if not on_platform:
        if method == SendMethod.PLATFORM or method not in SendMethod.values:
            raise RoutingError("Deze partner werkt niet in Ketenzicht: kies hoe het verwijsdocument is verstuurd.")
        if sent_at is None:
            raise RoutingError("Vul in wanneer het verwijsdocument is verstuurd.")
        if sent_at > timezone.now():
            raise RoutingError("De verzenddatum ligt in de toekomst; vul de werkelijke datum in.")
    with transaction.atomic():
        locked = _locked_referral(referral)
        target = _target(locked, "verzenden")
        case = _locked_case(locked.case)
        if case.state != CaseState.DOORVERWEZEN:
            try:
                case_services.case_transition(
                    actor=actor,
                    case=case,
                    action="doorverwijzen",
                    reason=f"Doorverwezen naar {locked.organisation.name}",
                )
            except case_services.CaseError as exc:
                raise RoutingError(
                    f"{exc} Neem het signaal eerst in behandeling; daarna kan het worden doorverwezen."
                ) from exc
        if on_platform or locked.snapshot is None:
            locked.snapshot = sharing.filter_groups(selectors.case_extract(case), locked.shared_groups)
        locked.state = target
        locked.sent_at = sent_at or timezone.now()
        locked.sent_by = actor
        locked.send_method = method
        locked.send_note = note.strip()[:300]
        locked.save()
        _referral_event(locked, actor, ReferralState.CONCEPT, target, locked.get_send_method_display())
        audit_record(
            actor=actor,
            action=AuditAction.SHARE,
            object_type="doorverwijzing",
            object_id=locked.pk,
            object_label=case.reference,
            fields=locked.shared_groups,
            reason=f"gedeeld met {locked.organisation.slug} via {method}"
            + (f"; uitzondering: {locked.override}" if locked.override else ""),
        )
    if on_platform:
        transaction.on_commit(lambda: _notify_partner(locked.pk))
    return locked


def referral_prepare_document(*, actor: Any, referral: Referral) -> Referral:
    """Fix the content of a concept's referral document (for partners outside Ketenzicht).

    The last document downloaded is the one the AF sends by mail or post; recording the
    sending keeps exactly this snapshot, so the register says what really went out.
    """
    policy.require(actor, "referral.manage", referral.case)
    with transaction.atomic():
        locked = _locked_referral(referral)
        if locked.state != ReferralState.CONCEPT:
            return locked
        locked.snapshot = sharing.filter_groups(selectors.case_extract(locked.case), locked.shared_groups)
        locked.save(update_fields=["snapshot"])
    return locked


def _require_responder(actor: Any, referral: Referral) -> None:
    """The partner answers for itself; for partners not on the platform the AF records it."""
    if referral.organisation.on_platform:
        policy.require(actor, "referral.respond", referral)
    else:
        policy.require(actor, "referral.manage", referral.case)


def _respond(actor: Any, referral: Referral, action: str, note: str = "", **changes: Any) -> Referral:
    _require_responder(actor, referral)
    with transaction.atomic():
        locked = _locked_referral(referral)
        before = locked.state
        target = _target(locked, action)
        locked.state = target
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.save()
        _referral_event(locked, actor, before, target, note)
        if action == "afwijzen":
            _back_to_work(locked, actor, note)
        transaction.on_commit(partial(referral_answered.send, sender=Referral, referral_id=locked.pk, action=action))
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="doorverwijzing",
            object_id=locked.pk,
            object_label=locked.case_reference,
            fields=["doorverwijzing"],
            reason=f"{before} → {target}",
        )
    return locked


def _back_to_work(referral: Referral, actor: Any, reason: str) -> None:
    """A rejected referral returns the case to the AF, unless another referral is still open."""
    case = _locked_case(referral.case)
    others_open = (
        Referral.objects.filter(case=case, state__in=[ReferralState.VERZONDEN, ReferralState.ONTVANGEN, ReferralState.GEACCEPTEERD])
        .exclude(pk=referral.pk)
        .exists()
    )
    if case.state != CaseState.DOORVERWEZEN or others_open:
        return
    # The partner (not the AF) rejected: the policy for case.transition is the AF's, so the
    # referral policy checked above stands in for it.
    case_services.case_transition(
        actor=actor,
        case=case,
        action="terug_in_behandeling",
        reason=f"Doorverwijzing afgewezen door {referral.organisation.name}: {reason}",
        check_policy=False,
    )


def referral_receive(*, actor: Any, referral: Referral) -> Referral:
    return _respond(actor, referral, "ontvangen", received_at=timezone.now())


def referral_accept(*, actor: Any, referral: Referral, note: str = "") -> Referral:
    return _respond(actor, referral, "accepteren", note.strip(), decided_at=timezone.now())


def referral_reject(*, actor: Any, referral: Referral, reason: str) -> Referral:
    if not reason.strip():
        raise RoutingError("Geef de reden van de afwijzing; de aandachtsfunctionaris ziet die bij het signaal.")
    return _respond(actor, referral, "afwijzen", reason.strip(), decided_at=timezone.now(), rejection_reason=reason.strip())


def referral_complete(*, actor: Any, referral: Referral, feedback: str) -> Referral:
    if not feedback.strip():
        raise RoutingError("Schrijf de terugkoppeling: wat heeft uw organisatie met de doorverwijzing gedaan?")
    return _respond(actor, referral, "afronden", feedback.strip(), completed_at=timezone.now(), feedback=feedback.strip())


def _notify_partner(referral_id: object) -> None:
    """Tell the partner's users there is a referral in their inbox; never what it holds."""
    referral = Referral.objects.select_related("organisation").filter(pk=referral_id).first()
    if referral is None:
        return
    recipients = list(
        referral.organisation.users.filter(is_active=True, roles__role=Role.KETENPARTNER)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not recipients:
        return
    try:
        send_mail(
            "Nieuwe doorverwijzing in Ketenzicht",
            "Er staat een nieuwe doorverwijzing voor uw organisatie klaar in Ketenzicht, onder 'Doorverwijzingen'.",
            None,
            recipients,
        )
    except OSError:
        logger.warning("referral mail failed for referral %s", referral.pk)

