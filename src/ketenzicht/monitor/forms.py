"""Forms of the monitor: the filter bar (GET), the upload and the withdrawal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ketenzicht.accounts.models import District, Region
from ketenzicht.monitor import selectors
from ketenzicht.monitor.models import Source, Unit
from ketenzicht.monitor.sources import ensure_default_sources, sources_for_region

MAX_UPLOAD_BYTES = 20 * 1024 * 1024

PART_CHOICES = [
    ("", _("Heel jaar")),
    ("H1", _("Eerste halfjaar")),
    ("H2", _("Tweede halfjaar")),
    ("K1", _("Eerste kwartaal")),
    ("K2", _("Tweede kwartaal")),
    ("K3", _("Derde kwartaal")),
    ("K4", _("Vierde kwartaal")),
]
GRAIN_CHOICES = [
    ("jaar", _("Per jaar")),
    ("halfjaar", _("Per halfjaar")),
    ("kwartaal", _("Per kwartaal")),
    ("maand", _("Per maand")),
]


class FilterForm(forms.Form):
    district = forms.ModelChoiceField(queryset=District.objects.none(), required=False, label=_("District"), empty_label=_("Hele regio"))
    jaar = forms.TypedChoiceField(required=False, label=_("Jaar"), coerce=int, empty_value=None)
    deel = forms.ChoiceField(choices=PART_CHOICES, required=False, label=_("Deel van het jaar"))
    indeling = forms.ChoiceField(choices=GRAIN_CHOICES, required=False, label=_("Verloop"))
    bron = forms.ModelChoiceField(queryset=Source.objects.all(), required=False, to_field_name="slug", label=_("Bron"), empty_label=None)
    eenheid = forms.ChoiceField(choices=[("", _("Zoals de bron telt"))] + list(Unit.choices), required=False, label=_("Eenheid"))

    def __init__(self, *args: Any, region: Region, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.filter(region=region).order_by("name")
        # National sources and the region's own (its norms file), never another region's.
        self.fields["bron"].queryset = sources_for_region(region.slug)
        self.fields["jaar"].choices = [("", _("Alle jaren"))] + [(y, str(y)) for y in selectors.available_years()]

    def selection(self, region: Region, **extra: Any) -> selectors.Selection:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        ensure_default_sources()
        source = data.get("bron") or Source.objects.order_by("position").first()
        unit = data.get("eenheid") or source.default_unit
        year = data.get("jaar")
        grain = data.get("indeling") or ("maand" if year else "jaar")
        return selectors.Selection(
            region=region,
            source=source,
            unit=unit,
            district=extra.get("district", data.get("district")),
            municipality=extra.get("municipality"),
            year=year,
            part=(data.get("deel") or "") if year else "",
            grain=grain,
        )


class UploadForm(forms.Form):
    def __init__(self, *args: Any, region_slug: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bron"].queryset = sources_for_region(region_slug).exclude(slug="eigen-signalen")

    bron = forms.ModelChoiceField(
        queryset=Source.objects.exclude(slug="eigen-signalen"), to_field_name="slug", label=_("Bron"),
        help_text=_("Van welke partner komen deze gegevens?"),
    )
    bestand = forms.FileField(
        label=_("Bestand (CSV of XLSX)"),
        help_text=_("Zie de beschrijving van de importformaten; het bestand wordt in zijn geheel gecontroleerd."),
    )

    def clean_bestand(self) -> Any:
        upload = self.cleaned_data["bestand"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Het bestand is groter dan 20 MB. Splits het in kleinere bestanden."))
        if not upload.name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError(_("Kies een CSV- of XLSX-bestand."))
        return upload


class WithdrawForm(forms.Form):
    reden = forms.CharField(
        label=_("Reden van intrekken"), max_length=300,
        help_text=_("Bijvoorbeeld: verkeerde periode geleverd; de partner levert een verbeterd bestand."),
    )


class ThroughputForm(forms.Form):
    """The months of the regional throughput page: released months only, no free dates (issue 20)."""

    van = forms.ChoiceField(label=_("Van"), required=False)
    tot = forms.ChoiceField(label=_("Tot en met"), required=False)

    def __init__(self, *args: Any, months: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from ketenzicht.monitor.protected import month_label

        self.months = {f"{m:%Y-%m}": m for m in months}
        choices = [(code, month_label(m)) for code, m in self.months.items()]
        for name in ("van", "tot"):
            self.fields[name].choices = choices
            self.fields[name].error_messages["invalid_choice"] = _("Kies een maand waarvan de cijfers zijn vrijgegeven.")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("van") and data.get("tot") and data["van"] > data["tot"]:
            self.add_error("tot", _("Kies een eindmaand na de beginmaand."))
        return data

    def period(self) -> tuple[Any, Any] | None:
        """(first, last) month chosen; by default the last twelve released months."""
        if not self.months:
            return None
        ordered = sorted(self.months.values())
        first, last = ordered[max(0, len(ordered) - 12)], ordered[-1]
        if self.is_bound and self.is_valid():
            first = self.months.get(self.cleaned_data.get("van") or "", first)
            last = self.months.get(self.cleaned_data.get("tot") or "", last)
        return first, last
