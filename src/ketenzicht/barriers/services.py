"""Every change to barrier models, interventions, controls, the Bibob register and campaigns.

Each function checks the policy, runs in one transaction, locks what it changes and writes the
audit row in that same transaction. Controls, interventions and Bibob screenings each have one
transition service (`control_transition`, `intervention_transition`, `bibob_transition`) that
asks their lifecycle (`domain/lifecycles/`), saves, and writes the history row and the audit row.
An intervention decided at the LOO moves its case only through the table's decision
(``meetings.services.decision_record``); nothing here writes ``Case.state``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from ketenzicht.accounts.models import (
    District,
    Municipality,
    Organisation,
    OrganisationKind,
    Region,
    Role,
    User,
)
from ketenzicht.audit.models import AuditAction
from ketenzicht.audit.services import audit_record
from ketenzicht.barriers.models import (
    Answer,
    AwarenessCampaign,
    Barrier,
    BarrierForm,
    BarrierModel,
    BarrierStep,
    BibobEvent,
    BibobScreening,
    ControlAddress,
    ControlEvent,
    ControlTrigger,
    EffectCategory,
    Instrument,
    IntegralControl,
    Intervention,
    InterventionEvent,
)
from ketenzicht.cases import services as case_services
from ketenzicht.cases.models import Case
from ketenzicht.core import policy
from ketenzicht.core.errors import ServiceError, TransitionRefused
from ketenzicht.domain.lifecycles import bibob as bibob_lifecycle
from ketenzicht.domain.lifecycles import case as case_lifecycle
from ketenzicht.domain.lifecycles import control as control_lifecycle
from ketenzicht.domain.lifecycles import intervention as intervention_lifecycle
from ketenzicht.domain.lifecycles.base import Machine, TransitionNotAllowed
from ketenzicht.domain.lifecycles.case import Action, CaseState
from ketenzicht.domain.matching import address_key, kvk_key
from ketenzicht.norms.selectors import norms_for
from ketenzicht.notifications.models import Kind
from ketenzicht.notifications.services import notify

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "barriers"


class BarrierError(ServiceError):
    """A change that cannot be made; the message says what to fix, in Dutch."""


def address_hash(key: str) -> str:
    """A stable, non-reversible handle for an address, for URLs (no address in a URL)."""
    return hashlib.sha256(f"adres:{key}".encode()).hexdigest()[:32] if key else ""


# --- barrier models --------------------------------------------------------------------------
def _validate_spec(spec: dict[str, Any], name: str) -> None:
    if spec.get("vorm") not in BarrierForm.values:
        raise BarrierError(f"{name}: onbekende vorm {spec.get('vorm')!r}.")
    if not isinstance(spec.get("jaar"), int):
        raise BarrierError(f"{name}: geef het jaar als getal.")
    codes = set()
    for step in spec.get("stappen") or []:
        if step["code"] in codes:
            raise BarrierError(f"{name}: stap {step['code']} staat twee keer in het model.")
        codes.add(step["code"])
        for barrier in step.get("barrieres") or []:
            if barrier["instrument"] not in Instrument.values:
                raise BarrierError(f"{name}: onbekend instrument {barrier['instrument']!r} bij stap {step['code']}.")
    if not codes:
        raise BarrierError(f"{name}: een barrièremodel heeft ten minste één stap.")


def load_shipped_models(directory: Path | None = None) -> int:
    """Load (or refresh) the shipped barrier models, one file per form and year. Idempotent.

    A shipped version that a region has copied is still refreshed; the region's copy is not.
    """
    directory = directory or DATA_DIR
    count = 0
    for path in sorted(directory.glob("*uitbuiting-[0-9]*.yaml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        _validate_spec(spec, path.name)
        with transaction.atomic():
            model, _ = BarrierModel.objects.update_or_create(
                form=spec["vorm"], year=spec["jaar"], region=None,
                defaults={"name": spec["naam"], "source": spec.get("bron", "")},
            )
            model.steps.all().delete()
            for position, step in enumerate(spec["stappen"], start=1):
                row = BarrierStep.objects.create(model=model, position=position, code=step["code"], name=step["naam"])
                for index, barrier in enumerate(step.get("barrieres") or [], start=1):
                    Barrier.objects.create(
                        step=row, position=index, instrument=barrier["instrument"],
                        organisation_kind=barrier["organisatie"], legal_basis=barrier.get("grondslag", ""),
                        description=barrier.get("omschrijving", ""),
                    )
        count += 1
    return count


def barrier_model_for(region: Region | None, form: str, year: int) -> BarrierModel | None:
    """The model in force for a region in a year: the region's own version for that year, else
    the newest earlier version of the region or the shipped model, whichever is newer."""
    candidates = BarrierModel.objects.filter(form=form, year__lte=year)
    own = candidates.filter(region=region).order_by("-year").first() if region is not None else None
    shipped = candidates.filter(region__isnull=True).order_by("-year").first()
    if own is not None and (shipped is None or own.year >= shipped.year):
        return own
    return shipped


def _copy_for_region(source: BarrierModel, region: Region, year: int) -> BarrierModel:
    copy = BarrierModel.objects.create(
        form=source.form, year=year, region=region, name=source.name, source=source.source, based_on=source
    )
    for step in source.steps.prefetch_related("barriers"):
        new_step = BarrierStep.objects.create(model=copy, position=step.position, code=step.code, name=step.name)
        Barrier.objects.bulk_create(
            Barrier(step=new_step, position=b.position, instrument=b.instrument, organisation_kind=b.organisation_kind,
                    legal_basis=b.legal_basis, description=b.description)
            for b in step.barriers.all()
        )
    return copy


def barrier_model_own_copy(*, actor: Any, region: Region, form: str, year: int) -> BarrierModel:
    """The region's editable version for ``year``; made from the model in force if missing."""
    policy.require(actor, "barriers.model_edit", region)
    existing = BarrierModel.objects.filter(form=form, year=year, region=region).first()
    if existing is not None:
        return existing
    source = barrier_model_for(region, form, year)
    if source is None:
        raise BarrierError("Er is geen barrièremodel voor deze vorm om te bewerken; laad eerst de landelijke modellen.")
    try:
        with transaction.atomic():
            copy = _copy_for_region(source, region, year)
            audit_record(actor=actor, action=AuditAction.CREATE, object_type="barrier_model", object_id=copy.pk,
                         object_label=f"{form} {year}", fields=["barrièremodel"], reason=f"kopie van versie {source.year}")
    except IntegrityError:  # a colleague made the copy at the same moment
        copy = BarrierModel.objects.get(form=form, year=year, region=region)
    return copy


