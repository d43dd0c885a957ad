"""Every change to a case goes through one of these functions.

Each runs in one transaction, locks the case row, asks the domain whether the change is
allowed, saves, and writes the case history and the audit row in that same transaction.
Views, API, commands, imports, demo loaders and the services of other apps all call these;
nothing else writes a case. `case_transition` is the one transition service of the case
lifecycle (`domain/lifecycles/case.py`); `case_lock_writable` is the one place that enforces
"a closed or merged case is read-only", for this app and for the others (routing, barriers).
The clock is read once, at the entry of a service (or passed in as ``now``), and passed on.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache, partial
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation

from ketenzicht.accounts.models import Municipality
from ketenzicht.accounts.selectors import has_af
from ketenzicht.audit.models import AuditAction, AuditEvent
from ketenzicht.audit.services import audit_entry_values, audit_record, written_with
from ketenzicht.cases import references
from ketenzicht.cases.events import (
    case_reclassified,
    case_transferred,
    reporter_answered,
    signal_received,
)
from ketenzicht.cases.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseTransfer,
    Channel,
    ExploitationForm,
    ReporterAddition,
    ReporterQuestion,
    Subject,
    SubjectRole,
    TriState,
    UnannouncedSignal,
    VulnerableGroup,
)
from ketenzicht.core import filestore, policy
from ketenzicht.core.errors import ServiceError, TransitionRefused
from ketenzicht.core.inserts import Later, NewRow, insert_prepare
from ketenzicht.core.uploads import sniffed_type
from ketenzicht.domain.lifecycles import case as case_lifecycle
from ketenzicht.domain.lifecycles import referral as referral_lifecycle
from ketenzicht.domain.lifecycles.base import TransitionNotAllowed, Venue
from ketenzicht.domain.lifecycles.case import (
    Action,
    CaseFacts,
    CaseState,
    MergeTarget,
    TableDecision,
    TransferTarget,
)
from ketenzicht.domain.matching import address_key, kvk_key, name_key
from ketenzicht.norms.selectors import norms_for

FORM_CODES = [c.value for c in ExploitationForm]
VULNERABLE_GROUPS = frozenset(VulnerableGroup.values)


@cache
def _dutch_label(channel: str) -> str:
    """The channel's name in the history line, in Dutch whatever language the sender reads:
    the history is the AF's record (an English public form wrote "Ontvangen via Public report form")."""
    with translation.override("nl"):
        return str(Channel(channel).label)


class CaseError(ServiceError):
    """A change that cannot be made; the message says what to fix, in Dutch."""


class CaseReadOnly(CaseError):
    """The case is closed or merged: nothing about it changes (reopen it first)."""

    status = 409
    default_code = "signaal-alleen-lezen"


@dataclass
class SubjectInput:
    role: str
    name: str = ""
    birth_date: date | None = None
    nationality: str = ""
    description: str = ""
    kvk_number: str = ""
    vulnerable_groups: list[str] = field(default_factory=list)


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
    # Public reports: the keyed hash of the receipt code, stored with the case in one go.
    receipt_hash: str = ""


def _actor_label(actor: Any) -> str:
    return actor.get_username() if actor is not None and actor.is_authenticated else "publiek"


def _actor_org(actor: Any) -> Any:
    return actor.organisation if actor is not None and actor.is_authenticated else None


def _event(case: Case, actor: Any, kind: str, **details: Any) -> CaseEvent:
    """Write one history line (`_event_values` says what it holds)."""
    values = _event_values(case.pk, actor, kind, **details)
    del values["case_id"]
    row = CaseEvent(case=case, **values)
    row.save()
    return row


def _normalise_forms(forms: list[str]) -> list[str]:
    unknown = sorted(set(forms) - set(FORM_CODES))
    if unknown:
        raise CaseError(f"Onbekende vorm van uitbuiting: {', '.join(unknown)}.")
    chosen = sorted(set(forms)) or [ExploitationForm.ONBEKEND.value]
    # "onbekend" next to a known form adds nothing.
    if len(chosen) > 1 and ExploitationForm.ONBEKEND.value in chosen:
        chosen.remove(ExploitationForm.ONBEKEND.value)
    return chosen


