"""Forms for barriers. They check syntax; services check permission, state and consistency."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ketenzicht.accounts.models import Municipality, Organisation
from ketenzicht.barriers.models import (
    Answer,
    ApplicationKind,
    BarrierForm,
    BibobDecision,
    BibobRisk,
    ControlTrigger,
    EffectCategory,
    Instrument,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
KVK = {"regex": r"^\s*\d{8}\s*$", "error_messages": {"invalid": _("Een KvK-nummer heeft 8 cijfers.")}}


class ControlForm(forms.Form):
    planned_on = forms.DateField(label=_("Datum van de controle"), widget=DATE)
    trigger = forms.ChoiceField(label=_("Aanleiding"), choices=ControlTrigger.choices, widget=forms.RadioSelect)
    trigger_note = forms.CharField(label=_("Toelichting aanleiding"), required=False, max_length=300,
                                   help_text=_("Bij een risicoanalyse: welke (bijvoorbeeld het RIEC-onderzoek risico's op arbeidsuitbuiting)."))
    location_address = forms.CharField(label=_("Adres"), required=False, max_length=200,
                                       help_text=_("Leeg laten: het adres van het signaal."))
    company_name = forms.CharField(label=_("Bedrijfsnaam"), required=False, max_length=200)
    kvk_number = forms.RegexField(label=_("KvK-nummer"), required=False, **KVK)
    organisations = forms.ModelMultipleChoiceField(
        label=_("Deelnemende organisaties"), queryset=Organisation.objects.none(), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Kies de organisaties die deelnemen.")},
    )

    def __init__(self, *args: Any, region_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        qs = Organisation.objects.exclude(kind="gemeente")
        if region_id is not None:
            qs = qs.filter(region_id=region_id)
        self.fields["organisations"].queryset = qs.order_by("name")


class RegionalControlForm(forms.Form):
    """The ketenregisseur's plan of a regional control: addresses in several municipalities."""

    ROWS = 6

    planned_on = forms.DateField(label=_("Datum van de controle"), widget=DATE)
    trigger_note = forms.CharField(label=_("Aanleiding"), max_length=300,
                                   help_text=_("De risicoanalyse of de aanleiding, bijvoorbeeld het RIEC-beeld van een uitzendbureau met panden in meer gemeenten."),
                                   error_messages={"required": _("Noem de risicoanalyse of de aanleiding.")})
    form = forms.ChoiceField(label=_("Vorm van uitbuiting"), required=False, choices=[("", _("Niet bekend")), *BarrierForm.choices],
                             help_text=_("Een controle op arbeidsuitbuiting met de Arbeidsinspectie telt mee in de KPI van elk district met een adres."))
    organisations = forms.ModelMultipleChoiceField(
        label=_("Deelnemende organisaties naast de gemeenten"), queryset=Organisation.objects.none(), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Kies de organisaties die deelnemen.")},
    )

    def __init__(self, *args: Any, region_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = Organisation.objects.filter(region_id=region_id).exclude(kind="gemeente").order_by("name")
        municipalities = Municipality.objects.filter(region_id=region_id).order_by("name")
        for i in range(1, self.ROWS + 1):
            self.fields[f"gemeente_{i}"] = forms.ModelChoiceField(
                label=_("Gemeente van adres %(n)s") % {"n": i}, queryset=municipalities, required=False, empty_label=_("Kies een gemeente"),
                error_messages={"invalid_choice": _("Kies een gemeente uit de lijst.")},
            )
            self.fields[f"adres_{i}"] = forms.CharField(label=_("Adres %(n)s") % {"n": i}, required=False, max_length=200)

    def addresses(self) -> list[tuple[Any, str]]:
        return [(self.cleaned_data.get(f"gemeente_{i}"), self.cleaned_data.get(f"adres_{i}") or "") for i in range(1, self.ROWS + 1)]


class FindingsForm(forms.Form):
    executed_on = forms.DateField(label=_("Uitgevoerd op"), widget=DATE)
    notes = forms.CharField(label=_("Overige bevindingen"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000,
                            help_text=_("Geen namen van aangetroffen personen; die horen in het dossier bij de ketenpartner."))

    def __init__(self, *args: Any, questions: tuple[tuple[str, str], ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, question in questions:
            self.fields[f"q_{code}"] = forms.ChoiceField(
                label=question, choices=Answer.choices, widget=forms.RadioSelect, initial=Answer.ONBEKEND,
                error_messages={"required": _("Beantwoord deze vraag (ja, nee of niet vastgesteld).")},
            )
        self.order_fields(["executed_on", *[f"q_{c}" for c, _q in questions], "notes"])

    def answers(self) -> dict[str, str]:
        return {name[2:]: value for name, value in self.cleaned_data.items() if name.startswith("q_")}


class InterventionForm(forms.Form):
    form = forms.ChoiceField(label=_("Vorm van uitbuiting"), choices=BarrierForm.choices)
    step_code = forms.ChoiceField(label=_("Stap in het barrièremodel"), choices=())
    instrument = forms.ChoiceField(label=_("Instrument"), choices=Instrument.choices)
    organisation = forms.ModelChoiceField(label=_("Uitvoerende organisatie"), queryset=Organisation.objects.none(),
                                          error_messages={"required": _("Kies de organisatie die de interventie uitvoert.")})
    description = forms.CharField(label=_("Omschrijving"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    location_address = forms.CharField(label=_("Adres"), required=False, max_length=200,
                                       help_text=_("Leeg laten: het adres van het signaal of de controle."))
    kvk_number = forms.RegexField(label=_("KvK-nummer"), required=False, **KVK)
    started_on = forms.DateField(label=_("Ingezet op"), required=False, widget=DATE,
                                 help_text=_("Leeg laten als de interventie nog een voorstel is (bijvoorbeeld voor het LOO)."))

    def __init__(self, *args: Any, steps: list[tuple[str, str]] | None = None, organisations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["step_code"].choices = steps or []
        self.fields["organisation"].queryset = organisations if organisations is not None else Organisation.objects.none()


class EffectForm(forms.Form):
    category = forms.ChoiceField(label=_("Effect"), choices=EffectCategory.choices, widget=forms.RadioSelect,
                                 error_messages={"required": _("Kies wat het effect van de interventie was.")})
    text = forms.CharField(label=_("Toelichting op het effect"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000,
                           error_messages={"required": _("Beschrijf het effect: wat is er veranderd, en hoe weet u dat?")})
    ended_on = forms.DateField(label=_("Afgerond op"), required=False, widget=DATE)


class StartForm(forms.Form):
    started_on = forms.DateField(label=_("Ingezet op"), widget=DATE)


class ReasonForm(forms.Form):
    """A step that needs only a reason: cancelling a control, dropping an intervention."""

    reason = forms.CharField(label=_("Waarom?"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
                             error_messages={"required": _("Geef aan waarom.")})


class DecideForm(forms.Form):
    rationale = forms.CharField(label=_("Onderbouwing van het LOO-besluit"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
                                error_messages={"required": _("Schrijf de onderbouwing van het besluit.")})


class BibobForm(forms.Form):
    application_kind = forms.ChoiceField(label=_("Soort aanvraag"), choices=ApplicationKind.choices)
    applicant = forms.CharField(label=_("Aanvrager (bedrijf)"), max_length=200)
    kvk_number = forms.RegexField(label=_("KvK-nummer"), required=False, **KVK)
    location_address = forms.CharField(label=_("Adres"), required=False, max_length=200)
    received_on = forms.DateField(label=_("Aanvraag ontvangen op"), widget=DATE)
    risk = forms.ChoiceField(label=_("Risicobeoordeling"), choices=BibobRisk.choices)
    lbb_advice_requested = forms.BooleanField(label=_("Advies gevraagd aan het Landelijk Bureau Bibob"), required=False)
    lbb_requested_on = forms.DateField(label=_("Advies gevraagd op"), required=False, widget=DATE)
    decision = forms.ChoiceField(label=_("Besluit"), choices=BibobDecision.choices)
    decided_on = forms.DateField(label=_("Besluit op"), required=False, widget=DATE)
    decision_note = forms.CharField(
        label=_("Toelichting bij het besluit"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Verplicht als u een besluit heroverweegt of een vergunning intrekt."),
    )
    notes = forms.CharField(label=_("Aantekeningen"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("Titel van de campagne"), max_length=200)
    audience = forms.CharField(label=_("Doelgroep"), required=False, max_length=200)
    held_on = forms.DateField(label=_("Datum"), widget=DATE)


class BarrierAddForm(forms.Form):
    step_code = forms.ChoiceField(label=_("Stap"), choices=())
    instrument = forms.ChoiceField(label=_("Instrument"), choices=Instrument.choices)
    organisation_kind = forms.CharField(label=_("Verantwoordelijke organisatie"), max_length=40)
    legal_basis = forms.CharField(label=_("Grondslag"), required=False, max_length=200)
    description = forms.CharField(label=_("Omschrijving"), required=False, max_length=300)

    def __init__(self, *args: Any, steps: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["step_code"].choices = steps or []


class WorkContactRequestForm(forms.Form):
    """Ask about an open control or intervention elsewhere in the region (issue 14 item 2)."""

    target = forms.ChoiceField(choices=[("controle", "controle"), ("interventie", "interventie")], widget=forms.HiddenInput)
    hit = forms.UUIDField(widget=forms.HiddenInput)
    question = forms.CharField(label=_("Uw vraag (optioneel)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class WorkContactAnswerForm(forms.Form):
    share = forms.ChoiceField(
        label=_("Uw besluit"), widget=forms.RadioSelect,
        choices=[("ja", _("Delen")), ("nee", _("Niet delen"))],
        error_messages={"required": _("Kies of u deelt.")},
    )
    groups = forms.MultipleChoiceField(label=_("Wat deelt u?"), required=False, widget=forms.CheckboxSelectMultiple, choices=[])
    summary = forms.CharField(label=_("Samenvatting voor de andere aandachtsfunctionaris"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    decline_reason = forms.CharField(label=_("Of: waarom u niet deelt"), required=False, max_length=300)

    def __init__(self, *args: object, **kwargs: object) -> None:
        from ketenzicht.barriers.contact import GROUP_LABELS, shareable_groups

        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["groups"].choices = [(g, GROUP_LABELS[g]) for g in shareable_groups()]