def barrier_add(
    *, actor: Any, region: Region, form: str, year: int, step_code: str, instrument: str,
    organisation_kind: str, legal_basis: str = "", description: str = "",
) -> Barrier:
    if instrument not in Instrument.values:
        raise BarrierError("Kies een instrument uit de lijst.")
    if not organisation_kind.strip():
        raise BarrierError("Geef aan welke organisatie deze barrière opwerpt.")
    model = barrier_model_own_copy(actor=actor, region=region, form=form, year=year)
    with transaction.atomic():
        BarrierModel.objects.select_for_update().get(pk=model.pk)
        step = model.steps.filter(code=step_code).first()
        if step is None:
            raise BarrierError("Deze stap bestaat niet in het barrièremodel; kies een stap uit de lijst.")
        position = (step.barriers.count() or 0) + 1
        barrier = Barrier.objects.create(step=step, position=position, instrument=instrument,
                                         organisation_kind=organisation_kind.strip(), legal_basis=legal_basis.strip(),
                                         description=description.strip())
        model.save(update_fields=["updated_at"])
        audit_record(actor=actor, action=AuditAction.UPDATE, object_type="barrier_model", object_id=model.pk,
                     object_label=f"{form} {year}", fields=["barrière"], reason=f"toegevoegd bij {step_code}")
    return barrier


def barrier_remove(*, actor: Any, region: Region, form: str, year: int, barrier_id: int) -> None:
    model = barrier_model_own_copy(actor=actor, region=region, form=form, year=year)
    with transaction.atomic():
        BarrierModel.objects.select_for_update().get(pk=model.pk)
        # The id may be of the version the copy was made from: remove the matching copy row.
        barrier = Barrier.objects.filter(pk=barrier_id).select_related("step").first()
        if barrier is None:
            raise BarrierError("Deze barrière bestaat niet (meer).")
        if barrier.step.model_id != model.pk:
            barrier = Barrier.objects.filter(
                step__model=model, step__code=barrier.step.code, instrument=barrier.instrument,
                organisation_kind=barrier.organisation_kind, position=barrier.position,
            ).first()
            if barrier is None:
                raise BarrierError("Deze barrière staat niet in de versie van uw regio.")
        barrier.delete()
        audit_record(actor=actor, action=AuditAction.UPDATE, object_type="barrier_model", object_id=model.pk,
                     object_label=f"{form} {year}", fields=["barrière"], reason="verwijderd")


# --- integral controls -----------------------------------------------------------------------
@dataclass
class ControlInput:
    municipality: Municipality
    trigger: str
    planned_on: date
    organisations: list[Organisation] = field(default_factory=list)
    case: Case | None = None
    trigger_note: str = ""
    location_address: str = ""
    company_name: str = ""
    kvk_number: str = ""


