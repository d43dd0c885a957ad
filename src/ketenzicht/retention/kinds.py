"""Each kind of record the purge knows: which records are due, and how one is removed.

`candidates(now)` yields what is due with the rule that makes it due; `remove(pk, now)` removes
one record inside the caller's transaction (locked, checked again, related rows handled so no
PROTECT stops it) and returns the file names to delete after the commit. Order matters: cases
first (they detach their agenda items, controls and interventions), then what was attached.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from django.db.models import Case as DbCase
from django.db.models import Count, DateField, Exists, F, Max, OuterRef, Q, Subquery, Sum, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from ketenzicht.barriers.models import (
    BibobScreening,
    EffectReminderSent,
    IntegralControl,
    Intervention,
)
from ketenzicht.cases.models import Case, CaseEvent
from ketenzicht.domain.lifecycles import bibob as bibob_lifecycle
from ketenzicht.domain.lifecycles import case as case_lifecycle
from ketenzicht.domain.lifecycles import control as control_lifecycle
from ketenzicht.domain.lifecycles import intervention as intervention_lifecycle
from ketenzicht.domain.lifecycles import referral as referral_lifecycle
from ketenzicht.domain.retention import Rule, case_variant, cutoff
from ketenzicht.meetings.models import (
    ActionItem,
    AgendaItem,
    Decision,
    MinutesCorrection,
    ReminderSent,
    Sitting,
)
from ketenzicht.monitor.models import Import, Registration
from ketenzicht.retention.table import retention_table
from ketenzicht.routing.models import Referral, ReferralState

REDACTED = "[verwijderd na afloop van de bewaartermijn]"


@dataclass(frozen=True)
class Candidate:
    kind: str
    pk: Any
    reference: str
    rule: Rule


class NotDue(Exception):
    """The record changed since it was selected (reopened, already gone): leave it."""


class Kind(Protocol):
    name: str

    def candidates(self, now: datetime) -> Iterator[Candidate]: ...

    def remove(self, pk: Any, now: datetime) -> list[str]: ...


def _rule(kind: str, variant: str = "") -> Rule:
    return retention_table().rule(kind, variant)


def _terminal(machine: Any) -> list[str]:
    """A lifecycle's terminal grouping as stored values (domain/lifecycles)."""
    return machine.values(machine.groups.terminal)


class Blocked(Exception):
    """The record cannot go yet; the message (Dutch) says why. Reported, the run goes on."""


