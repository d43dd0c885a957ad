"""Every change to a case goes through one of these functions.

Each runs in one transaction, locks the case row, asks the domain whether the change is
allowed, saves, and writes the case history and the audit row in that same transaction.
Views, API, commands and imports all call these; nothing else writes a case.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q as models_q
from django.utils import timezone

from ketenzicht.accounts.models import Municipality
from ketenzicht.audit.models import AuditAction
from ketenzicht.audit.services import audit_record
from ketenzicht.cases.events import signal_received
from ketenzicht.cases.models import (
    Attachment,
    Case,
    CaseEvent,
    Channel,
    ExploitationForm,
    ReferenceCounter,
    Subject,
)
from ketenzicht.core import policy
from ketenzicht.domain import case_states
from ketenzicht.domain.case_states import CaseFacts, CaseState
from ketenzicht.domain.matching import address_key, kvk_key, name_key
from ketenzicht.domain.workdays import add_working_days

FIRST_ASSESSMENT_WORKING_DAYS = 5
FORM_CODES = [c.value for c in ExploitationForm]


class CaseError(Exception):
    """A change that cannot be made; the message says what to fix, in Dutch."""


@dataclass
class SubjectInput:
    role: str
    name: str = ""
    birth_date: date | None = None
    nationality: str = ""
    description: str = ""
    kvk_number: str = ""


@dataclass
class AttachmentInput:
    name: str
    content_type: str
    data: bytes


@dataclass
class SignalInput:
    municipality: Municipality
    description: str
    channel: str = Channel.INTERN
    observed_on: date | None = None
    location_address: str = ""
    location_description: str = ""
    forms: list[str] = field(default_factory=lambda: [ExploitationForm.ONBEKEND.value])
    minor_involved: str = "onbekend"
    acute_danger: bool = False
    company_name: str = ""
    kvk_number: str = ""
    subjects: list[SubjectInput] = field(default_factory=list)
    attachments: list[AttachmentInput] = field(default_factory=list)
    intake_key: str = ""
    # sha256 of the submitted content: a reused intake key with other content is refused (API).
    intake_fingerprint: str = ""
    reporter_language: str = "nl"
    reporter_contact_email: str = ""
    reporter_contact_phone: str = ""


def _actor_label(actor: Any) -> str:
    return actor.get_username() if actor is not None and actor.is_authenticated else "publiek"


def _actor_org(actor: Any) -> Any:
    return actor.organisation if actor is not None and actor.is_authenticated else None


def _next_reference(now: datetime) -> str:
    counter, _ = ReferenceCounter.objects.select_for_update().get_or_create(year=now.year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"KZ-{now.year}-{counter.last:06d}"


def _event(case: Case, actor: Any, kind: str, *, action: str = "", from_state: str = "", to_state: str = "", reason: str = "") -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=_actor_label(actor),
        organisation=_actor_org(actor),
        kind=kind,
        action=action,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
    )


def _normalise_forms(forms: list[str]) -> list[str]:
    unknown = sorted(set(forms) - set(FORM_CODES))
    if unknown:
        raise CaseError(f"Onbekende vorm van uitbuiting: {', '.join(unknown)}.")
    chosen = sorted(set(forms)) or [ExploitationForm.ONBEKEND.value]
    # "onbekend" next to a known form adds nothing.
    if len(chosen) > 1 and ExploitationForm.ONBEKEND.value in chosen:
        chosen.remove(ExploitationForm.ONBEKEND.value)
    return chosen


def case_create(*, actor: Any, data: SignalInput, now: datetime | None = None) -> tuple[Case, bool]:
    """Store a new signal. Returns (case, created); a repeated intake key returns the first case.

    Idempotent: the same (channel, intake_key) never makes a second case, also under a race
    (the unique constraint decides, and the loser reads the winner's case).
    """
    if data.intake_key:
        existing = Case.objects.filter(channel=data.channel, intake_key=data.intake_key).first()
        if existing is not None:
            return existing, False
    if not data.description.strip():
        raise CaseError("Beschrijf wat u heeft gezien.")
    forms = _normalise_forms(data.forms)
    now = now or timezone.now()
    try:
        with transaction.atomic():
            case = Case.objects.create(
                reference=_next_reference(now),
                municipality=data.municipality,
                channel=data.channel,
                state=CaseState.ONTVANGEN,
                reporter=actor if actor is not None and actor.is_authenticated else None,
                reporter_organisation=_actor_org(actor),
                description=data.description.strip(),
                observed_on=data.observed_on,
                location_address=data.location_address.strip(),
                location_description=data.location_description.strip(),
                address_key=address_key(data.location_address),
                forms=forms,
                **{f"form_{code}": code in forms for code in FORM_CODES},
                minor_involved=data.minor_involved,
                acute_danger=data.acute_danger,
                company_name=data.company_name.strip(),
                kvk_number=kvk_key(data.kvk_number),
                first_assessment_due=add_working_days(now, FIRST_ASSESSMENT_WORKING_DAYS),
                intake_key=data.intake_key,
                intake_fingerprint=data.intake_fingerprint,
                reporter_language=data.reporter_language,
                reporter_contact_email=data.reporter_contact_email,
                reporter_contact_phone=data.reporter_contact_phone,
            )
            for subject in data.subjects:
                _subject_create(case, subject)
            for attachment in data.attachments:
                _attachment_create(case, attachment, actor)
            _event(case, actor, "intake", to_state=CaseState.ONTVANGEN, reason=f"Ontvangen via {case.get_channel_display()}")
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                object_type="case",
                object_id=case.pk,
                object_label=case.reference,
                fields=["signaal", *(["betrokkenen"] if data.subjects else []), *(["bijlagen"] if data.attachments else [])],
            )
            transaction.on_commit(partial(signal_received.send, sender=Case, case_id=case.pk))
    except IntegrityError:
        if data.intake_key:
            existing = Case.objects.filter(channel=data.channel, intake_key=data.intake_key).first()
            if existing is not None:
                return existing, False
        raise
    return case, True


def _subject_create(case: Case, subject: SubjectInput) -> Subject:
    return Subject.objects.create(
        case=case,
        role=subject.role,
        name=subject.name.strip(),
        birth_date=subject.birth_date,
        nationality=subject.nationality.strip(),
        description=subject.description.strip(),
        kvk_number=kvk_key(subject.kvk_number),
        name_key=name_key(subject.name, subject.birth_date),
    )


def _attachment_create(case: Case, attachment: AttachmentInput, actor: Any) -> Attachment:
    from django.core.files.base import ContentFile

    row = Attachment(
        case=case,
        original_name=attachment.name[:200],
        content_type=attachment.content_type,
        size=len(attachment.data),
        sha256=hashlib.sha256(attachment.data).hexdigest(),
        uploaded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    row.file.save("upload", ContentFile(attachment.data), save=False)
    row.save()
    return row


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def case_facts(case: Case) -> CaseFacts:
    return CaseFacts(
        feedback_recorded=case.feedback_at is not None,
        feedback_impossible_reason=case.feedback_impossible_reason,
    )


def case_transition(*, actor: Any, case: Case, action: str, reason: str = "", check_policy: bool = True) -> Case:
    """The only way a case changes state."""
    if check_policy:
        policy.require(actor, "case.transition", case)
    with transaction.atomic():
        locked = _locked(case)
        try:
            new_state = case_states.apply(locked.state, action, case_facts(locked), reason)
        except case_states.TransitionNotAllowed as exc:
            raise CaseError(str(exc)) from exc
        old_state = locked.state
        locked.state = new_state
        update = ["state", "updated_at"]
        if new_state is CaseState.AFGESLOTEN:
            locked.closed_at = timezone.now()
            update.append("closed_at")
        if old_state == CaseState.ONTVANGEN and locked.assigned_to_id is None and actor is not None:
            locked.assigned_to = actor
            update.append("assigned_to")
        locked.save(update_fields=update)
        _event(locked, actor, "transition", action=action, from_state=old_state, to_state=new_state, reason=reason.strip())
        audit_record(
            actor=actor,
            action=AuditAction.TRANSITION,
            object_type="case",
            object_id=locked.pk,
            object_label=locked.reference,
            fields=["status"],
            reason=f"{old_state} → {new_state}",
        )
    return locked


ENRICHMENT_FIELDS = ("company_name", "kvk_number", "address_details", "earlier_sanctions", "enrichment_notes", "location_address")


def case_enrich(*, actor: Any, case: Case, changes: dict[str, str]) -> Case:
    policy.require(actor, "case.enrich", case)
    unknown = set(changes) - set(ENRICHMENT_FIELDS)
    if unknown:
        raise CaseError(f"Deze velden kunnen niet worden verrijkt: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        locked = _locked(case)
        if locked.state == CaseState.AFGESLOTEN:
            raise CaseError("Een afgesloten signaal kan niet meer worden gewijzigd.")
        changed = []
        for name, value in changes.items():
            value = kvk_key(value) if name == "kvk_number" and value else value.strip()
            if getattr(locked, name) != value:
                setattr(locked, name, value)
                changed.append(name)
        if not changed:
            return locked
        if "location_address" in changed:
            locked.address_key = address_key(locked.location_address)
            changed.append("address_key")
        locked.save(update_fields=[*changed, "updated_at"])
        _event(locked, actor, "verrijkt", reason="Gewijzigd: " + ", ".join(c for c in changed if c != "address_key"))
        audit_record(actor=actor, action=AuditAction.UPDATE, object_type="case", object_id=locked.pk, object_label=locked.reference, fields=changed)
    return locked


def case_record_feedback(*, actor: Any, case: Case, message: str = "", impossible_reason: str = "") -> Case:
    """Record the terugkoppeling to the reporter, or why none is possible."""
    policy.require(actor, "case.feedback", case)
    message, impossible_reason = message.strip(), impossible_reason.strip()
    if bool(message) == bool(impossible_reason):
        raise CaseError("Schrijf een terugkoppeling voor de melder, of leg vast waarom terugkoppeling niet mogelijk is (één van beide).")
    with transaction.atomic():
        locked = _locked(case)
        if locked.state == CaseState.AFGESLOTEN:
            raise CaseError("Een afgesloten signaal kan niet meer worden gewijzigd.")
        if message:
            locked.feedback_message = message
            locked.feedback_at = timezone.now()
            locked.feedback_impossible_reason = ""
        else:
            locked.feedback_impossible_reason = impossible_reason
        locked.save(update_fields=["feedback_message", "feedback_at", "feedback_impossible_reason", "updated_at"])
        _event(locked, actor, "terugkoppeling", reason="Terugkoppeling vastgelegd" if message else f"Geen terugkoppeling mogelijk: {impossible_reason}")
        audit_record(actor=actor, action=AuditAction.UPDATE, object_type="case", object_id=locked.pk, object_label=locked.reference, fields=["terugkoppeling"])
    if message:
        transaction.on_commit(lambda: _notify_reporter(locked.pk))
    return locked


def _notify_reporter(case_id: object) -> None:
    """Hook for the reporter notification (public reports add e-mail; issue 3)."""
    from ketenzicht.cases import notifications

    notifications.feedback_recorded(case_id)


def case_assign(*, actor: Any, case: Case, assignee: Any) -> Case:
    policy.require(actor, "case.assign", case)
    if assignee is not None and not policy.can(assignee, "case.view", case):
        raise CaseError("Deze collega mag dit signaal niet behandelen.")
    with transaction.atomic():
        locked = _locked(case)
        locked.assigned_to = assignee
        locked.save(update_fields=["assigned_to", "updated_at"])
        _event(locked, actor, "toegewezen", reason=f"Toegewezen aan {assignee.get_username() if assignee else 'niemand'}")
        audit_record(actor=actor, action=AuditAction.UPDATE, object_type="case", object_id=locked.pk, object_label=locked.reference, fields=["behandelaar"])
    return locked


def subject_add(*, actor: Any, case: Case, subject: SubjectInput) -> Subject:
    policy.require(actor, "case.subjects", case)
    with transaction.atomic():
        locked = _locked(case)
        if locked.state == CaseState.AFGESLOTEN:
            raise CaseError("Een afgesloten signaal kan niet meer worden gewijzigd.")
        row = _subject_create(locked, subject)
        _event(locked, actor, "betrokkene", reason=f"{row.get_role_display()} toegevoegd")
        audit_record(actor=actor, action=AuditAction.CREATE, object_type="subject", object_id=row.pk, object_label=locked.reference, fields=["betrokkene"])
    return row


def attachment_add(*, actor: Any, case: Case, attachment: AttachmentInput) -> Attachment:
    policy.require(actor, "case.attachments", case)
    with transaction.atomic():
        locked = _locked(case)
        row = _attachment_create(locked, attachment, actor)
        _event(locked, actor, "bijlage", reason="Bijlage toegevoegd")
        audit_record(actor=actor, action=AuditAction.CREATE, object_type="attachment", object_id=row.pk, object_label=locked.reference, fields=["bijlage"])
    return row


def read_uploaded(upload: UploadedFile) -> AttachmentInput:
    data = upload.read(settings.MAX_ATTACHMENT_BYTES + 1)
    return AttachmentInput(name=upload.name or "bijlage", content_type=upload.content_type or "", data=data)


def cases_expired(*, now: datetime, closed_days: int, unconfirmed_days: int) -> Any:
    """Closed cases past their retention period.

    A case closed as 'niet bevestigd' holds data about people who were not confirmed to be
    involved, so it is kept shorter.
    """
    from datetime import timedelta

    unconfirmed = CaseEvent.objects.filter(kind="transition", to_state=CaseState.NIET_BEVESTIGD).values("case_id")
    return Case.objects.filter(state=CaseState.AFGESLOTEN).filter(
        models_q(closed_at__lt=now - timedelta(days=closed_days))
        | models_q(closed_at__lt=now - timedelta(days=unconfirmed_days), pk__in=unconfirmed)
    )


def cases_purge_expired(*, now: datetime, closed_days: int, unconfirmed_days: int) -> list[str]:
    """Delete expired cases, files included; the audit row keeps only the reference."""
    purged = []
    expired = cases_expired(now=now, closed_days=closed_days, unconfirmed_days=unconfirmed_days)
    for case in expired.prefetch_related("attachments"):
        with transaction.atomic():
            for attachment in case.attachments.all():
                attachment.file.delete(save=False)
            reference, pk = case.reference, case.pk
            case.delete()
            audit_record(actor=None, action=AuditAction.PURGE, object_type="case", object_id=pk, object_label=reference, fields=["alles"], reason="bewaartermijn verstreken")
        purged.append(reference)
    return purged
