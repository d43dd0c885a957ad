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

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate

from ketenzicht.barriers.models import (
    BibobDecision,
    BibobScreening,
    EffectReminderSent,
    IntegralControl,
    Intervention,
)
from ketenzicht.cases.models import Case, CaseEvent
from ketenzicht.domain.case_states import CaseState
from ketenzicht.domain.retention import Rule, cutoff
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


class CaseKind:
    """Closed cases by outcome: the state the case was in when it was closed."""

    name = "case"

    @staticmethod
    def _outcome() -> Subquery:
        closing = CaseEvent.objects.filter(case=OuterRef("pk"), kind="transition", to_state=CaseState.AFGESLOTEN).order_by("-at", "-id")
        return Subquery(closing.values("from_state")[:1])

    def candidates(self, now: datetime) -> Iterator[Candidate]:
        table = retention_table()
        shortest = max((r for (k, _), r in table.rules.items() if k == self.name), key=lambda r: cutoff(now, r))
        rows = (
            Case.objects.filter(state=CaseState.AFGESLOTEN, closed_at__lt=cutoff(now, shortest))
            .annotate(outcome=self._outcome())
            .order_by("closed_at")
            .values_list("pk", "reference", "closed_at", "outcome")
        )
        for pk, reference, closed_at, outcome in rows.iterator():
            rule = table.rule(self.name, outcome or "")
            if closed_at < cutoff(now, rule):
                yield Candidate(self.name, pk, reference, rule)

    def remove(self, pk: Any, now: datetime) -> list[str]:
        case = Case.objects.select_for_update().filter(pk=pk, state=CaseState.AFGESLOTEN).first()
        if case is None:
            raise NotDue
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
    """What was shared with a partner, once the referral is finished and its term has passed."""

    name = "referral_snapshot"

    def candidates(self, now: datetime) -> Iterator[Candidate]:
        rule = _rule(self.name)
        rows = (
            Referral.objects.filter(snapshot__isnull=False, state__in=[ReferralState.AFGEROND, ReferralState.AFGEWEZEN])
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
        if not Referral.objects.filter(pk=pk, snapshot__isnull=False).update(snapshot=None):
            raise NotDue
        return []


class SittingKind:
    """A meeting's sitting with agenda, decisions and minutes, once no item holds a case."""

    name = "sitting"

    def candidates(self, now: datetime) -> Iterator[Candidate]:
        rule = _rule(self.name)
        rows = (
            Sitting.objects.filter(date__lt=cutoff(now, rule).date())
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


class IntegralControlKind:
    name = "integral_control"

    def candidates(self, now: datetime) -> Iterator[Candidate]:
        rule = _rule(self.name)
        rows = (
            # Counted from the execution, or for a control that never ran, from its planned date.
            IntegralControl.objects.filter(case__isnull=True)
            .annotate(done=Coalesce("executed_on", "planned_on"))
            .filter(done__lt=cutoff(now, rule).date())
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
    name = "intervention"

    def candidates(self, now: datetime) -> Iterator[Candidate]:
        rule = _rule(self.name)
        limit = cutoff(now, rule)
        # Counted from the end, else from the start, else from the proposal (never started).
        last = Coalesce("ended_on", "started_on", TruncDate("effect_recorded_at"), TruncDate("proposed_at"))
        rows = Intervention.objects.filter(case__isnull=True).annotate(last=last).filter(last__lt=limit.date())
        for pk in rows.values_list("pk", flat=True).iterator():
            yield Candidate(self.name, pk, f"interventie {str(pk)[:8]}", rule)

    def remove(self, pk: Any, now: datetime) -> list[str]:
        intervention = Intervention.objects.select_for_update().filter(pk=pk, case__isnull=True).first()
        if intervention is None:
            raise NotDue
        intervention.delete()
        return []


class BibobKind:
    name = "bibob_screening"

    def candidates(self, now: datetime) -> Iterator[Candidate]:
        table = retention_table()
        rows = BibobScreening.objects.exclude(decision=BibobDecision.LOPEND).filter(decided_on__isnull=False).values_list("pk", "decision", "decided_on")
        for pk, decision, decided_on in rows.iterator():
            rule = table.rule(self.name, decision)
            if decided_on < cutoff(now, rule).date():
                yield Candidate(self.name, pk, f"Bibob {str(pk)[:8]}", rule)

    def remove(self, pk: Any, now: datetime) -> list[str]:
        screening = BibobScreening.objects.select_for_update().filter(pk=pk).exclude(decision=BibobDecision.LOPEND).first()
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