def _check_case(case: Case | None, municipality: Municipality) -> None:
    if case is None:
        return
    if case.municipality_id != municipality.pk:
        raise BarrierError("Het signaal hoort bij een andere gemeente.")
    if case.state == CaseState.ONTVANGEN:
        raise BarrierError("Neem het signaal eerst in behandeling.")
    if not case_lifecycle.MACHINE.is_workable(case.state):
        raise BarrierError("Bij een afgesloten of overgedragen signaal kan niets meer worden gepland.")


def control_plan(*, actor: Any, data: ControlInput) -> IntegralControl:
    probe = IntegralControl(municipality=data.municipality)
    policy.require(actor, "barriers.work", probe)
    if data.trigger not in ControlTrigger.values:
        raise BarrierError("Kies de aanleiding: een signaal of een risicoanalyse.")
    if data.trigger == ControlTrigger.SIGNAAL and data.case is None:
        raise BarrierError("Een controle naar aanleiding van een signaal hoort bij dat signaal; plan hem vanaf de signaalpagina.")
    if data.trigger == ControlTrigger.RISICOANALYSE and not data.trigger_note.strip():
        raise BarrierError("Noem de risicoanalyse waarop de controle is gebaseerd.")
    address = data.location_address.strip() or (data.case.location_address if data.case else "")
    company = data.company_name.strip() or (data.case.company_name if data.case else "")
    if not address and not company:
        raise BarrierError("Geef een adres of een bedrijf op waar de controle plaatsvindt.")
    if len(data.organisations) < 2:
        raise BarrierError("Een integrale controle doet u met ten minste twee organisaties; kies de deelnemers.")
    _check_case(data.case, data.municipality)
    key = address_key(address)
    now = timezone.now()
    with transaction.atomic():
        if data.case is not None:
            _check_case(case_services.case_lock_writable(data.case), data.municipality)
        control = IntegralControl.objects.create(
            municipality=data.municipality, case=data.case, trigger=data.trigger, trigger_note=data.trigger_note.strip(),
            location_address=address, address_key=key, address_hash=address_hash(key), company_name=company,
            kvk_number=kvk_key(data.kvk_number) if data.kvk_number else (data.case.kvk_number if data.case else ""),
            planned_on=data.planned_on, created_by=actor,
        )
        control.organisations.set(data.organisations)
        _history(ControlEvent, control=control, actor=actor, action="plannen", from_state="", to_state=control.status, note=data.trigger_note.strip(), now=now)
        audit_record(actor=actor, action=AuditAction.CREATE, object_type="integral_control", object_id=control.pk,
                     object_label=data.case.reference if data.case else "", fields=["integrale_controle"])
    return control


def _history(model: Any, *, actor: Any, action: str, from_state: str, to_state: str, note: str, now: datetime, **owner: Any) -> None:
    authenticated = actor is not None and actor.is_authenticated
    model.objects.create(
        at=now, actor=actor if authenticated else None, actor_label=actor.get_username() if authenticated else "systeem",
        action=action, from_state=from_state, to_state=to_state, note=note, **owner,
    )


def _apply(machine: Machine[Any], state: str, action: str, facts: Any, *, now: datetime, note: str) -> str:
    try:
        return machine.apply(state, action, facts, now=now, reason=note).value
    except TransitionNotAllowed as exc:
        raise TransitionRefused.from_domain(exc) from exc


# `control_transition(action=RECORD_FINDINGS)`: the step follows from the state under the lock, so two
# municipalities of a regional control recording at the same moment both succeed.
RECORD_FINDINGS = "bevindingen"