def _case_values(data: SignalInput, actor: Any, reference: Later, forms: list[str], first_assessment_due: datetime) -> dict[str, Any]:
    """The new case's values, by column, as it arrives: state ontvangen, the reporter, what was seen."""
    reporter = actor if actor is not None and actor.is_authenticated else None
    organisation = _actor_org(actor)
    return {
        "id": uuid.uuid4(),
        "reference": reference,
        "municipality_id": data.municipality.pk,
        "channel": str(data.channel),
        "state": CaseState.ONTVANGEN.value,
        "reporter_id": None if reporter is None else reporter.pk,
        "reporter_organisation_id": None if organisation is None else organisation.pk,
        "description": data.description.strip(),
        "observed_on": data.observed_on,
        "location_address": data.location_address.strip(),
        "location_description": data.location_description.strip(),
        "address_key": address_key(data.location_address),
        "forms": forms,
        **{f"form_{code}": code in forms for code in FORM_CODES},
        "minor_involved": str(data.minor_involved),
        "acute_danger": data.acute_danger,
        "company_name": data.company_name.strip(),
        "kvk_number": kvk_key(data.kvk_number),
        "first_assessment_due": first_assessment_due,
        "receipt_hash": data.receipt_hash,
        "intake_key": data.intake_key,
        "intake_fingerprint": data.intake_fingerprint,
        "reporter_language": data.reporter_language,
        "reporter_contact_email": data.reporter_contact_email,
        "reporter_contact_phone": data.reporter_contact_phone,
    }


def _event_values(
    case_id: Any, actor: Any, kind: str, *, action: str = "", from_state: str = "", to_state: str = "", reason: str = "",
    at: datetime | None = None,
) -> dict[str, Any]:
    """One history line's values, by column: who (or "publiek"), what, from and to which state, why."""
    authenticated = actor is not None and actor.is_authenticated
    organisation = _actor_org(actor)
    return {
        "case_id": case_id, "at": at or timezone.now(), "actor_id": actor.pk if authenticated else None, "actor_label": _actor_label(actor),
        "organisation_id": None if organisation is None else organisation.pk, "kind": kind, "action": action,
        "from_state": from_state, "to_state": to_state, "reason": reason,
    }


def case_create(*, actor: Any, data: SignalInput, now: datetime | None = None) -> tuple[Case, bool]:
    """Store a new signal. Returns (case, created); a repeated intake key returns the first case.

    Idempotent: the same (channel, intake_key) never makes a second case, also under a race
    (the unique constraint decides, and the loser reads the winner's case). A repeat is rare, so
    it is not looked for first: the insert meets the constraint, rolls back (the reference number
    with it) and the first case is read then; a new signal costs no lookup (issue 19).
    """
    if not data.description.strip():
        raise CaseError("Beschrijf wat u heeft gezien.")
    forms = _normalise_forms(data.forms)
    now = now or timezone.now()
    first_assessment_due = norms_for(data.municipality).first_assessment_due(now)
    # Everything is prepared before the transaction: the year's counter is locked from taking the
    # number until the commit, so only the write itself happens while it is held (issue 19).
    reference = references.reference_later(now)
    values = _case_values(data, actor, reference, forms, first_assessment_due)
    case_id = values["id"]
    entry = audit_entry_values(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="case",
        object_id=case_id,
        object_label=reference,
        fields=["signaal", *(["betrokkenen"] if data.subjects else []), *(["bijlagen"] if data.attachments else [])],
    )
    channel_label = _dutch_label(values["channel"])
    # The case, its subjects, its first history line, its audit entry and its outbox row in one
    # round trip (core/inserts.py), as rows by value: no model instance is built but the case's,
    # after the write; the audit entry is sealed as audit_record's would be.
    new_case = NewRow(Case, values, instance=True)
    rows = insert_prepare(
        [
            new_case,
            *(_subject_row(case_id, subject) for subject in data.subjects),
            NewRow(CaseEvent, _event_values(case_id, actor, "intake", to_state=CaseState.ONTVANGEN.value, reason=f"Ontvangen via {channel_label}", at=now)),
            NewRow(AuditEvent, entry),
            # Its handlers are told by the task worker (intake/tasks.py), which finds it here.
            NewRow(UnannouncedSignal, {"case_id": case_id, "stored_at": now}),
        ]
    )
    try:
        if reference.sql is not None and not data.attachments and not connection.in_atomic_block:
            # PostgreSQL with nothing else to write: one statement (the number, the rows), which
            # is its own transaction; BEGIN and COMMIT would only add round trips.
            written_with(rows.run)
            transaction.on_commit(partial(signal_received.send, sender=Case, case_id=case_id))  # runs at once
        else:
            with transaction.atomic():
                if reference.sql is None:
                    reference.value = references.next_reference(now)
                written_with(rows.run)
                case = _saved_case(new_case, data, actor)
                for attachment in data.attachments:
                    _attachment_create(case, attachment, actor)
                transaction.on_commit(partial(signal_received.send, sender=Case, case_id=case_id))
    except IntegrityError:
        if data.intake_key:
            existing = Case.objects.filter(channel=data.channel, intake_key=data.intake_key).first()
            if existing is not None:
                return existing, False
        raise
    return _saved_case(new_case, data, actor), True


def _saved_case(row: NewRow, data: SignalInput, actor: Any) -> Case:
    """The written case as an instance, with what it was made with at hand (as `Case(municipality=…)` would)."""
    case = row.instance
    assert isinstance(case, Case)
    cache = case._state.fields_cache
    if "municipality" not in cache:
        cache["municipality"] = data.municipality
        if actor is not None and actor.is_authenticated:
            cache["reporter"] = actor
    return case


def _subject_create(case: Case, subject: SubjectInput) -> Subject:
    values = _subject_values(case.pk, subject)
    del values["case_id"]
    row = Subject(case=case, **values)
    row.save()
    return row


def _subject_row(case_id: Any, subject: SubjectInput) -> NewRow:
    """The subject as a new row, after its checks."""
    return NewRow(Subject, _subject_values(case_id, subject))


def _subject_values(case_id: Any, subject: SubjectInput) -> dict[str, Any]:
    """The subject's values, by column, after its checks."""
    unknown = set(subject.vulnerable_groups) - VULNERABLE_GROUPS
    if unknown:
        raise CaseError(f"Onbekende kwetsbare groep: {', '.join(sorted(unknown))}.")
    if subject.vulnerable_groups and subject.role == SubjectRole.BEDRIJF:
        raise CaseError("Een bedrijf hoort niet bij een kwetsbare groep; kies die bij een persoon.")
    return {
        "vulnerable_groups": sorted(set(subject.vulnerable_groups)),
        "case_id": case_id,
        "role": str(subject.role),
        "name": subject.name.strip(),
        "birth_date": subject.birth_date,
        "nationality": subject.nationality.strip(),
        "description": subject.description.strip(),
        "kvk_number": kvk_key(subject.kvk_number),
        "name_key": name_key(subject.name, subject.birth_date),
    }


