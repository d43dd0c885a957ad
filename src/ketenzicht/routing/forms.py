"""Forms check syntax only; services check permissions and the rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ketenzicht.accounts.models import Organisation
from ketenzicht.cases.models import ExploitationForm
from ketenzicht.core.forms import DatedForm
from ketenzicht.domain import routekaart
from ketenzicht.routing.models import SendMethod
from ketenzicht.routing.services import MELDCODE_STEPS

YES_NO = [("ja", _("Ja")), ("nee", _("Nee"))]
ROUTE_LABELS = {
    "slachtoffer": _("Een (mogelijk) identificeerbaar slachtoffer"),
    "locatie": _("Een locatie waar mensenhandel wordt vermoed"),
}
ANSWER_PREFIX = "a_"


# --- routekaart --------------------------------------------------------------------------------


def parse_carried_answers(data: Mapping[str, Any]) -> dict[str, Any]:
    """The answers given so far, carried in hidden fields (`a_<sleutel>`); values as the engine wants.

    Anything malformed raises `RoutekaartInputError` (the engine then names it); the page
    starts over rather than guessing.
    """
    answers: dict[str, Any] = {}
    for name in data:
        if not name.startswith(ANSWER_PREFIX):
            continue
        key, value = name[len(ANSWER_PREFIX) :], data.get(name, "")
        if key == routekaart.ROUTE_SLEUTEL:
            answers[key] = value
        elif key == routekaart.LIJST_SLEUTEL:
            answers[key] = [v for v in value.split(",") if v]
        elif value in ("ja", "nee"):
            answers[key] = value == "ja"
        else:
            answers[key] = value  # the engine refuses it, naming the key
    return answers


def carried_fields(answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(name, value) pairs for hidden inputs, the inverse of `parse_carried_answers`."""
    fields = []
    for key, value in answers.items():
        if isinstance(value, bool):
            text = "ja" if value else "nee"
        elif isinstance(value, list | tuple | set | frozenset):
            text = ",".join(sorted(value))
        else:
            text = str(value)
        fields.append((f"{ANSWER_PREFIX}{key}", text))
    return fields


class QuestionForm(forms.Form):
    """One question of the routekaart; the field is named after the answer key."""

    def __init__(self, question: routekaart.Question, *args: Any, initial_value: Any = None, **kwargs: Any) -> None:
        """`initial_value` is the answer given before (when the user changes it), as the engine holds it."""
        super().__init__(*args, **kwargs)
        self.question = question
        if isinstance(initial_value, bool):
            initial_value = "ja" if initial_value else "nee"
        if question.meerkeuze:
            initial_forms = list(initial_value or [])
            labels = dict(ExploitationForm.choices)
            self.fields[question.sleutel] = forms.MultipleChoiceField(
                label=question.vraag,
                help_text=question.toelichting,
                choices=[(o, labels.get(o, o)) for o in question.opties],
                widget=forms.CheckboxSelectMultiple,
                initial=initial_forms,
                error_messages={"required": _("Kies ten minste één vorm; kies 'Onbekend' als het niet duidelijk is.")},
            )
        elif question.sleutel == routekaart.ROUTE_SLEUTEL:
            self.fields[question.sleutel] = forms.ChoiceField(
                label=_("Gaat het om een (mogelijk) identificeerbaar slachtoffer of om een locatie?"),
                choices=[(o, ROUTE_LABELS.get(o, o)) for o in question.opties],
                widget=forms.RadioSelect,
                initial=initial_value,
                error_messages={"required": _("Kies of het om een slachtoffer of om een locatie gaat.")},
            )
        else:
            self.fields[question.sleutel] = forms.ChoiceField(
                label=question.vraag,
                help_text=question.toelichting,
                choices=YES_NO,
                widget=forms.RadioSelect,
                initial=initial_value,
                error_messages={"required": _("Kies ja of nee.")},
            )

    def answer(self) -> Any:
        value = self.cleaned_data[self.question.sleutel]
        if self.question.meerkeuze or self.question.sleutel == routekaart.ROUTE_SLEUTEL:
            return value
        return value == "ja"


# --- meldcode --------------------------------------------------------------------------------