def control_transition(
    *, actor: Any, control: IntegralControl, action: str, note: str = "", now: datetime | None = None,
    changes: dict[str, Any] | None = None, address: ControlAddress | None = None,
    address_changes: dict[str, Any] | None = None,
) -> IntegralControl:
    """The one transition service of an integral control (record findings, add to them, cancel).

    With `address` (of a regional control) the AF of that address's municipality records the
    findings there: the address row is written under the same lock, history and audit row, and
    the control's `executed_on` is the earliest date any municipality recorded.
    """
    if address is None:
        policy.require(actor, "barriers.work", control)
    else:
        policy.require(actor, "barriers.address_findings", address)
    now = now or timezone.now()
    changes = dict(changes or {})
    with transaction.atomic():
        locked = IntegralControl.objects.select_for_update().get(pk=control.pk)
        before = locked.status
        if action == RECORD_FINDINGS:
            done = before == control_lifecycle.ControlState.UITGEVOERD
            action = control_lifecycle.Action.BEVINDINGEN_AANVULLEN if done else control_lifecycle.Action.UITVOEREN
        executed_on = changes.get("executed_on", locked.executed_on)
        row = None
        if address is not None:
            row = ControlAddress.objects.select_for_update().select_related("municipality").get(pk=address.pk, control_id=locked.pk)
            executed_on = (address_changes or {}).get("executed_on")
            if executed_on is not None and (locked.executed_on is None or executed_on < locked.executed_on):
                changes["executed_on"] = executed_on
        facts = control_lifecycle.ControlFacts(executed_on=executed_on)
        target = _apply(control_lifecycle.MACHINE, before, action, facts, now=now, note=note)
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.status = target
        locked.save(update_fields=[*changes, "status"])
        where = ""
        if row is not None:
            for name, value in (address_changes or {}).items():
                setattr(row, name, value)
            row.recorded_by, row.recorded_at = actor, now
            row.save(update_fields=[*(address_changes or {}), "recorded_by", "recorded_at"])
            # The history is read by every participant: it names the municipality, never the findings.
            where = f"gemeente {row.municipality.name}"
            note = note or f"Bevindingen vastgelegd door {where}"
        _history(ControlEvent, control=locked, actor=actor, action=action, from_state=before, to_state=target, note=note.strip(), now=now)
        audit_record(actor=actor, action=AuditAction.UPDATE, object_type="integral_control", object_id=locked.pk,
                     fields=["bevindingen"] if changes or row is not None else ["status"],
                     reason=f"{before} → {target}" + (f"; adres in {where}" if where else ""))
    return locked


def _check_answers(answers: dict[str, str], questions: list[str] | None) -> None:
    valid = set(questions) if questions is not None else None
    for code, answer in answers.items():
        if valid is not None and code not in valid:
            raise BarrierError(f"Onbekende vraag {code!r} in de checklist.")
        if answer not in Answer.values:
            raise BarrierError("Beantwoord elke vraag met ja, nee of niet vastgesteld.")


def control_record_findings(
    *, actor: Any, control: IntegralControl, executed_on: date, answers: dict[str, str], notes: str = "",
    questions: list[str] | None = None, now: datetime | None = None,
) -> IntegralControl:
    """Record what the control found: the factsheet checklist plus free text; marks it executed."""
    policy.require(actor, "barriers.work", control)
    if control.regional:
        raise BarrierError("Bij een regionale controle legt elke gemeente de bevindingen vast bij haar eigen adressen.")
    _check_answers(answers, questions)
    changes = {"findings": dict(answers), "findings_notes": notes.strip(), "executed_on": executed_on}
    return control_transition(actor=actor, control=control, action=RECORD_FINDINGS, now=now, changes=changes)


def control_address_findings(
    *, actor: Any, address: ControlAddress, executed_on: date, answers: dict[str, str], notes: str = "",
    questions: list[str] | None = None, now: datetime | None = None,
) -> ControlAddress:
    """The AF of the address's municipality records what the regional control found there.

    The first municipality's findings execute the control (`uitvoeren`); later ones add to it
    (`bevindingen_aanvullen`), both through `control_transition`. Recording again replaces that
    address's findings; the earlier step stays in the history.
    """
    policy.require(actor, "barriers.address_findings", address)
    _check_answers(answers, questions)
    changes = {"findings": dict(answers), "findings_notes": notes.strip(), "executed_on": executed_on}
    control_transition(actor=actor, control=address.control, action=RECORD_FINDINGS, now=now, address=address, address_changes=changes)
    return ControlAddress.objects.get(pk=address.pk)


# --- the regional control team (issue 14 item 4) ----------------------------------------------
@dataclass
class RegionalControlInput:
    region: Region
    planned_on: date
    trigger_note: str
    addresses: list[tuple[Municipality | None, str]]  # (municipality, address) per row; empty rows skipped
    organisations: list[Organisation] = field(default_factory=list)
    form: str = ""


def _regional_addresses(data: RegionalControlInput) -> list[tuple[Municipality, str, str]]:
    rows: list[tuple[Municipality, str, str]] = []
    for municipality, text in data.addresses:
        text = (text or "").strip()
        if not text and municipality is None:
            continue
        if municipality is None or not text:
            raise BarrierError("Geef bij elk adres ook de gemeente op waarin het ligt, en bij elke gemeente het adres.")
        if municipality.region_id != data.region.pk:
            raise BarrierError(f"{municipality.name} hoort niet bij uw regio; een regionale controle omvat alleen adressen "
                               "in gemeenten van uw eigen regio.")
        if not Organisation.objects.filter(municipality=municipality, kind=OrganisationKind.GEMEENTE, on_platform=True).exists():
            raise BarrierError(f"De gemeente {municipality.name} werkt nog niet in Ketenzicht: daar kan niemand de bevindingen "
                               "vastleggen. Neem dit adres niet op, of stem de controle met die gemeente buiten Ketenzicht af.")
        key = address_key(text)
        if any(key == seen for _m, _t, seen in rows):
            raise BarrierError(f"Het adres {text} staat twee keer in de controle.")
        rows.append((municipality, text, key))
    if not rows:
        raise BarrierError("Geef de adressen van de controle op, elk met de gemeente waarin het ligt.")
    if len({m.pk for m, _t, _k in rows}) < 2:
        raise BarrierError("Een regionale controle omvat adressen in ten minste twee gemeenten. Voor één gemeente plant de "
                           "aandachtsfunctionaris van die gemeente de controle.")
    return rows


def regional_control_plan(*, actor: Any, data: RegionalControlInput, now: datetime | None = None) -> IntegralControl:
    """The ketenregisseur plans a control by the regional control team: addresses in at least two
    municipalities of the own region, at least two organisations. The municipality of the first
    address leads (`IntegralControl.municipality`); nothing is saved when any part is refused."""
    policy.require(actor, "barriers.regional_plan", data.region)
    if not data.trigger_note.strip():
        raise BarrierError("Noem de risicoanalyse of de aanleiding waarop de regionale controle is gebaseerd.")
    if data.form and data.form not in BarrierForm.values:
        raise BarrierError("Kies een vorm van uitbuiting uit de lijst.")
    rows = _regional_addresses(data)
    partners = [o for o in dict.fromkeys(data.organisations) if o.kind != OrganisationKind.GEMEENTE]
    if len(partners) < 2:
        raise BarrierError("Kies ten minste twee deelnemende organisaties naast de gemeenten (bijvoorbeeld de politie en "
                           "de Arbeidsinspectie).")
    for org in partners:
        if org.region_id is not None and org.region_id != data.region.pk:
            raise BarrierError(f"{org.name} hoort niet bij uw regio; kies de deelnemers uit uw eigen regio.")
    # The municipalities of the addresses always take part.
    municipal = Organisation.objects.filter(municipality__in=[m for m, _t, _k in rows], kind=OrganisationKind.GEMEENTE, on_platform=True)
    organisations = [*partners, *municipal]
    now = now or timezone.now()
    names = list(dict.fromkeys(m.name for m, _t, _k in rows))
    with transaction.atomic():
        control = IntegralControl.objects.create(
            municipality=rows[0][0], regional=True, form=data.form, trigger=ControlTrigger.RISICOANALYSE,
            trigger_note=data.trigger_note.strip()[:300], planned_on=data.planned_on, created_by=actor,
        )
        control.organisations.set(organisations)
        ControlAddress.objects.bulk_create(
            ControlAddress(control=control, municipality=m, location_address=text[:200], address_key=key, address_hash=address_hash(key))
            for m, text, key in rows
        )
        _history(ControlEvent, control=control, actor=actor, action="plannen", from_state="", to_state=control.status,
                 note=f"Regionale controle in {', '.join(names)}", now=now)
        audit_record(actor=actor, action=AuditAction.CREATE, object_type="integral_control", object_id=control.pk,
                     fields=["integrale_controle", "adressen"], reason=f"regionale controle in {', '.join(names)}")
        transaction.on_commit(lambda: _notify_regional_control(control.pk))
    return control


def _notify_regional_control(control_id: object) -> None:
    """Tell the AFs of every municipality with an address: they record the findings there. The
    title names the planned date only, never an address."""
    control = IntegralControl.objects.filter(pk=control_id).first()
    if control is None:
        return
    municipalities = set(ControlAddress.objects.filter(control=control).values_list("municipality_id", flat=True))
    afs = User.objects.filter(
        is_active=True, organisation__municipality_id__in=municipalities, roles__role=Role.AANDACHTSFUNCTIONARIS,
    ).distinct()
    planned = f" op {control.planned_on:%d-%m-%Y}" if control.planned_on else ""
    notify(
        recipients=afs, kind=Kind.REGIONALE_CONTROLE,
        title=f"Regionale controle gepland{planned} met een adres in uw gemeente",
        link=reverse("barriers:control", kwargs={"control_id": control.pk}), key=f"regionalecontrole:{control.pk}",
    )


def control_cancel(*, actor: Any, control: IntegralControl, reason: str, now: datetime | None = None) -> IntegralControl:
    """A planned control does not take place; the reason stays in its history."""
    return control_transition(actor=actor, control=control, action="annuleren", note=reason, now=now)


# --- interventions ---------------------------------------------------------------------------
@dataclass
class InterventionInput:
    municipality: Municipality
    form: str
    step_code: str
    instrument: str
    organisation: Organisation
    case: Case | None = None
    control: IntegralControl | None = None
    agenda_item: Any = None
    location_address: str = ""
    company_name: str = ""
    kvk_number: str = ""
    description: str = ""
    started_on: date | None = None


def effect_due_for(started_on: date, municipality: Any) -> date:
    """When the effect should be recorded: the region's follow-up term (norms), from the start."""
    return norms_for(municipality).effect_due(started_on)


def intervention_create(*, actor: Any, data: InterventionInput, now: datetime | None = None) -> Intervention:
    probe = Intervention(municipality=data.municipality)
    now = now or timezone.now()
    today = timezone.localdate(now)
    policy.require(actor, "barriers.work", probe)
    if data.control is not None and data.control.municipality_id != data.municipality.pk:
        raise BarrierError("De controle hoort bij een andere gemeente.")
    case = data.case or (data.control.case if data.control is not None else None)
    _check_case(case, data.municipality)
    if data.instrument not in Instrument.values:
        raise BarrierError("Kies een instrument uit de lijst.")
    if data.form not in BarrierForm.values:
        raise BarrierError("Kies de vorm van uitbuiting.")
    model = barrier_model_for(data.municipality.region, data.form, (data.started_on or today).year)
    if model is None or not model.steps.filter(code=data.step_code).exists():
        raise BarrierError("Kies een stap uit het barrièremodel van deze vorm van uitbuiting.")
    address = data.location_address.strip() or (data.control.location_address if data.control else "") or (case.location_address if case else "")
    company = data.company_name.strip() or (data.control.company_name if data.control else "") or (case.company_name if case else "")
    kvk = kvk_key(data.kvk_number) if data.kvk_number else ((data.control.kvk_number if data.control else "") or (case.kvk_number if case else ""))
    if case is None and not address and not kvk:
        raise BarrierError("Koppel de interventie aan een signaal, een adres of een bedrijf (KvK-nummer).")
    if data.started_on is not None and data.started_on > today:
        raise BarrierError("De datum van inzet ligt in de toekomst; leg de interventie vast als voorstel zonder datum.")
    if data.agenda_item is not None:
        if case is None or data.agenda_item.case_id != case.pk:
            raise BarrierError("Het agendapunt gaat over een ander signaal.")
        if data.agenda_item.sitting.meeting.venue != "loo":
            raise BarrierError("Alleen het Lokaal Overleg Ondermijning besluit over interventies.")
    key = address_key(address)
    with transaction.atomic():
        if case is not None:
            _check_case(case_services.case_lock_writable(case), data.municipality)
        intervention = Intervention.objects.create(
            municipality=data.municipality, case=case, control=data.control, agenda_item=data.agenda_item,
            location_address=address, address_key=key, address_hash=address_hash(key), company_name=company,
            kvk_number=kvk, form=data.form, step_code=data.step_code, instrument=data.instrument,
            organisation=data.organisation, description=data.description.strip(), created_by=actor,
        )
        _history(InterventionEvent, intervention=intervention, actor=actor, action="voorstellen", from_state="",
                 to_state=intervention.status, note=data.description.strip(), now=now)
        audit_record(actor=actor, action=AuditAction.CREATE, object_type="intervention", object_id=intervention.pk,
                     object_label=case.reference if case else "", fields=["interventie"], reason=data.instrument)
        if data.started_on is not None:
            # Already taken (a municipality's own measure): the start is its own step in the history.
            intervention = intervention_start(actor=actor, intervention=intervention, started_on=data.started_on, now=now)
    return intervention


def intervention_transition(
    *, actor: Any, intervention: Intervention, action: str, note: str = "", now: datetime | None = None,
    changes: dict[str, Any] | None = None,
) -> Intervention:
    """The one transition service of an intervention (decide, start, record effect, drop)."""
    policy.require(actor, "barriers.work", intervention)
    now = now or timezone.now()
    changes = changes or {}
    with transaction.atomic():
        locked = Intervention.objects.select_for_update(of=("self",)).select_related("municipality").get(pk=intervention.pk)
        before = locked.status
        facts = intervention_lifecycle.InterventionFacts(
            started_on=changes.get("started_on", locked.started_on), ended_on=changes.get("ended_on", locked.ended_on)
        )
        target = _apply(intervention_lifecycle.MACHINE, before, action, facts, now=now, note=note)
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.status = target
        locked.save(update_fields=[*changes, "status"])
        _history(InterventionEvent, intervention=locked, actor=actor, action=action, from_state=before, to_state=target, note=note.strip(), now=now)
        audit_record(actor=actor, action=AuditAction.UPDATE, object_type="intervention", object_id=locked.pk,
                     object_label=locked.case.reference if locked.case_id else "", fields=[action], reason=f"{before} → {target}")
    return locked


def intervention_decide(*, actor: Any, intervention: Intervention, rationale: str, now: datetime | None = None) -> Intervention:
    """Decide to intervene; on a LOO agenda item the table's decision also moves the case.

    When the intervention sits on a LOO agenda item without a decision, the meetings service
    records the table's decision (`loo_interventie`, which moves the case). Without an agenda
    item the case does not move: a LOO outcome is taken at the LOO, never from this page.
    """
    policy.require(actor, "barriers.work", intervention)
    if not rationale.strip():
        raise BarrierError("Schrijf de onderbouwing van het besluit.")
    from ketenzicht.meetings import services as meeting_services
    from ketenzicht.meetings.models import Decision

    now = now or timezone.now()
    with transaction.atomic():
        locked = Intervention.objects.select_for_update(of=("self",)).select_related("case", "agenda_item").get(pk=intervention.pk)
        decision = None
        if locked.agenda_item is not None and locked.status == intervention_lifecycle.InterventionState.VOORGESTELD \
                and not Decision.objects.filter(item=locked.agenda_item).exists():
            decision = meeting_services.decision_record(
                actor=actor, item=locked.agenda_item, action=Action.LOO_INTERVENTIE.value, rationale=rationale, now=now,
            )
        return intervention_transition(actor=actor, intervention=locked, action="besluiten", note=rationale, now=now,
                                       changes={"decided_at": now, "loo_decision": decision})


def intervention_start(*, actor: Any, intervention: Intervention, started_on: date, now: datetime | None = None) -> Intervention:
    changes = {"started_on": started_on, "effect_due": effect_due_for(started_on, intervention.municipality)}
    return intervention_transition(actor=actor, intervention=intervention, action="inzetten", now=now, changes=changes)


def intervention_record_effect(
    *, actor: Any, intervention: Intervention, category: str, text: str, ended_on: date | None = None, now: datetime | None = None,
) -> Intervention:
    """Record the effect after the fact (003 doelstelling 5); once recorded it is kept as history."""
    if category not in EffectCategory.values:
        raise BarrierError("Kies wat het effect van de interventie was.")
    if not text.strip():
        raise BarrierError("Beschrijf het effect: wat is er veranderd, en hoe weet u dat?")
    if intervention.status in (intervention_lifecycle.InterventionState.VOORGESTELD, intervention_lifecycle.InterventionState.BESLOTEN):
        raise BarrierError("Leg eerst vast wanneer de interventie is ingezet; pas daarna is er een effect.")
    if intervention.status == intervention_lifecycle.InterventionState.EFFECT_VASTGELEGD:
        raise BarrierError("Het effect is al vastgelegd.")
    now = now or timezone.now()
    changes = {"effect_category": category, "effect_text": text.strip(), "ended_on": ended_on, "effect_recorded_at": now}
    return intervention_transition(actor=actor, intervention=intervention, action="effect_vastleggen", note=text, now=now, changes=changes)


def intervention_drop(*, actor: Any, intervention: Intervention, reason: str, now: datetime | None = None) -> Intervention:
    """The intervention does not go ahead; why is kept (white spots of the barrier model)."""
    return intervention_transition(actor=actor, intervention=intervention, action="afzien", note=reason, now=now,
                                   changes={"dropped_reason": reason.strip()})


# --- Bibob register --------------------------------------------------------------------------
BIBOB_FIELDS = ("application_kind", "applicant", "kvk_number", "location_address", "received_on", "risk",
                "lbb_advice_requested", "lbb_requested_on", "decision", "decided_on", "notes")


def _bibob_check(values: dict[str, Any]) -> None:
    if values.get("lbb_requested_on") and not values.get("lbb_advice_requested"):
        raise BarrierError("Een datum van de adviesaanvraag hoort alleen bij een gevraagd advies van het Landelijk Bureau Bibob.")


# Fields a person edits on a screening; the decision and its date change only through a transition.
BIBOB_DATA_FIELDS = tuple(f for f in BIBOB_FIELDS if f not in ("decision", "decided_on"))


def bibob_create(*, actor: Any, municipality: Municipality, values: dict[str, Any], now: datetime | None = None) -> BibobScreening:
    policy.require(actor, "bibob.register", BibobScreening(municipality=municipality))
    _bibob_check(values)
    now = now or timezone.now()
    data = {k: v for k, v in values.items() if k in BIBOB_DATA_FIELDS}
    if data.get("kvk_number"):
        data["kvk_number"] = kvk_key(data["kvk_number"])
    with transaction.atomic():
        row = BibobScreening.objects.create(municipality=municipality, created_by=actor, **data)
        _history(BibobEvent, screening=row, actor=actor, action="registreren", from_state="", to_state=row.decision, note="", now=now)
        audit_record(actor=actor, action=AuditAction.CREATE, object_type="bibob", object_id=row.pk, fields=["bibob"])
        decision = values.get("decision") or bibob_lifecycle.BibobState.LOPEND
        if decision != bibob_lifecycle.BibobState.LOPEND:
            row = bibob_decide(actor=actor, screening=row, decision=decision, decided_on=values.get("decided_on"),
                               note=values.get("decision_note", ""), now=now)
    return row


def bibob_transition(
    *, actor: Any, screening: BibobScreening, action: str, decided_on: date | None = None, note: str = "",
    now: datetime | None = None,
) -> BibobScreening:
    """The one transition service of a Bibob screening: a decision, a withdrawal, a reconsideration."""
    policy.require(actor, "bibob.register", screening)
    now = now or timezone.now()
    with transaction.atomic():
        locked = BibobScreening.objects.select_for_update().get(pk=screening.pk)
        before = locked.decision
        facts = bibob_lifecycle.BibobFacts(received_on=locked.received_on, decided_on=decided_on)
        target = _apply(bibob_lifecycle.MACHINE, before, action, facts, now=now, note=note)
        locked.decision = target
        locked.decided_on = None if target == bibob_lifecycle.BibobState.LOPEND else decided_on
        locked.save(update_fields=["decision", "decided_on"])
        _history(BibobEvent, screening=locked, actor=actor, action=action, from_state=before, to_state=target, note=note.strip(), now=now)
        audit_record(actor=actor, action=AuditAction.UPDATE, object_type="bibob", object_id=locked.pk, fields=["besluit"], reason=f"{before} → {target}")
    return locked


def bibob_decide(
    *, actor: Any, screening: BibobScreening, decision: str, decided_on: date | None, note: str = "", now: datetime | None = None,
) -> BibobScreening:
    """Move the screening to ``decision`` through the step that leads there."""
    try:
        action = bibob_lifecycle.ACTION_FOR_DECISION[bibob_lifecycle.BibobState(decision)]
    except ValueError:
        raise BarrierError("Kies een besluit uit de lijst.") from None
    return bibob_transition(actor=actor, screening=screening, action=action, decided_on=decided_on, note=note, now=now)


def bibob_update(*, actor: Any, screening: BibobScreening, values: dict[str, Any], now: datetime | None = None) -> BibobScreening:
    """Edit the register entry; a changed decision goes through `bibob_transition` (never silently)."""
    policy.require(actor, "bibob.register", screening)
    _bibob_check(values)
    with transaction.atomic():
        locked = BibobScreening.objects.select_for_update().get(pk=screening.pk)
        if bibob_lifecycle.MACHINE.is_read_only(locked.decision):
            raise BarrierError("Deze Bibob-toets is afgesloten en wordt niet meer gewijzigd.")
        changed = []
        for name in BIBOB_DATA_FIELDS:
            if name in values and getattr(locked, name) != values[name]:
                setattr(locked, name, values[name])
                changed.append(name)
        if changed:
            locked.save(update_fields=changed)
            audit_record(actor=actor, action=AuditAction.UPDATE, object_type="bibob", object_id=locked.pk, fields=changed)
        decision = values.get("decision")
        if decision is not None and decision != locked.decision:
            locked = bibob_decide(actor=actor, screening=locked, decision=decision, decided_on=values.get("decided_on"),
                                  note=values.get("decision_note", ""), now=now)
        elif values.get("decided_on") and values["decided_on"] != locked.decided_on and locked.decision != bibob_lifecycle.BibobState.LOPEND:
            raise BarrierError("De datum van een besluit wijzigt u door het besluit te heroverwegen en opnieuw te nemen.")
    return locked


# --- awareness campaigns ---------------------------------------------------------------------
def campaign_create(*, actor: Any, district: District, title: str, held_on: date, audience: str = "") -> AwarenessCampaign:
    policy.require(actor, "barriers.campaign", district)
    if not title.strip():
        raise BarrierError("Geef de campagne een titel.")
    org = actor.organisation
    with transaction.atomic():
        row = AwarenessCampaign.objects.create(
            district=district, municipality=org.municipality if org is not None else None, title=title.strip(),
            audience=audience.strip(), held_on=held_on, created_by=actor,
        )
        audit_record(actor=actor, action=AuditAction.CREATE, object_type="campaign", object_id=row.pk, fields=["campagne"])
    return row
