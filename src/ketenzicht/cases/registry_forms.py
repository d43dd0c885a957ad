"""Forms of the registry lookups on the case page. They check syntax; the services do the rest."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ketenzicht.domain.addresses import AddressQuery, parse_house_number, parse_kvk, parse_postcode


class AddressLookupForm(forms.Form):
    prefix = "bag"
    postcode = forms.CharField(
        label=_("Postcode"), max_length=10, error_messages={"required": _("Vul de postcode in, bijvoorbeeld 2381 AB.")}
    )
    huisnummer = forms.CharField(
        label=_("Huisnummer"),
        help_text=_("Met huisletter of toevoeging als die er is, bijvoorbeeld 3, 3A of 12-2."),
        max_length=14,
        error_messages={"required": _("Vul het huisnummer in, bijvoorbeeld 3 of 3A.")},
    )

    def clean_postcode(self) -> str:
        value = parse_postcode(self.cleaned_data["postcode"])
        if value is None:
            raise forms.ValidationError(_("Dit is geen postcode. Een postcode is vier cijfers en twee letters, bijvoorbeeld 2381 AB."))
        return value

    def clean_huisnummer(self) -> tuple[int, str, str]:
        value = parse_house_number(self.cleaned_data["huisnummer"])
        if value is None:
            raise forms.ValidationError(_("Dit is geen huisnummer. Bijvoorbeeld 3, 3A of 12-2."))
        return value

    def query(self) -> AddressQuery:
        number, letter, addition = self.cleaned_data["huisnummer"]
        return AddressQuery(self.cleaned_data["postcode"], number, letter, addition)


class KvkLookupForm(forms.Form):
    prefix = "kvk"
    kvk_number = forms.CharField(
        label=_("KvK-nummer"), max_length=14, error_messages={"required": _("Vul het KvK-nummer in (8 cijfers).")}
    )

    def clean_kvk_number(self) -> str:
        value = parse_kvk(self.cleaned_data["kvk_number"])
        if value is None:
            raise forms.ValidationError(_("Een KvK-nummer heeft 8 cijfers, bijvoorbeeld 12345678."))
        return value


class TakeOverForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, error_messages={"required": _("Zoek eerst op; er is nog niets om over te nemen.")})
