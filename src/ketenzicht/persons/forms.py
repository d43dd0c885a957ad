"""Forms of the persons pages: a delivery (encoded file) and the choice of year and district."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ketenzicht.accounts.models import District, Region
from ketenzicht.core import policy
from ketenzicht.monitor.forms import MAX_UPLOAD_BYTES
from ketenzicht.monitor.models import Source


class DeliveryForm(forms.Form):
    bron = forms.ModelChoiceField(queryset=Source.objects.none(), to_field_name="slug", label=_("Bron"), empty_label=None,
                                  help_text=_("Voor welke registraties van uw organisatie levert u aan?"))  # fmt: skip
    bestand = forms.FileField(label=_("Gecodeerd bestand"), help_text=_("Het bestand dat hierboven in uw browser is gecodeerd (of met ketenzicht encode)."))
    levering = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = [s.pk for s in Source.objects.exclude(slug="eigen-signalen") if policy.can(user, "monitor.deliver", s)]
        self.fields["bron"].queryset = Source.objects.filter(pk__in=allowed).order_by("position")
        if not self.is_bound:
            self.initial["levering"] = uuid.uuid4().hex

    def clean_bestand(self) -> Any:
        upload = self.cleaned_data["bestand"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Het bestand is groter dan 20 MB. Splits het in kleinere bestanden."))
        return upload


class PersonsFilterForm(forms.Form):
    jaar = forms.TypedChoiceField(label=_("Jaar"), coerce=int, required=False)
    district = forms.ModelChoiceField(queryset=District.objects.none(), required=False, label=_("District"), empty_label=_("Hele regio"), to_field_name="slug")

    def __init__(self, *args: Any, region: Region, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["jaar"].choices = [(y, str(y)) for y in years]
        self.fields["district"].queryset = District.objects.filter(region=region).order_by("name")
