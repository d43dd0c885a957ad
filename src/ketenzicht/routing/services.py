"""Every change in routing goes through one of these functions.

Each runs in one transaction, locks the row it changes, checks the policy and the rules
(routekaart engine, sharing profiles, referral lifecycle), saves, and writes the history row
and the audit row in that same transaction. A referral never moves its case (a parallel
track); case history rows are written through `cases.services.case_history_add`, and a closed
case is refused through `cases.services.case_lock_writable`. Mail goes out on commit.
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
from ketenzicht.cases.models import Case
from ketenzicht.core import policy
from ketenzicht.core.errors import ServiceError, TransitionRefused
from ketenzicht.domain import routekaart, sharing
from ketenzicht.domain.lifecycles import case as case_lifecycle
from ketenzicht.domain.lifecycles import referral as referral_lifecycle
from ketenzicht.domain.lifecycles.base import TransitionNotAllowed
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


class RoutingError(ServiceError):
    """A change that cannot be made; the message says what to fix, in Dutch."""


# --- helpers ----------------------------------------------------------------------------------


def _label(actor: Any) -> str:
    return actor.get_username() if actor is not None and actor.is_authenticated else "systeem"


def _locked_case(case: Case) -> Case:
    """Lock the case for advice or the meldcode; a closed case is read-only (cases.services)."""
    return case_services.case_lock_writable(case)


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
        case_services.case_history_add(actor=actor, case=locked, kind="routekaart", reason=f"Routekaart {slug} {route_map.versie}: {partners}"[:1000])
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


def meldcode_save(*, actor: Any, case: Case, data: MeldcodeInput, now: datetime | None = None) -> MeldcodeChecklist:
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
            checklist.decided_at = now or timezone.now()
            checklist.decided_by = actor
        checklist.save()
        done = sorted(data.done & {1, 2, 3, 4})
        if deciding:
            reason = "Meldcode stap 5: " + ("melden bij Veilig Thuis" if data.melden else "niet melden bij Veilig Thuis") + (
                "; hulp bieden of organiseren" if data.hulp_organiseren else "; geen hulp organiseren"
            )
        else:
            reason = "Meldcode: stappen gezet: " + (", ".join(map(str, done)) or "geen")
        case_services.case_history_add(actor=actor, case=locked, kind="meldcode", reason=reason)
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
# The lifecycle is `domain/lifecycles/referral.py`; `referral_transition` is its one service.
# A referral is a parallel track beside its case: sending, answering or withdrawing it never
# moves the case; it writes a line in the case history, and the case cannot close while a
# referral is with a partner (the case lifecycle checks that).
AF_ACTIONS = frozenset({referral_lifecycle.Action.VERZENDEN, referral_lifecycle.Action.INTREKKEN})


def allowed_referral_actions(state: str) -> list[str]:
    """The steps on a referral in this state (guards are checked when the step is taken)."""
    current = referral_lifecycle.ReferralState(state)
    return [t.action for t in referral_lifecycle.MACHINE.transitions.values() if current in t.sources]


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


def _require_actor(actor: Any, referral: Referral, action: str) -> None:
    """The AF sends and withdraws; the partner answers for itself, or the AF records its answer
    when the partner does not work in Ketenzicht."""
    if action in AF_ACTIONS or not referral.organisation.on_platform:
        policy.require(actor, "referral.manage", referral.case)
    else:
        policy.require(actor, "referral.respond", referral)


def referral_transition(
    *,
    actor: Any,
    referral: Referral,
    action: str,
    note: str = "",
    now: datetime | None = None,
    changes: Mapping[str, Any] | None = None,
    partner_told_how: str = "",
) -> Referral:
    """The one transition service of a referral: lock, ask the lifecycle, save, history, audit.

    ``changes``: the fields that belong to this step (when and how it was sent, the rejection
    reason, the feedback); ``partner_told_how``: for a withdrawal from a partner outside
    Ketenzicht, how the AF told them.
    """
    _require_actor(actor, referral, action)
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked_referral(referral)
        case = Case.objects.select_for_update().get(pk=locked.case_id)
        before = locked.state
        facts = referral_lifecycle.ReferralFacts(
            case_read_only=case_lifecycle.is_read_only(case.state),
            case_taken_in=case.state != case_lifecycle.CaseState.ONTVANGEN,
            on_platform=locked.organisation.on_platform,
            was_sent=before != ReferralState.CONCEPT,
            sent_at=(changes or {}).get("sent_at"),
            partner_told_how=partner_told_how,
        )
        try:
            target = referral_lifecycle.MACHINE.apply(before, action, facts, now=now, reason=note)
        except TransitionNotAllowed as exc:
            raise TransitionRefused.from_domain(exc) from exc
        if action == referral_lifecycle.Action.VERZENDEN and (locked.organisation.on_platform or locked.snapshot is None):
            # The snapshot is taken here, so later edits of the case never reach the partner.
            locked.snapshot = sharing.filter_groups(selectors.case_extract(case), locked.shared_groups)
        for name, value in (changes or {}).items():
            setattr(locked, name, value)
        locked.state = target
        locked.save()
        label = referral_lifecycle.MACHINE.transitions[action].label
        event_note = note.strip() + (f" (partner ingelicht: {partner_told_how.strip()})" if partner_told_how.strip() else "")
        _referral_event(locked, actor, before, target, event_note or (locked.get_send_method_display() if action == "verzenden" else ""))
        case_services.case_history_add(
            actor=actor, case=case, kind="doorverwijzing",
            reason=f"Doorverwijzing {locked.organisation.name}: {label.lower()}" + (f" — {note.strip()}" if note.strip() and action != "verzenden" else ""),
        )
        audit_record(
            actor=actor,
            action=AuditAction.SHARE if action == "verzenden" else AuditAction.UPDATE,
            object_type="doorverwijzing",
            object_id=locked.pk,
            object_label=locked.case_reference,
            fields=locked.shared_groups if action == "verzenden" else ["doorverwijzing"],
            reason=f"gedeeld met {locked.organisation.slug} via {locked.send_method}" + (f"; uitzondering: {locked.override}" if locked.override else "")
            if action == "verzenden"
            else f"{before} → {target}",
        )
    if locked.organisation.on_platform and action == referral_lifecycle.Action.VERZENDEN:
        transaction.on_commit(lambda: _notify_partner(locked.pk))
    if locked.organisation.on_platform and action == referral_lifecycle.Action.INTREKKEN and before != ReferralState.CONCEPT:
        transaction.on_commit(lambda: _notify_partner(locked.pk, withdrawn=True))
    # The AF hears of a partner's answer (notifications decide which steps are answers); ids only.
    transaction.on_commit(partial(referral_answered.send, sender=Referral, referral_id=locked.pk, action=str(action)))
    return locked


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
        locked = case_services.case_lock_writable(case)
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
    now: datetime | None = None,
) -> Referral:
    """Send (or record the sending of) a referral; the case stays where it is.

    Partners on the platform receive it in their inbox; for others the AF records how and when
    the referral document went out.
    """
    now = now or timezone.now()
    on_platform = referral.organisation.on_platform
    if on_platform and method != SendMethod.PLATFORM:
        raise RoutingError("Deze partner werkt in Ketenzicht: verzend de doorverwijzing via Ketenzicht.")
    if not on_platform:
        if method == SendMethod.PLATFORM or method not in SendMethod.values:
            raise RoutingError("Deze partner werkt niet in Ketenzicht: kies hoe het verwijsdocument is verstuurd.")
        if sent_at is None:
            raise RoutingError("Vul in wanneer het verwijsdocument is verstuurd.")
    changes = {"sent_at": sent_at or now, "sent_by": actor, "send_method": method, "send_note": note.strip()[:300]}
    return referral_transition(actor=actor, referral=referral, action="verzenden", now=now, changes=changes)


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


def referral_receive(*, actor: Any, referral: Referral, now: datetime | None = None) -> Referral:
    now = now or timezone.now()
    return referral_transition(actor=actor, referral=referral, action="ontvangen", now=now, changes={"received_at": now})


def referral_accept(*, actor: Any, referral: Referral, note: str = "", now: datetime | None = None) -> Referral:
    now = now or timezone.now()
    return referral_transition(actor=actor, referral=referral, action="accepteren", note=note.strip(), now=now, changes={"decided_at": now})


def referral_reject(*, actor: Any, referral: Referral, reason: str, now: datetime | None = None) -> Referral:
    if not reason.strip():
        raise RoutingError("Geef de reden van de afwijzing; de aandachtsfunctionaris ziet die bij het signaal.")
    now = now or timezone.now()
    return referral_transition(actor=actor, referral=referral, action="afwijzen", note=reason.strip(), now=now,
                               changes={"decided_at": now, "rejection_reason": reason.strip()})


def referral_interim_feedback(*, actor: Any, referral: Referral, text: str, now: datetime | None = None) -> Referral:
    """Interim feedback from a partner that accepted: the AF hears how it goes, the state stays."""
    if not text.strip():
        raise RoutingError("Schrijf de tussentijdse terugkoppeling: hoe staat het ervoor?")
    return referral_transition(actor=actor, referral=referral, action="tussentijds_terugkoppelen", note=text.strip(), now=now)


def referral_complete(*, actor: Any, referral: Referral, feedback: str, now: datetime | None = None) -> Referral:
    if not feedback.strip():
        raise RoutingError("Schrijf de terugkoppeling: wat heeft uw organisatie met de doorverwijzing gedaan?")
    now = now or timezone.now()
    return referral_transition(actor=actor, referral=referral, action="afronden", note=feedback.strip(), now=now,
                               changes={"completed_at": now, "feedback": feedback.strip()})


def referral_withdraw(*, actor: Any, referral: Referral, reason: str, partner_told_how: str = "", now: datetime | None = None) -> Referral:
    """Withdraw a referral; a partner in Ketenzicht is told by mail and in the inbox."""
    if not reason.strip():
        raise RoutingError("Geef aan waarom de doorverwijzing wordt ingetrokken; de partner leest dit.")
    return referral_transition(actor=actor, referral=referral, action="intrekken", note=reason.strip(), now=now,
                               partner_told_how=partner_told_how)


def _notify_partner(referral_id: object, *, withdrawn: bool = False) -> None:
    """Tell the partner's users there is news in their inbox; never what the referral holds."""
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
        if withdrawn:
            send_mail(
                "Doorverwijzing ingetrokken in Ketenzicht",
                "Een doorverwijzing aan uw organisatie is ingetrokken door de gemeente. U ziet de reden in "
                "Ketenzicht, onder 'Doorverwijzingen'. U hoeft er niets meer mee te doen.",
                None,
                recipients,
            )
        else:
            send_mail(
                "Nieuwe doorverwijzing in Ketenzicht",
                "Er staat een nieuwe doorverwijzing voor uw organisatie klaar in Ketenzicht, onder 'Doorverwijzingen'.",
                None,
                recipients,
            )
    except OSError:
        logger.warning("referral mail failed for referral %s", referral.pk)