class MeldcodeForm(forms.Form):
    melden = forms.ChoiceField(
        label=_("Is melden bij Veilig Thuis noodzakelijk?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        required=False,
    )
    hulp_organiseren = forms.ChoiceField(
        label=_("Is hulp bieden of organiseren (ook) mogelijk?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        required=False,
    )
    decision_reason = forms.CharField(
        label=_("Onderbouwing van het besluit"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for number, label in MELDCODE_STEPS[:4]:
            self.fields[f"stap_{number}"] = forms.BooleanField(label=_("Stap %(n)s gezet: %(label)s") % {"n": number, "label": label}, required=False)
            self.fields[f"notitie_{number}"] = forms.CharField(
                label=_("Wat is er bij stap %(n)s gedaan?") % {"n": number},
                widget=forms.Textarea(attrs={"rows": 2}),
                required=False,
                max_length=4000,
            )
        # Steps 1-4 first, in order; the decision fields last.
        order = [f"{kind}_{n}" for n, _label in MELDCODE_STEPS[:4] for kind in ("stap", "notitie")]
        self.order_fields([*order, "melden", "hulp_organiseren", "decision_reason"])

    def step_fields(self) -> list[tuple[int, str, forms.BoundField, forms.BoundField]]:
        return [(n, label, self[f"stap_{n}"], self[f"notitie_{n}"]) for n, label in MELDCODE_STEPS[:4]]

    def decision_fields(self) -> list[forms.BoundField]:
        return [self["melden"], self["hulp_organiseren"], self["decision_reason"]]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if bool(data.get("melden")) != bool(data.get("hulp_organiseren")):
            raise forms.ValidationError(_("Beantwoord bij stap 5 beide vragen, of nog geen van beide."))
        return data


# --- referrals -------------------------------------------------------------------------------

OVERRIDE_CHOICES = [
    ("", _("Geen uitzondering: alleen wat het deelprofiel toestaat")),
    ("toestemming", _("Het slachtoffer heeft toestemming gegeven")),
    ("vitaal_belang", _("Er is een vitaal belang van het slachtoffer")),
]


class ReferralForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Ketenpartner"), queryset=Organisation.objects.none(), empty_label=_("Kies een ketenpartner"),
        error_messages={"required": _("Kies de ketenpartner waarnaar u doorverwijst.")},
    )
    question = forms.CharField(
        label=_("Vraag aan de partner"),
        help_text=_("Wat vraagt u van de partner, en waarom deze partner? Noem hier geen namen."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        error_messages={"required": _("Schrijf wat u van de partner vraagt.")},
    )
    override = forms.ChoiceField(
        label=_("Uitzondering op het deelprofiel"),
        help_text=_("Alleen voor partners die zonder uitzondering geen persoonsgegevens krijgen (zoals de zorgcoördinator)."),
        choices=OVERRIDE_CHOICES,
        widget=forms.RadioSelect,
        required=False,
        initial="",
    )
    override_reason = forms.CharField(
        label=_("Verantwoording van de uitzondering"),
        help_text=_("Verplicht bij toestemming of vitaal belang: wie gaf toestemming en wanneer, of waarom is er een vitaal belang?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )

    def __init__(self, *args: Any, recipients: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        field.queryset = Organisation.objects.filter(pk__in=[o.pk for o in recipients]).order_by("name")  # type: ignore[attr-defined]
        field.label_from_instance = lambda o: f"{o.name} ({o.get_kind_display()}{'' if o.on_platform else ', niet in Ketenzicht'})"  # type: ignore[attr-defined]


class RecordSendForm(DatedForm):
    method = forms.ChoiceField(
        label=_("Hoe is het verwijsdocument verstuurd?"),
        choices=[(v, label) for v, label in SendMethod.choices if v != SendMethod.PLATFORM],
        widget=forms.RadioSelect,
        error_messages={"required": _("Kies hoe het verwijsdocument is verstuurd.")},
    )
    sent_on = forms.DateTimeField(
        label=_("Wanneer is het verstuurd?"),
        help_text=_("Datum en tijd, bijvoorbeeld 24-11-2026 14:30."),
        input_formats=["%d-%m-%Y %H:%M", "%Y-%m-%dT%H:%M", "%d-%m-%Y", "%Y-%m-%d"],
        error_messages={"required": _("Vul in wanneer het verwijsdocument is verstuurd."), "invalid": _("Vul een datum in als 24-11-2026 14:30.")},
    )
    note = forms.CharField(label=_("Notitie (bijv. aan wie)"), required=False, max_length=300)

    def clean_sent_on(self) -> Any:
        value = self.cleaned_data["sent_on"]
        if value > self.now:
            raise forms.ValidationError(_("De datum ligt in de toekomst; vul de werkelijke verzenddatum in."))
        return value


RESPONSE_CHOICES = [
    ("ontvangen", _("Ontvangst bevestigen")),
    ("accepteren", _("Accepteren")),
    ("afwijzen", _("Afwijzen (reden verplicht)")),
    ("tussentijds_terugkoppelen", _("Tussentijdse terugkoppeling")),
    ("afronden", _("Afronden met terugkoppeling")),
]


class WithdrawForm(forms.Form):
    """The AF withdraws a referral that is no longer needed; the partner is told."""

    action = forms.CharField(widget=forms.HiddenInput, initial="intrekken")
    reason = forms.CharField(
        label=_("Waarom trekt u de doorverwijzing in?"),
        help_text=_("De partner leest dit. Noem geen gegevens die de partner niet al heeft."),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": _("Geef aan waarom de doorverwijzing wordt ingetrokken; de partner leest dit.")},
    )
    told_how = forms.CharField(
        label=_("Hoe heeft u de partner ingelicht?"),
        help_text=_("Alleen voor een partner die niet in Ketenzicht werkt, bijv. 'gebeld met de zorgcoördinator'."),
        required=False,
        max_length=300,
    )


class ResponseForm(forms.Form):
    action = forms.ChoiceField(choices=RESPONSE_CHOICES, widget=forms.HiddenInput, error_messages={"required": _("Kies een stap.")})
    text = forms.CharField(label=_("Toelichting"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000)


class RecordResponseForm(forms.Form):
    """The AF records the answer of a partner that does not work in Ketenzicht."""

    action = forms.ChoiceField(
        label=_("Wat heeft de partner laten weten?"),
        choices=RESPONSE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Kies wat de partner heeft laten weten.")},
    )
    text = forms.CharField(
        label=_("Reden of terugkoppeling van de partner"),
        help_text=_("Verplicht bij afwijzen en afronden."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )
