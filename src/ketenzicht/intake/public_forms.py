"""Forms of the public report path: plain language, everything optional that can be."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ketenzicht.accounts.models import Municipality
from ketenzicht.core.forms import DatedForm
from ketenzicht.core.uploads import IMAGES_ONLY, validate_upload
from ketenzicht.intake.forms import MultipleFileInput, not_future
from ketenzicht.intake.public_services import MAX_ADDITION_CHARS, is_form_key, new_form_key

MAX_PHOTOS = 5

# Plain-language situations and the form of exploitation each one stands for.
SITUATIONS = [
    ("arbeid", _("Iemand moet werken onder slechte omstandigheden of krijgt (bijna) niets betaald")),
    ("seksueel", _("Iemand wordt gedwongen tot seks of prostitutie")),
    ("crimineel", _("Iemand wordt gedwongen om strafbare dingen te doen, zoals drugs vervoeren, stelen of bedelen")),
    ("onbekend", _("Iets anders / weet ik niet")),
]


def _plain(name: str) -> str:
    """Compare names without case, accents, punctuation or a leading 'gemeente'."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    return re.sub(r"^gemeente ", "", text)


def find_municipality(typed: str) -> Municipality | None:
    """The municipality whose name matches what was typed (case, accents and 'gemeente' ignored)."""
    wanted = _plain(typed or "")
    if not wanted:
        return None
    fields = ("pk", "name", "cbs_code", "on_platform", "region_id")
    # Usually the name exactly as the list offers it: one row read, not all 342 compared here.
    exact = Municipality.objects.only(*fields).filter(name__iexact=(typed or "").strip()).first()
    if exact is not None and _plain(exact.name) == wanted:
        return exact
    for municipality in Municipality.objects.only(*fields):
        if _plain(municipality.name) == wanted:
            return municipality
    return None


class PhotoField(forms.FileField):
    """Zero or more photos, each checked by its content (images only)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/heic"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        if len(files) > MAX_PHOTOS:
            raise ValidationError(_("U kunt maximaal %(max)s foto's meesturen.") % {"max": MAX_PHOTOS}, code="too_many")
        errors: list[ValidationError] = []
        for upload in files:
            try:
                validate_upload(upload, IMAGES_ONLY)
            except ValidationError as exc:
                if exc.code == "type":
                    # The shared message mentions PDF, which this form does not take.
                    exc = ValidationError(
                        _("Het bestand %(name)s is geen foto. Kies een foto (JPG, PNG, WEBP of HEIC).") % {"name": upload.name or ""},
                        code="type",
                    )
                errors.append(exc)
        if errors:
            raise ValidationError(errors)
        return list(files)


class MunicipalityInput(forms.TextInput):
    """A text box with the list of all municipalities as suggestions (works without script)."""

    def __init__(self) -> None:
        super().__init__(attrs={"list": "kz-gemeenten", "autocomplete": "off", "spellcheck": "false"})


class PublicReportForm(DatedForm):
    description = forms.CharField(
        label=_("Wat heeft u gezien of gehoord?"),
        help_text=_("Beschrijf zo precies mogelijk wat er gebeurde en wie erbij waren. U mag ook over uzelf schrijven."),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        error_messages={"required": _("Beschrijf wat u heeft gezien of gehoord.")},
    )
    situations = forms.MultipleChoiceField(
        label=_("Wat voor situatie is het?"),
        help_text=_("Kies wat het best past. U mag meer dan één antwoord kiezen."),
        choices=SITUATIONS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    municipality = forms.CharField(
        label=_("In welke gemeente was het?"),
        help_text=_("Typ de naam van de gemeente en kies uit de lijst."),
        widget=MunicipalityInput(),
        max_length=100,
        error_messages={"required": _("Vul de gemeente in waar het was.")},
    )
    location_address = forms.CharField(
        label=_("Adres"),
        help_text=_("Straat en huisnummer, als u die weet."),
        required=False,
        max_length=200,
    )
    location_description = forms.CharField(
        label=_("Of beschrijf de plek"),
        help_text=_("Bijvoorbeeld: de kas achter het tankstation, of de woning boven de winkel."),
        required=False,
        max_length=300,
    )
    observed_on = forms.DateField(
        label=_("Wanneer was het?"),
        help_text=_("Weet u de dag niet precies? Kies dan ongeveer, of laat dit leeg."),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Vul een geldige datum in (dag, maand en jaar).")},
    )
    acute_danger = forms.BooleanField(
        label=_("Is iemand nu in acuut gevaar?"),
        help_text=_("Bel dan direct 112. Uw melding wordt daarnaast gewoon opgeslagen."),
        required=False,
    )
    photos = PhotoField(
        label=_("Foto's"),
        help_text=_("Alleen foto's (JPG, PNG, WEBP of HEIC), maximaal 5, elk maximaal 10 MB. Breng uzelf niet in gevaar om een foto te maken."),
        required=False,
    )
    contact_email = forms.EmailField(
        label=_("E-mailadres"),
        help_text=_("Dan sturen we u de ontvangstcode en laten we het weten als er nieuws is."),
        required=False,
        max_length=254,
        error_messages={"invalid": _("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl, of laat dit veld leeg.")},
    )
    contact_phone = forms.RegexField(
        label=_("Telefoonnummer"),
        help_text=_("Alleen als u gebeld wilt worden over uw melding."),
        regex=r"^\s*\+?[0-9][0-9 ()\-]{5,24}\s*$",
        required=False,
        max_length=30,
        error_messages={"invalid": _("Vul een telefoonnummer in met alleen cijfers, spaties of een +, bijvoorbeeld 06 12345678, of laat dit veld leeg.")},
    )
    # Honeypot: hidden from people and assistive technology; a bot that fills it is ignored.
    website = forms.CharField(label=_("Laat dit veld leeg"), required=False, max_length=200)
    form_key = forms.CharField(widget=forms.HiddenInput, required=False)

    outside: Municipality | None = None
    # The municipality the view already read for the page's theme (`themes.selectors.theme_municipality`),
    # with its region: when it is the one typed, the form takes it instead of reading it again.
    known: Municipality | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Before sending: choosing a municipality outside every loaded region shows at once where
        # to report instead (htmx; without script the same notice follows the send button).
        self.fields["municipality"].widget.attrs.update({
            "hx-get": reverse("public:municipality_check"),
            "hx-trigger": "change",
            "hx-target": "#kz-gemeente-melding",
            "hx-swap": "innerHTML",
        })
        if not self.is_bound and not is_form_key(str(self.initial.get("form_key", ""))):
            # One key per rendered form: a double submit sends the same key twice.
            self.initial["form_key"] = new_form_key()

    @classmethod
    def keeping(cls, data: QueryDict, *, now: datetime) -> PublicReportForm:
        """An unbound form that shows what was typed (for a language switch: no errors yet)."""
        initial: dict[str, Any] = {}
        for name, field in cls.base_fields.items():
            if name == "website":
                continue
            if isinstance(field, forms.MultipleChoiceField):
                initial[name] = data.getlist(name)
            elif name in data:
                initial[name] = data.get(name)
        return cls(initial=initial, now=now)

    def honeypot_filled(self) -> bool:
        return bool((self.data.get("website") or "").strip()) if self.is_bound else False

    def clean_observed_on(self) -> Any:
        return not_future(self.cleaned_data.get("observed_on"), self.today)

    def clean_municipality(self) -> Municipality:
        typed = self.cleaned_data["municipality"]
        known = self.known
        municipality = known if known is not None and _plain(known.name) == _plain(typed or "") else find_municipality(typed)
        if municipality is None:
            raise ValidationError(_("Kies een gemeente uit de lijst. Typ de eerste letters van de naam om te zoeken."), code="unknown")
        if municipality.region_id is None:
            # Outside every loaded region: nobody here could act on it. Say where to go instead.
            self.outside = municipality
            raise ValidationError(
                _("Meldingen over %(name)s kunnen hier niet worden ontvangen: deze gemeente werkt niet met dit meldpunt. Er is niets verstuurd of opgeslagen.")
                % {"name": municipality.name},
                code="outside",
            )
        return municipality

    def clean_form_key(self) -> str:
        key = self.cleaned_data.get("form_key", "")
        # A missing or altered key gets a fresh one: the report is still taken once.
        return key if is_form_key(key) else new_form_key()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        place_given = (cleaned.get("location_address") or "").strip() or (cleaned.get("location_description") or "").strip()
        if not place_given and not self.has_error("location_address") and not self.has_error("location_description"):
            self.add_error("location_address", _("Vul een adres in, of beschrijf de plek in het veld daaronder."))
        return cleaned


class StatusForm(forms.Form):
    code = forms.CharField(
        label=_("Uw ontvangstcode"),
        help_text=_("16 tekens in vier groepen, bijvoorbeeld K7M2-4QXP-9D3F-ZT6W. Hoofdletters en streepjes maken niet uit."),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
        error_messages={"required": _("Vul uw ontvangstcode in.")},
    )


class AdditionForm(forms.Form):
    code = forms.CharField(widget=forms.HiddenInput, max_length=40)
    text = forms.CharField(
        label=_("Wat wilt u toevoegen?"),
        help_text=_("Bijvoorbeeld iets wat u later zag of nog wist. Noem alleen wat nodig is."),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=MAX_ADDITION_CHARS,
        error_messages={"required": _("Schrijf wat u wilt toevoegen.")},
    )


class AnswerForm(forms.Form):
    """The reporter's answer to a question of the municipality (with the receipt code)."""

    code = forms.CharField(widget=forms.HiddenInput, max_length=40)
    question = forms.IntegerField(widget=forms.HiddenInput)
    answer = forms.CharField(
        label=_("Uw antwoord"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_ADDITION_CHARS,
        error_messages={"required": _("Schrijf uw antwoord.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # One form per question on the page: ids must differ.
        question = self.initial.get("question") or (self.data.get("question") if self.data else "")
        self.auto_id = f"antwoord-{question}-%s"