class CaseKind:
    """Closed cases by outcome: the decision the case was closed after (`case_variant`).

    "Closed" is the case lifecycle's terminal grouping. A duplicate merged into another case
    (`samengevoegd`) lives and dies with that case: it is due when the case it went into is, and
    is removed just before it, in its own transaction with its own tombstone.
    """

    name = "case"

    @staticmethod
    def _closed_from() -> Subquery:
        terminal = _terminal(case_lifecycle.MACHINE)
        closing = CaseEvent.objects.filter(case=OuterRef("pk"), kind="transition", to_state__in=terminal).order_by("-at", "-id")
        return Subquery(closing.values("from_state")[:1])

    def candidates(self, now: datetime) -> Iterator[Candidate]:
        table = retention_table()
        shortest = max((r for (k, _), r in table.rules.items() if k == self.name), key=lambda r: cutoff(now, r))
        finished = Referral.objects.filter(case=OuterRef("pk"), state=ReferralState.AFGEROND)
        rows = (
            Case.objects.filter(state__in=_terminal(case_lifecycle.MACHINE), merged_into__isnull=True, closed_at__lt=cutoff(now, shortest))
            .annotate(closed_from=self._closed_from(), referred=Exists(finished))
            .order_by("closed_at")
            .values_list("pk", "reference", "closed_at", "closed_from", "referred")
        )
        duplicates: dict[Any, list[tuple[Any, str]]] | None = None
        for pk, reference, closed_at, closed_from, referred in rows.iterator():
            rule = table.rule(self.name, case_variant(closed_from or "", referred=referred))
            if closed_at >= cutoff(now, rule):
                continue
            if duplicates is None:
                duplicates = self._duplicates()
            for dup_pk, dup_reference in self._merged_into(pk, duplicates):
                yield Candidate(self.name, dup_pk, dup_reference, rule)
            yield Candidate(self.name, pk, reference, rule)

    @staticmethod
    def _duplicates() -> dict[Any, list[tuple[Any, str]]]:
        found: dict[Any, list[tuple[Any, str]]] = {}
        for target, pk, reference in Case.objects.filter(merged_into__isnull=False).values_list("merged_into_id", "pk", "reference").iterator():
            found.setdefault(target, []).append((pk, reference))
        return found

    def _merged_into(self, pk: Any, duplicates: dict[Any, list[tuple[Any, str]]]) -> list[tuple[Any, str]]:
        """The duplicates merged into `pk`, directly or through another duplicate; deepest first."""
        result: list[tuple[Any, str]] = []
        for dup in duplicates.get(pk, []):
            result += self._merged_into(dup[0], duplicates)
            result.append(dup)
        return result

    def remove(self, pk: Any, now: datetime) -> list[str]:
        terminal = _terminal(case_lifecycle.MACHINE)
        case = Case.objects.select_for_update().filter(pk=pk, state__in=terminal).first()
        if case is None:
            raise NotDue
        root = case
        while root.merged_into_id is not None:
            root = Case.objects.only("state", "merged_into").get(pk=root.merged_into_id)
        if root.state not in terminal:
            raise NotDue  # the case it was merged into was reopened
        if case.merged_duplicates.exists():
            raise Blocked("er zijn nog samengevoegde signalen die eerst weg moeten")
        files = list(case.attachments.values_list("file", flat=True))
        # Referrals (and their snapshots and history) go with their case.
        Referral.objects.filter(case=case).delete()
        # The minutes keep the item and the decision, without the personal data of this case.
        items = AgendaItem.objects.filter(case=case)
        Decision.objects.filter(item__in=items).update(rationale=REDACTED, info_needed="", info_from="")
        ActionItem.objects.filter(decision__item__in=items).update(description=REDACTED)
        MinutesCorrection.objects.filter(item__in=items).update(text=REDACTED)
        items.update(case=None, case_reference=case.reference)
        # Controls and interventions have their own terms; they lose the link, not their record.
        IntegralControl.objects.filter(case=case).update(case=None)
        Intervention.objects.filter(case=case).update(case=None)
        ReminderSent.objects.filter(subject_type="signaal", subject_id=str(case.pk)).delete()
        case.delete()
        return [name for name in files if name]


class ReferralSnapshotKind:
    """What was shared with a partner, once the referral is finished (the referral lifecycle's
    terminal grouping) and its term has passed.

    The content goes; the referral keeps which groups were shared on which basis. A sent
    referral always has a snapshot (routing's `referral_sent_has_snapshot`), so it is emptied
    (`{}`), not removed.
    """

    name = "referral_snapshot"
    EMPTIED: dict[str, Any] = {}

    def candidates(self, now: datetime) -> Iterator[Candidate]:
        rule = _rule(self.name)
        rows = (
            Referral.objects.filter(snapshot__isnull=False, state__in=_terminal(referral_lifecycle.MACHINE))
            .exclude(snapshot=self.EMPTIED)
            .annotate(last=Coalesce(Subquery(self._last_event()), F("created_at")))
            .filter(last__lt=cutoff(now, rule))
            .values_list("pk", "case_reference")
        )
        for pk, reference in rows.iterator():
            yield Candidate(self.name, pk, reference, rule)

    @staticmethod
    def _last_event() -> Any:
        from ketenzicht.routing.models import ReferralEvent

        return ReferralEvent.objects.filter(referral=OuterRef("pk")).order_by("-at").values("at")[:1]

    def remove(self, pk: Any, now: datetime) -> list[str]:
        if not Referral.objects.filter(pk=pk, snapshot__isnull=False).exclude(snapshot=self.EMPTIED).update(snapshot=self.EMPTIED):
            raise NotDue
        return []


class SittingKind:
    """A meeting's sitting with agenda, decisions and minutes, once no item holds a case."""

    name = "sitting"

    def candidates(self, now: datetime) -> Iterator[Candidate]:
        rule = _rule(self.name)
        rows = (
            Sitting.objects.filter(date__lt=timezone.localdate(cutoff(now, rule)))
            .annotate(live=Count("items", filter=Q(items__case__isnull=False)))
            .filter(live=0)
            .values_list("pk", "meeting__name", "date")
        )
        for pk, meeting, day in rows.iterator():
            yield Candidate(self.name, pk, f"{meeting} {day:%d-%m-%Y}", rule)

    def remove(self, pk: Any, now: datetime) -> list[str]:
        sitting = Sitting.objects.select_for_update().filter(pk=pk).first()
        if sitting is None or sitting.items.filter(case__isnull=False).exists():
            raise NotDue
        items = AgendaItem.objects.filter(sitting=sitting)
        decisions = Decision.objects.filter(item__in=items)
        Intervention.objects.filter(agenda_item__in=items).update(agenda_item=None)
        Intervention.objects.filter(loo_decision__in=decisions).update(loo_decision=None)
        actions = ActionItem.objects.filter(decision__in=decisions)
        ReminderSent.objects.filter(subject_type="actiepunt", subject_id__in=[str(a) for a in actions.values_list("pk", flat=True)]).delete()
        ReminderSent.objects.filter(subject_type="besluit", subject_id__in=[str(d) for d in decisions.values_list("pk", flat=True)]).delete()
        actions.delete()
        MinutesCorrection.objects.filter(sitting=sitting).delete()
        decisions.delete()
        items.delete()
        sitting.delete()
        return []


def _last_step(machine: Any, *fallbacks: Any) -> Any:
    """The day a control or intervention was finished: for one in a terminal state of its
    lifecycle, its last step into that state; for one still open (its case is gone, so nobody
    works it from there), its last step of any kind. Rows from before the histories (issue 18)
    fall back to their own dates."""
    terminal = _terminal(machine)
    finished = TruncDate(Max("events__at", filter=Q(events__to_state__in=terminal)))
    touched = TruncDate(Max("events__at"))
    return DbCase(
        When(status__in=terminal, then=Coalesce(finished, *fallbacks)),
        default=Coalesce(touched, *fallbacks),
        output_field=DateField(),
    )


class IntegralControlKind:
    """Controls whose case is gone (purged), counted from when they were finished."""

    name = "integral_control"

    def candidates(self, now: datetime) -> Iterator[Candidate]:
        rule = _rule(self.name)
        rows = (
            # A control that never ran, and has no history, counts from its planned date.
            IntegralControl.objects.filter(case__isnull=True)
            .annotate(done=_last_step(control_lifecycle.MACHINE, "executed_on", "planned_on"))
            .filter(done__lt=timezone.localdate(cutoff(now, rule)))
            .values_list("pk", flat=True)
        )
        for pk in rows.iterator():
            yield Candidate(self.name, pk, f"controle {str(pk)[:8]}", rule)

    def remove(self, pk: Any, now: datetime) -> list[str]:
        control = IntegralControl.objects.select_for_update().filter(pk=pk, case__isnull=True).first()
        if control is None:
            raise NotDue
        Intervention.objects.filter(control=control).update(control=None)
        control.delete()
        return []


class InterventionKind:
    """Interventions whose case is gone (purged, or never had one), counted from when they were finished."""

    name = "intervention"

    def candidates(self, now: datetime) -> Iterator[Candidate]:
        rule = _rule(self.name)
        limit = cutoff(now, rule)
        # Without history: from the end, else from the start, else from the proposal.
        last = _last_step(intervention_lifecycle.MACHINE, "ended_on", "started_on", TruncDate("effect_recorded_at"), TruncDate("proposed_at"))
        rows = Intervention.objects.filter(case__isnull=True).annotate(last=last).filter(last__lt=timezone.localdate(limit))
        for pk in rows.values_list("pk", flat=True).iterator():
            yield Candidate(self.name, pk, f"interventie {str(pk)[:8]}", rule)

    def remove(self, pk: Any, now: datetime) -> list[str]:
        intervention = Intervention.objects.select_for_update().filter(pk=pk, case__isnull=True).first()
        if intervention is None:
            raise NotDue
        intervention.delete()
        return []


class BibobKind:
    """Decided screenings (every state outside the Bibob lifecycle's `open` grouping), from the decision."""

    name = "bibob_screening"

    @staticmethod
    def _decided() -> list[str]:
        machine = bibob_lifecycle.MACHINE
        return [state.value for state in machine.states if state not in machine.groups.open]

    def candidates(self, now: datetime) -> Iterator[Candidate]:
        table = retention_table()
        rows = BibobScreening.objects.filter(decision__in=self._decided(), decided_on__isnull=False).values_list("pk", "decision", "decided_on")
        for pk, decision, decided_on in rows.iterator():
            rule = table.rule(self.name, decision)
            if decided_on < timezone.localdate(cutoff(now, rule)):
                yield Candidate(self.name, pk, f"Bibob {str(pk)[:8]}", rule)

    def remove(self, pk: Any, now: datetime) -> list[str]:
        screening = BibobScreening.objects.select_for_update().filter(pk=pk, decision__in=self._decided()).first()
        if screening is None:
            raise NotDue
        screening.delete()
        return []


class MonitorRegistrationKind:
    """Record-level registrations of one import become aggregate rows: counts stay, records go."""

    name = "monitor_registration"
    GROUP = ("source_id", "period_month", "municipality_id", "unit", "form", "age_group", "sector")

    def candidates(self, now: datetime) -> Iterator[Candidate]:
        rule = _rule(self.name)
        rows = (
            Registration.objects.filter(source_import__uploaded_at__lt=cutoff(now, rule))
            .exclude(record_id="")
            .values_list("source_import_id", flat=True)
            .distinct()
        )
        for pk in rows.iterator():
            yield Candidate(self.name, pk, f"aanlevering {str(pk)[:8]}", rule)

    def remove(self, pk: Any, now: datetime) -> list[str]:
        # Lock the import (a withdrawal or a linkage run works on the same rows).
        list(Import.objects.select_for_update().filter(pk=pk).values_list("pk", flat=True))
        records = Registration.objects.filter(source_import_id=pk).exclude(record_id="")
        groups = list(records.values(*self.GROUP).annotate(total=Sum("n")).order_by(*self.GROUP))
        if not groups:
            raise NotDue
        records.delete()
        Registration.objects.bulk_create(
            [Registration(source_import_id=pk, record_id="", n=g.pop("total"), **g) for g in groups]
        )
        return []


class NotificationKind:
    """Sent reminders (the outbox) past their term, in batches (they are many and small)."""

    name = "notification"
    BATCH = 500

    def candidates(self, now: datetime) -> Iterator[Candidate]:
        rule = _rule(self.name)
        limit = cutoff(now, rule)
        for model, label in ((ReminderSent, "herinnering"), (EffectReminderSent, "effectherinnering")):
            pks = list(model.objects.filter(sent_at__lt=limit).order_by("pk").values_list("pk", flat=True))
            for start in range(0, len(pks), self.BATCH):
                batch = pks[start : start + self.BATCH]
                yield Candidate(self.name, (model, tuple(batch)), f"{len(batch)} × {label}", rule)

    def remove(self, pk: Any, now: datetime) -> list[str]:
        model, pks = pk
        if not model.objects.filter(pk__in=pks).delete()[0]:
            raise NotDue
        return []


KINDS: tuple[Kind, ...] = (
    CaseKind(),
    ReferralSnapshotKind(),
    SittingKind(),
    InterventionKind(),
    IntegralControlKind(),
    BibobKind(),
    MonitorRegistrationKind(),
    NotificationKind(),
)