def _attachment_create(case: Case, attachment: AttachmentInput, actor: Any) -> Attachment:
    """The row now; the file is staged and moved into place after the commit (core/filestore.py).

    The stored content type is what the content is (magic bytes), never what the client said.
    """
    name = filestore.new_name(f"bijlagen/{case.pk}")
    row = Attachment.objects.create(
        case=case,
        file=name,
        original_name=attachment.name[:200],
        content_type=sniffed_type(attachment.data),
        size=len(attachment.data),
        sha256=hashlib.sha256(attachment.data).hexdigest(),
        uploaded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    filestore.store_on_commit(name, attachment.data)
    return row


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _read_only_message(case: Case) -> str:
    if case.state == CaseState.SAMENGEVOEGD and case.merged_into_id is not None:
        target = Case.objects.filter(pk=case.merged_into_id).values_list("reference", flat=True).first()
        return f"Dit signaal is samengevoegd met {target}; werk verder in dat signaal."
    return "Een afgesloten signaal kan niet meer worden gewijzigd; heropen het eerst als er nieuwe informatie is."


def case_lock_writable(case: Case) -> Case:
    """Lock the case row for a change, refusing when the lifecycle says it is read-only.

    The one place that enforces read-only (closed, merged): every service that changes a case
    or hangs something on it (enrich, feedback, subjects, attachments, assignment, routekaart,
    meldcode, referrals, controls, interventions) locks through here.
    """
    locked = _locked(case)
    if case_lifecycle.is_read_only(locked.state):
        raise CaseReadOnly(_read_only_message(locked))
    return locked


def case_history_add(*, actor: Any, case: Case, kind: str, reason: str) -> CaseEvent:
    """A line in the case history for a change another app made on the (locked) case.

    Routekaart, meldcode and referral services write the case history through here, so the
    history rows of a case are written by this app only.
    """
    return _event(case, actor, kind, reason=reason)


def _open_referrals(case: Case) -> tuple[str, ...]:
    with_partner = referral_lifecycle.MACHINE.values(referral_lifecycle.WITH_PARTNER)
    return tuple(case.referrals.filter(state__in=with_partner).order_by("created_at").values_list("organisation__name", flat=True))


def municipality_has_af(municipality: Municipality) -> bool:
    """On the platform: a municipality with an active aandachtsfunctionaris to take a signal."""
    return has_af(municipality)


def _transfer_facts(case: Case, transfer_to: Municipality | None) -> dict[str, Any]:
    from ketenzicht.domain.lifecycles import control as control_lifecycle
    from ketenzicht.domain.lifecycles import intervention as intervention_lifecycle

    open_controls = case.integral_controls.filter(status__in=control_lifecycle.MACHINE.values(control_lifecycle.GROUPS.open))
    open_interventions = case.interventions.filter(
        status__in=intervention_lifecycle.MACHINE.values(intervention_lifecycle.GROUPS.open)
    )
    return {
        "transfer_target": TransferTarget(
            name=transfer_to.name,
            same_municipality=transfer_to.pk == case.municipality_id,
            on_platform=municipality_has_af(transfer_to),
        ),
        "on_agenda": case.agenda_items.filter(decision__isnull=True).exists(),
        "open_barrier_work": open_controls.count() + open_interventions.count(),
    }


def case_facts(case: Case, *, merge_into: Case | None = None, transfer_to: Municipality | None = None, regional_agenda: bool = False) -> CaseFacts:
    extra: dict[str, Any] = _transfer_facts(case, transfer_to) if transfer_to is not None else {}
    if regional_agenda:
        extra["regional_agenda"] = True
    return CaseFacts(
        feedback_recorded=case.feedback_at is not None,
        feedback_impossible_reason=case.feedback_impossible_reason,
        open_referrals=_open_referrals(case),
        merge_target=MergeTarget(
            reference=merge_into.reference,
            state=merge_into.state,
            same_municipality=merge_into.municipality_id == case.municipality_id,
            is_self=merge_into.pk == case.pk,
        )
        if merge_into is not None
        else None,
        **extra,
    )


def next_steps(case: Case, *, now: datetime | None = None) -> list[case_lifecycle.Transition[CaseState]]:
    """The steps the case page and the API offer now (table outcomes are taken at the table)."""
    return case_lifecycle.allowed_actions(case.state, case_facts(case), now=now or timezone.now())


def case_transition(
    *,
    actor: Any,
    case: Case,
    action: str,
    reason: str = "",
    now: datetime | None = None,
    decision: TableDecision | None = None,
    merge_into: Case | None = None,
    transfer_to: Municipality | None = None,
    regional_agenda: bool = False,
) -> Case:
    """The one transition service of a case: lock, ask the lifecycle, save, history and audit.

    ``decision``: the context of a table's decision (only `meetings.services.decision_record`
    passes one); without it the step is taken at the case page, where table outcomes are
    refused. ``merge_into``: the case a duplicate merges into (action ``samenvoegen``).
    ``transfer_to``: the municipality the case is handed to (action ``overdragen``).
    ``regional_agenda``: the step is taken from a regional table's agenda (action
    ``agenderen_regionaal``; only `meetings.regional.agenda_bring_case` passes it).
    """
    # A regional table's chair is no AF of the case: the policy decides on the agenda item instead.
    regional = decision is not None and decision.venue is Venue.REGIONALE_TAFEL
    policy.require(actor, "case.regional_decision" if regional else "case.transition", case)
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(case)
        target = _locked(merge_into) if merge_into is not None and action == Action.SAMENVOEGEN else None
        transfer_to = transfer_to if action == Action.OVERDRAGEN else None
        try:
            facts = case_facts(locked, merge_into=target, transfer_to=transfer_to, regional_agenda=regional_agenda)
            new_state = case_lifecycle.apply(locked.state, action, facts, now=now, reason=reason, decision=decision)
        except TransitionNotAllowed as exc:
            raise TransitionRefused.from_domain(exc) from exc
        old_state = locked.state
        locked.state = new_state
        update = ["state", "updated_at"]
        if new_state in case_lifecycle.GROUPS.terminal:
            locked.closed_at = now
            update.append("closed_at")
        elif action == Action.HEROPENEN:
            locked.closed_at = None
            update.append("closed_at")
        if target is not None:
            locked.merged_into = target
            update.append("merged_into")
        note = reason.strip()
        if transfer_to is not None:
            note = f"Overgedragen van {locked.municipality.name} aan {transfer_to.name}: {note}"
            update += _transfer(locked, actor, transfer_to, reason.strip(), old_state, now)
        elif old_state == CaseState.ONTVANGEN and locked.assigned_to_id is None and actor is not None:
            locked.assigned_to = actor
            update.append("assigned_to")
        locked.save(update_fields=update)
        _event(locked, actor, "transition", action=action, from_state=old_state, to_state=new_state, reason=note, at=now)
        if target is not None:
            _event(target, actor, "samengevoegd", reason=f"Dubbel signaal {locked.reference} is hiermee samengevoegd: {reason.strip()}", at=now)
        audit_record(
            actor=actor,
            action=AuditAction.TRANSITION,
            object_type="case",
            object_id=locked.pk,
            object_label=locked.reference,
            fields=["status"],
            reason=f"{old_state} → {new_state}" + (f" ({target.reference})" if target is not None else "")
            + (f" (overgedragen aan {transfer_to.name})" if transfer_to is not None else ""),
        )
    return locked


def _transfer(locked: Case, actor: Any, to: Municipality, reason: str, old_state: str, now: datetime) -> list[str]:
    """Move the (locked) case to the receiving municipality and leave the sender's trace.

    The receiving AF gets the region's first-assessment term from now and nobody is assigned
    yet; the reporter's receipt code stays with the case, so status page and feedback keep working.
    """
    sender = locked.municipality
    CaseTransfer.objects.create(
        case=locked, reference=locked.reference, from_municipality=sender, to_municipality=to, at=now,
        by=actor if actor is not None and actor.is_authenticated else None, reason=reason, from_state=old_state,
    )
    locked.municipality = to
    locked.assigned_to = None
    locked.first_assessment_due = norms_for(to).first_assessment_due(now)
    transaction.on_commit(partial(case_transferred.send, sender=Case, case_id=locked.pk, from_municipality_id=sender.pk))
    return ["municipality", "assigned_to", "first_assessment_due"]


def case_transfer(*, actor: Any, case: Case, to: Municipality, reason: str, now: datetime | None = None) -> Case:
    """Hand the case to the AF of another municipality on the platform (issue 14 item 1)."""
    return case_transition(actor=actor, case=case, action=Action.OVERDRAGEN, reason=reason, now=now, transfer_to=to)


ENRICHMENT_FIELDS = ("company_name", "kvk_number", "address_details", "earlier_sanctions", "enrichment_notes", "location_address")


def case_enrich(*, actor: Any, case: Case, changes: dict[str, str]) -> Case:
    policy.require(actor, "case.enrich", case)
    unknown = set(changes) - set(ENRICHMENT_FIELDS)
    if unknown:
        raise CaseError(f"Deze velden kunnen niet worden verrijkt: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        locked = case_lock_writable(case)
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
        # The history reads the fields by their Dutch names, never the code's (issue 16 item 7).
        labels = [str(Case._meta.get_field(c).verbose_name) for c in changed if c != "address_key"]
        _event(locked, actor, "verrijkt", reason="Gewijzigd: " + ", ".join(labels))
        audit_record(actor=actor, action=AuditAction.UPDATE, object_type="case", object_id=locked.pk, object_label=locked.reference, fields=changed)
    return locked


def case_record_feedback(*, actor: Any, case: Case, message: str = "", impossible_reason: str = "", now: datetime | None = None) -> Case:
    """Record the terugkoppeling to the reporter, or why none is possible."""
    policy.require(actor, "case.feedback", case)
    message, impossible_reason = message.strip(), impossible_reason.strip()
    if bool(message) == bool(impossible_reason):
        raise CaseError("Schrijf een terugkoppeling voor de melder, of leg vast waarom terugkoppeling niet mogelijk is (één van beide).")
    now = now or timezone.now()
    with transaction.atomic():
        locked = case_lock_writable(case)
        if message:
            locked.feedback_message = message
            locked.feedback_at = now
            locked.feedback_impossible_reason = ""
        else:
            locked.feedback_impossible_reason = impossible_reason
        locked.save(update_fields=["feedback_message", "feedback_at", "feedback_impossible_reason", "updated_at"])
        _event(locked, actor, "terugkoppeling", reason="Terugkoppeling vastgelegd" if message else f"Geen terugkoppeling mogelijk: {impossible_reason}", at=now)
        audit_record(actor=actor, action=AuditAction.UPDATE, object_type="case", object_id=locked.pk, object_label=locked.reference, fields=["terugkoppeling"])
    if message:
        transaction.on_commit(lambda: _notify_reporter(locked.pk))
    return locked


def _notify_reporter(case_id: object) -> None:
    """Hook for the reporter notification (public reports add e-mail; issue 3)."""
    from ketenzicht.cases import notifications

    notifications.feedback_recorded(case_id)


def _person(user: Any) -> str:
    """How a colleague is named in the history: by name, never by username."""
    return (user.get_full_name() or user.email or "een collega") if user is not None else "niemand"


def case_assign(*, actor: Any, case: Case, assignee: Any, now: datetime | None = None) -> Case:
    """Make `assignee` (an AF of the case's municipality, or None) the one who handles the case."""
    policy.require(actor, "case.assign", case)
    if assignee is not None and not policy.can(assignee, "case.view", case):
        raise CaseError("Deze collega mag dit signaal niet behandelen.")
    now = now or timezone.now()
    with transaction.atomic():
        locked = case_lock_writable(case)
        if locked.assigned_to_id == (assignee.pk if assignee is not None else None):
            return locked  # a repeated request changes nothing and writes no second history row
        locked.assigned_to = assignee
        locked.save(update_fields=["assigned_to", "updated_at"])
        _event(locked, actor, "toegewezen", reason=f"Toegewezen aan {_person(assignee)}", at=now)
        audit_record(actor=actor, action=AuditAction.UPDATE, object_type="case", object_id=locked.pk, object_label=locked.reference, fields=["behandelaar"])
    return locked


def cases_assign(*, actor: Any, cases: list[Case], assignee: Any, now: datetime | None = None) -> list[Case]:
    """Assign several cases at once (the queue's bulk action): all of them, or none."""
    if not cases:
        raise CaseError("Kies ten minste één signaal.")
    now = now or timezone.now()
    with transaction.atomic():
        done = []
        for case in cases:
            try:
                done.append(case_assign(actor=actor, case=case, assignee=assignee, now=now))
            except CaseError as exc:
                raise CaseError(f"{case.reference}: {exc} Er is niets toegewezen.") from exc
    return done


_YES_NO = {True: "ja", False: "nee"}


def _forms_text(forms: list[str]) -> str:
    labels = dict(ExploitationForm.choices)
    return ", ".join(str(labels[f]) for f in forms)


def case_reclassify(
    *, actor: Any, case: Case, forms: list[str], minor_involved: str, acute_danger: bool, reason: str, now: datetime | None = None
) -> Case:
    """Correct what intake recorded: form(s) of exploitation, minor involved, acute danger.

    A reason is required; the history row says what changed from what to what. Routing, the
    queue and the KPIs read these fields, and the monitor recounts own signals after the commit.
    """
    policy.require(actor, "case.reclassify", case)
    reason = reason.strip()
    if not reason:
        raise CaseError("Geef een reden voor de wijziging.")
    if minor_involved not in TriState.values:
        raise CaseError("Kies of er een minderjarige betrokken is: ja, nee of weet ik niet.")
    chosen = _normalise_forms(forms)
    now = now or timezone.now()
    with transaction.atomic():
        locked = case_lock_writable(case)
        changes = []
        if locked.forms != chosen:
            changes.append(f"vorm: {_forms_text(locked.forms)} → {_forms_text(chosen)}")
        if locked.minor_involved != minor_involved:
            changes.append(f"minderjarige betrokken: {TriState(locked.minor_involved).label} → {TriState(minor_involved).label}")
        if locked.acute_danger != acute_danger:
            changes.append(f"acuut gevaar: {_YES_NO[locked.acute_danger]} → {_YES_NO[acute_danger]}")
        if not changes:
            return locked  # the same values again (a repeated POST): nothing to record
        locked.forms = chosen
        for code in FORM_CODES:
            setattr(locked, f"form_{code}", code in chosen)
        locked.minor_involved = minor_involved
        locked.acute_danger = acute_danger
        locked.save(update_fields=["forms", *(f"form_{c}" for c in FORM_CODES), "minor_involved", "acute_danger", "updated_at"])
        _event(locked, actor, "geherclassificeerd", reason=f"{'; '.join(changes)}. Reden: {reason}", at=now)
        audit_record(actor=actor, action=AuditAction.UPDATE, object_type="case", object_id=locked.pk, object_label=locked.reference,
                     fields=["vorm", "minderjarige", "acuut gevaar"], reason=reason)
        transaction.on_commit(partial(case_reclassified.send, sender=Case, case_id=locked.pk))
    return locked


def reporter_question_ask(*, actor: Any, case: Case, question: str, now: datetime | None = None) -> ReporterQuestion:
    """Ask the anonymous public reporter a question; they read and answer it with their receipt code.

    Asking the same open question twice (a repeated POST) keeps the first.
    """
    policy.require(actor, "case.ask_reporter", case)
    question = question.strip()
    if not question:
        raise CaseError("Schrijf uw vraag aan de melder.")
    if not case.receipt_hash:
        raise CaseError("Deze melder heeft geen ontvangstcode: een vraag kan hij of zij niet lezen. Alleen openbare melders met een ontvangstcode krijgen vragen.")
    now = now or timezone.now()
    with transaction.atomic():
        locked = case_lock_writable(case)
        existing = locked.questions.filter(question=question, answered_at__isnull=True).first()
        if existing is not None:
            return existing
        row = ReporterQuestion.objects.create(case=locked, asked_at=now, asked_by=actor, question=question)
        _event(locked, actor, "vraag aan melder", reason="Vraag aan de melder gesteld", at=now)
        audit_record(actor=actor, action=AuditAction.CREATE, object_type="vraag_aan_melder", object_id=row.pk, object_label=locked.reference, fields=["vraag"])
    return row


def reporter_question_answer(*, case: Case, question_id: int, answer: str, now: datetime | None = None) -> ReporterQuestion:
    """The reporter's answer (public, with the receipt code). One answer per question: a repeat keeps the first."""
    answer = answer.strip()
    if not answer:
        raise CaseError("Schrijf uw antwoord.")
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(case)
        row = ReporterQuestion.objects.select_for_update().filter(pk=question_id, case=locked).first()
        if row is None:
            raise CaseError("Deze vraag hoort niet bij uw melding.")
        if row.answered_at is not None:
            return row
        if case_lifecycle.is_read_only(locked.state):
            raise CaseReadOnly("Deze melding is afgerond; antwoorden kan niet meer.")
        row.answer, row.answered_at = answer, now
        row.save(update_fields=["answer", "answered_at"])
        _event(locked, None, "antwoord van melder", reason="De melder heeft een vraag beantwoord (met ontvangstcode)", at=now)
        locked.save(update_fields=["updated_at"])
        audit_record(actor=None, action=AuditAction.CREATE, object_type="vraag_aan_melder", object_id=row.pk, object_label=locked.reference, fields=["antwoord"])
        transaction.on_commit(partial(reporter_answered.send, sender=ReporterQuestion, question_id=row.pk))
    return row


def subject_add(*, actor: Any, case: Case, subject: SubjectInput) -> Subject:
    policy.require(actor, "case.subjects", case)
    with transaction.atomic():
        locked = case_lock_writable(case)
        row = _subject_create(locked, subject)
        _event(locked, actor, "betrokkene", reason=f"{row.get_role_display()} toegevoegd")
        audit_record(actor=actor, action=AuditAction.CREATE, object_type="subject", object_id=row.pk, object_label=locked.reference, fields=["betrokkene"])
    return row


def attachment_add(*, actor: Any, case: Case, attachment: AttachmentInput) -> Attachment:
    policy.require(actor, "case.attachments", case)
    with transaction.atomic():
        locked = case_lock_writable(case)
        row = _attachment_create(locked, attachment, actor)
        _event(locked, actor, "bijlage", reason="Bijlage toegevoegd")
        audit_record(actor=actor, action=AuditAction.CREATE, object_type="attachment", object_id=row.pk, object_label=locked.reference, fields=["bijlage"])
    return row


# The same text added again to the same report within this time is the same addition (a refreshed
# "dank u" page, a second click): stored once (issue 16 item 7).
ADDITION_REPEAT_WINDOW = timedelta(hours=24)


def case_addition_add(*, case: Case, text: str, now: datetime | None = None) -> ReporterAddition:
    """New information from the reporter (public, with the receipt code) on their report.

    A report merged into another case adds to that case: the reporter follows the case their
    report went into. A closed case takes no additions (the reporter makes a new report).
    Sending the same text again (under the case's lock) returns the addition already stored.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(case)
        if locked.state == CaseState.SAMENGEVOEGD and locked.merged_into_id is not None:
            locked = _locked(Case(pk=locked.merged_into_id))
        if case_lifecycle.is_read_only(locked.state):
            raise CaseReadOnly("Deze melding is afgerond; aanvullen kan niet meer. Heeft u nieuwe informatie? Doe dan een nieuwe melding.")
        repeated = ReporterAddition.objects.filter(case=locked, text=text, at__gte=now - ADDITION_REPEAT_WINDOW).first()
        if repeated is not None:
            return repeated
        row = ReporterAddition.objects.create(case=locked, text=text)
        _event(locked, None, "aanvulling", reason="Aanvulling van de melder (met ontvangstcode)")
        locked.save(update_fields=["updated_at"])
        audit_record(actor=None, action=AuditAction.CREATE, object_type="reporter_addition", object_id=row.pk, object_label=locked.reference, fields=["aanvulling"])
    return row


def case_forward_unrouted(*, actor: Any, case: Case, municipality: Municipality, reason: str = "", now: datetime | None = None) -> Case:
    """Hand a signal from the region's queue (a municipality without an AF) to one with an AF in the same region.

    Only the municipality changes (and with it the work queue); the state stays as it is. The new
    AF gets the region's first-assessment term from the moment of forwarding.
    """
    policy.require(actor, "case.unrouted", case)
    now = now or timezone.now()
    with transaction.atomic():
        locked = Case.objects.select_for_update().select_related("municipality").get(pk=case.pk)
        policy.require(actor, "case.unrouted", locked)
        if case_lifecycle.is_read_only(locked.state):
            raise CaseReadOnly(_read_only_message(locked))
        if municipality.region_id is None or municipality.region_id != locked.municipality.region_id or not has_af(municipality):
            raise CaseError("Kies een gemeente in dezelfde regio die een aandachtsfunctionaris heeft.")
        old_name = locked.municipality.name
        locked.municipality = municipality
        update = ["municipality", "updated_at"]
        if locked.state == CaseState.ONTVANGEN:
            locked.first_assessment_due = norms_for(municipality).first_assessment_due(now)
            update.append("first_assessment_due")
        locked.save(update_fields=update)
        note = f"Doorgestuurd van {old_name} (geen aandachtsfunctionaris) naar {municipality.name}"
        if reason.strip():
            note += f": {reason.strip()}"
        _event(locked, actor, "doorgestuurd", reason=note, at=now)
        audit_record(actor=actor, action=AuditAction.UPDATE, object_type="case", object_id=locked.pk, object_label=locked.reference, fields=["gemeente"], reason=note[:500])
    return locked


def read_uploaded(upload: UploadedFile) -> AttachmentInput:
    data = upload.read(settings.MAX_ATTACHMENT_BYTES + 1)
    return AttachmentInput(name=upload.name or "bijlage", content_type=upload.content_type or "", data=data)
